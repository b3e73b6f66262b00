"""Finding fonts: DejaVu Sans where the system has it, Pillow's bundled font otherwise."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

_SEARCH_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/local/share/fonts"),
    Path("/Library/Fonts"),
)
_FILES = {"regular": "DejaVuSans.ttf", "bold": "DejaVuSans-Bold.ttf"}

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@lru_cache(maxsize=2)
def font_file(weight: str) -> Path | None:
    """Returns the path of the DejaVu Sans file for ``weight`` (regular or bold), if installed."""
    for folder in _SEARCH_DIRS:
        candidate = folder / _FILES[weight]
        if candidate.is_file():
            return candidate
    return None


@lru_cache(maxsize=256)
def load_font(weight: str, size: int) -> Font:
    """Returns a font of ``size`` pixels; falls back to Pillow's bundled scalable font."""
    path = font_file(weight)
    if path is not None:
        return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size)


def font_name(weight: str) -> str:
    """Names the font that load_font uses, for asset metadata."""
    path = font_file(weight)
    return path.stem if path is not None else "Pillow default"
