"""The reconciler: fails jobs that a lost worker left running.

Hooks fail a job when its run fails, crashes or is cancelled, but a worker killed outright runs
no hook. The reconciler looks at every unfinished job and fails it when Prefect reports its run
ended, or when its heartbeat is older than the timeout.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from prefect import task

from deployments.settings import Settings
from tasks.jobs import mark_failed
from tasks.runtime import database, utcnow

DEFAULT_STALE_AFTER_SECONDS = 120.0
RunState = tuple[str, str]  # (state type, state name) as Prefect reports them


def verdict(run_state: RunState | None, last_sign_of_life: datetime, now: datetime,
            stale_after: timedelta) -> str | None:
    """Given what Prefect says of a job's run and when the job last beat, returns why the job
    must be failed, or None while it may still be running."""
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


def prefect_run_state(job_id: uuid.UUID) -> RunState | None:
    """Returns the (type, name) of the flow run with the job's id; None when Prefect does not
    know it or cannot be reached (then only the heartbeat decides)."""
    from prefect.client.orchestration import get_client

    try:
        with get_client(sync_client=True) as client:
            run = client.read_flow_run(job_id)
    except Exception:  # not found, server down: no evidence either way
        return None
    if run.state is None:
        return None
    return str(run.state.type.value), str(run.state.name)


def reconcile_jobs(settings: Settings, *, stale_after_seconds: float = DEFAULT_STALE_AFTER_SECONDS,
                   read_state: Callable[[uuid.UUID], RunState | None] = prefect_run_state,
                   ) -> list[dict[str, Any]]:
    """Fails every unfinished job whose run is over or silent; returns what it did per job."""
    with database(settings).unit_of_work(read_only=True) as uow:
        candidates = [(job.id, job.heartbeat_at or job.started_at) for job in uow.jobs.unfinished()]
    stale_after = timedelta(seconds=stale_after_seconds)
    fixed = []
    for job_id, last_beat in candidates:
        reason = verdict(read_state(job_id), last_beat, utcnow(), stale_after)
        if reason is not None and mark_failed(settings, job_id, reason):
            fixed.append({"job_id": str(job_id), "error_message": reason})
    return fixed


@task(name="reconcile-jobs")
def reconcile_jobs_task(settings: Settings, stale_after_seconds: float) -> list[dict[str, Any]]:
    """The reconciler as a step of the cleanup flow."""
    return reconcile_jobs(settings, stale_after_seconds=stale_after_seconds)
