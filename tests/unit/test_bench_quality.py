"""The benchmark's yardsticks: SSIM and the verdict on each target."""

import numpy as np
import pytest

from bench.measure import Measured
from bench.quality import ssim
from bench.report import Comparison, Run, verdicts


def test_ssim_is_one_for_identical_frames_and_falls_with_noise() -> None:
    rng = np.random.default_rng(1)
    frame = rng.integers(0, 256, (64, 96)).astype(np.uint8)
    noisy = np.clip(frame + rng.normal(0, 25, frame.shape), 0, 255).astype(np.uint8)
    assert ssim(frame, frame) == pytest.approx(1.0)
    assert 0 < ssim(frame, noisy) < 0.99
    with pytest.raises(ValueError):
        ssim(frame, frame[:10])


def _run(name: str, renderer: str, wall: float, peak: float, size: float) -> Run:
    return Run(name, renderer, Measured(wall, wall, peak, 0.0, "", "", 0.0), size, 60.0)


def test_targets_are_judged_from_the_measured_ratios() -> None:
    ours, base = _run("W1", "ours", 2.0, 100.0, 1.0), _run("W1", "moviepy", 20.0, 500.0, 1.0)
    found = dict(verdicts({"W1": Comparison(ours, base, 0.99, 24)}, {"W1": ours}, 16.0))
    assert found == {
        "W1 speed-up 10.0x >= 6x": True, "W1 SSIM 0.9900 >= 0.97": True,
        "W1 durations differ by 0.0 ms <= one frame (41.7 ms)": True,
        "W1 size 1.00x baseline <= 1.5x": True, "W1 peak memory 0.20x baseline <= 0.6x": True,
        "end to end W1 through reelflow render 16.0 s < 15 s": False}
