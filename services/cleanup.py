"""Retention as steps: check the database, plan, delete what was planned, rescan, report."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from reelflow.db.session import Database
from reelflow.errors import DatabaseError, StorageError
from reelflow.services.runtime import database, layout, utcnow
from reelflow.settings import Settings
from reelflow.storage.accounting import Drift, reconcile
from reelflow.storage.cleanup import Outcome, execute
from reelflow.storage.identity import verify
from reelflow.storage.inventory import scan, snapshot
from reelflow.storage.retention import Plan, plan_cleanup

# Why a cap: Prefect walks a flow's return value looking for futures, about 0.13 s per 1,000
# items; the totals and the per-type, per-reason summary always cover everything.
ITEMS_SHOWN = 1000


def _open(settings: Settings) -> Database:
    try:
        return database(settings)
    except (DatabaseError, OSError) as exc:
        raise StorageError(f"the database cannot be read: {exc}") from exc


def check_database(settings: Settings) -> None:
    """Opens the database, reads the storage records and checks that the media root is the
    one this database recorded; raises StorageError saying that nothing will be deleted when
    it cannot, before any step changes anything."""
    try:
        check_media_root(settings)
    except (StorageError, DatabaseError) as exc:
        message = str(exc)
        raise StorageError(message if message.startswith("refusing") else
                           f"refusing to delete anything: {message}") from exc


def check_media_root(settings: Settings) -> None:
    """Raises StorageError unless the media root's folders are real folders and its marker
    holds the id this database recorded. Every command that deletes calls this first."""
    media = layout(settings)
    with _open(settings).unit_of_work(read_only=True) as uow:
        uow.storage.all()
        verify(uow, media.root)


def plan(settings: Settings, grace_hours: float) -> Plan:
    """Reads the rows and policies, then the disk, and returns the retention plan.

    Raises StorageError, before anything is deleted, when the database cannot be read.
    """
    media = layout(settings)
    # The disk first, then the rows: a job records itself (and its video) before it writes a
    # file, so every file found belongs to a job the rows then show, running or not. Read the
    # other way round, a job started in between would own files the plan knows no job of.
    files = scan(media)
    try:
        records = snapshot(_open(settings), media)
    except StorageError as exc:
        raise StorageError(f"refusing to delete anything: {exc}") from exc
    return plan_cleanup(now=time.time(), policies=records.policies, files=files,
                        assets=records.assets, videos=records.videos, jobs=records.jobs,
                        grace_seconds=grace_hours * 3600)


def delete(settings: Settings, planned: Plan) -> Outcome:
    """Deletes the planned files, then their rows, then the planned jobs; returns the outcome.
    Raises StorageError, deleting nothing, when the media root is not this database's."""
    check_media_root(settings)
    return execute(planned, _open(settings), layout(settings))


def rescan(settings: Settings, cleaned: bool = False) -> list[Drift]:
    """Rescans the media root, fixes the counters that drifted and returns what it fixed;
    ``cleaned`` stamps last_cleanup on every storage record. Raises StorageError when the
    media root is not this database's (its files would be counted as this one's)."""
    check_media_root(settings)
    return reconcile(_open(settings), layout(settings), cleaned_at=utcnow() if cleaned else None)


def describe(planned: Plan, outcome: Outcome | None, drift: list[Drift],
             finished_at: datetime) -> dict[str, Any]:
    """Returns the report of a cleanup as plain JSON-able data: the plan when ``outcome`` is
    None (a dry run), else what was done. ``items`` lists the first ITEMS_SHOWN files or rows
    (by storage type, then path); ``items_total`` says how many there are."""
    done = planned.deletions if outcome is None else tuple(outcome.deleted)
    summary = planned.summary() if outcome is None else outcome.summary()
    return {
        "dry_run": outcome is None,
        "finished_at": finished_at.isoformat(),
        "files": sum(row["files"] for row in summary),
        "bytes": sum(row["bytes"] for row in summary),
        "rows": sum(row["rows"] for row in summary),
        "jobs": [str(job) for job in (planned.jobs if outcome is None else outcome.jobs)],
        "by_type_and_reason": summary,
        "kept_for_unfinished_jobs": planned.kept_for_unfinished_jobs,
        "skipped": [] if outcome is None else [
            {"path": item.path, "reason": str(item.reason), "why": why}
            for item, why in outcome.skipped],
        "storage_fixes": [fix.as_dict() for fix in drift],
        "notes": list(planned.notes),
        "items": [{"storage_type": str(item.storage_type), "reason": str(item.reason),
                   "path": item.path, "bytes": item.size if item.present else 0,
                   "file": item.present, "rows": item.rows} for item in done[:ITEMS_SHOWN]],
        "items_total": len(done),
    }
