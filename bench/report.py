"""The benchmark's table and its verdict on each target of issue 5."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bench.measure import Measured

SPEED_TARGETS = {"W1": 6.0, "W2": 20.0, "W3": 20.0}
MIN_SSIM = 0.97
MAX_SIZE_RATIO = 1.5
MAX_MEMORY_RATIO = 0.6
W4_MEMORY_RATIO = 1.2
W4_TIME_RATIO = 11.0
E2E_SECONDS = 15.0
USUAL_SPEEDUP = {"reelflow render": 3.0, "render beside up": 4.0}
RENDER_PROCESS_MB = 400.0


@dataclass(frozen=True)
class Run:
    """One render of one workload, measured and probed."""

    workload: str
    renderer: str
    cost: Measured
    size_mb: float
    duration: float


@dataclass(frozen=True)
class Comparison:
    """Ours against the baseline on one workload."""

    ours: Run
    baseline: Run
    ssim: float
    fps: int

    @property
    def speedup(self) -> float:
        return self.baseline.cost.wall / self.ours.cost.wall


def table(runs: Sequence[Run], comparisons: dict[str, Comparison]) -> str:
    """Returns one row per run; ratio columns are filled on ours rows that have a baseline."""
    head = (f"{'workload':8} {'renderer':8} {'wall s':>7} {'cpu s':>7} {'peak MB':>8} "
            f"{'size MB':>8} {'duration':>9} {'load':>5} {'speedup':>8} {'SSIM':>7} "
            f"{'mem x':>6} {'size x':>7}")
    lines = [head, "-" * len(head)]
    for run in runs:
        pair = comparisons.get(run.workload)
        extra = ""
        if pair is not None and run is pair.ours:
            extra = (f" {pair.speedup:>7.1f}x {pair.ssim:>7.4f} "
                     f"{run.cost.peak_mb / pair.baseline.cost.peak_mb:>6.2f} "
                     f"{run.size_mb / pair.baseline.size_mb:>7.2f}")
        lines.append(f"{run.workload:8} {run.renderer:8} {run.cost.wall:>7.2f} "
                     f"{run.cost.cpu:>7.2f} {run.cost.peak_mb:>8.1f} {run.size_mb:>8.2f} "
                     f"{run.duration:>9.3f} {run.cost.load:>5.2f}{extra}")
    return "\n".join(lines)


def verdicts(comparisons: dict[str, Comparison], ours: dict[str, Run],
             e2e_wall: float | None, ends: Sequence[Any] = ()) -> list[tuple[str, bool]]:
    """Returns (statement with the measured value, met?) for every target that was measured."""
    found: list[tuple[str, bool]] = []
    for name, pair in sorted(comparisons.items()):
        goal = SPEED_TARGETS.get(name)
        if goal is not None:
            found.append((f"{name} speed-up {pair.speedup:.1f}x >= {goal:g}x",
                          pair.speedup >= goal))
        found.append((f"{name} SSIM {pair.ssim:.4f} >= {MIN_SSIM}", pair.ssim >= MIN_SSIM))
        gap = abs(pair.ours.duration - pair.baseline.duration)
        found.append((f"{name} durations differ by {gap * 1000:.1f} ms <= one frame "
                      f"({1000 / pair.fps:.1f} ms)", gap <= 1 / pair.fps + 1e-6))
        size = pair.ours.size_mb / pair.baseline.size_mb
        found.append((f"{name} size {size:.2f}x baseline <= {MAX_SIZE_RATIO}x",
                       size <= MAX_SIZE_RATIO))
        memory = pair.ours.cost.peak_mb / pair.baseline.cost.peak_mb
        found.append((f"{name} peak memory {memory:.2f}x baseline <= {MAX_MEMORY_RATIO}x",
                       memory <= MAX_MEMORY_RATIO))
    if "W4" in ours and "W1" in ours:
        memory = ours["W4"].cost.peak_mb / ours["W1"].cost.peak_mb
        time = ours["W4"].cost.wall / ours["W1"].cost.wall
        found.append((f"W4 peak memory {memory:.2f}x W1's <= {W4_MEMORY_RATIO}x",
                       memory <= W4_MEMORY_RATIO))
        found.append((f"W4 time {time:.1f}x W1's <= {W4_TIME_RATIO:g}x", time <= W4_TIME_RATIO))
    if e2e_wall is not None:
        found.append((f"end to end W1 through reelflow render {e2e_wall:.1f} s < "
                      f"{E2E_SECONDS:g} s", e2e_wall < E2E_SECONDS))
    if ends:
        usual = ends[0].cost.wall
        for end in ends[1:]:
            goal = USUAL_SPEEDUP.get(end.name)
            if goal is not None:
                found.append((f"{end.name}: {usual / end.cost.wall:.1f}x the usual pipeline "
                              f">= {goal:g}x", usual / end.cost.wall >= goal))
            found.append((f"{end.name}: the render process peaks at {end.cost.own_peak_mb:.0f} "
                          f"MB < {RENDER_PROCESS_MB:g} MB",
                          end.cost.own_peak_mb < RENDER_PROCESS_MB))
    return found
