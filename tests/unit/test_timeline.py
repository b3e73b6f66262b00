from itertools import pairwise

import pytest

from reelflow.engine.timeline import plan_timeline, total_seconds


def test_each_scene_lasts_its_narration_plus_the_pause_to_within_half_a_frame() -> None:
    slots = plan_timeline([2.0, 3.3, 1.05], fps=24, pause_seconds=0.5)
    for slot, spoken in zip(slots, [2.0, 3.3, 1.05], strict=True):
        assert abs(slot.duration - (spoken + 0.5)) <= 1 / 24
    assert abs(total_seconds(slots) - (2.0 + 3.3 + 1.05 + 1.5)) <= 0.5 / 24


def test_rounding_never_drifts_over_many_scenes() -> None:
    spoken = [1.013] * 400
    slots = plan_timeline(spoken, fps=30, pause_seconds=0.2)
    assert abs(total_seconds(slots) - 400 * 1.213) <= 0.5 / 30


def test_scenes_are_contiguous_on_whole_frames() -> None:
    slots = plan_timeline([1.01, 0.77, 2.5], fps=25, pause_seconds=0.3)
    assert slots[0].start_frame == 0
    for before, after in pairwise(slots):
        assert after.start_frame == before.start_frame + before.frames


def test_a_duration_hint_longer_than_the_narration_extends_the_scene() -> None:
    slots = plan_timeline([1.0, 1.0], fps=24, pause_seconds=0.5, minimum_seconds=[4.0, None])
    assert slots[0].duration == pytest.approx(4.0)
    assert slots[1].duration == pytest.approx(1.5, abs=1 / 24)


def test_audio_samples_per_scene_add_up_to_the_whole_timeline() -> None:
    slots = plan_timeline([1.234, 2.345, 0.5], fps=24, pause_seconds=0.6)
    assert sum(s.samples(22050) for s in slots) == round(total_seconds(slots) * 22050)


def test_a_silent_scene_still_gets_one_frame() -> None:
    assert plan_timeline([0.0], fps=24, pause_seconds=0.0)[0].frames == 1


def test_negative_lengths_and_bad_fps_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        plan_timeline([-1.0], fps=24, pause_seconds=0.1)
    with pytest.raises(ValueError, match="fps"):
        plan_timeline([1.0], fps=0, pause_seconds=0.1)


def test_a_scene_gets_the_same_frames_from_the_scenes_before_it_as_from_the_whole_script(
) -> None:
    # What lets a shot be encoded before later scenes are narrated (services/shots.py).
    spoken = [1.013, 2.718, 0.333, 3.1416, 0.05, 7.77, 1.5]
    hints = [None, 4.0, None, None, 2.0, None, None]
    whole = plan_timeline(spoken, fps=30, pause_seconds=0.6, minimum_seconds=hints)
    for n in range(1, len(spoken) + 1):
        prefix = plan_timeline(spoken[:n], fps=30, pause_seconds=0.6, minimum_seconds=hints[:n])
        assert prefix == whole[:n]
