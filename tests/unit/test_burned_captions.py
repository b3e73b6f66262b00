import pytest

from reelflow.engine.burned_captions import (
    MAX_LINES,
    CaptionSpan,
    caption_overlay,
    caption_runs,
    font_size,
    spans_for,
    title_safe,
)
from reelflow.engine.captions import Cue
from reelflow.vocabulary import CAPTION_POSITIONS, CaptionPosition


def test_cues_become_frame_spans_relative_to_their_shot_rounded_to_the_nearest_frame() -> None:
    cues = [Cue(10.0, 11.02, "One."), Cue(11.02, 12.5, "Two.")]
    assert spans_for(cues, start_frame=240, frames=96, fps=24) == (
        CaptionSpan("One.", 0, 24), CaptionSpan("Two.", 24, 60))


def test_spans_are_clipped_to_the_shot_and_cues_outside_it_are_dropped() -> None:
    cues = [Cue(0.0, 1.0, "Before."), Cue(1.9, 3.5, "Across the cut."), Cue(9.0, 9.5, "After.")]
    assert spans_for(cues, start_frame=48, frames=24, fps=24) == (
        CaptionSpan("Across the cut.", 0, 24),)


def test_a_cue_that_overlaps_its_predecessor_starts_where_that_one_ends() -> None:
    cues = [Cue(0.0, 1.0, "A."), Cue(0.5, 2.0, "B.")]
    assert spans_for(cues, start_frame=0, frames=48, fps=24) == (
        CaptionSpan("A.", 0, 24), CaptionSpan("B.", 24, 48))


def test_caption_runs_cover_every_frame_of_the_shot_in_order() -> None:
    runs = list(caption_runs((CaptionSpan("A.", 5, 10), CaptionSpan("B.", 10, 20)), 30))
    assert runs == [(None, 5), ("A.", 5), ("B.", 10), (None, 10)]
    assert list(caption_runs((), 7)) == [(None, 7)]


def test_a_caption_sits_centred_near_the_bottom_inside_the_frame() -> None:
    overlay = caption_overlay("Short words.", 1920, 1080)
    assert abs(2 * overlay.left + overlay.image.width - 1920) <= 1
    assert overlay.top + overlay.image.height == 1080 - round(1080 * 0.06)
    assert overlay.image.mode == "RGBA"
    assert font_size(1080) == 49


def test_a_very_long_caption_is_kept_to_three_lines_within_the_frame() -> None:
    overlay = caption_overlay("word " * 400, 640, 360)
    line_height = round(font_size(360) * 1.3)
    assert overlay.image.width <= 640
    assert overlay.image.height <= MAX_LINES * line_height + 2 * round(font_size(360) * 0.3)
    assert overlay.top >= 0


SIZES = [(1920, 1080), (1080, 1920), (1080, 1080), (320, 180), (180, 320)]
TEXTS = ["Hi.", "A caption of an ordinary length, as a narrated sentence would give.",
         "Pneumonoultramicroscopicsilicovolcanoconiosis-and-supercalifragilistic " * 3]


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
@pytest.mark.parametrize("position", CAPTION_POSITIONS)
def test_every_caption_stays_inside_the_title_safe_area_at_every_aspect_ratio(
        size: tuple[int, int], position: CaptionPosition) -> None:
    width, height = size
    left, top, right, bottom = title_safe(width, height)
    assert (right - left, bottom - top) == (width - 2 * left, height - 2 * top)
    assert left >= width * 0.05 and top >= height * 0.05
    for text in TEXTS:
        overlay = caption_overlay(text, width, height, position)
        assert overlay.left >= left and overlay.top >= top, (text, overlay)
        assert overlay.left + overlay.image.width <= right, (text, overlay.image.size)
        assert overlay.top + overlay.image.height <= bottom, (text, overlay.image.size)


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_top_center_and_bottom_captions_sit_where_they_say(size: tuple[int, int]) -> None:
    width, height = size
    placed = {position: caption_overlay("Where am I?", width, height, position)
              for position in CAPTION_POSITIONS}
    middles = {position: overlay.top + overlay.image.height / 2
               for position, overlay in placed.items()}
    assert middles["top"] < height / 3 < middles["center"] < 2 * height / 3 < middles["bottom"]
    assert abs(middles["center"] - height / 2) <= 1
