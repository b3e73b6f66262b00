"""Flow-run state hooks: the fast path that fails a job when its run fails, crashes or is
cancelled. Hooks are best effort (a killed worker runs none); the reconciler guarantees it."""

from __future__ import annotations

import uuid
from typing import Any

from reelflow.services.jobs import mark_failed
from reelflow.settings import Settings


def _job_id(flow_run: Any) -> uuid.UUID:
    return uuid.UUID(str(flow_run.id))


def _reason(state: Any) -> str:
    message = (getattr(state, "message", None) or "").strip()
    return f" ({message})" if message else ""


def job_cancelled(flow: Any, flow_run: Any, state: Any) -> None:
    """on_cancellation: the job FAILED with a message saying it was cancelled."""
    mark_failed(Settings.from_env(), _job_id(flow_run),
                f"cancelled: the flow run was cancelled before it finished{_reason(state)}")


def job_crashed(flow: Any, flow_run: Any, state: Any) -> None:
    """on_crashed: the job FAILED with the crash named (lost process, infrastructure)."""
    mark_failed(Settings.from_env(), _job_id(flow_run),
                f"crashed: the flow run crashed{_reason(state)}")


def job_failed(flow: Any, flow_run: Any, state: Any) -> None:
    """on_failure: the job FAILED, if the flow's own failure handling did not get to it."""
    mark_failed(Settings.from_env(), _job_id(flow_run), f"failed{_reason(state)}")
