"""Measuring what a job costs: wall time, CPU time and peak memory, ffmpeg children included."""

from __future__ import annotations

import threading
import time
from types import TracebackType
from typing import Self

import psutil

_helpers: set[int] = set()  # processes that do a job's work whenever they were started


def count_as_job(pid: int) -> None:
    """Marks process ``pid`` (a child of this process) as doing the jobs' work: a meter
    counts it even when it was running before the meter started (a voice that began speaking
    a job's narrations while Prefect started). Its work before that start is not counted."""
    _helpers.add(pid)


def no_longer_job(pid: int) -> None:
    """Forgets a process ``count_as_job`` marked (it ended: its number may be reused)."""
    _helpers.discard(pid)


def _tree_rss(process: psutil.Process, ignored: frozenset[int] = frozenset()) -> int:
    total = 0
    for member in [process, *_children(process, ignored)]:
        try:
            total += member.memory_info().rss
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue  # a child that just ended no longer holds memory
    return total


def _children(process: psutil.Process, ignored: frozenset[int]) -> list[psutil.Process]:
    """The process's descendants, without ``ignored`` ones and what they started.

    One scan of the process table (psutil lists a parent before its children), then one
    read per descendant for its parent when some are ignored: sampled ten times a second,
    a scan per descendant cost about 5 % of a core.
    """
    try:
        found: list[psutil.Process] = process.children(recursive=True)
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return []
    if not ignored:
        return found
    dropped, kept = set(ignored), []
    for child in found:
        try:
            parent = child.ppid()
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        if child.pid in dropped or parent in dropped:
            dropped.add(child.pid)
        else:
            kept.append(child)
    return kept


def _cpu_seconds(process: psutil.Process, ignored: frozenset[int] = frozenset()) -> float:
    """CPU time of the process, of its children it has waited for, and of its live
    descendants (a helper process that outlives a step still did the job's work)."""
    times = process.cpu_times()
    total = float(times.user + times.system + times.children_user + times.children_system)
    for child in _children(process, ignored):
        try:
            own = child.cpu_times()
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue  # it ended; once waited for, it is in children_user above
        total += own.user + own.system
    return total


class ResourceMeter:
    """Samples the memory of this process and the processes it starts while a job runs.

    Use as a context manager, or start()/stop(); ``usage()`` returns the data model's
    resource_usage fields (disk use is added by the caller, who knows which files are the job's).
    Children that were already running at ``start()`` (such as a temporary Prefect server that
    the command line started) are not the job's and are not counted, unless marked with
    ``count_as_job`` (voice processes). CPU time counts this process, the children it has
    waited for (each ffmpeg run) and the live ones it started (the voice processes, which
    outlive the narrations by a few idle seconds).
    """

    def __init__(self, interval: float = 0.1) -> None:
        self._process = psutil.Process()
        self._interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._peak = 0
        self._started = 0.0
        self._cpu_start = 0.0
        self._elapsed: float | None = None
        self._cpu: float | None = None
        self._ignored: frozenset[int] = frozenset()

    def start(self) -> Self:
        self._started = time.perf_counter()
        self._ignored = frozenset(child.pid for child in self._process.children()
                                  if child.pid not in _helpers)
        self._cpu_start = _cpu_seconds(self._process, self._ignored)
        self._peak = _tree_rss(self._process, self._ignored)
        self._thread = threading.Thread(target=self._sample, name="resource-meter", daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(self._interval):
            self._peak = max(self._peak, _tree_rss(self._process, self._ignored))

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self._peak = max(self._peak, _tree_rss(self._process, self._ignored))
        self._elapsed = time.perf_counter() - self._started
        self._cpu = _cpu_seconds(self._process, self._ignored) - self._cpu_start

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()

    def usage(self) -> dict[str, float]:
        """Returns generation_time_seconds, cpu_time_seconds and peak_memory_mb so far."""
        now = time.perf_counter()
        elapsed = self._elapsed if self._elapsed is not None else now - self._started
        cpu = self._cpu if self._cpu is not None else (
            _cpu_seconds(self._process, self._ignored) - self._cpu_start)
        return {
            "generation_time_seconds": round(elapsed, 3),
            "cpu_time_seconds": round(cpu, 3),
            "peak_memory_mb": round(self._peak / 2**20, 1),
        }
