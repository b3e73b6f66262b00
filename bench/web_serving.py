"""Serving a large video: the web server's memory while it streams, and concurrent ranges.

    .venv/bin/python bench/web_serving.py [--size-mb 500] [--clients 50] [--range-mb 4]

Builds a throwaway data directory with one COMPLETED video of random bytes, starts
`reelflow web` on a free loopback port, samples the server's resident memory every 50 ms, and
prints it for: idle, one client downloading the whole file, ``--clients`` concurrent range
requests at random offsets (every byte compared with the file), and 200 small seeks one after
another. Only 127.0.0.1 is contacted; every loop is bounded.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil

from reelflow.db.models import GeneratedVideo, ScriptRecord, VideoGenerationJob
from reelflow.db.states import JobStatus, ScriptKind, VideoStatus
from reelflow.services.runtime import database, layout, utcnow
from reelflow.settings import Settings
from reelflow.storage.accounting import count_new_file

USAGE = {"generation_time_seconds": 0.0, "peak_memory_mb": 0.0, "disk_space_used_mb": 0.0,
         "cpu_time_seconds": 0.0}


def make_library(home: Path, size_mb: int) -> tuple[Path, str]:
    settings = Settings.from_env({"REELFLOW_HOME": str(home)})
    media, now = layout(settings), utcnow()
    with database(settings).unit_of_work() as uow:
        script = ScriptRecord.from_text(title="Big", kind=ScriptKind.INLINE, content="# Big",
                                        session_id="bench", now=now)
        job = VideoGenerationJob.start(script_id=script.id, session_id="bench", now=now)
        uow.scripts.add(script)
        uow.jobs.add(job)
        for status in (JobStatus.MEDIA_GENERATION, JobStatus.VIDEO_COMPOSITION):
            job.move_to(status, now)
        job.complete(USAGE, now)
        uow.commit()
    path = media.video(job.id, "Big")
    with open(path, "wb") as out:
        for _ in range(size_mb):
            out.write(os.urandom(2**20))
    with database(settings).unit_of_work() as uow:
        video = GeneratedVideo.plan(job=uow.jobs.get(job.id), file_path=str(path),
                                    url_path=media.url_path(path), title="Big", duration=600.0,
                                    resolution="1920x1080", format="mp4", now=now)
        uow.videos.add(video)
        video.move_to(VideoStatus.GENERATING, now)
        count_new_file(uow, media, path, path.stat().st_size)
        video.complete(file_size=path.stat().st_size, duration=600.0, now=utcnow())
        uow.commit()
    return path, video.url_path


class Sampler(threading.Thread):
    """Samples a process's resident memory every 50 ms; ``mark`` starts a new phase."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.process, self.phase, self.peaks = psutil.Process(pid), "start", {"start": 0.0}
        self.stopped = threading.Event()

    def mark(self, phase: str) -> None:
        self.phase = phase
        self.peaks[phase] = self.rss()

    def rss(self) -> float:
        return float(self.process.memory_info().rss) / 2**20

    def run(self) -> None:
        while not self.stopped.wait(0.05):
            self.peaks[self.phase] = max(self.peaks[self.phase], self.rss())


def fetch(port: int, path: str, first: int | None = None, last: int | None = None,
          ) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {} if first is None else {"Range": f"bytes={first}-{last}"}
    connection.request("GET", path, headers=headers)
    reply = connection.getresponse()
    digest = hashlib.sha256()
    while chunk := reply.read(2**20):
        digest.update(chunk)
    connection.close()
    return reply.status, digest.hexdigest()


def expected(path: Path, first: int, last: int) -> str:
    with open(path, "rb") as source:
        source.seek(first)
        return hashlib.sha256(source.read(last - first + 1)).hexdigest()


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--size-mb", type=int, default=500)
    options.add_argument("--clients", type=int, default=50)
    options.add_argument("--range-mb", type=int, default=4)
    args = options.parse_args()
    home = Path(tempfile.mkdtemp(prefix="reelflow-web-bench-"))
    video, url = make_library(home, args.size_mb)
    size = video.stat().st_size
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "REELFLOW_HOME": str(home)}
    env.pop("PREFECT_API_URL", None)
    server = subprocess.Popen([str(Path(sys.executable).with_name("reelflow")), "web",
                               "--port", str(port)], env=env, stdout=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                fetch(port, "/api/v1/health")
                break
            except OSError:
                time.sleep(0.1)
        sampler = Sampler(server.pid)
        sampler.start()
        fetch(port, url, 0, 1023)
        sampler.mark("idle (after one small range)")
        time.sleep(1)
        sampler.mark(f"one client, whole {size / 2**20:.0f} MB file")
        clock = time.perf_counter()
        status, digest = fetch(port, url)
        whole_s = time.perf_counter() - clock
        assert status == 200 and digest == expected(video, 0, size - 1)
        sampler.mark(f"{args.clients} concurrent {args.range_mb} MB ranges")
        span = args.range_mb * 2**20
        rng = random.Random(7)
        ranges = [(start, min(size - 1, start + span - 1))
                  for start in (rng.randrange(0, size - 1) for _ in range(args.clients))]
        clock = time.perf_counter()
        with ThreadPoolExecutor(args.clients) as pool:
            results = list(pool.map(lambda r: fetch(port, url, *r), ranges))
        ranges_s = time.perf_counter() - clock
        good = sum(status == 206 and digest == expected(video, *r)
                   for (status, digest), r in zip(results, ranges, strict=True))
        sampler.mark("200 seeks, one after another")
        latencies = []
        for _ in range(200):
            start = rng.randrange(0, size - 65536)
            clock = time.perf_counter()
            fetch(port, url, start, start + 65535)
            latencies.append(time.perf_counter() - clock)
        sampler.mark("end")
        time.sleep(0.2)
        sampler.stopped.set()
        latencies.sort()
        print(f"file {size / 2**20:.0f} MB; server RSS (MB), peak in each phase:")
        for phase, peak in sampler.peaks.items():
            print(f"  {phase:45} {peak:7.1f}")
        print(f"whole file: {whole_s:.2f} s ({size / 2**20 / whole_s:.0f} MB/s)")
        print(f"{args.clients} concurrent ranges of {args.range_mb} MB: {good}/{args.clients} "
              f"correct (206, bytes equal to the file) in {ranges_s:.2f} s")
        print(f"seeks (64 KB each): median {latencies[100] * 1000:.1f} ms, "
              f"p95 {latencies[190] * 1000:.1f} ms")
    finally:
        server.terminate()
        server.wait(timeout=20)
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
