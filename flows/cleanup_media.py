"""The cleanup-media flow: retention on a schedule, planned first and then carried out."""

from __future__ import annotations

from typing import Annotated, Any

from prefect import flow
from prefect.utilities.annotations import quote
from pydantic import Field

from reelflow.services.cleanup import describe
from reelflow.services.reconcile import DEFAULT_STALE_AFTER_SECONDS
from reelflow.services.runtime import utcnow
from reelflow.settings import Settings
from reelflow.tasks.cleanup import (
    check_database,
    delete_planned,
    one_cleanup_at_a_time,
    plan_cleanup_task,
    publish_cleanup_report,
    reconcile_storage,
)
from reelflow.tasks.reconcile import reconcile_jobs_task


@flow(name="cleanup-media")
def cleanup_media(
    dry_run: bool = False,
    grace_hours: Annotated[float, Field(ge=0)] = 1.0,
    stale_after_seconds: Annotated[float, Field(gt=0)] = DEFAULT_STALE_AFTER_SECONDS,
    wait_seconds: Annotated[float, Field(ge=0)] = 3600.0,
) -> dict[str, Any]:
    """Deletes what the storage policies say must go, then rescans the counters; returns the
    report (files, bytes and rows per storage type and reason) and publishes it as a table.

    One cleanup runs at a time, whoever started it: a run waits for the one running. Raises
    StorageError without deleting anything when the database cannot be read, Busy when the
    running cleanup did not end in time. (Prefect shows the Args below in the run form.)

    Args:
        dry_run: Only plan: report what would be deleted and change nothing.
        grace_hours: Files that no row records, partial files and scratch files are kept
            until they are this old (a job may still be writing them).
        stale_after_seconds: A running job whose heartbeat is older than this is failed as
            lost (its worker died without a word).
        wait_seconds: How long to wait for a cleanup already running (started from the
            command line, the UI or the schedule) before giving up without changing anything.
    """
    settings = Settings.from_env()
    check_database(settings)
    if dry_run:
        plan = plan_cleanup_task(settings, grace_hours)
        report = describe(plan, None, [], utcnow())
    else:
        with one_cleanup_at_a_time(wait_seconds):
            # Jobs that a lost worker left running are failed first, so that their files stop
            # being protected as "running" and this run can clean them.
            reconcile_jobs_task(settings, stale_after_seconds)
            plan = plan_cleanup_task(settings, grace_hours)
            outcome = delete_planned(settings, _as_is(plan))
            drift = reconcile_storage(settings, cleaned=True)
        report = describe(plan, outcome, drift, utcnow())
    publish_cleanup_report(_as_is(report))
    return report


def _as_is(value: Any) -> Any:
    # Why: Prefect walks task arguments looking for futures; over a plan of 100,000 files that
    # walk alone takes 3 s. quote() hands the value over untouched.
    return quote(value)
