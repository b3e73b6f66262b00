"""Running one command and measuring it: wall time, CPU time and peak memory of its tree.

Each render runs in its own process so that imports, ffmpeg children and everything else it
starts are counted. Memory is the summed resident set of the process and all its descendants,
sampled every 50 ms; CPU time is the children's rusage, which includes every descendant that
was waited for (ffmpeg runs, moviepy's writer).
"""

from __future__ import annotations

import contextlib
import os
import resource
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import psutil


@dataclass(frozen=True)
class Measured:
    """What one run cost, and what it printed; ``load`` is the 1-minute load average just
    before it started (other work on the machine skews every figure)."""

    wall: float
    cpu: float
    peak_mb: float
    load: float
    stdout: str
    stderr: str
    started: float  # time.time() when the process was started
    own_peak_mb: float = 0.0  # the command's own process alone, without what it started


def _tree_rss(root: psutil.Process) -> int:
    total = 0
    try:
        members = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    for member in members:
        try:
            total += member.memory_info().rss
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return total


def run_measured(command: Sequence[str], *, env: Mapping[str, str] | None = None,
                 interval: float = 0.05, cwd: str | None = None) -> Measured:
    """Runs ``command`` to completion and returns what it cost.

    Raises subprocess.CalledProcessError (with its output) when it exits non-zero.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load = os.getloadavg()[0]
    wall_clock = time.time()
    started = time.perf_counter()
    process = subprocess.Popen(list(command), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=dict(env) if env is not None else None, cwd=cwd)
    peak = own = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak, own
        root = psutil.Process(process.pid)
        while not done.is_set():
            peak = max(peak, _tree_rss(root))
            with contextlib.suppress(psutil.NoSuchProcess):
                own = max(own, root.memory_info().rss)
            done.wait(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = process.communicate()
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if process.returncode != 0:
        raise subprocess.CalledProcessError(process.returncode, list(command), stdout, stderr)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Measured(wall, cpu, peak / 2**20, load, stdout, stderr, wall_clock, own / 2**20)
