"""The ``reelflow`` command line. Exit codes are chosen here and only here."""

from __future__ import annotations

import argparse
import json
import os
import sys
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from deployments.settings import Settings
from engine.errors import InvalidScript, NotFound, ReelflowError

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_INVALID = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reelflow", description="Turn a written script into a narrated video.")
    commands = parser.add_subparsers(dest="command", required=True)

    render = commands.add_parser("render", help="render a script into an MP4 and wait for it")
    render.add_argument("script", help="script file (.md, .txt, .yaml, .json), or - for stdin")
    render.add_argument("--title", help="video title (default: the script's # Title)")
    render.add_argument("--resolution", help="WIDTHxHEIGHT, e.g. 1920x1080 (default 1280x720)")
    render.add_argument("--quality", choices=["draft", "standard", "high"],
                        help="encoding quality (default standard)")
    render.add_argument("--tts", help="speech engine chain: piper, gtts or gtts,piper "
                                      "(default piper, offline)")
    render.add_argument("--session", default="default", help="session id to file the job under")
    render.add_argument("--no-audio", action="store_true", help="leave the narration out")
    render.add_argument("--json", action="store_true",
                        help="print one JSON object with the job and video on stdout")

    jobs = commands.add_parser("jobs", help="list recent jobs")
    jobs.add_argument("--session", help="only this session's jobs")
    jobs.add_argument("--limit", type=int, default=20)
    jobs.add_argument("--json", action="store_true")

    show = commands.add_parser("show", help="show one job with its video and assets")
    show.add_argument("job_id")
    show.add_argument("--json", action="store_true")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the command line; returns the process exit code."""
    args = _parser().parse_args(argv)
    settings = Settings.from_env()
    try:
        if args.command == "render":
            return _render(args, settings)
        if args.command == "jobs":
            return _jobs(args, settings)
        return _show(args, settings)
    except InvalidScript as exc:
        print(f"reelflow: invalid script: {exc}", file=sys.stderr)
        return EXIT_INVALID
    except NotFound as exc:
        print(f"reelflow: {exc}", file=sys.stderr)
        return EXIT_INVALID
    except ReelflowError as exc:
        print(f"reelflow: generation failed: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("reelflow: interrupted", file=sys.stderr)
        return 130


def _prepare_prefect(settings: Settings) -> None:
    """Quiet, offline defaults for the embedded Prefect, unless the user set their own."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    if "PREFECT_HOME" not in os.environ:
        prefect_home = settings.home / "prefect"
        prefect_home.mkdir(parents=True, exist_ok=True)
        os.environ["PREFECT_HOME"] = str(prefect_home)
    os.environ.setdefault("PREFECT_UI_ENABLED", "false")


def _render(args: argparse.Namespace, settings: Settings) -> int:
    from engine.parsing import parse_script

    if args.script == "-":
        data, path = sys.stdin.buffer.read(), None
    else:
        path = Path(args.script)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InvalidScript(f"cannot read {path}: {exc.strerror or exc}") from exc
    overrides: dict[str, object] = {k: v for k, v in {
        "title": args.title, "resolution": args.resolution, "quality": args.quality,
        "tts": args.tts, "include_audio": False if args.no_audio else None}.items()
        if v is not None}
    # Validate before paying for Prefect's start-up: a bad script fails in milliseconds.
    parse_script(data, source_name=path.name if path else None, overrides=overrides)
    _prepare_prefect(settings)
    from flows.generate_video import generate_video

    params: dict[str, Any] = {
        "title": args.title, "resolution": args.resolution, "quality_preset": args.quality,
        "tts": args.tts, "session_id": args.session,
        "include_audio": False if args.no_audio else None,
    }
    if path is None:
        params["script"] = data.decode("utf-8-sig")
    else:
        params["script_path"] = str(path.resolve())
    try:
        result = generate_video(**params)
    except ReelflowError:
        raise
    except Exception as exc:  # Prefect wraps some failures; the job row holds the message
        raise ReelflowError(f"{type(exc).__name__}: {exc}") from exc
    if args.json:
        print(json.dumps(result, indent=None, default=str))
    else:
        video = result["video"]
        usage = result["resource_usage"]
        print(f"job {result['job_id']} {result['status']}")
        print(f"video: {video['file_path']}")
        print(f"  {video['duration']:.2f} s, {video['resolution']}, "
              f"{video['file_size'] / 2**20:.2f} MB, served at {video['url_path']}")
        print(f"  rendered in {usage['generation_time_seconds']:.1f} s, "
              f"peak memory {usage['peak_memory_mb']:.0f} MB")
    return EXIT_OK


def _jobs(args: argparse.Namespace, settings: Settings) -> int:
    from deployments.reports import job_rows

    rows = job_rows(settings, session_id=args.session, limit=args.limit)
    if args.json:
        print(json.dumps(rows, default=str))
        return EXIT_OK
    if not rows:
        print("no jobs yet")
        return EXIT_OK
    print(f"{'JOB':36}  {'STATUS':17}  {'%':>3}  {'STARTED':19}  TITLE")
    for row in rows:
        print(f"{row['id']:36}  {row['status']:17}  {row['progress_percentage']:>3}  "
              f"{str(row['started_at'])[:19]:19}  {row['title']}")
    return EXIT_OK


def _show(args: argparse.Namespace, settings: Settings) -> int:
    from deployments.reports import job_detail

    try:
        job_id = uuid.UUID(args.job_id)
    except ValueError as exc:
        raise NotFound(f"not a job id: {args.job_id!r}") from exc
    detail = job_detail(settings, job_id)
    if args.json:
        print(json.dumps(detail, default=str, indent=2))
        return EXIT_OK
    for key in ("id", "status", "progress_percentage", "started_at", "completed_at",
                "error_message", "session_id", "script_id"):
        print(f"{key:20} {detail[key]}")
    if detail["video"]:
        print("video:")
        for key, value in detail["video"].items():
            print(f"  {key:18} {value}")
    if detail["resource_usage"]:
        print("resource usage:")
        for key, value in detail["resource_usage"].items():
            print(f"  {key:18} {value}")
    print(f"assets: {len(detail['assets'])}")
    for asset in detail["assets"]:
        duration = f"{asset['duration']:.2f} s" if asset["duration"] else ""
        print(f"  {asset['asset_type']:12} {asset['source_type']:14} {duration:>9}  "
              f"{asset['url_path']}")
    return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
