import numpy as np

from reelflow.engine.kenburns import ZOOM, crop_box, zoom_at


def test_the_zoom_starts_at_one_and_grows_by_equal_steps() -> None:
    scales = [zoom_at(n, 48) for n in range(48)]
    steps = np.diff(scales)
    assert scales[0] == 1.0
    assert np.allclose(steps, ZOOM / 48)
    assert scales[-1] < 1 + ZOOM


def test_the_crop_box_is_centred_keeps_the_aspect_and_shrinks_with_the_zoom() -> None:
    left, top, right, bottom = crop_box(1.25, 1920, 1080)
    assert (right - left, bottom - top) == (1536, 864)
    assert (left + right) / 2 == 960 and (top + bottom) / 2 == 540
    assert crop_box(1.0, 1920, 1080) == (0, 0, 1920, 1080)
