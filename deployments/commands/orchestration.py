"""``reelflow up``, ``serve``, ``submit`` and ``reconcile``: jobs the Prefect way."""

from __future__ import annotations

import argparse
import json
import os
import signal
import time
import uuid
from typing import Any

from reelflow.deployments.commands.numbers import number, whole
from reelflow.deployments.commands.render import add_job_options, flow_parameters, read_script
from reelflow.deployments.commands.web import start_web_server
from reelflow.deployments.definitions import GENERATE
from reelflow.deployments.prefect_env import prepare_prefect
from reelflow.deployments.running_server import announced
from reelflow.deployments.serve import (
    api_is_healthy,
    serve_deployments,
    server_env,
    start_server,
)
from reelflow.errors import InvalidArgument, ReelflowError
from reelflow.settings import Settings

FINAL_STATES = {"COMPLETED", "FAILED", "CANCELLED", "CRASHED"}


def register(commands: Any) -> None:
    up = commands.add_parser(
        "up", help="start a local Prefect server (UI) and serve both deployments")
    up.add_argument("--host", default="127.0.0.1")
    up.add_argument("--port", type=whole(1, 65535), default=4200)
    up.add_argument("--limit", type=whole(1, 64), default=2, help="runs at once (default 2)")
    up.add_argument("--web-port", type=whole(1, 65535), help="the gallery's port (default "
                                                            "REELFLOW_WEB_PORT, else 8800)")
    up.add_argument("--database", metavar="POSTGRESQL_URL",
                    help="one PostgreSQL database for the app (its public schema, as "
                         "REELFLOW_DATABASE_URL) and the Prefect server it starts (schema "
                         "prefect_server, through asyncpg); default: SQLite files in "
                         "REELFLOW_HOME")
    up.set_defaults(handler=bring_up)

    serve = commands.add_parser(
        "serve", help="serve both deployments against PREFECT_API_URL (no work pool)")
    serve.add_argument("--limit", type=whole(1, 64), default=2, help="runs at once (default 2)")
    serve.set_defaults(handler=serve_only)

    submit = commands.add_parser(
        "submit", help="create a generate-video run over the Prefect API; print its job id")
    add_job_options(submit)
    submit.add_argument("--idempotency-key", help="the same key twice yields one job")
    submit.add_argument("--deployment", default=f"{GENERATE}/{GENERATE}")
    submit.add_argument("--wait", action="store_true", help="follow the run to its end")
    submit.add_argument("--json", action="store_true")
    submit.set_defaults(handler=submit_run)

    reconcile = commands.add_parser(
        "reconcile", help="fail jobs whose run crashed or whose heartbeat stopped")
    reconcile.add_argument("--stale-after", type=number(0, 30 * 86400), default=120.0,
                           metavar="SECONDS", help="heartbeat timeout (default 120; at least "
                                                   "three heartbeats)")
    reconcile.add_argument("--json", action="store_true")
    reconcile.set_defaults(handler=reconcile_now)


def _stop_on_ctrl_c() -> None:
    # A shell without job control starts background commands with SIGINT ignored; `up` must
    # still stop on Ctrl-C (and on SIGTERM, which Prefect's runner handles).
    signal.signal(signal.SIGINT, signal.default_int_handler)


def bring_up(args: argparse.Namespace, settings: Settings) -> None:
    _stop_on_ctrl_c()
    database_env: dict[str, str] = {}
    if args.database:
        from reelflow.deployments.prefect_database import app_url, prefect_env

        database_env = prefect_env(args.database)
        # The served runs and the web server read it from the environment.
        os.environ["REELFLOW_DATABASE_URL"] = app_url(args.database)
        settings = settings.model_copy(update={"database_url": app_url(args.database)})
    prepare_prefect(settings)
    from reelflow.services.preflight import check_writable

    # The app database migrated and its media root recorded (the marker workers check) first.
    check_writable(settings)
    urls = server_env(args.host, args.port)
    api = urls["PREFECT_API_URL"]
    server = None
    if not api_is_healthy(api):
        log = settings.home / "prefect-server.log"
        if args.database:
            from reelflow.deployments.prefect_database import create_prefect_schema

            create_prefect_schema(args.database)
        print(f"starting the Prefect server (log: {log}) ...", flush=True)
        server = start_server(args.host, args.port, str(log),
                              env={**os.environ, **urls, **database_env})
    elif args.database:
        print(f"a Prefect server already answers at {api}: it keeps its own database; "
              "--database sets the app's", flush=True)
    # Pinned: every served run talks to this server, and links point at its UI.
    os.environ.update({"PREFECT_API_URL": api, "PREFECT_UI_URL": urls["PREFECT_UI_URL"]})
    if settings.max_renders is not None:
        from reelflow.tasks.render_slot import set_render_limit

        set_render_limit(settings.max_renders)
    web_host, web_port = settings.web_host, args.web_port or settings.web_port
    # Served runs inherit it: their artifacts link to the playable video.
    os.environ.setdefault("REELFLOW_PUBLIC_URL", f"http://{web_host}:{web_port}")
    web = None
    try:
        web = start_web_server(web_host, web_port, str(settings.home / "web.log"), os.environ)
        print(f"Prefect UI:   {urls['PREFECT_UI_URL']}")
        print(f"Prefect API:  {api}")
        print(f"Gallery:      http://{web_host}:{web_port}  (API: /api/v1, docs: /docs)")
        print("deployments:  generate-video/generate-video, cleanup-media/cleanup-media (daily)")
        print(f"data:         {settings.home}")
        if args.database:
            from reelflow.db.session import shown_url

            print(f"database:     {shown_url(settings.database_url)} (Prefect's: schema "
                  "prefect_server)")
        print("Ctrl-C stops everything.", flush=True)
        # `reelflow render` and `cleanup` in this data directory run against this server.
        with announced(settings, api, os.environ["REELFLOW_PUBLIC_URL"]):
            serve_deployments(limit=args.limit)
    except KeyboardInterrupt:
        pass
    finally:
        if web is not None:
            web.terminate()
            web.wait(timeout=20)
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=20)
            except Exception:
                server.kill()
        print("stopped.")


def serve_only(args: argparse.Namespace, settings: Settings) -> None:
    _stop_on_ctrl_c()
    prepare_prefect(settings)
    api = os.environ.get("PREFECT_API_URL")
    if not api or not api_is_healthy(api):
        raise ReelflowError("no Prefect API answers at PREFECT_API_URL "
                            f"({api or 'not set'}); start one with `reelflow up`")
    if settings.max_renders is not None:
        from reelflow.tasks.render_slot import set_render_limit

        set_render_limit(settings.max_renders)
    print(f"serving generate-video and cleanup-media against {api}; Ctrl-C stops.", flush=True)
    try:
        serve_deployments(limit=args.limit)
    except KeyboardInterrupt:
        print("stopped.")


def submit_run(args: argparse.Namespace, settings: Settings) -> None:
    data, _ = read_script(args.script)
    # The worker may be another machine: send the text itself, not a path on this one; it
    # has no folder there, so it is validated as an inline script.
    params, _ = flow_parameters(args, settings, data, None)
    prepare_prefect(settings, quiet=not args.verbose)
    from prefect.client.schemas.objects import FlowRun
    from prefect.deployments import run_deployment

    try:
        run: FlowRun = run_deployment(  # type: ignore[assignment]
            name=args.deployment, parameters=params, timeout=0,
                             idempotency_key=args.idempotency_key,
                             tags=["reelflow", f"session:{args.session}"])
    except Exception as exc:
        raise ReelflowError(f"cannot create a run of {args.deployment}: {exc}") from exc
    if args.idempotency_key:
        _refuse_reused_key(args.idempotency_key, args.deployment, run, params)
    job_id = str(run.id)
    if not args.wait:
        print(json.dumps({"job_id": job_id}) if args.json else job_id, flush=True)
        return
    if not args.json:
        print(f"job {job_id} submitted; waiting ...", flush=True)
    state = _follow(run.id, quiet=args.json)
    from reelflow.services.reports import job_detail

    detail: dict[str, Any] = {"job_id": job_id, "run_state": state}
    try:
        detail["job"] = job_detail(settings, run.id)
    except ReelflowError:
        detail["job"] = None  # the run failed before it created a job (e.g. bad parameters)
    if args.json:
        print(json.dumps(detail, default=str))
    else:
        job = detail["job"] or {}
        print(f"job {job_id} {job.get('status', state)}")
        if job.get("video"):
            print(f"video: {job['video']['file_path']}")
        if job.get("error_message"):
            print(f"error: {job['error_message']}")
    if state != "COMPLETED":
        raise ReelflowError(f"the run ended {state}")


def _refuse_reused_key(key: str, deployment: str, run: Any, params: dict[str, Any]) -> None:
    """Raises InvalidArgument when Prefect returned an earlier run for ``key`` whose parameters
    differ from ``params``: Prefect returns the first run for a key whatever is sent again."""
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        defaults = client.read_deployment_by_name(deployment).parameters or {}
    wanted = {**defaults, **params}
    found = dict(run.parameters or {})
    differ = sorted(name for name in {*wanted, *found} if wanted.get(name) != found.get(name))
    if differ:
        raise InvalidArgument(
            f"idempotency key {key!r} already names job {run.id}, created with other "
            f"parameters (different: {', '.join(differ)}); nothing new was created: use a new key "
            "for a new job, or the same parameters to get that job back")


def _follow(run_id: uuid.UUID, quiet: bool) -> str:
    from prefect.client.orchestration import get_client

    last = None
    with get_client(sync_client=True) as client:
        while True:
            run = client.read_flow_run(run_id)
            kind = run.state.type.value if run.state else "PENDING"
            if kind != last and not quiet:
                print(f"  {run.state.name if run.state else kind}", flush=True)
            last = kind
            if kind in FINAL_STATES:
                return str(kind)
            time.sleep(1)


def reconcile_now(args: argparse.Namespace, settings: Settings) -> None:
    prepare_prefect(settings, quiet=not args.verbose, local_server=True)
    from reelflow.tasks.reconcile import reconcile_with_prefect

    fixed = reconcile_with_prefect(settings, args.stale_after)
    if args.json:
        print(json.dumps({"failed": fixed}))
        return
    if not fixed:
        print("every unfinished job is alive")
    for item in fixed:
        run = f"run {item['run_state']}" if item["run_state"] else "run unknown to Prefect"
        print(f"{item['job_id']}  FAILED ({run})  {item['error_message']}")
