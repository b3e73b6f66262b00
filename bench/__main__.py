"""``python -m bench``: reelflow's renderer against the moviepy way, side by side.

Generates the inputs (cached in --workdir), renders each workload with both renderers, one
process at a time, and prints a table, the ffmpeg floor, the whole pipeline and a verdict on
each target of issue 5. See the README's "Benchmarks" section.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from bench.compare import EndToEnd, compare, stages
from bench.compare import table as compare_table
from bench.e2e import run_pipeline
from bench.inputs import Workload, build_workloads
from bench.measure import run_measured
from bench.quality import mean_ssim
from bench.report import Comparison, Run, table, verdicts
from reelflow.engine.encoder import PRESETS
from reelflow.engine.ffmpeg import ffmpeg_exe
from reelflow.engine.probe import probe

ALL = ("W1", "W2", "W3", "W4")


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--workloads", default=",".join(ALL),
                        help="comma-separated subset of W1,W2,W3,W4 (default: all)")
    parser.add_argument("--quick", action="store_true",
                        help="a couple of minutes: W1-W3 ours, the baseline of W1 only, "
                             "no W4, no end-to-end run")
    parser.add_argument("--no-baseline", action="store_true", help="skip the moviepy renders")
    parser.add_argument("--no-e2e", action="store_true", help="skip `reelflow render`")
    parser.add_argument("--workdir", type=Path, default=Path(".bench"),
                        help="inputs and outputs (default: ./.bench)")
    return parser.parse_args(argv)


def _run(renderer: str, manifest: Path, output: Path) -> Run:
    module = "bench.ours" if renderer == "ours" else "bench.baseline"
    output.unlink(missing_ok=True)
    cost = run_measured([sys.executable, "-m", module, str(manifest), str(output)])
    found = probe(output)
    return Run(manifest.stem, renderer, cost, found.size / 2**20, found.duration)


def _floor(workload: Workload, output: Path) -> Run:
    """One x264 encode of the workload's frames from one image decoded once."""
    preset, crf = PRESETS["standard"]
    frames = workload.frames
    cost = run_measured([
        ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-i", workload.scenes[0].slide,
        "-vf", f"format=yuv420p,loop=loop={frames - 1}:size=1:start=0,"
               f"setpts=N/({workload.fps}*TB)",
        "-r", str(workload.fps), "-frames:v", str(frames), "-c:v", "libx264", "-preset", preset,
        "-crf", str(crf), "-f", "mp4", str(output)])
    found = probe(output)
    return Run("floor", "ffmpeg", cost, found.size / 2**20, found.duration)


def _sampled_frames(workload: Workload) -> list[int]:
    if workload.zoom:  # a zoom moves differently in each renderer: compare where scenes start
        return [scene.start_frame for scene in workload.scenes]
    return [round((k + 0.5) * workload.frames / 24) for k in range(24)]


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    names = [n.strip().upper() for n in args.workloads.split(",") if n.strip()]
    if args.quick:
        names = [n for n in names if n != "W4"]
    workdir = args.workdir.resolve()
    print(f"bench: {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}; inputs in {workdir}",
          flush=True)
    manifests = build_workloads(workdir, names)
    runs: list[Run] = []
    ours: dict[str, Run] = {}
    comparisons: dict[str, Comparison] = {}
    for name in names:
        workload = Workload.load(manifests[name])
        ours[name] = _run("ours", manifests[name], workdir / f"{name}-ours.mp4")
        runs.append(ours[name])
        print(f"  {name} ours: {ours[name].cost.wall:.2f} s", flush=True)
        wants_baseline = workload.baseline and not args.no_baseline
        if wants_baseline and (not args.quick or name == "W1"):
            baseline = _run("moviepy", manifests[name], workdir / f"{name}-moviepy.mp4")
            runs.append(baseline)
            print(f"  {name} moviepy: {baseline.cost.wall:.2f} s", flush=True)
            similarity = mean_ssim(workdir / f"{name}-ours.mp4",
                                   workdir / f"{name}-moviepy.mp4", _sampled_frames(workload))
            comparisons[name] = Comparison(ours[name], baseline, similarity, workload.fps)
    first = Workload.load(manifests[names[0]])
    floor = _floor(first, workdir / "floor.mp4")
    e2e = None
    ends: list[EndToEnd] = []
    if not (args.quick or args.no_e2e):
        e2e = run_pipeline(workdir)
        ends = compare(workdir / "compare")
    print()
    print(table(runs, comparisons))
    print(f"\nffmpeg floor ({first.frames} frames at {first.width}x{first.height}, one image "
          f"decoded once, x264 {PRESETS['standard'][0]}): {floor.cost.wall:.2f} s wall, "
          f"{floor.cost.cpu:.2f} s CPU, {floor.cost.peak_mb:.0f} MB")
    if e2e is not None:
        measured, job = e2e
        usage = job.get("resource_usage") or {}
        split = ", ".join(f"{name} {seconds:.2f} s"
                          for name, seconds in stages(measured, job).items())
        print(f"\nreelflow render of the W1 script: {measured.wall:.2f} s wall (load "
              f"{measured.load:.2f}): {split}\n  job resource_usage: "
              f"{usage.get('generation_time_seconds')} s, {usage.get('cpu_time_seconds')} s CPU, "
              f"{usage.get('peak_memory_mb')} MB")
    if ends:
        seconds = next((float(end.job["video"]["duration"]) for end in ends
                        if end.job.get("video")), float("nan"))
        print(f"\nend to end, the eight-scene 1080p script ({seconds:.1f} s of video), after a "
              "warm-up; tree MB: the command and every process it starts, own MB: the command's "
              "process alone, job MB: the job's own measure (render process, voice processes, "
              "ffmpeg; not the Prefect server)")
        print(compare_table(ends))
    print("\ntargets:")
    for statement, met in verdicts(comparisons, ours, e2e[0].wall if e2e else None, ends):
        print(f"  [{'met' if met else 'MISSED'}] {statement}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
