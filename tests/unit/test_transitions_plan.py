"""Where crossfades go: engine/transitions.with_transitions, on plain values."""

from __future__ import annotations

from pathlib import Path

from reelflow.engine.burned_captions import CaptionSpan
from reelflow.engine.compose import Shot
from reelflow.engine.transitions import (
    Crossfade,
    crossfade_frames,
    scenes_in,
    with_transitions,
)


def shots(*frames: int) -> list[Shot]:
    return [Shot(Path(f"s{n}.png"), count) for n, count in enumerate(frames)]


def starts(pieces: list[Shot | Crossfade]) -> list[int]:
    """The frame where each scene's own first frame is shown."""
    found, clock = [], 0
    for piece in pieces:
        if isinstance(piece, Shot):
            found.append(clock)
        clock += piece.frames
    return found


def test_a_cut_is_no_transition_at_all() -> None:
    plain = shots(10, 20, 30)
    assert crossfade_frames("cut", 1.0, 24) == 0
    assert with_transitions(plain, 0) == plain


def test_a_crossfade_takes_the_end_of_each_scene_but_the_last_and_moves_no_cut() -> None:
    plain = shots(24, 30, 12)
    frames = crossfade_frames("crossfade", 0.5, 24)
    pieces = with_transitions(plain, frames)
    assert frames == 12
    assert [type(piece).__name__ for piece in pieces] == [
        "Shot", "Crossfade", "Shot", "Crossfade", "Shot"]
    assert [piece.frames for piece in pieces] == [12, 12, 18, 12, 12]
    assert sum(piece.frames for piece in pieces) == 66
    assert starts(pieces) == [0, 24, 54]  # where the narration of each scene starts
    fade = pieces[1]
    assert isinstance(fade, Crossfade)
    assert (fade.leaving, fade.entering, fade.first) == (plain[0], plain[1], 12)
    assert scenes_in(pieces) == 3


def test_a_short_scene_keeps_its_first_frame_and_a_one_frame_scene_has_no_crossfade() -> None:
    pieces = with_transitions(shots(5, 1, 8), 12)
    assert [piece.frames for piece in pieces] == [1, 4, 1, 8]
    assert starts(pieces) == [0, 5, 6]


def test_a_shortened_scene_keeps_its_zoom_pace_and_its_captions_up_to_its_new_end() -> None:
    spans = (CaptionSpan("One.", 0, 10), CaptionSpan("Two.", 10, 20), CaptionSpan("Gone.", 21, 24))
    zooming = Shot(Path("a.png"), 24, spans, "kenburns")
    pieces = with_transitions([zooming, Shot(Path("b.png"), 10)], 6)
    kept = pieces[0]
    assert isinstance(kept, Shot)
    assert (kept.frames, kept.motion_frames) == (18, 24)
    assert kept.captions == (CaptionSpan("One.", 0, 10), CaptionSpan("Two.", 10, 18))
    fade = pieces[1]
    assert isinstance(fade, Crossfade) and fade.leaving.captions == spans  # the whole shot


def test_a_blend_weighs_the_two_frames_and_rounds_to_the_nearest_level() -> None:
    import numpy as np

    from reelflow.engine.transitions import blend

    leaving = np.array([0, 10, 255, 100, 16], np.uint8)
    entering = np.array([255, 20, 0, 101, 235], np.uint8)
    assert list(np.frombuffer(blend(leaving, entering, 0.25), np.uint8)) == [
        64, 12, 191, 100, 71]
    assert blend(leaving, entering, 0.0) == leaving.tobytes()
    assert blend(leaving, entering, 1.0) == entering.tobytes()
