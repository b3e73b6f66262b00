"""``reelflow deploy``: the work-pool mode set up on a Prefect server, once, from the server side.

It does what a fleet of workers needs before the first one starts: the app database migrated
and its media root's identity recorded (the marker every worker checks), the process work pool,
prefect.yaml's two deployments, and the render limit (REELFLOW_MAX_RENDERS) on the server.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from importlib import resources
from typing import Any

from reelflow.deployments.commands.numbers import whole
from reelflow.deployments.definitions import GENERATE, definitions
from reelflow.deployments.prefect_env import prepare_prefect
from reelflow.deployments.serve import api_is_healthy
from reelflow.errors import ReelflowError, StorageError
from reelflow.settings import Settings


def register(commands: Any) -> None:
    deploy = commands.add_parser(
        "deploy", help="create the work pool and prefect.yaml's deployments on PREFECT_API_URL")
    deploy.add_argument("--max-renders", type=whole(1, 100_000), default=None,
                        help="renders at once across every worker (Prefect global concurrency "
                             "limit reelflow-renders; default REELFLOW_MAX_RENDERS, else the "
                             "limit is left as it is)")
    deploy.set_defaults(handler=deploy_all)


def deploy_all(args: argparse.Namespace, settings: Settings) -> None:
    prepare_prefect(settings, quiet=not args.verbose)
    api = os.environ.get("PREFECT_API_URL")
    if not api or not api_is_healthy(api):
        raise ReelflowError(f"no Prefect API answers at PREFECT_API_URL ({api or 'not set'}); "
                            "deploy to the server the workers will poll")
    from reelflow.services.preflight import check_shared, check_writable

    check_writable(settings)  # migrates, creates the storage records, records the media root
    check_shared(settings)
    try:
        settings.home.mkdir(parents=True, exist_ok=True)  # prefect deploy runs there
    except OSError as exc:
        raise StorageError(f"cannot create {settings.home}: {exc.strerror or exc}") from exc
    pool = definitions()[GENERATE].work_pool or "reelflow"
    created = ensure_work_pool(pool)
    prefect_file = resources.files("reelflow").joinpath("prefect.yaml")
    # Not run from the package's folder: its modules (settings.py, errors.py...) would shadow
    # top-level ones of the same name for the deploy's imports.
    with resources.as_file(prefect_file) as path:
        done = subprocess.run(
            [sys.executable, "-m", "prefect", "--no-prompt", "deploy", "--all", "--prefect-file",
             str(path)], cwd=settings.home, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tail = (done.stdout + done.stderr).strip().splitlines()[-3:]
        raise ReelflowError(f"prefect deploy failed: {' | '.join(tail)}")
    from reelflow.tasks.render_slot import render_limit, set_render_limit

    renders = args.max_renders or settings.max_renders
    if renders is not None:
        set_render_limit(renders)
    limit = render_limit()
    print(f"work pool:   {pool} ({'created' if created else 'exists'}, process)")
    print(f"deployments: {', '.join(f'{name}/{name}' for name in definitions())}")
    print("renders:     " + (f"at most {limit[0]} at once (Prefect limit reelflow-renders)"
                             if limit else "no limit (set REELFLOW_MAX_RENDERS)"))
    print(f"database:    {_shown(settings.database_url)}")
    print(f"media root:  {settings.media_root}")
    print(f"now start workers: PREFECT_API_URL={api} reelflow worker", flush=True)


def ensure_work_pool(name: str) -> bool:
    """Creates the process work pool ``name`` unless it exists; returns whether it did."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.exceptions import ObjectAlreadyExists

    with get_client(sync_client=True) as client:
        try:
            client.create_work_pool(WorkPoolCreate(name=name, type="process"))
        except ObjectAlreadyExists:
            return False
    return True


def _shown(url: str) -> str:
    from reelflow.db.session import shown_url

    return shown_url(url)
