"""Burned-in captions: each caption drawn once with Pillow and shown for its sentence's frames.

A caption does not move while it is shown, so a still scene with captions is a short run of
still pictures (the slide, the slide with the first sentence, ...) that engine/encode_still.py
encodes once each. Over a moving picture (engine/kenburns.py) the same overlay is blended into
every frame. Caption times come from engine/captions.py, rounded to the nearest frame. A caption
sits at the top, centre or bottom of the frame's title-safe area, and always inside it.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from PIL import Image, ImageDraw

from reelflow.engine.captions import Cue
from reelflow.engine.typeset import wrap
from reelflow.vocabulary import DEFAULT_CAPTION_POSITION, CaptionPosition

TEXT_COLOUR = (255, 255, 255, 255)
BOX_COLOUR = (0, 0, 0, 160)
MAX_LINES = 3
MIN_FONT_SIZE = 10
SAFE_MARGIN = 0.05  # title-safe: 5% in from every edge (the central 90%)


@dataclass(frozen=True)
class CaptionSpan:
    """A caption on screen from frame ``first`` up to, not including, ``end`` of its shot."""

    text: str
    first: int
    end: int


@dataclass(frozen=True)
class Overlay:
    """A drawn caption: an RGBA box and where its top-left corner goes on the frame."""

    image: Image.Image
    left: int
    top: int


def spans_for(cues: Sequence[Cue], start_frame: int, frames: int, fps: int
              ) -> tuple[CaptionSpan, ...]:
    """Given cues timed from the video's start, returns the spans inside one shot.

    Times are rounded to the nearest frame and clipped to the shot; a cue that would overlap
    its predecessor starts where that one ends, and empty spans are dropped.
    """
    spans: list[CaptionSpan] = []
    for cue in sorted(cues, key=lambda c: c.start):
        first = max(0, round(cue.start * fps) - start_frame, spans[-1].end if spans else 0)
        end = min(frames, round(cue.end * fps) - start_frame)
        if end > first:
            spans.append(CaptionSpan(cue.text, first, end))
    return tuple(spans)


def font_size(height: int) -> int:
    """The caption font size in pixels for a frame ``height`` pixels tall."""
    return max(MIN_FONT_SIZE, round(height * 0.045))


def title_safe(width: int, height: int) -> tuple[int, int, int, int]:
    """The title-safe area of a width x height frame: (left, top, right, bottom), the central
    90% of each side, inside which captions must stay."""
    margin_x, margin_y = math.ceil(width * SAFE_MARGIN), math.ceil(height * SAFE_MARGIN)
    return margin_x, margin_y, width - margin_x, height - margin_y


def caption_overlay(text: str, width: int, height: int,
                    position: CaptionPosition = DEFAULT_CAPTION_POSITION,
                    language: str = "") -> Overlay:
    """Draws ``text`` as a caption for a width x height frame: white, centred, on a dark
    translucent box at the ``position`` (top, center or bottom) of the title-safe area, at
    most MAX_LINES lines, in any installed script (``language`` picks the regional shapes of
    Chinese, Japanese and Korean characters). The font shrinks until the box fits that area at
    any aspect ratio; if even the smallest size cannot hold the text, its last line ends with
    an ellipsis."""
    left, top, right, bottom = title_safe(width, height)
    size = font_size(height)
    while True:
        pad_x, pad_y = round(size * 0.6), round(size * 0.3)
        room = right - left - 2 * pad_x
        lines = wrap(text, "regular", size, room, language)
        widest = max(line.width for line in lines)
        fits = len(lines) <= MAX_LINES and widest <= room
        fits = fits and len(lines) * round(size * 1.3) + 2 * pad_y <= bottom - top
        if fits or size <= MIN_FONT_SIZE:
            break
        size -= 1 if size < 20 else 2
    if len(lines) > MAX_LINES:
        lines = [*lines[:MAX_LINES - 1], lines[MAX_LINES - 1].ellipsized(room)]
    lines = [line if line.width <= room else line.ellipsized(room) for line in lines]
    line_height = round(size * 1.3)
    text_width = max(round(line.width) for line in lines)
    box = Image.new("RGBA", (text_width + 2 * pad_x, len(lines) * line_height + 2 * pad_y),
                    BOX_COLOUR)
    draw = ImageDraw.Draw(box)
    for n, line in enumerate(lines):
        # The baseline sits as far below the line's middle as DejaVu Sans's "mm" anchor put it.
        line.draw(draw, pad_x, box.width - pad_x, pad_y + (n + 0.5) * line_height + size * 0.35,
                  TEXT_COLOUR, align="center")
    # Why a nudge past the safe edge's margin: a caption a little inside the edge reads as
    # placed, one touching it reads as cut. Never beyond the title-safe area.
    inset = min(round(height * 0.01), max(0, (bottom - top - box.height) // 2))
    place_top = {"top": top + inset, "center": (height - box.height) // 2,
                 "bottom": bottom - inset - box.height}[position]
    return Overlay(box, (width - box.width) // 2, max(top, min(place_top, bottom - box.height)))


def with_caption(picture: Image.Image, overlay: Overlay) -> Image.Image:
    """Returns a copy of the RGB ``picture`` with the caption blended in."""
    result = picture.copy()
    result.paste(overlay.image, (overlay.left, overlay.top), overlay.image)
    return result


def caption_runs(spans: Sequence[CaptionSpan], frames: int) -> Iterator[tuple[str | None, int]]:
    """Yields (caption text or None, frame count) runs that cover the shot's frames in order."""
    cursor = 0
    for span in spans:
        if span.first > cursor:
            yield None, span.first - cursor
        yield span.text, span.end - span.first
        cursor = span.end
    if cursor < frames:
        yield None, frames - cursor
