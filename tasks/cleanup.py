"""Retention as Prefect tasks: plan, delete what was planned, rescan, publish the report."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from prefect import get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE
from sqlalchemy.exc import SQLAlchemyError

from db.session import Database
from deployments.settings import Settings
from engine.errors import StorageError
from storage.accounting import Drift, reconcile
from storage.cleanup import Outcome, execute
from storage.inventory import scan, snapshot
from storage.retention import Plan, plan_cleanup
from tasks.runtime import database, layout, utcnow

REPORT_KEY = "cleanup-media-report"
# Why a cap: Prefect walks a flow's return value looking for futures, about 0.13 s per 1,000
# items; the totals and the per-type, per-reason summary always cover everything.
ITEMS_SHOWN = 1000


def _open(settings: Settings) -> Database:
    try:
        return database(settings)
    except (SQLAlchemyError, OSError) as exc:
        raise StorageError(f"the database cannot be read: {exc}") from exc


@task(name="check-database", cache_policy=NO_CACHE, retries=1, retry_delay_seconds=3)
def check_database(settings: Settings) -> None:
    """Opens the database and reads the storage records; raises StorageError saying that
    nothing will be deleted when it cannot, before any step changes anything."""
    try:
        with _open(settings).unit_of_work(read_only=True) as uow:
            uow.storage.all()
    except (StorageError, SQLAlchemyError) as exc:
        raise StorageError(f"refusing to delete anything: {exc}") from exc


@task(name="plan-cleanup", cache_policy=NO_CACHE)
def plan_cleanup_task(settings: Settings, grace_hours: float) -> Plan:
    """Reads the rows and policies, then the disk, and returns the retention plan.

    Raises StorageError, before anything is deleted, when the database cannot be read.
    """
    media = layout(settings)
    try:
        records = snapshot(_open(settings), media)
    except StorageError as exc:
        raise StorageError(f"refusing to delete anything: {exc}") from exc
    plan = plan_cleanup(now=time.time(), policies=records.policies, files=scan(media),
                        assets=records.assets, videos=records.videos, jobs=records.jobs,
                        grace_seconds=grace_hours * 3600)
    for note in plan.notes:
        get_run_logger().warning(note)
    return plan


@task(name="delete-planned", cache_policy=NO_CACHE)
def delete_planned(settings: Settings, plan: Plan) -> Outcome:
    """Deletes the planned files, then their rows, then the planned jobs; returns the outcome."""
    return execute(plan, _open(settings), layout(settings))


@task(name="reconcile-storage", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=2)
def reconcile_storage(settings: Settings, cleaned: bool = False) -> list[Drift]:
    """Rescans the media root, fixes the counters that drifted and returns what it fixed;
    ``cleaned`` stamps last_cleanup on every storage record."""
    return reconcile(_open(settings), layout(settings), cleaned_at=utcnow() if cleaned else None)


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


def describe(plan: Plan, outcome: Outcome | None, drift: list[Drift],
             finished_at: datetime) -> dict[str, Any]:
    """Returns the report of a cleanup as plain JSON-able data: the plan when ``outcome`` is
    None (a dry run), else what was done. ``items`` lists the first ITEMS_SHOWN files or rows
    (by storage type, then path); ``items_total`` says how many there are."""
    done = plan.deletions if outcome is None else tuple(outcome.deleted)
    summary = plan.summary() if outcome is None else outcome.summary()
    return {
        "dry_run": outcome is None,
        "finished_at": finished_at.isoformat(),
        "files": sum(row["files"] for row in summary),
        "bytes": sum(row["bytes"] for row in summary),
        "rows": sum(row["rows"] for row in summary),
        "jobs": [str(job) for job in (plan.jobs if outcome is None else outcome.jobs)],
        "by_type_and_reason": summary,
        "kept_for_unfinished_jobs": plan.kept_for_unfinished_jobs,
        "skipped": [] if outcome is None else [
            {"path": item.path, "reason": str(item.reason), "why": why}
            for item, why in outcome.skipped],
        "storage_fixes": [fix.as_dict() for fix in drift],
        "notes": list(plan.notes),
        "items": [{"storage_type": str(item.storage_type), "reason": str(item.reason),
                   "path": item.path, "bytes": item.size if item.present else 0,
                   "file": item.present, "rows": item.rows} for item in done[:ITEMS_SHOWN]],
        "items_total": len(done),
    }
