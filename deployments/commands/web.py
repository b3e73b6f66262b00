"""``reelflow web`` (the gallery, /media and the JSON API) and ``reelflow link`` (a signed URL)."""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Mapping
from typing import Any

from reelflow.db.states import StorageType
from reelflow.deployments.prefect_env import prepare_prefect
from reelflow.errors import InvalidArgument, NotFound, ReelflowError
from reelflow.settings import Settings

MAX_EXPIRY_SECONDS = 366 * 86_400


def register(commands: Any) -> None:
    web = commands.add_parser("web", help="serve the gallery, /media and the JSON API")
    web.add_argument("--host", help="address to listen on (default REELFLOW_WEB_HOST, "
                                    "else 127.0.0.1)")
    web.add_argument("--port", type=int, help="port (default REELFLOW_WEB_PORT, else 8800)")
    web.set_defaults(handler=serve_web)

    link = commands.add_parser("link", help="print a signed, expiring URL of a video")
    link.add_argument("video", metavar="VIDEO_OR_JOB_ID")
    link.add_argument("--expires", type=int, default=3600, metavar="SECONDS",
                      help="how long the URL works (default 3600)")
    link.set_defaults(handler=print_link)


def address(settings: Settings, host: str | None, port: int | None) -> tuple[str, int]:
    """Returns the (host, port) to listen on: the options, else the settings."""
    return host or settings.web_host, port or settings.web_port


def serve_web(args: argparse.Namespace, settings: Settings) -> None:
    host, port = address(settings, args.host, args.port)
    prepare_prefect(settings)
    import uvicorn

    from reelflow.web.app import build_app
    from reelflow.web.launch import prefect_ui_url

    app = build_app(settings, prefect_ui=prefect_ui_url())
    _refuse_busy_port(host, port)
    print(f"gallery:  http://{host}:{port}/   (API: /api/v1, docs: /docs)", flush=True)
    if settings.public_url:
        print(f"public:   {settings.public_url}", flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False)


def _refuse_busy_port(host: str, port: int) -> None:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise ReelflowError(f"cannot listen on {host}:{port}: {exc.strerror or exc} "
                                "(choose another with --port)") from exc


def start_web_server(host: str, port: int, log_path: str, env: Mapping[str, str],
                     wait_seconds: float = 60.0) -> subprocess.Popen[bytes]:
    """Starts ``reelflow web`` in a subprocess (for ``reelflow up``) and waits until it
    answers; raises ReelflowError with the end of its log when it does not."""
    log = open(log_path, "ab")  # noqa: SIM115 - the server writes to it for its whole life
    server = subprocess.Popen(
        [sys.executable, "-m", "reelflow.deployments.cli", "web", "--host", host, "--port",
         str(port)], stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        env=dict(env))
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(f"http://{host}:{port}/api/v1/health", timeout=2):
                return server
        except (urllib.error.URLError, OSError):
            time.sleep(0.3)
    server.terminate()
    with open(log_path, "rb") as written:
        tail = written.read().decode(errors="replace").strip().splitlines()[-3:]
    raise ReelflowError(f"the web server did not start on {host}:{port}: {' | '.join(tail)}")


def print_link(args: argparse.Namespace, settings: Settings) -> None:
    from reelflow.services.catalog import find_video
    from reelflow.services.reports import storage_rows
    from reelflow.storage.access import Role, Verdict, load_secret, may_read, signed_query

    try:
        wanted = uuid.UUID(args.video)
    except ValueError as exc:
        raise NotFound(f"not a video or job id: {args.video!r}") from exc
    if not 1 <= args.expires <= MAX_EXPIRY_SECONDS:
        raise InvalidArgument(f"--expires must be from 1 to {MAX_EXPIRY_SECONDS} seconds")
    video = find_video(settings, wanted)
    if not video["completed"]:
        raise InvalidArgument(f"the video is {video['status']}; only COMPLETED videos are "
                              "served")
    rules = next(row["access_permissions"] for row in storage_rows(settings)
                 if row["storage_type"] == StorageType.VIDEOS)
    if may_read(rules, Role.READER) != Verdict.ALLOW:
        raise InvalidArgument("videos allow no authenticated reads, so a signed URL would be "
                              "refused: `reelflow storage set videos authenticated_read=true`")
    path = video["url_path"]
    url = f"{path}?{signed_query(load_secret(settings.home), path, _now() + args.expires)}"
    full = settings.public(url)
    print(full or url)
    if full is None:
        print("reelflow: a path on the web server (`reelflow web`); set REELFLOW_PUBLIC_URL to "
              "its address to print full URLs", file=sys.stderr)


def _now() -> int:
    return int(time.time())

