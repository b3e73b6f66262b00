"""Reading drawn text back off a picture, glyph by glyph, to compare it with a font's own drawing.

Text is found by its colour; columns without ink split it into glyphs (or, for joined scripts
such as Arabic, into words). Each glyph's ink, cut to its bounding box and scaled to a small
square, is compared with the same glyph drawn straight by Pillow from a font file the test
names: a box ("tofu") where a glyph should be, a missing accent or a glyph from the wrong
place does not look like the font's glyph.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

SQUARE = 24


def text_mask(rgb: np.ndarray, colour: tuple[int, int, int], tolerance: int = 60) -> np.ndarray:
    """The pixels of ``rgb`` (height x width x 3) within ``tolerance`` of ``colour``."""
    return np.abs(rgb.astype(int) - np.array(colour)).max(axis=2) <= tolerance


def runs(profile: np.ndarray, min_gap: int = 1) -> list[tuple[int, int]]:
    """The (start, end) ranges where ``profile`` is non-zero, merging ranges whose gap is
    shorter than ``min_gap``."""
    found: list[tuple[int, int]] = []
    for index in np.flatnonzero(profile):
        if found and index - found[-1][1] < min_gap:
            found[-1] = (found[-1][0], int(index) + 1)
        else:
            found.append((int(index), int(index) + 1))
    return found


def glyphs(mask: np.ndarray, min_gap: int = 1) -> list[np.ndarray]:
    """The ink of each glyph (each column-separated cluster), left to right, cut to its box."""
    pieces = []
    for left, right in runs(mask.sum(axis=0), min_gap):
        column = mask[:, left:right]
        rows = runs(column.sum(axis=1), min_gap=10**6)
        pieces.append(column[rows[0][0]:rows[0][1]])
    return pieces


def reference(text: str, font_path: str, index: int = 0, size: int = 96,
              direction: str | None = None) -> np.ndarray:
    """``text`` drawn white on black by Pillow straight from a font file, as a mask."""
    font = ImageFont.truetype(font_path, size, index=index)
    width = int(font.getlength(text, direction=direction)) + size
    image = Image.new("L", (width, size * 3), 0)
    ImageDraw.Draw(image).text((size // 2, size), text, font=font, fill=255,
                               direction=direction)
    return np.asarray(image) > 128


def _square(ink: np.ndarray) -> np.ndarray:
    image = Image.fromarray(ink.astype(np.uint8) * 255).resize((SQUARE, SQUARE),
                                                                Image.Resampling.BILINEAR)
    return np.asarray(image) > 96


def likeness(found: np.ndarray, expected: np.ndarray) -> float:
    """How alike two glyphs' ink is, scaled to one size: intersection over union, 0 to 1."""
    a, b = _square(found), _square(expected)
    union = np.logical_or(a, b).sum()
    return float(np.logical_and(a, b).sum() / union) if union else 0.0


def likenesses(found: np.ndarray, expected: np.ndarray, min_gap: int = 1) -> list[float]:
    """The likeness of each glyph of ``found`` to the same glyph of ``expected`` (both masks
    of one line), in order; an empty list when they do not have as many glyphs."""
    ours, theirs = glyphs(found, min_gap), glyphs(expected, min_gap)
    if len(ours) != len(theirs):
        return []
    return [likeness(a, b) for a, b in zip(ours, theirs, strict=True)]
