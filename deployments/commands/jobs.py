"""``reelflow jobs`` and ``reelflow show``: jobs as the database records them."""

from __future__ import annotations

import argparse
import json
import uuid
from typing import Any

from reelflow.deployments.commands.numbers import whole
from reelflow.deployments.commands.render import watch_line
from reelflow.errors import NotFound
from reelflow.settings import Settings


def register(commands: Any) -> None:
    jobs = commands.add_parser("jobs", help="list recent jobs")
    jobs.add_argument("--session", help="only this session's jobs")
    jobs.add_argument("--limit", type=whole(1, 10_000), default=20,
                      help="at most this many jobs, newest first (default 20)")
    jobs.add_argument("--json", action="store_true")
    jobs.set_defaults(handler=list_jobs)

    show = commands.add_parser("show", help="show one job with its video and assets")
    show.add_argument("job_id")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=show_job)


def list_jobs(args: argparse.Namespace, settings: Settings) -> None:
    from reelflow.services.reports import job_rows

    rows = job_rows(settings, session_id=args.session, limit=args.limit)
    if args.json:
        print(json.dumps(rows, default=str))
        return
    if not rows:
        print("no jobs yet")
        return
    print(f"{'JOB':36}  {'STATUS':17}  {'%':>3}  {'STARTED':19}  TITLE")
    for row in rows:
        print(f"{row['id']:36}  {row['status']:17}  {row['progress_percentage']:>3}  "
              f"{str(row['started_at'])[:19]:19}  {row['title']}")


def show_job(args: argparse.Namespace, settings: Settings) -> None:
    try:
        job_id = uuid.UUID(args.job_id)
    except ValueError as exc:
        raise NotFound(f"not a job id: {args.job_id!r}") from exc
    from reelflow.services.reports import job_detail

    detail = job_detail(settings, job_id)
    if args.json:
        print(json.dumps(detail, default=str, indent=2))
        return
    for key in ("id", "status", "progress_percentage", "started_at", "completed_at",
                "error_message", "session_id", "script_id"):
        print(f"{key:20} {detail[key]}")
    for number, video in enumerate(detail["videos"], start=1):
        print(f"video {number} of {len(detail['videos'])}:")
        for key, value in video.items():
            print(f"  {key:22} {value}")
        if video["status"] == "COMPLETED":
            print(watch_line(settings, video["url_path"]))
    if detail["resource_usage"]:
        print("resource usage:")
        for key, value in detail["resource_usage"].items():
            print(f"  {key:22} {value}")
    print(f"files: {len(detail['files'])}")
    for item in detail["files"]:
        print(f"  {item['kind']:14} {item['url_path']}")
    print(f"assets: {len(detail['assets'])}")
    for asset in detail["assets"]:
        duration = f"{asset['duration']:.2f} s" if asset["duration"] else ""
        print(f"  {asset['asset_type']:12} {asset['source_type']:14} {duration:>9}  "
              f"{asset['url_path']}")
    if detail["library"]:
        print(f"library items used in place: {len(detail['library'])}")
        for item in detail["library"]:
            print(f"  {item['asset_type']:12} {item['source_type']:14} {item['id']}  "
                  f"{', '.join(item['tags'])}")
