"""``reelflow worker``: a Prefect process worker on reelflow's work pool, sized to share a batch.

Before Prefect starts, it checks what every run will need, with one line each when it fails
(exit status 1): the Prefect API answers, the app database answers and records a media root
(``reelflow deploy`` records it), and this machine's media root is that one (its marker holds
the recorded id), at the same path, and writable.

A worker takes as many scheduled runs as its ``--limit`` allows each time it polls; without a
limit, the first worker to poll takes a whole batch while the others idle. A render keeps about
two CPUs busy (scenes encode in parallel, Piper speaks on the side), so the default is one run
at a time per two CPUs of this machine.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from typing import Any

from reelflow.deployments.definitions import GENERATE, definitions
from reelflow.deployments.prefect_env import prepare_prefect
from reelflow.deployments.serve import api_is_healthy
from reelflow.errors import InvalidArgument, ReelflowError
from reelflow.settings import Settings

CPUS_PER_RUN = 2


def default_limit(cpus: int | None = None) -> int:
    """Returns how many runs one worker takes at once: one per two CPUs, at least one."""
    return max(1, (cpus or os.cpu_count() or 1) // CPUS_PER_RUN)


def register(commands: Any) -> None:
    worker = commands.add_parser(
        "worker", help="start a Prefect worker on the reelflow work pool (production mode)")
    worker.add_argument("--limit", type=int, default=default_limit(),
                        help="runs at once on this worker (default: one per two CPUs, here "
                             f"{default_limit()})")
    worker.add_argument("--pool", default=None,
                        help="work pool to poll (default: prefect.yaml's, reelflow)")
    worker.add_argument("--name", help="the worker's name in the UI (default: Prefect's)")
    worker.set_defaults(handler=start_worker)


def worker_command(pool: str, limit: int, name: str | None) -> list[str]:
    """Returns the ``prefect worker start`` command line of a reelflow worker."""
    command = [sys.executable, "-m", "prefect", "--no-prompt", "worker", "start", "--pool",
               pool, "--type", "process", "--limit", str(limit)]
    return command + (["--name", name] if name else [])


def start_worker(args: argparse.Namespace, settings: Settings) -> None:
    if args.limit < 1:
        raise InvalidArgument(f"--limit must be at least 1, not {args.limit}")
    pool = args.pool or definitions()[GENERATE].work_pool or "reelflow"
    prepare_prefect(settings)
    api = os.environ.get("PREFECT_API_URL")
    if not api or not api_is_healthy(api):
        raise ReelflowError(f"no Prefect API answers at PREFECT_API_URL ({api or 'not set'}); "
                            "a worker polls the server its deployments were deployed to")
    from reelflow.services.preflight import check_shared

    # One line each, before Prefect starts: the database, the shared media root, the disk.
    check_shared(settings)
    # prefect.yaml's pull step runs each flow in REELFLOW_CHECKOUT: by default, here.
    os.environ.setdefault("REELFLOW_CHECKOUT", os.getcwd())
    print(f"worker on pool {pool!r}: {args.limit} run(s) at once, against {api}; "
          f"media root {settings.media_root} (shared, checked); Ctrl-C stops.", flush=True)
    process = subprocess.Popen(worker_command(pool, args.limit, args.name))

    def forward(signum: int, _frame: object) -> None:
        # The worker stops on SIGINT or SIGTERM by letting its runs finish or handing them
        # back; killing it outright would orphan them.
        process.send_signal(signum)

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, forward)
    code = process.wait()
    if code not in (0, 130, -signal.SIGINT, -signal.SIGTERM):
        raise ReelflowError(f"the Prefect worker exited with status {code}")
