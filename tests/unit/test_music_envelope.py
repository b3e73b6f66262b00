"""The music's gain over time, computed from the timeline alone: engine/music.envelope."""

from __future__ import annotations

import numpy as np
import pytest

from reelflow.engine.loudness import Loudness, gain_to, parse_summary
from reelflow.engine.music import envelope, speech_spans
from reelflow.engine.timeline import plan_timeline

RATE = 1000


def decibels(gain: np.ndarray) -> np.ndarray:
    return np.asarray(20 * np.log10(np.maximum(gain, 1e-9)))


def at(curve: np.ndarray, seconds: float) -> float:
    return float(decibels(curve)[round(seconds * RATE)])


def test_the_music_is_12_db_down_while_someone_speaks_and_back_up_between_scenes() -> None:
    speech = [(0.0, 2.0), (3.0, 5.0), (6.0, 8.0)]
    curve = envelope(10.0, speech, rate=RATE)
    for start, end in speech:
        inside = decibels(curve[round(start * RATE):round(end * RATE) + 1])
        # Fully down from the first to the last sample of speech (the fade-in and fade-out
        # only lower it further).
        assert inside.max() <= -12.0 + 1e-9
    for gap in (2.5, 5.5):
        assert at(curve, gap) == pytest.approx(0.0, abs=1e-9)
    assert at(curve, 2.5) - max(at(curve, 1.0), at(curve, 4.0)) >= 10


def test_the_ducking_ramps_smoothly_before_speech_starts_and_after_it_ends() -> None:
    curve = decibels(envelope(10.0, [(4.0, 6.0)], rate=RATE, ramp=0.2))
    down = curve[round(3.8 * RATE):round(4.0 * RATE) + 1]
    up = curve[round(6.0 * RATE):round(6.2 * RATE) + 1]
    assert np.all(np.diff(down) <= 1e-12) and np.all(np.diff(up) >= -1e-12)
    assert down[0] == pytest.approx(0.0) and down[-1] == pytest.approx(-12.0)
    # No step anywhere larger than a ramp's steepest slope allows.
    assert np.abs(np.diff(curve[round(3 * RATE):round(7 * RATE)])).max() < 0.2


def test_the_music_fades_in_from_silence_and_out_to_silence() -> None:
    curve = envelope(20.0, [], rate=RATE)
    assert curve[0] == 0.0 and curve[-1] == pytest.approx(0.0, abs=1e-12)
    assert curve[round(0.75 * RATE)] == pytest.approx(0.5, abs=1e-3)  # half way in 1.5 s
    assert curve[round(10 * RATE)] == pytest.approx(1.0)
    assert np.all(np.diff(curve[: round(1.5 * RATE)]) >= 0)
    short = envelope(2.0, [], rate=RATE)  # fades of a quarter of a short video each
    assert short[round(0.5 * RATE)] == pytest.approx(1.0) and short[0] == 0.0


def test_speech_that_starts_the_video_has_the_music_down_from_the_first_sample() -> None:
    curve = envelope(10.0, [(0.0, 3.0)], rate=RATE)
    assert at(curve, 1.6) == pytest.approx(-12.0)
    assert curve[1] < 10 ** (-12 / 20)


def test_speech_spans_come_from_the_slots_and_the_measured_narration() -> None:
    slots = plan_timeline([1.5, 0.0, 2.25], fps=24, pause_seconds=0.5)
    assert speech_spans(slots, [1.5, 0.0, 2.25]) == [
        (0.0, 1.5), (slots[2].start, slots[2].start + 2.25)]


def test_loudness_is_read_from_the_ebur128_summary() -> None:
    report = """[Parsed_ebur128_0 @ 0x1] Summary:

  Integrated loudness:
    I:         -23.4 LUFS
    Threshold: -33.6 LUFS

  True peak:
    Peak:       -4.1 dBFS
"""
    assert parse_summary(report) == Loudness(-23.4, -4.1)
    silent = parse_summary(report.replace("-23.4", "-70.0").replace("-4.1", "-inf"))
    assert silent.silent and gain_to(-16.0, silent) == 0.0
    assert gain_to(-16.0, Loudness(-23.4, -4.1)) == pytest.approx(7.4)


def test_each_named_meter_is_read_from_its_own_summary_even_with_other_output_inside() -> None:
    report = ("[ebur128@music @ 0x1] Summary:\n\n  Integrated loudness:\n    I:         -19.4 "
              "LUFS\n    Threshold: -29.5 LUFS\n"
              "[ebur128@voice @ 0x2] Summary:\n\n  Integrated loudness:\nsize=1kB time=1    "
              "I:         -18.9 LUFS\n    Threshold: -29.0 LUFS\n")
    assert parse_summary(report, "music").integrated == -19.4
    voice = parse_summary(report, "voice")
    assert voice.integrated == -18.9 and voice.true_peak == float("-inf")
