"""The reconciler as a task, with Prefect as the witness of whether a job's run ended."""

from __future__ import annotations

import uuid
from typing import Any

from prefect import task

from reelflow.services.reconcile import RunState, reconcile_jobs
from reelflow.settings import Settings


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


def crash_run(job_id: uuid.UUID, reason: str) -> str | None:
    """Forces the flow run with the job's id to CRASHED, with ``reason`` as its message (force:
    a RUNNING run whose worker is gone, or a CANCELLING one that no worker will confirm, would
    otherwise stay so for good). Returns the run's state type after; None when Prefect cannot
    be reached or does not know the run."""
    from prefect.client.orchestration import get_client
    from prefect.states import Crashed

    try:
        with get_client(sync_client=True) as client:
            client.set_flow_run_state(job_id, Crashed(message=f"reelflow reconcile: {reason}"),
                                      force=True)
            run = client.read_flow_run(job_id)
    except Exception:  # not found, server down: the job is failed all the same
        return None
    return None if run.state is None else str(run.state.type.value)


def reconcile_with_prefect(settings: Settings, stale_after_seconds: float,
                           ) -> list[dict[str, Any]]:
    """Fails every unfinished job whose Prefect run ended or whose heartbeat went silent, and
    sets each such run that had not ended to CRASHED."""
    return reconcile_jobs(settings, prefect_run_state, end_run=crash_run,
                          stale_after_seconds=stale_after_seconds)


@task(name="reconcile-jobs")
def reconcile_jobs_task(settings: Settings, stale_after_seconds: float) -> list[dict[str, Any]]:
    """The reconciler as a step of the cleanup flow."""
    return reconcile_with_prefect(settings, stale_after_seconds)
