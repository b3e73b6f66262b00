"""Text set in lines: broken to fit a width, measured and drawn in the text's own direction.

A line is a row of pieces, each in the face engine/fonts.py chose for it. Pillow's raqm layout
shapes each piece (Arabic letters join, marks sit on their letters) and orders it; a line of a
right-to-left paragraph starts at the right, its pieces placed leftwards in reading order. Lines
of one paragraph share a baseline grid: ``BASELINE`` of the size below each line's top.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Literal

from PIL import ImageDraw

from reelflow.engine.fonts import Face, complex_layout, coverage, face_runs, load_font
from reelflow.engine.writing import break_units, is_rtl

BASELINE = 0.93  # DejaVu Sans's ascent: Latin text sits where it always did
ELLIPSIS = "…"
_TRAILING = ".,;: 。、，"  # left off before an ellipsis  # noqa: RUF001
Align = Literal["start", "center"]


@dataclass(frozen=True)
class Piece:
    """A stretch of a line drawn in one face."""

    text: str
    face: Face


@dataclass(frozen=True)
class Line:
    """One line of text at ``size`` pixels; ``rtl`` when its paragraph runs right to left."""

    pieces: tuple[Piece, ...]
    size: int
    rtl: bool = False
    language: str = ""

    @property
    def text(self) -> str:
        return "".join(piece.text for piece in self.pieces)

    @property
    def width(self) -> float:
        """The line's advance width in pixels."""
        return sum(self._length(piece) for piece in self.pieces)

    def _length(self, piece: Piece) -> float:
        return _length(piece.text, piece.face, self.size, self._direction(), self.language)

    def _direction(self) -> str | None:
        # One piece is shaped as the paragraph runs; several are placed piece by piece, and
        # each piece finds its own direction.
        if len(self.pieces) != 1 or not complex_layout():
            return None
        return "rtl" if self.rtl else "ltr"

    def ellipsized(self, room: float) -> Line:
        """This line cut at its end and ended with an ellipsis, at most ``room`` wide (just
        the ellipsis if nothing else fits)."""
        text = self.text
        faces = _faces_of(self)
        low, high = 0, len(text)  # the most characters kept that fit, by bisection
        while low < high:
            keep = (low + high + 1) // 2
            if self._cut(text, faces, keep).width <= room:
                low = keep
            else:
                high = keep - 1
        return self._cut(text, faces, low)

    def _cut(self, text: str, faces: Sequence[Face], keep: int) -> Line:
        kept = text[:keep].rstrip(_TRAILING)
        line = _slice(self, text, faces, 0, len(kept))
        last = line.pieces[-1].face if line.pieces else face_runs(ELLIPSIS)[0][1]
        if ord(ELLIPSIS) in coverage(last) and line.pieces:
            return replace(line, pieces=(*line.pieces[:-1],
                                         Piece(line.pieces[-1].text + ELLIPSIS, last)))
        return replace(line, pieces=(*line.pieces, Piece(ELLIPSIS, face_runs(ELLIPSIS)[0][1])))

    def draw(self, draw: ImageDraw.ImageDraw, left: float, right: float, baseline: float,
             fill: tuple[int, ...], align: Align = "start") -> None:
        """Draws the line on ``baseline`` between ``left`` and ``right``: from its start edge
        (left, or right for right-to-left text), or centred."""
        total = self.width
        if align == "center":
            start = (left + right + (total if self.rtl else -total)) / 2
        else:
            start = right if self.rtl else left
        for piece in self.pieces:
            font = load_font(piece.face, self.size)
            options = {"direction": self._direction(), "language": self.language or None} \
                if complex_layout() else {}
            draw.text((start, baseline), piece.text, font=font, fill=fill,
                      anchor="rs" if self.rtl else "ls", **options)  # type: ignore[arg-type]
            start += -self._length(piece) if self.rtl else self._length(piece)


@lru_cache(maxsize=8192)
def _length(text: str, face: Face, size: int, direction: str | None, language: str) -> float:
    font = load_font(face, size)
    if not complex_layout():
        return float(font.getlength(text))
    return float(font.getlength(text, direction=direction, language=language or None))


def set_line(text: str, weight: str, size: int, language: str = "") -> Line:
    """``text`` as one line, unbroken."""
    pieces = tuple(Piece(run, face) for run, face in face_runs(text, weight, language))
    return Line(pieces, size, is_rtl(text), language)


def wrap(text: str, weight: str, size: int, width: float, language: str = "") -> list[Line]:
    """Breaks ``text`` into lines at most ``width`` pixels wide, each broken where Unicode's
    rules allow (after spaces; between ideographs); a piece that cannot be broken and is wider
    than ``width`` gets a line of its own. Trailing spaces are left off each line.

    Lines are filled by adding up the widths of their pieces (each measured once); a full
    line is then measured whole, since kerning across pieces can widen it, and gives its last
    pieces to the next line while it is too wide.
    """
    paragraph = set_line(text, weight, size, language)
    faces = _faces_of(paragraph)
    units = list(break_units(text))
    ends = [0]
    for unit in units:
        ends.append(ends[-1] + len(unit))
    lines: list[Line] = []
    first = 0
    while first < len(units):
        last, used = first, 0.0
        while last < len(units):
            unit = units[last]
            trimmed = _slice(paragraph, text, faces, ends[last],
                             ends[last] + len(unit.rstrip())).width
            if last > first and used + trimmed > width:
                break
            used += _slice(paragraph, text, faces, ends[last], ends[last + 1]).width
            last += 1
        line = _trimmed(paragraph, text, faces, ends[first], ends[last])
        while last - first > 1 and line.width > width:
            last -= 1
            line = _trimmed(paragraph, text, faces, ends[first], ends[last])
        if line.pieces:
            lines.append(line)
        first = last
    return lines


def _faces_of(line: Line) -> list[Face]:
    return [piece.face for piece in line.pieces for _ in piece.text]


def _trimmed(paragraph: Line, text: str, faces: Sequence[Face], start: int, end: int) -> Line:
    while end > start and text[end - 1].isspace():
        end -= 1
    return _slice(paragraph, text, faces, start, end)


def _slice(paragraph: Line, text: str, faces: Sequence[Face], start: int, end: int) -> Line:
    """Characters start..end of ``paragraph`` (whose text and per-character faces are given)."""
    pieces: list[Piece] = []
    n = start
    while n < end:
        m = n + 1
        while m < end and faces[m] is faces[n]:
            m += 1
        pieces.append(Piece(text[n:m], faces[n]))
        n = m
    return replace(paragraph, pieces=tuple(pieces))
