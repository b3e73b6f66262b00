"""Comparing two videos: SSIM of grayscale frames taken at the same frame numbers.

SSIM follows Wang et al. (2004): an 11-tap Gaussian window with sigma 1.5, K1 = 0.01 and
K2 = 0.03 on 8-bit luma, computed on the full frame without downscaling. Frames are decoded
with PyAV and picked by their index, which both constant-rate files share.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

_C1 = (0.01 * 255) ** 2
_C2 = (0.03 * 255) ** 2


def _gaussian(size: int = 11, sigma: float = 1.5) -> np.ndarray:
    x = np.arange(size, dtype=np.float64) - (size - 1) / 2
    kernel: np.ndarray = np.exp(-(x**2) / (2 * sigma**2))
    normalised: np.ndarray = kernel / kernel.sum()
    return normalised


def _blur(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Filters with a separable kernel, keeping only the fully covered ('valid') area."""
    rows = sliding_window_view(image, kernel.size, axis=1) @ kernel
    return np.asarray(sliding_window_view(rows, kernel.size, axis=0) @ kernel)


def ssim(a: np.ndarray, b: np.ndarray) -> float:
    """Returns the mean SSIM of two grayscale frames of the same shape."""
    if a.shape != b.shape:
        raise ValueError(f"frames differ in shape: {a.shape} and {b.shape}")
    x, y = a.astype(np.float64), b.astype(np.float64)
    kernel = _gaussian()
    mx, my = _blur(x, kernel), _blur(y, kernel)
    xx = _blur(x * x, kernel) - mx * mx
    yy = _blur(y * y, kernel) - my * my
    xy = _blur(x * y, kernel) - mx * my
    score = ((2 * mx * my + _C1) * (2 * xy + _C2)) / ((mx**2 + my**2 + _C1) * (xx + yy + _C2))
    return float(score.mean())


def gray_frames(path: Path, indices: Sequence[int]) -> dict[int, np.ndarray]:
    """Decodes ``path`` and returns the luma of the frames numbered in ``indices``."""
    import av

    wanted = set(indices)
    found: dict[int, np.ndarray] = {}
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        for n, frame in enumerate(container.decode(stream)):
            if n in wanted:
                found[n] = frame.to_ndarray(format="gray")
                if len(found) == len(wanted):
                    break
    return found


def mean_ssim(first: Path, second: Path, indices: Sequence[int]) -> float:
    """Returns the mean SSIM of the two videos over the frames numbered in ``indices``.

    Raises ValueError when a frame is missing from either video.
    """
    a, b = gray_frames(first, indices), gray_frames(second, indices)
    missing = sorted(set(indices) - (set(a) & set(b)))
    if missing:
        raise ValueError(f"frames {missing[:5]} are missing from one of the videos")
    return float(np.mean([ssim(a[n], b[n]) for n in indices]))
