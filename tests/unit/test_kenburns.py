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


def test_each_zoomed_frame_matches_a_reference_resample_of_the_same_crop_box() -> None:
    from PIL import Image

    from reelflow.engine.colour import yuv420_planes
    from reelflow.engine.encoder import EncoderSettings
    from reelflow.engine.kenburns import zoom_frames

    width, height, frames = 320, 180, 12
    rgb = np.zeros((height, width, 3), np.uint8)
    rgb[..., 0] = np.linspace(0, 255, width)[None, :]
    rgb[40:90, 60:200] = (250, 250, 250)  # hard edges show any shift of the sampling grid
    picture = Image.fromarray(rgb)
    y = Image.fromarray(yuv420_planes(picture)[0])
    made = list(zoom_frames(picture, frames, (), EncoderSettings(width, height, 24)))
    for n in (0, 5, 11):
        luma = np.frombuffer(made[n], np.uint8)[:width * height].reshape(height, width)
        box = crop_box(zoom_at(n, frames), width, height)
        reference = np.asarray(y.resize((width, height), Image.Resampling.BILINEAR, box=box))
        difference = np.abs(luma.astype(int) - reference)
        assert difference.max() <= 2 and difference.mean() < 0.1, n
    assert not np.array_equal(made[0], made[11])  # it does zoom
