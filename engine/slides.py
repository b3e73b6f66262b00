"""Slides drawn with Pillow: a title card and scene slides with one consistent look.

Text is wrapped to the slide's width and sized down until it fits its box, so any narration
length and any resolution give a readable, uncropped slide. Text in any installed script is
set by engine/typeset.py: a right-to-left paragraph (Arabic, Hebrew) is aligned to the right,
and Chinese or Japanese text breaks between characters.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, UnidentifiedImageError

from reelflow.engine.fitting import fit_picture
from reelflow.engine.fonts import font_name
from reelflow.engine.pictures import open_rgb
from reelflow.engine.typeset import BASELINE, Line, set_line, wrap
from reelflow.engine.writing import is_rtl
from reelflow.errors import RenderFailed
from reelflow.files import atomic_output
from reelflow.vocabulary import DEFAULT_FIT, Fit

BACKGROUND_TOP = (15, 23, 42)
BACKGROUND_BOTTOM = (30, 41, 59)
ACCENT = (56, 189, 248)
TEXT = (241, 245, 249)
MUTED = (148, 163, 184)


@dataclass(frozen=True)
class Slide:
    """What one slide shows. ``index`` is 0-based; slide 0 is the title card. ``fit``: how
    the background picture fills the slide (engine/fitting.py)."""

    title: str
    heading: str | None
    body: str
    index: int
    count: int
    background: Path | None = None
    language: str = ""
    fit: Fit = DEFAULT_FIT


@dataclass(frozen=True)
class _Fitted:
    lines: list[Line]
    size: int
    line_height: int


def render_slide(slide: Slide, target: Path, width: int, height: int) -> dict[str, object]:
    """Draws ``slide`` as a PNG of width x height at ``target``; returns its image metadata.

    Raises RenderFailed when the background image cannot be read.
    """
    image = _background(slide.background, width, height, slide.fit)
    draw = ImageDraw.Draw(image)
    unit = height / 100
    margin = round(width * 0.07)
    box_width = width - 2 * margin
    top = round(unit * 9)
    bottom = height - round(unit * 12)
    accent = (margin, margin + round(unit * 12))
    if is_rtl(slide.title):
        accent = (width - accent[1], width - margin)
    draw.rectangle((accent[0], top - round(unit * 3), accent[1], top - round(unit * 2.2)),
                   fill=ACCENT)
    box = (margin, margin + box_width)
    fit = _Fitter(box_width, slide.language)
    if slide.index == 0:
        title = fit(slide.title, "bold", round(unit * 30), round(unit * 11), round(unit * 4))
        top = _draw_lines(draw, title, box, top, TEXT) + round(unit * 3)
    else:
        kicker = fit(slide.title, "regular", round(unit * 5), round(unit * 3.2),
                     round(unit * 2.5))
        top = _draw_lines(draw, kicker, box, top, ACCENT) + round(unit * 2)
    if slide.heading:
        size = round(unit * (5.5 if slide.index == 0 else 8))
        heading = fit(slide.heading, "bold", round(unit * 20), size, round(unit * 3.5))
        colour = ACCENT if slide.index == 0 else TEXT
        top = _draw_lines(draw, heading, box, top, colour) + round(unit * 3)
    if slide.body and bottom - top > unit * 4:
        body = fit(slide.body, "regular", bottom - top, round(unit * 5.2), round(unit * 2.4))
        _draw_lines(draw, body, box, top, TEXT if slide.index else MUTED)
    footer = set_line(f"{slide.index + 1} / {slide.count}", "regular",
                      max(10, round(unit * 2.6)))
    footer.draw(draw, width - margin - footer.width, width - margin, height - round(unit * 6),
                MUTED)
    with atomic_output(target) as temp:
        image.save(temp, format="PNG", compress_level=1)
    return {
        "dimensions": [width, height],
        "format": "png",
        "generation_method": "pillow-slide" if slide.background is None else "pillow-over-image",
        **({"fit": slide.fit} if slide.background is not None else {}),
        "font": font_name("regular", slide.body or slide.title, slide.language),
    }


def _background(path: Path | None, width: int, height: int, fit: Fit) -> Image.Image:
    if path is not None:
        try:
            picture = fit_picture(open_rgb(path, BACKGROUND_TOP), (width, height), fit)
        except (OSError, UnidentifiedImageError) as exc:
            raise RenderFailed(f"cannot read the scene image {path}: {exc}") from exc
        # Darken the picture so white text stays readable on any image.
        return Image.blend(picture, Image.new("RGB", (width, height), BACKGROUND_TOP), 0.55)
    gradient = Image.linear_gradient("L").resize((width, height))
    top = Image.new("RGB", (width, height), BACKGROUND_TOP)
    bottom = Image.new("RGB", (width, height), BACKGROUND_BOTTOM)
    return Image.composite(bottom, top, gradient)


class _Fitter:
    """Fits texts into boxes ``width`` pixels wide, in ``language``."""

    def __init__(self, width: int, language: str) -> None:
        self.width = width
        self.language = language

    def __call__(self, text: str, weight: str, height: int, largest: int,
                 smallest: int) -> _Fitted:
        """Returns the largest font size in [smallest, largest] whose wrapped text fits the
        box ``height`` pixels tall.

        When even the smallest size overflows, the text is cut at the last line that fits and
        ends with an ellipsis rather than spilling off the slide.
        """
        smallest = max(1, smallest)  # a tiny frame still gets (unreadable) one-pixel text
        low, high = smallest, max(smallest, largest)
        best: _Fitted | None = None
        while low <= high:
            size = (low + high) // 2
            lines = wrap(text, weight, size, self.width, self.language)
            line_height = round(size * 1.3)
            if len(lines) * line_height <= height and self._within(lines):
                best, low = _Fitted(lines, size, line_height), size + 1
            else:
                high = size - 1
        if best is not None:
            return best
        line_height = round(smallest * 1.3)
        keep = max(1, height // line_height)
        lines = [line if self._within([line]) else line.ellipsized(self.width)
                 for line in wrap(text, weight, smallest, self.width, self.language)]
        if len(lines) > keep:
            lines = [*lines[:keep - 1], lines[keep - 1].ellipsized(self.width)]
        return _Fitted(lines, smallest, line_height)


    def _within(self, lines: list[Line]) -> bool:
        # A word too long to break is wider than the box: a smaller size, or an ellipsis.
        return all(line.width <= self.width for line in lines)


def _draw_lines(draw: ImageDraw.ImageDraw, fitted: _Fitted, box: tuple[int, int], top: int,
                colour: tuple[int, int, int]) -> int:
    for line in fitted.lines:
        line.draw(draw, box[0], box[1], top + fitted.size * BASELINE, colour)
        top += fitted.line_height
    return top
