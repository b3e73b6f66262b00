"""Retention as Prefect tasks: check, plan, delete what was planned, rescan, publish."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

from prefect import get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE

from reelflow.errors import Busy
from reelflow.notices import NOTICES
from reelflow.services import cleanup
from reelflow.settings import Settings
from reelflow.storage.accounting import Drift
from reelflow.storage.cleanup import Outcome
from reelflow.storage.retention import Plan

REPORT_KEY = "cleanup-media-report"
# One cleanup at a time, whoever starts it (the CLI, the served deployment, the pool one): a
# Prefect global concurrency limit all of them take. Its one slot agrees with prefect.yaml's
# concurrency_limit of the cleanup-media deployment (tests/unit/test_deployments.py).
CLEANUP_LOCK = "reelflow-cleanup"
CLEANUP_LOCK_SLOTS = 1
MIN_LOCK_TIMEOUT_SECONDS = 10.0


@contextmanager
def one_cleanup_at_a_time(wait_seconds: float) -> Iterator[None]:
    """Holds the cleanup lock for the block, creating the limit on first use.

    Waits up to ``wait_seconds`` for a cleanup that is running; raises Busy, before the block
    changes anything, when it is still running then. Raises what Prefect raises when its API
    cannot be reached (no lock, no cleanup).
    """
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate
    from prefect.concurrency.sync import concurrency
    from prefect.exceptions import ObjectAlreadyExists

    with get_client(sync_client=True) as client:
        with suppress(ObjectAlreadyExists):
            client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(
                name=CLEANUP_LOCK, limit=CLEANUP_LOCK_SLOTS))
        limit = client.read_global_concurrency_limit_by_name(CLEANUP_LOCK)
    taken = limit.active_slots >= limit.limit
    if taken and wait_seconds <= 0:
        raise Busy(_busy(wait_seconds))
    if taken:
        for logger in (get_run_logger(), NOTICES):
            logger.info("another cleanup is running; waiting up to %g s for it to end",
                        wait_seconds)
    held = False
    try:
        # Why a floor: a timeout of 0 gives up before asking; the slot may also be taken
        # between the read above and this request.
        with concurrency(CLEANUP_LOCK, occupy=1, strict=True,
                         timeout_seconds=max(wait_seconds, MIN_LOCK_TIMEOUT_SECONDS)):
            held = True
            yield
    except TimeoutError as exc:
        if held:
            raise
        raise Busy(_busy(wait_seconds)) from exc


def _busy(wait_seconds: float) -> str:
    waited = f"did not end within {wait_seconds:g} s" if wait_seconds > 0 else "holds it"
    return (f"another cleanup is running and {waited} (Prefect concurrency limit "
            f"{CLEANUP_LOCK!r}); nothing was changed: run it again when that one ends")


@task(name="check-database", cache_policy=NO_CACHE, retries=1, retry_delay_seconds=3)
def check_database(settings: Settings) -> None:
    """Raises StorageError, before any step changes anything, when the database can't be read."""
    cleanup.check_database(settings)


@task(name="plan-cleanup", cache_policy=NO_CACHE)
def plan_cleanup_task(settings: Settings, grace_hours: float) -> Plan:
    """Returns the retention plan, logging its notes as warnings."""
    plan = cleanup.plan(settings, grace_hours)
    for note in plan.notes:
        get_run_logger().warning(note)
    return plan


@task(name="delete-planned", cache_policy=NO_CACHE)
def delete_planned(settings: Settings, plan: Plan) -> Outcome:
    """Deletes the planned files, then their rows, then the planned jobs; returns the outcome."""
    return cleanup.delete(settings, plan)


@task(name="reconcile-storage", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=2)
def reconcile_storage(settings: Settings, cleaned: bool = False) -> list[Drift]:
    """Rescans the media root and fixes the counters that drifted; returns what it fixed."""
    return cleanup.rescan(settings, cleaned)


@task(name="publish-cleanup-report")
def publish_cleanup_report(report: dict[str, Any]) -> None:
    """Publishes files and bytes per storage type and reason as a table artifact."""
    what = "would delete (dry run)" if report["dry_run"] else "deleted"
    rows = report["by_type_and_reason"] or [
        {"storage_type": "-", "reason": "nothing to do", "files": 0, "bytes": 0, "rows": 0}]
    create_table_artifact(rows, key=REPORT_KEY, description=(
        f"cleanup-media {what}: {report['files']} files, {report['bytes']} bytes, "
        f"{report['rows']} rows, {len(report['jobs'])} jobs; counters fixed: "
        f"{len(report['storage_fixes'])}"))
