"""A scene's picture: checked in full before any work, and flattened to RGB for a slide.

What the check refuses, from the content and never from the name: files Pillow cannot
identify, formats outside a short list, pictures above MAX_PIXELS (a decompression bomb is a
small file that claims a huge size; the size is read from the header before anything is
decoded), and truncated or damaged files (the whole picture is decoded once). What the
flattening handles: EXIF orientation, palette, CMYK, 16-bit and float greyscale, and alpha
(composited over the slide's backdrop rather than dropped, which would show hidden pixels).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from reelflow.errors import InvalidScript

MAX_PIXELS = 40_000_000  # 40 megapixels: above any 8K frame (33 MP), far below a bomb
MAX_BYTES = 100 * 2**20
FORMATS = {"PNG": ".png", "JPEG": ".jpg", "WEBP": ".webp", "GIF": ".gif", "BMP": ".bmp",
           "TIFF": ".tif"}
_WIDE_GREY = {"I", "I;16", "I;16B", "I;16L", "I;16N"}
_ALPHA = {"RGBA", "LA", "PA", "RGBa", "La"}


@dataclass(frozen=True)
class PictureFacts:
    """What the check found: size in pixels, format, Pillow mode and the usual extension."""

    width: int
    height: int
    format: str
    mode: str

    @property
    def extension(self) -> str:
        return FORMATS[self.format]


def check_picture(path: Path) -> PictureFacts:
    """Given a file, decodes it in full and returns what it is; raises InvalidScript with the
    reason (not an image, a format not accepted, too many pixels, truncated or damaged)."""
    try:
        if path.stat().st_size > MAX_BYTES:
            raise InvalidScript(f"is larger than {MAX_BYTES // 2**20} MB")
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as picture:
                facts = PictureFacts(picture.width, picture.height, str(picture.format),
                                     picture.mode)
                if facts.format not in FORMATS:
                    raise InvalidScript(f"is a {facts.format} image; accepted: "
                                        f"{', '.join(FORMATS)}")
                _check_size(facts.width, facts.height)
                picture.load()
                flatten(picture, (0, 0, 0))  # every mode we accept must convert
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InvalidScript(f"claims more than {MAX_PIXELS // 1_000_000} megapixels (a "
                            "decompression bomb?)") from None
    except PermissionError as exc:
        raise InvalidScript(f"cannot be read: {exc.strerror or exc}") from None
    except UnidentifiedImageError:
        raise InvalidScript("is not an image (judged by its content)") from None
    except (OSError, SyntaxError, ValueError) as exc:  # Pillow's decoders raise all three
        raise InvalidScript(f"is truncated or damaged ({_first_line(exc)})") from None
    return facts


def _check_size(width: int, height: int) -> None:
    if width < 1 or height < 1:
        raise InvalidScript(f"has no pixels ({width}x{height})")
    if width * height > MAX_PIXELS:
        raise InvalidScript(f"is {width}x{height} pixels ({width * height / 1e6:.0f} "
                            f"megapixels); the limit is {MAX_PIXELS // 1_000_000}")


def open_rgb(path: Path, backdrop: tuple[int, int, int]) -> Image.Image:
    """Given a checked picture, returns it upright as an RGB image, transparent parts over
    ``backdrop``. Raises OSError when the file cannot be read."""
    with Image.open(path) as picture:
        picture.load()
        return flatten(picture, backdrop)


def flatten(picture: Image.Image, backdrop: tuple[int, int, int]) -> Image.Image:
    """Returns ``picture`` as RGB: turned by its EXIF orientation, wide greyscale scaled
    down to 8 bits, alpha composited over ``backdrop``."""
    picture = ImageOps.exif_transpose(picture) or picture
    mode = picture.mode
    if mode in _WIDE_GREY or mode == "F":
        values = np.asarray(picture, dtype=np.float64)
        top = 1.0 if mode == "F" and values.max(initial=0.0) <= 1.0 else (
            255.0 if mode == "F" else 65535.0)
        grey = np.clip(values * (255.0 / top), 0, 255).astype(np.uint8)
        return Image.fromarray(grey).convert("RGB")
    if mode in _ALPHA or (mode == "P" and "transparency" in picture.info):
        rgba = picture.convert("RGBA")
        base = Image.new("RGBA", rgba.size, (*backdrop, 255))
        return Image.alpha_composite(base, rgba).convert("RGB")
    return picture.convert("RGB")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:160] if text else type(exc).__name__
