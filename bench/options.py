"""``python -m bench.options``: what each output option of issue 12 costs, in seconds per
minute of video, on the benchmark's own inputs (W1 stills, W2 burned captions, W3 zooms).

Each render runs in its own process, like ``python -m bench``: MP4 alone (the default, the
reference), WebM alone, both at once, each format with background music (a 30 s stereo FLAC
made here, looped) and with 0.5 s crossfades; then the poster (one frame decoded and saved as
JPEG) and the two caption files. The extra cost of an option is its time minus the same
format's render without it.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from bench.inputs import Workload, build_workloads
from bench.measure import run_measured
from reelflow.engine.captions import Cue, write_srt, write_vtt
from reelflow.engine.ffmpeg import run_ffmpeg
from reelflow.engine.poster import write_poster
from reelflow.engine.probe import probe

# label: (formats, options of bench.ours, the label of the render it adds to)
OUTPUTS: dict[str, tuple[tuple[str, ...], tuple[str, ...], str]] = {
    "mp4": (("mp4",), (), ""), "webm": (("webm",), (), "mp4"),
    "mp4+webm": (("mp4", "webm"), (), "mp4"),
    "mp4+music": (("mp4",), ("--music",), "mp4"),
    "mp4+xfade": (("mp4",), ("--crossfade=0.5",), "mp4"),
    "webm+music": (("webm",), ("--music",), "webm"),
    "webm+xfade": (("webm",), ("--crossfade=0.5",), "webm"),
}


def _music(workdir: Path) -> Path:
    """A 30 s stereo FLAC: a soft chord that swells twice a second, the same every time."""
    song = workdir / "music.flac"
    if not song.exists():
        chord = "+".join(f"0.08*sin(2*PI*{hz}*t)" for hz in (220, 277.2, 329.6, 440))
        run_ffmpeg(["-f", "lavfi", "-i", f"aevalsrc=({chord})*(0.7+0.3*sin(2*PI*2*t))|"
                    f"({chord})*(0.7+0.3*cos(2*PI*2*t)):s=44100:d=30", "-c:a", "flac",
                    str(song)], what="making the benchmark's music")
    return song


def _render(manifest: Path, workdir: Path, formats: tuple[str, ...],
            options: tuple[str, ...]) -> tuple[float, float]:
    targets = [workdir / f"{manifest.stem}-options.{fmt}" for fmt in formats]
    for target in targets:
        target.unlink(missing_ok=True)
    given = [f"--music={_music(workdir)}" if option == "--music" else option
             for option in options]
    cost = run_measured([sys.executable, "-m", "bench.ours", str(manifest),
                         *map(str, targets), *given])
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
    header = ("workload", "output", "wall s", "cpu s", "s/min", "extra s/min", "extra cpu/min")
    print("{:10} {:10} {:>7} {:>7} {:>7} {:>12} {:>14}".format(*header))
    for name, manifest in manifests.items():
        workload = Workload.load(manifest)
        minutes = workload.frames / workload.fps / 60
        walls: dict[str, float] = {}
        cpus: dict[str, float] = {}
        for label, (formats, options, base) in OUTPUTS.items():
            wall, cpu = _render(manifest, args.workdir, formats, options)
            walls[label], cpus[label] = wall, cpu
            extra = (f"{(wall - walls[base]) / minutes:12.2f} "
                     f"{(cpu - cpus[base]) / minutes:14.2f}") if base else ""
            print(f"{name:10} {label:10} {wall:7.2f} {cpu:7.2f} {wall / minutes:7.2f} {extra}")
        video = args.workdir / f"{name}-options.mp4"
        assert probe(video).frames == workload.frames
        poster, captions = _files(workload, video, args.workdir)
        print(f"{name:10} {'poster':10} {poster:7.2f} {'':7} {poster / minutes:7.2f}")
        print(f"{name:10} {'captions':10} {captions:7.3f} {'':7} {captions / minutes:7.3f}")


if __name__ == "__main__":
    main()
