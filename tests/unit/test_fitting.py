"""A picture fitted to the frame: cover crops, contain centres it on a blurred fill
(engine/fitting.py)."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from reelflow.engine.clips import cover_size, source_matrix
from reelflow.engine.fitting import fit_picture


def portrait() -> Image.Image:
    picture = Image.new("RGB", (100, 300), (255, 0, 0))
    picture.paste((0, 0, 255), (0, 150, 100, 300))
    return picture


def steepest_step(column: np.ndarray) -> float:
    """The largest change between neighbouring rows, as a share of the whole change."""
    values = column.astype(float)
    return float(np.abs(np.diff(values)).max() / max(1.0, abs(values[-1] - values[0])))


def test_contain_keeps_the_whole_picture_centred_and_fills_the_bands_with_a_blur() -> None:
    frame = np.asarray(fit_picture(portrait(), (320, 180), "contain"))
    # The picture is 60x180, centred: columns 130..189; its red/blue edge is sharp.
    assert steepest_step(frame[60:120, 160, 0]) > 0.8
    assert tuple(frame[5, 131]) == (255, 0, 0) and tuple(frame[175, 188]) == (0, 0, 255)
    # Beside it, the same picture blurred: red above, blue below, changing gradually.
    band = frame[60:120, 10, 0]
    assert band[0] > 200 and band[-1] < 55
    assert steepest_step(band) < 0.1


def test_cover_crops_the_picture_to_fill_the_frame() -> None:
    frame = np.asarray(fit_picture(portrait(), (320, 180), "cover"))
    # Scaled to 320x960 and cut at the middle: the same edge across the whole width, with no
    # band and no blur.
    steps = [steepest_step(frame[60:120, column, 0]) for column in (10, 160, 310)]
    assert min(steps) > 0.3 and max(steps) - min(steps) < 0.01
    assert tuple(frame[30, 5]) == (255, 0, 0) and tuple(frame[150, 315]) == (0, 0, 255)


def test_cover_size_fills_the_frame_keeping_the_shape() -> None:
    assert cover_size((64, 48), (320, 180)) == (320, 240)
    assert cover_size((1080, 1920), (1280, 720)) == (1280, 2276)
    assert cover_size((320, 180), (320, 180)) == (320, 180)


@pytest.mark.parametrize(("colorspace", "size", "matrix"), [
    (1, (640, 360), "ITU709"),  # tagged: what the stream says, at any size
    (5, (1920, 1080), "ITU601"), (6, (1920, 1080), "ITU601"), (9, (3840, 2160), "BT2020"),
    (2, (1280, 720), "ITU709"), (2, (1920, 1080), "ITU709"), (2, (1080, 1920), "ITU709"),
    (2, (720, 576), "ITU601"), (2, (640, 480), "ITU601"), (2, (64, 48), "ITU601"),
    (0, (1920, 1080), "ITU709"),  # "RGB" on a YUV picture is a wrong tag: guessed as untagged
])
def test_an_untagged_clip_is_read_as_players_read_it_bt709_for_hd_bt601_for_sd(
        colorspace: int, size: tuple[int, int], matrix: str) -> None:
    assert source_matrix(colorspace, *size) == matrix
