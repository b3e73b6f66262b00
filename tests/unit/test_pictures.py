"""A scene's picture checked from its content and flattened to RGB (engine/pictures.py)."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from reelflow.engine.pictures import MAX_PIXELS, check_picture, flatten, open_rgb
from reelflow.errors import InvalidScript

BACKDROP = (15, 23, 42)


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims width x height (its pixel data is a few bytes)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 16)) + chunk(b"IEND", b""))


def refusal(path: Path) -> str:
    with pytest.raises(InvalidScript) as caught:
        check_picture(path)
    return str(caught.value)


def test_an_ordinary_png_and_jpeg_pass_with_their_size_and_format(tmp_path: Path) -> None:
    Image.new("RGB", (64, 36), "red").save(tmp_path / "a.png")
    Image.new("RGB", (30, 20), "blue").save(tmp_path / "b.jpeg")
    facts = check_picture(tmp_path / "a.png")
    assert (facts.width, facts.height, facts.format, facts.extension) == (64, 36, "PNG", ".png")
    assert check_picture(tmp_path / "b.jpeg").extension == ".jpg"


def test_a_text_file_named_png_is_not_an_image(tmp_path: Path) -> None:
    (tmp_path / "fake.png").write_text("root:x:0:0:root:/root:/bin/bash\n")
    assert "not an image" in refusal(tmp_path / "fake.png")


def test_a_picture_claiming_20000_by_20000_is_refused_before_decoding(tmp_path: Path) -> None:
    (tmp_path / "bomb.png").write_bytes(png_claiming(20_000, 20_000))
    assert (tmp_path / "bomb.png").stat().st_size < 200
    message = refusal(tmp_path / "bomb.png")
    assert f"more than {MAX_PIXELS // 1_000_000} megapixels" in message
    (tmp_path / "wide.png").write_bytes(png_claiming(9_000, 5_000))  # below Pillow's own guard
    assert "9000x5000" in refusal(tmp_path / "wide.png")


def test_truncated_pictures_are_refused(tmp_path: Path) -> None:
    for name in ("cut.png", "cut.jpg"):
        Image.fromarray(np.random.default_rng(1).integers(0, 255, (120, 160, 3),
                                                          dtype=np.uint8)).save(tmp_path / name)
        whole = (tmp_path / name).read_bytes()
        (tmp_path / name).write_bytes(whole[: len(whole) // 2])
        assert "truncated or damaged" in refusal(tmp_path / name)


def test_a_format_outside_the_list_is_refused(tmp_path: Path) -> None:
    Image.new("RGB", (8, 8)).save(tmp_path / "x.png", format="PPM")
    assert "PPM" in refusal(tmp_path / "x.png")


def test_cmyk_is_converted_to_rgb(tmp_path: Path) -> None:
    Image.new("CMYK", (10, 10), (0, 255, 255, 0)).save(tmp_path / "c.jpg")  # pure red ink
    assert check_picture(tmp_path / "c.jpg").mode == "CMYK"
    red, green, blue = open_rgb(tmp_path / "c.jpg", BACKDROP).getpixel((5, 5))  # type: ignore
    assert red > 200 and green < 60 and blue < 60


def test_sixteen_bit_grey_is_scaled_not_clipped_to_white(tmp_path: Path) -> None:
    values = np.full((8, 8), 32768, dtype=np.uint16)  # mid grey in 16 bits
    Image.fromarray(values).save(tmp_path / "g16.png")
    assert check_picture(tmp_path / "g16.png").mode.startswith("I")
    grey = open_rgb(tmp_path / "g16.png", BACKDROP).getpixel((0, 0))
    assert grey == (127, 127, 127)


def test_transparent_pixels_show_the_backdrop_not_their_hidden_colour(tmp_path: Path) -> None:
    rgba = Image.new("RGBA", (4, 4), (255, 0, 0, 0))  # red, fully transparent
    rgba.save(tmp_path / "a.png")
    assert open_rgb(tmp_path / "a.png", BACKDROP).getpixel((0, 0)) == BACKDROP
    palette = Image.new("P", (4, 4), 1)
    palette.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    palette.save(tmp_path / "p.png", transparency=1)
    assert open_rgb(tmp_path / "p.png", BACKDROP).getpixel((1, 1)) == BACKDROP
    Image.new("LA", (4, 4), (200, 255)).save(tmp_path / "la.png")
    assert open_rgb(tmp_path / "la.png", BACKDROP).getpixel((0, 0)) == (200, 200, 200)


def test_exif_orientation_turns_the_picture_upright(tmp_path: Path) -> None:
    picture = Image.new("RGB", (40, 20), "white")
    exif = picture.getexif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    picture.save(tmp_path / "turned.jpg", exif=exif)
    assert open_rgb(tmp_path / "turned.jpg", BACKDROP).size == (20, 40)


def test_flatten_handles_every_mode_pillow_opens_pictures_in(tmp_path: Path) -> None:
    for mode in ("1", "L", "P", "RGB", "RGBA", "CMYK", "YCbCr", "LA", "PA", "I", "F",
                 "I;16", "HSV", "LAB"):
        flat = flatten(Image.new(mode, (3, 2)), BACKDROP)
        assert flat.mode == "RGB" and flat.size == (3, 2), mode
