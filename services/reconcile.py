"""The reconciler: fails jobs that a lost worker left running.

Hooks fail a job when its run fails, crashes or is cancelled, but a worker killed outright runs
no hook. The reconciler looks at every unfinished job and fails it when the orchestrator
reports its run ended, or when its heartbeat is older than the timeout; then it ends the run
too (``end_run``), so that no run of a failed job stays RUNNING or CANCELLING for good. What the
orchestrator says and does comes through ``read_state`` and ``end_run``, so this module knows
nothing of Prefect.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from reelflow.errors import InvalidArgument
from reelflow.services.jobs import mark_failed
from reelflow.services.runtime import database, utcnow
from reelflow.settings import Settings

DEFAULT_STALE_AFTER_SECONDS = 120.0
RunState = tuple[str, str]  # (state type, state name) as the orchestrator reports them
ReadState = Callable[[uuid.UUID], RunState | None]
# Given a job id and why its job failed, ends its run; returns the run's state type after.
EndRun = Callable[[uuid.UUID, str], str | None]
FINAL_RUN_STATES = frozenset({"COMPLETED", "FAILED", "CANCELLED", "CRASHED"})


def verdict(run_state: RunState | None, last_sign_of_life: datetime, now: datetime,
            stale_after: timedelta) -> str | None:
    """Given what the orchestrator says of a job's run and when the job last beat, returns why
    the job must be failed, or None while it may still be running."""
    if run_state is not None:
        kind, name = run_state
        if kind == "CRASHED":
            return f"crashed: Prefect reports the flow run {name}"
        if kind == "CANCELLED":
            return f"cancelled: Prefect reports the flow run {name}"
        if kind == "FAILED":
            return f"failed: Prefect reports the flow run {name}"
        if kind == "COMPLETED":
            return "failed: the flow run ended without completing the job"
    silent = now - last_sign_of_life
    if silent > stale_after:
        return (f"lost: no heartbeat for {silent.total_seconds():.0f} s (timeout "
                f"{stale_after.total_seconds():.0f} s); the worker running it is gone")
    return None


def reconcile_jobs(settings: Settings, read_state: ReadState, *,
                   end_run: EndRun | None = None,
                   stale_after_seconds: float = DEFAULT_STALE_AFTER_SECONDS,
                   ) -> list[dict[str, Any]]:
    """Fails every unfinished job whose run is over or silent, and ends each such run that is
    not over yet through ``end_run``; returns per job the message and the run's state after
    (``run_state``: None when the orchestrator could not say).

    Raises InvalidArgument when ``stale_after_seconds`` is shorter than three heartbeats: a
    live job could then look silent and be failed.
    """
    shortest = 3 * settings.heartbeat_seconds
    if not stale_after_seconds >= shortest:
        raise InvalidArgument(
            f"a heartbeat timeout of {stale_after_seconds:g} s would fail jobs that are alive: "
            f"it must be at least {shortest:g} s, three heartbeats (REELFLOW_HEARTBEAT_SECONDS="
            f"{settings.heartbeat_seconds:g})")
    with database(settings).unit_of_work(read_only=True) as uow:
        candidates = [(job.id, job.heartbeat_at or job.started_at) for job in uow.jobs.unfinished()]
    stale_after = timedelta(seconds=stale_after_seconds)
    fixed = []
    for job_id, last_beat in candidates:
        run_state = read_state(job_id)
        reason = verdict(run_state, last_beat, utcnow(), stale_after)
        if reason is None or not mark_failed(settings, job_id, reason):
            continue
        after = run_state[0] if run_state is not None else None
        if end_run is not None and after not in FINAL_RUN_STATES:
            after = end_run(job_id, reason)
        fixed.append({"job_id": str(job_id), "error_message": reason, "run_state": after})
    return fixed
