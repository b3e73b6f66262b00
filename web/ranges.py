"""The ``Range`` request header (RFC 9110, section 14) reduced to what a file response sends.

Pure: a header and a file size in, one of three answers out. Why a malformed header gets the
whole file rather than an error: the RFC says a server MUST ignore a Range it cannot parse,
and every player copes with a 200.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

MAX_RANGES = 8  # more parts than any player asks for: an excessive request gets the whole file
MAX_HEADER = 512


@dataclass(frozen=True)
class Whole:
    """Send the whole file with 200 (no Range, or one to ignore)."""


@dataclass(frozen=True)
class Unsatisfiable:
    """Answer 416 with ``Content-Range: bytes */SIZE``: no requested byte exists."""


@dataclass(frozen=True)
class Parts:
    """Send these byte spans (first, last inclusive), sorted and not overlapping, with 206."""

    spans: tuple[tuple[int, int], ...]


Answer = Whole | Unsatisfiable | Parts


def parse_range(header: str | None, size: int) -> Answer:
    """Given a Range header value (None when absent) and the file's size, returns what to send.

    ``bytes=A-B`` (B clamped to the end), ``bytes=A-`` and ``bytes=-N`` (the last N bytes)
    are understood, alone or in a comma list of at most MAX_RANGES that is sorted and merged
    where parts overlap or touch. Anything malformed, an unknown unit, or too many parts:
    Whole. Only parts past the end (or a zero-length suffix, or an empty file): Unsatisfiable.
    """
    if header is None or len(header) > MAX_HEADER:
        return Whole()
    unit, _, specs = header.partition("=")
    if unit.strip().lower() != "bytes" or not specs.strip():
        return Whole()
    items = specs.split(",")
    if len(items) > MAX_RANGES:
        return Whole()
    spans: list[tuple[int, int]] = []
    for item in items:
        parsed = _span(item.strip(), size)
        if parsed is None:
            return Whole()
        if isinstance(parsed, tuple):
            spans.append(parsed)
    if not spans:
        return Unsatisfiable()
    return Parts(_merged(spans))


def _span(text: str, size: int) -> tuple[int, int] | Literal["past"] | None:
    """One range spec: its span, "past" when it selects no byte, None when malformed."""
    first, dash, last = text.partition("-")
    if not dash or not (first or last) or not _digits(first or "0") or not _digits(last or "0"):
        return None
    if not first:
        count = int(last)
        return (max(0, size - count), size - 1) if count and size else "past"
    start = int(first)
    end = int(last) if last else size - 1
    if last and end < start:
        return None
    return (start, min(end, size - 1)) if start < size else "past"


def _digits(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) <= 19


def _merged(spans: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return tuple(merged)
