"""Served runs start warm: forked from a process that imported Prefect and reelflow once.

Prefect's runner starts a run of a deployment it holds the flow of (deployments/serve.py adds
each with its flow) in a new interpreter (multiprocessing's "spawn"), which imports Prefect, the
flow and everything it uses again: about two seconds of every run created over the API or the
UI went there. Here the runner gets multiprocessing's "forkserver" instead: a clean,
single-threaded server process imports the flows once, and each run is a fork of it, ready in
milliseconds. Only how the run's process starts changes; Prefect still sets its environment
(inside the process: /proc/PID/environ shows the server's), runs the flow, watches it and
cancels it as before.
"""

from __future__ import annotations

import multiprocessing
import os
from multiprocessing.context import BaseContext
from typing import Any

PRELOAD = ["reelflow.flows.generate_video", "reelflow.flows.cleanup_media"]


class _StartMethods:
    """Stands in for the multiprocessing module inside Prefect's flow engine, which only asks
    it for a start-method context: every context it gets is the warm forkserver."""

    def __init__(self, context: BaseContext) -> None:
        self._context = context

    def get_context(self, method: str | None = None) -> BaseContext:
        return self._context


def start_warm_runs() -> None:
    """Makes this process's served runs fork from a warm server, and starts that server now
    (so the first run does not wait for its imports). Call before serving, after the
    environment the runs need (PREFECT_API_URL, REELFLOW_*) is set: the server keeps it."""
    import prefect.flow_engine as engine

    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    engine.multiprocessing = _StartMethods(context)  # type: ignore[assignment,attr-defined]
    warm: Any = context.Process(target=os.getpid)
    warm.start()
    warm.join()
