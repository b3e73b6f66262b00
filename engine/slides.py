"""Slides drawn with Pillow: a title card and scene slides with one consistent look.

Text is wrapped to the slide's width and sized down until it fits its box, so any narration
length and any resolution give a readable, uncropped slide.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageOps, UnidentifiedImageError

from reelflow.engine.fonts import Font, font_name, load_font
from reelflow.engine.pictures import open_rgb
from reelflow.errors import RenderFailed
from reelflow.files import atomic_output

BACKGROUND_TOP = (15, 23, 42)
BACKGROUND_BOTTOM = (30, 41, 59)
ACCENT = (56, 189, 248)
TEXT = (241, 245, 249)
MUTED = (148, 163, 184)


@dataclass(frozen=True)
class Slide:
    """What one slide shows. ``index`` is 0-based; slide 0 is the title card."""

    title: str
    heading: str | None
    body: str
    index: int
    count: int
    background: Path | None = None


@dataclass(frozen=True)
class _Fitted:
    font: Font
    lines: list[str]
    line_height: int


def render_slide(slide: Slide, target: Path, width: int, height: int) -> dict[str, object]:
    """Draws ``slide`` as a PNG of width x height at ``target``; returns its image metadata.

    Raises RenderFailed when the background image cannot be read.
    """
    image = _background(slide.background, width, height)
    draw = ImageDraw.Draw(image)
    unit = height / 100
    margin = round(width * 0.07)
    box_width = width - 2 * margin
    top = round(unit * 9)
    bottom = height - round(unit * 12)
    draw.rectangle((margin, top - round(unit * 3), margin + round(unit * 12),
                    top - round(unit * 2.2)), fill=ACCENT)
    if slide.index == 0:
        title = _fit(draw, slide.title, "bold", box_width, round(unit * 30), round(unit * 11),
                     round(unit * 4))
        top = _draw_lines(draw, title, margin, top, TEXT) + round(unit * 3)
    else:
        kicker = _fit(draw, slide.title, "regular", box_width, round(unit * 5), round(unit * 3.2),
                      round(unit * 2.5))
        top = _draw_lines(draw, kicker, margin, top, ACCENT) + round(unit * 2)
    if slide.heading:
        size = round(unit * (5.5 if slide.index == 0 else 8))
        heading = _fit(draw, slide.heading, "bold", box_width, round(unit * 20), size,
                       round(unit * 3.5))
        colour = ACCENT if slide.index == 0 else TEXT
        top = _draw_lines(draw, heading, margin, top, colour) + round(unit * 3)
    if slide.body and bottom - top > unit * 4:
        body = _fit(draw, slide.body, "regular", box_width, bottom - top, round(unit * 5.2),
                    round(unit * 2.4))
        _draw_lines(draw, body, margin, top, TEXT if slide.index else MUTED)
    footer = load_font("regular", max(10, round(unit * 2.6)))
    draw.text((width - margin, height - round(unit * 6)), f"{slide.index + 1} / {slide.count}",
              font=footer, fill=MUTED, anchor="rs")
    with atomic_output(target) as temp:
        image.save(temp, format="PNG", compress_level=1)
    return {
        "dimensions": [width, height],
        "format": "png",
        "generation_method": "pillow-slide" if slide.background is None else "pillow-over-image",
        "font": font_name("regular"),
    }


def _background(path: Path | None, width: int, height: int) -> Image.Image:
    if path is not None:
        try:
            picture = ImageOps.fit(open_rgb(path, BACKGROUND_TOP), (width, height))
        except (OSError, UnidentifiedImageError) as exc:
            raise RenderFailed(f"cannot read the scene image {path}: {exc}") from exc
        # Darken the picture so white text stays readable on any image.
        return Image.blend(picture, Image.new("RGB", (width, height), BACKGROUND_TOP), 0.55)
    gradient = Image.linear_gradient("L").resize((width, height))
    top = Image.new("RGB", (width, height), BACKGROUND_TOP)
    bottom = Image.new("RGB", (width, height), BACKGROUND_BOTTOM)
    return Image.composite(bottom, top, gradient)


def wrap_text(draw: ImageDraw.ImageDraw, text: str, font: Font, width: int) -> list[str]:
    """Returns ``text`` broken into lines at spaces, each at most ``width`` pixels wide
    (a single word wider than that gets a line of its own)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if current and draw.textlength(candidate, font=font) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


def _fit(draw: ImageDraw.ImageDraw, text: str, weight: str, width: int, height: int,
         largest: int, smallest: int) -> _Fitted:
    """Returns the largest font size in [smallest, largest] whose wrapped text fits the box.

    When even the smallest size overflows, the text is cut at the last line that fits and ends
    with an ellipsis rather than spilling off the slide.
    """
    smallest = max(1, smallest)  # a tiny frame still gets (unreadable) one-pixel text
    low, high = smallest, max(smallest, largest)
    best: _Fitted | None = None
    while low <= high:
        size = (low + high) // 2
        font = load_font(weight, size)
        lines = wrap_text(draw, text, font, width)
        line_height = round(size * 1.3)
        if len(lines) * line_height <= height:
            best, low = _Fitted(font, lines, line_height), size + 1
        else:
            high = size - 1
    if best is not None:
        return best
    font = load_font(weight, smallest)
    line_height = round(smallest * 1.3)
    keep = max(1, height // line_height)
    lines = wrap_text(draw, text, font, width)[:keep]
    lines[-1] = lines[-1].rstrip(".,;: ") + "…"
    return _Fitted(font, lines, line_height)


def _draw_lines(draw: ImageDraw.ImageDraw, fitted: _Fitted, left: int, top: int,
                colour: tuple[int, int, int]) -> int:
    for line in fitted.lines:
        draw.text((left, top), line, font=fitted.font, fill=colour)
        top += fitted.line_height
    return top
