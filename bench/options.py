"""``python -m bench.options``: what each output option of issue 12 costs, in seconds per
minute of video, on the benchmark's own inputs (W1 stills, W2 burned captions, W3 zooms).

Each render runs in its own process, like ``python -m bench``: MP4 alone (the default, the
reference), WebM alone, both at once; then the poster (one frame decoded and saved as JPEG)
and the two caption files. The extra cost of an option is its time minus the MP4 alone.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from bench.inputs import Workload, build_workloads
from bench.measure import run_measured
from reelflow.engine.captions import Cue, write_srt, write_vtt
from reelflow.engine.poster import write_poster
from reelflow.engine.probe import probe

OUTPUTS = {"mp4": ("mp4",), "webm": ("webm",), "mp4+webm": ("mp4", "webm")}


def _render(manifest: Path, workdir: Path, formats: tuple[str, ...]) -> tuple[float, float]:
    targets = [workdir / f"{manifest.stem}-options.{fmt}" for fmt in formats]
    for target in targets:
        target.unlink(missing_ok=True)
    cost = run_measured([sys.executable, "-m", "bench.ours", str(manifest),
                         *map(str, targets)])
    return cost.wall, cost.cpu


def _files(workload: Workload, video: Path, workdir: Path) -> tuple[float, float]:
    started = time.perf_counter()
    write_poster(video, 0, workdir / "poster.jpg")
    poster = time.perf_counter() - started
    cues = [Cue(start, end, text) for scene in workload.scenes for text, start, end in scene.cues]
    started = time.perf_counter()
    write_srt(cues, workdir / "captions.srt")
    write_vtt(cues, workdir / "captions.vtt")
    return poster, time.perf_counter() - started


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.options", description=__doc__)
    parser.add_argument("--workloads", default="W1,W2,W3")
    parser.add_argument("--workdir", type=Path, default=Path(".bench"))
    args = parser.parse_args(argv)
    manifests = build_workloads(args.workdir, args.workloads.split(","))
    header = ("workload", "output", "wall s", "cpu s", "s/min", "extra s/min")
    print("{:8} {:9} {:>7} {:>7} {:>7} {:>12}".format(*header))
    for name, manifest in manifests.items():
        workload = Workload.load(manifest)
        minutes = workload.frames / workload.fps / 60
        reference = 0.0
        for label, formats in OUTPUTS.items():
            wall, cpu = _render(manifest, args.workdir, formats)
            reference = wall if label == "mp4" else reference
            extra = "" if label == "mp4" else f"{(wall - reference) / minutes:12.2f}"
            print(f"{name:8} {label:9} {wall:7.2f} {cpu:7.2f} {wall / minutes:7.2f} {extra}")
        video = args.workdir / f"{name}-options.mp4"
        assert probe(video).frames == workload.frames
        poster, captions = _files(workload, video, args.workdir)
        print(f"{name:8} {'poster':9} {poster:7.2f} {'':7} {poster / minutes:7.2f}")
        print(f"{name:8} {'captions':9} {captions:7.3f} {'':7} {captions / minutes:7.3f}")


if __name__ == "__main__":
    main()
