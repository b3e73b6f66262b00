"""Colour conversion: BT.709 with studio range, and its exact inverse for measuring."""

import numpy as np
from PIL import Image

from reelflow.engine.colour import to_rgb, yuv420_frame, yuv420_planes


def _solid(colour: tuple[int, int, int], size: tuple[int, int] = (4, 2)) -> Image.Image:
    return Image.new("RGB", size, colour)


def test_black_and_white_span_the_studio_range() -> None:
    picture = Image.new("RGB", (4, 2))
    picture.paste((255, 255, 255), (2, 0, 4, 2))
    luma, u, v = yuv420_planes(picture)
    assert luma.tolist() == [[16, 16, 235, 235]] * 2
    assert u.tolist() == v.tolist() == [[128, 128]]


def test_primaries_convert_with_the_bt709_matrix_not_bt601() -> None:
    # BT.709: Y = 16 + 219 (0.2126 R + 0.7152 G + 0.0722 B); BT.601 would give red Y = 81.
    red, green, blue = (yuv420_planes(_solid(c)) for c in
                        [(255, 0, 0), (0, 255, 0), (0, 0, 255)])
    assert [int(plane[0, 0]) for plane in red] == [63, 102, 240]
    assert [int(plane[0, 0]) for plane in green] == [173, 42, 26]
    assert [int(plane[0, 0]) for plane in blue] == [32, 240, 118]


def test_a_converted_frame_is_tagged_bt709_studio_range() -> None:
    frame = yuv420_frame(_solid((10, 20, 30)))
    assert (frame.color_primaries, frame.color_trc, frame.colorspace, frame.color_range) == (
        1, 1, 1, 1)


def test_converting_there_and_back_keeps_every_colour_within_rounding() -> None:
    rng = np.random.default_rng(5)
    colours = rng.integers(0, 256, (40, 3))
    for colour in colours:
        back = to_rgb(*yuv420_planes(_solid(tuple(int(c) for c in colour), (2, 2))))
        assert np.abs(back[0, 0] - colour).max() < 1.6, colour
