"""Loudness as EBU R128 measures it: ffmpeg's ebur128 filter, read from its summary.

Integrated loudness (LUFS) is what a listener hears as "how loud" over the whole programme,
gated so that silence does not count; true peak (dBTP) is the highest level the signal
reaches between samples once it is reconstructed, which is what clips in a player or an
encoder. ebur128 says -70 LUFS for silence (its absolute gate) and -inf dBTP for digital zero.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from reelflow.engine.ffmpeg import ffmpeg_report
from reelflow.errors import RenderFailed

SILENCE_LUFS = -70.0
_NUMBER = r"(-?(?:\d+(?:\.\d+)?|inf))"
_INTEGRATED = re.compile(rf"^\s*I:\s+{_NUMBER} LUFS", re.MULTILINE)
_PEAK = re.compile(rf"^\s*Peak:\s+{_NUMBER} dBFS", re.MULTILINE)


@dataclass(frozen=True)
class Loudness:
    """Integrated loudness in LUFS and true peak in dBTP of one signal."""

    integrated: float
    true_peak: float

    @property
    def silent(self) -> bool:
        """True when nothing passes the loudness gate: the signal is (nearly) silent."""
        return self.integrated <= SILENCE_LUFS


def measure(inputs: Sequence[str], graph: str, *, what: str) -> Loudness:
    """Given ffmpeg's input arguments and a filter graph whose last output is labelled
    ``[sound]``, returns that sound's loudness. Raises RenderFailed when ffmpeg fails or
    prints no summary."""
    report = ffmpeg_report(
        [*inputs, "-filter_complex", f"{graph};[sound]ebur128=peak=true:framelog=quiet[out]",
         "-map", "[out]", "-f", "null", "-"], what=what)
    return parse_summary(report, what)


def parse_summary(report: str, what: str = "measuring loudness") -> Loudness:
    """Returns the loudness in ebur128's summary within ffmpeg's ``report``; raises
    RenderFailed when there is none."""
    summary = report[report.rfind("Summary:"):] if "Summary:" in report else ""
    integrated, peak = _INTEGRATED.search(summary), _PEAK.search(summary)
    if integrated is None or peak is None:
        raise RenderFailed(f"{what}: ffmpeg printed no loudness summary")
    return Loudness(float(integrated.group(1)), float(peak.group(1)))


def gain_to(target: float, loudness: Loudness) -> float:
    """The gain in dB that brings ``loudness`` to ``target`` LUFS (0 for silence)."""
    return 0.0 if loudness.silent else target - loudness.integrated


def amplitude(decibels: float) -> float:
    """The linear amplitude factor of a gain in dB."""
    return math.pow(10.0, decibels / 20.0)
