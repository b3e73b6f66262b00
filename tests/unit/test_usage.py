"""A job's peak memory counts the job's process and what it starts, not what ran before it."""

from __future__ import annotations

import subprocess
import sys
import time

import psutil
import pytest

from reelflow.engine.speech.piper_engine import close_voice_processes
from reelflow.engine.usage import ResourceMeter, count_as_job

HOLD_200_MB = ("import time, sys; block = bytearray(200 * 2**20); "
               "block[::4096] = b'x' * len(block[::4096]); print('ready', flush=True); "
               "time.sleep(float(sys.argv[1]))")


@pytest.fixture(autouse=True)
def _no_voice() -> None:
    """Voices that earlier tests in this process left idle are the jobs' helpers: gone."""
    close_voice_processes()


def _holder(seconds: float) -> subprocess.Popen[str]:
    child = subprocess.Popen([sys.executable, "-c", HOLD_200_MB, str(seconds)],
                             stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None and child.stdout.readline().strip() == "ready"
    return child


def test_a_server_started_before_the_job_is_not_the_jobs_memory() -> None:
    server = _holder(30)
    own_mb = psutil.Process().memory_info().rss / 2**20
    try:
        with ResourceMeter(interval=0.02) as meter:
            time.sleep(0.2)
        assert meter.usage()["peak_memory_mb"] < own_mb + 100  # the server holds 200 MB
    finally:
        server.kill()
        server.wait()


def test_a_child_the_job_starts_counts_toward_its_peak() -> None:
    own_mb = psutil.Process().memory_info().rss / 2**20
    with ResourceMeter(interval=0.02) as meter:
        child = _holder(0.5)
        child.wait()
    assert meter.usage()["peak_memory_mb"] > own_mb + 150


def test_the_cpu_of_a_child_still_running_at_the_end_counts() -> None:
    spin = "import time\nend = time.process_time() + 0.6\nwhile time.process_time() < end: pass\n" \
           "print('ready', flush=True)\ntime.sleep(30)"
    with ResourceMeter(interval=0.02) as meter:
        child = subprocess.Popen([sys.executable, "-c", spin], stdout=subprocess.PIPE, text=True)
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
    try:
        assert meter.usage()["cpu_time_seconds"] >= 0.5
    finally:
        child.kill()
        child.wait()


def test_what_a_server_started_before_the_job_starts_later_is_not_the_jobs_memory() -> None:
    """A run's temporary Prefect server may start processes of its own during the job: they
    are the server's, however deep, not the job's."""
    spawner = ("import subprocess, sys, time; sys.stdin.readline(); "
               f"child = subprocess.Popen([sys.executable, '-c', {HOLD_200_MB!r}, '30'], "
               "stdout=subprocess.PIPE, text=True); print(child.stdout.readline().strip(), "
               "flush=True); time.sleep(30)")
    server = subprocess.Popen([sys.executable, "-c", spawner], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    own_mb = psutil.Process().memory_info().rss / 2**20
    try:
        with ResourceMeter(interval=0.02) as meter:
            assert server.stdin is not None and server.stdout is not None
            server.stdin.write("go\n")
            server.stdin.flush()
            assert server.stdout.readline().strip() == "ready"  # its child holds 200 MB now
            time.sleep(0.2)
        assert meter.usage()["peak_memory_mb"] < own_mb + 100
    finally:
        for process in psutil.Process(server.pid).children(recursive=True):
            process.kill()
        server.kill()
        server.wait()


def test_a_helper_started_before_the_job_but_marked_as_the_jobs_counts() -> None:
    """A voice that began speaking the job's narrations while Prefect started is the job's."""
    helper = _holder(30)
    count_as_job(helper.pid)
    own_mb = psutil.Process().memory_info().rss / 2**20
    try:
        with ResourceMeter(interval=0.02) as meter:
            time.sleep(0.2)
        assert meter.usage()["peak_memory_mb"] > own_mb + 150
    finally:
        helper.kill()
        helper.wait()
