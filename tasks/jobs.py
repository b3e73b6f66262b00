"""The job's lifecycle as tasks, and its progress as a Prefect progress artifact."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from prefect import get_run_logger, task
from prefect.artifacts import create_progress_artifact, update_progress_artifact

from reelflow.db.states import JobStatus
from reelflow.services import jobs
from reelflow.settings import Settings


@task(name="start-job", retries=2, retry_delay_seconds=1)
def start_job(settings: Settings, job_id: uuid.UUID, script_id: uuid.UUID, session_id: str,
              composition_settings: dict[str, Any]) -> None:
    """Creates the job row in PENDING with id = the flow run's id (see services.jobs)."""
    jobs.start_job(settings, job_id, script_id, session_id, composition_settings)


@task(name="enter-stage", retries=2, retry_delay_seconds=1)
def enter_stage(settings: Settings, job_id: uuid.UUID, status: JobStatus) -> None:
    """Moves the job to ``status``; raises InvalidTransition when its lifecycle forbids it."""
    jobs.enter_stage(settings, job_id, status)


@task(name="complete-job", retries=2, retry_delay_seconds=1)
def complete_job(settings: Settings, job_id: uuid.UUID,
                 resource_usage: dict[str, Any]) -> dict[str, Any]:
    """Marks the job COMPLETED with its resource usage; returns the usage as stored."""
    return jobs.complete_job(settings, job_id, resource_usage)


@task(name="fail-job", retries=3, retry_delay_seconds=2)
def fail_job(settings: Settings, job_id: uuid.UUID, message: str) -> None:
    """Marks the job FAILED with ``message``; an ended job is left alone."""
    jobs.mark_failed(settings, job_id, message)


class Progress:
    """Reports a job's progress to its row and to a Prefect progress artifact.

    The artifact is updated in place, and its description says the figure and the step
    ("45% - narrated 3 of 6 scenes"), so the run page's Artifacts tab shows where the job is
    without opening anything. Progress only moves forward: a late report of a smaller number
    is ignored.
    """

    def __init__(self, settings: Settings, job_id: uuid.UUID) -> None:
        self._settings = settings
        self._job_id = job_id
        self._value = 0
        self._artifact: uuid.UUID = create_progress_artifact(  # type: ignore[assignment]
            progress=0.0, key=f"job-{job_id.hex[:20]}-progress",
            description=_describe(0, "starting"))

    def report(self, percent: float, step: str) -> None:
        """Records ``percent`` (0-100) with what the job just did."""
        value = max(self._value, min(100, int(percent)))
        if value == self._value:
            return
        self._value = value
        jobs.set_progress(self._settings, self._job_id, value)
        update_progress_artifact(self._artifact, float(value), _describe(value, step))
        get_run_logger().info("progress %d%%: %s", value, step)

    def between(self, start: float, end: float, what: str) -> Callable[[int, int], None]:
        """Returns ``on_step(done, total)`` reporting ``start`` to ``end`` percent as steps of
        ``what`` (e.g. "scenes rendered") finish."""
        def on_step(done: int, total: int) -> None:
            self.report(start + (end - start) * done / max(total, 1),
                        f"{what} {done} of {total}")
        return on_step


def _describe(percent: int, step: str) -> str:
    return f"{percent}% - {step}"
