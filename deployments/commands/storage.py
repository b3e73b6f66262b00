"""``reelflow storage`` (usage, ``set``, ``reconcile``) and ``reelflow cleanup``."""

from __future__ import annotations

import argparse
import json
from typing import Any

from reelflow.db.states import StorageType
from reelflow.db.validation import PERMISSION_KEYS, POLICY_KEYS
from reelflow.deployments.commands.numbers import number
from reelflow.deployments.prefect_env import prepare_prefect
from reelflow.errors import InvalidArgument, NotFound, RecordInvalid, ReelflowError
from reelflow.settings import Settings

_TRUE, _FALSE, _NONE = {"true", "yes", "on"}, {"false", "no", "off"}, {"none", "null", ""}


def register(commands: Any) -> None:
    storage = commands.add_parser(
        "storage", help="usage, retention policy and access of each storage type")
    storage.add_argument("--json", action="store_true")
    storage.set_defaults(handler=show_storage)
    actions = storage.add_subparsers(dest="storage_action", metavar="ACTION")
    setter = actions.add_parser(
        "set", help="change a storage type's cleanup policy or access permissions",
        description=f"KEY is one of {', '.join(POLICY_KEYS + PERMISSION_KEYS)}; VALUE is a "
                    "number, none (no limit), true or false.")
    setter.add_argument("storage_type", metavar="TYPE", help=", ".join(StorageType))
    setter.add_argument("assignments", nargs="+", metavar="KEY=VALUE")
    setter.add_argument("--json", action="store_true")
    setter.set_defaults(handler=set_storage)
    rescan = actions.add_parser(
        "reconcile", help="rescan the media root and fix usage counters that drifted")
    rescan.add_argument("--json", action="store_true")
    rescan.set_defaults(handler=reconcile_storage)

    cleanup = commands.add_parser(
        "cleanup", help="run the cleanup-media flow now: apply the retention policies")
    cleanup.add_argument("--dry-run", action="store_true",
                         help="only print what would be deleted; change nothing")
    cleanup.add_argument("--grace-hours", type=number(0, 24 * 365), default=1.0,
                         help="keep unrecorded, partial and scratch files younger than this "
                              "(default 1)")
    cleanup.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                         help="wait this long for a cleanup already running (default 0: "
                              "refuse at once)")
    cleanup.add_argument("--json", action="store_true", help="print one JSON object")
    cleanup.set_defaults(handler=run_cleanup)


def show_storage(args: argparse.Namespace, settings: Settings) -> None:
    from reelflow.services.reports import storage_rows

    rows = storage_rows(settings)
    if args.json:
        print(json.dumps(rows))
        return
    print(f"{'TYPE':7} {'FILES':>7} {'SIZE':>10}  {'MAX AGE':>7} {'MAX SIZE':>9} "
          f"{'KEEP DONE':9} {'PUBLIC':6} {'AUTH':5} {'ADMIN':5} {'LAST CLEANUP':19}  DIRECTORY")
    for row in rows:
        policy, access = row["cleanup_policy"] or {}, row["access_permissions"] or {}
        age = policy.get("max_age_days")
        cap = policy.get("max_size_mb")
        print(f"{row['storage_type']:7} {row['file_count']:>7} "
              f"{human_bytes(row['total_size_bytes']):>10}  "
              f"{'-' if age is None else f'{age:g} d':>7} "
              f"{'-' if cap is None else f'{cap:g} MB':>9} "
              f"{_yes(policy.get('preserve_completed_videos')):9} "
              f"{_yes(access.get('public_read')):6} {_yes(access.get('authenticated_read')):5} "
              f"{_yes(access.get('admin_write')):5} {(row['last_cleanup'] or '-')[:19]:19}  "
              f"{row['directory_path']}")


def parse_assignments(assignments: list[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Given KEY=VALUE strings, returns (cleanup_policy changes, access_permissions changes).

    Raises RecordInvalid for a malformed pair or an unknown key; the values' rules are
    checked by the repository (db.validation).
    """
    policy: dict[str, Any] = {}
    access: dict[str, Any] = {}
    for text in assignments:
        key, sep, raw = text.partition("=")
        key = key.strip()
        if not sep or not key:
            raise RecordInvalid(f"expected KEY=VALUE, got {text!r}")
        if key in POLICY_KEYS:
            policy[key] = parse_value(raw)
        elif key in PERMISSION_KEYS:
            access[key] = parse_value(raw)
        else:
            raise RecordInvalid(f"unknown key {key!r}; known keys: "
                                f"{', '.join(POLICY_KEYS + PERMISSION_KEYS)}")
    return policy, access


def parse_value(raw: str) -> Any:
    """Returns VALUE as None, a bool, an int or a float; other text is returned as it is (and
    refused by validation with a message naming the key)."""
    text = raw.strip()
    if text.lower() in _NONE:
        return None
    if text.lower() in _TRUE | _FALSE:
        return text.lower() in _TRUE
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            continue
    return text


def set_storage(args: argparse.Namespace, settings: Settings) -> None:
    try:
        kind = StorageType(args.storage_type.upper())
    except ValueError as exc:
        raise NotFound(f"no storage type {args.storage_type!r}; one of "
                       f"{', '.join(StorageType)}") from exc
    from reelflow.services.reports import update_storage

    try:
        policy, access = parse_assignments(args.assignments)
        result = update_storage(settings, kind, cleanup_policy=policy,
                                access_permissions=access)
    except RecordInvalid as exc:  # the user's KEY=VALUE broke a rule: bad input, not a failure
        raise InvalidArgument(str(exc)) from exc
    if args.json:
        print(json.dumps(result))
        return
    print(f"{kind}: cleanup_policy {json.dumps(result['cleanup_policy'])}")
    print(f"{' ' * len(kind)}  access_permissions {json.dumps(result['access_permissions'])}")


def reconcile_storage(args: argparse.Namespace, settings: Settings) -> None:
    from reelflow.services.cleanup import rescan

    drift = rescan(settings)
    if args.json:
        print(json.dumps({"fixed": [fix.as_dict() for fix in drift]}))
        return
    if not drift:
        print("no drift: every counter matches the disk")
    for fix in drift:
        print(f"{fix.storage_type}: counted {fix.counted_files} files, "
              f"{human_bytes(fix.counted_bytes)}; on disk {fix.actual_files} files, "
              f"{human_bytes(fix.actual_bytes)}: fixed")


def run_cleanup(args: argparse.Namespace, settings: Settings) -> None:
    if args.wait < 0 or args.grace_hours < 0:
        raise InvalidArgument("--wait and --grace-hours take a number of at least 0")
    prepare_prefect(settings, quiet=not args.verbose, local_server=True)
    from reelflow.flows.cleanup_media import cleanup_media

    try:
        report = cleanup_media(dry_run=args.dry_run, grace_hours=args.grace_hours,
                               wait_seconds=args.wait)
    except ReelflowError:
        raise
    except Exception as exc:  # Prefect wraps some failures
        raise ReelflowError(f"{type(exc).__name__}: {exc}") from exc
    if args.json:
        print(json.dumps(report))
        return
    print_report(report)


def print_report(report: dict[str, Any]) -> None:
    """Prints a cleanup report as a short text with one table row per type and reason."""
    verb = "would delete" if report["dry_run"] else "deleted"
    print(f"cleanup{' (dry run)' if report['dry_run'] else ''}: {verb} {report['files']} files "
          f"({human_bytes(report['bytes'])}), {report['rows']} rows, "
          f"{len(report['jobs'])} jobs")
    if report["by_type_and_reason"]:
        print(f"  {'TYPE':7} {'REASON':14} {'FILES':>7} {'SIZE':>10} {'ROWS':>6}")
        for row in report["by_type_and_reason"]:
            print(f"  {row['storage_type']:7} {row['reason']:14} {row['files']:>7} "
                  f"{human_bytes(row['bytes']):>10} {row['rows']:>6}")
    if report["kept_for_unfinished_jobs"]:
        print(f"kept: {report['kept_for_unfinished_jobs']} files of jobs that are still running")
    for item in report["skipped"]:
        print(f"skipped: {item['path']} ({item['why']})")
    for fix in report["storage_fixes"]:
        print(f"counters fixed: {fix['storage_type']} {fix['counted_files']} files "
              f"{human_bytes(fix['counted_bytes'])} -> {fix['actual_files']} files "
              f"{human_bytes(fix['actual_bytes'])}")
    if report["items_total"] > len(report["items"]):
        print(f"(--json lists the first {len(report['items'])} of {report['items_total']} "
              "files and rows)")
    for note in report["notes"]:
        print(f"note: {note}")


def human_bytes(size: int) -> str:
    """Returns a size as B, KB, MB or GB (powers of 1024) with one decimal."""
    value = float(size)
    for unit in ("B", "KB", "MB"):
        if value < 1024:
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"


def _yes(value: object) -> str:
    return "-" if value is None else ("yes" if value else "no")
