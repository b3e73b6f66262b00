"""Retention as Prefect tasks: check, plan, delete what was planned, rescan, publish."""

from __future__ import annotations

from typing import Any

from prefect import get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE

from reelflow.services import cleanup
from reelflow.settings import Settings
from reelflow.storage.accounting import Drift
from reelflow.storage.cleanup import Outcome
from reelflow.storage.retention import Plan

REPORT_KEY = "cleanup-media-report"


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
