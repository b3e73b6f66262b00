"""Running one command and measuring it: wall time, CPU time and peak memory of its tree.

Each render runs in its own process so that imports, ffmpeg children and everything else it
starts are counted. Memory is the summed resident set of the process and all its descendants,
read every 5 ms (the tree's members are looked up every 25 ms): a one-second render's peak
lasts tens of milliseconds; read every 50 ms, W1's peak came out 207-219 MB in six runs (and
176 MB once in a full bench), read every 5 ms 212-227 MB, with the same times. CPU time is the
children's rusage, which includes every descendant that was waited for (ffmpeg runs,
moviepy's writer).
"""

from __future__ import annotations

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


def _members(root: psutil.Process) -> list[psutil.Process]:
    try:
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def _rss(member: psutil.Process) -> int:
    try:
        return int(member.memory_info().rss)
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return 0


def run_measured(command: Sequence[str], *, env: Mapping[str, str] | None = None,
                 interval: float = 0.005, lookup: float = 0.025,
                 cwd: str | None = None) -> Measured:
    """Runs ``command`` to completion and returns what it cost: resident sizes are read
    every ``interval`` seconds, the process tree's members looked up every ``lookup``.

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
        members, looked_up = _members(root), time.perf_counter()
        while not done.is_set():
            if time.perf_counter() - looked_up >= lookup:
                members, looked_up = _members(root), time.perf_counter()
            sizes = [_rss(member) for member in members]
            peak = max(peak, sum(sizes))
            own = max(own, sizes[0] if sizes else 0)
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
