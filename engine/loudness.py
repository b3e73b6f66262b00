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
# Not anchored to a line's start: ffmpeg's other threads may write into the middle of it.
_INTEGRATED = re.compile(rf"(?<![A-Za-z])I:\s+{_NUMBER} LUFS")
_PEAK = re.compile(rf"(?<![A-Za-z])Peak:\s+{_NUMBER} dBFS")


@dataclass(frozen=True)
class Loudness:
    """Integrated loudness in LUFS and true peak in dBTP of one signal."""

    integrated: float
    true_peak: float

    @property
    def silent(self) -> bool:
        """True when nothing passes the loudness gate: the signal is (nearly) silent."""
        return self.integrated <= SILENCE_LUFS


def measure(inputs: Sequence[str], graph: str, *, what: str, peak: bool = True) -> Loudness:
    """Given ffmpeg's input arguments and a filter graph whose last output is labelled
    ``[sound]``, returns that sound's loudness (its true peak only when ``peak``; else -inf).
    Raises RenderFailed when ffmpeg fails or prints no summary."""
    return measure_each(inputs, graph, ("sound",), what=what, peak=peak)["sound"]


def measure_each(inputs: Sequence[str], graph: str, names: Sequence[str], *, what: str,
                 peak: bool = True) -> dict[str, Loudness]:
    """As ``measure``, for several outputs of one graph at once, labelled ``[name]`` each:
    one ffmpeg run reads the inputs once."""
    meters = "".join(f";[{name}]{meter(name, peak)}[{name}-read]" for name in names)
    outputs = [arg for name in names for arg in ("-map", f"[{name}-read]", "-f", "null", "-")]
    report = ffmpeg_report([*inputs, "-filter_complex", graph + meters, *outputs], what=what)
    return {name: parse_summary(report, name, what) for name in names}


def meter(name: str, peak: bool = True) -> str:
    """The ebur128 filter that measures one sound; its summary is found by ``name``."""
    return f"ebur128@{name}=framelog=quiet" + (":peak=true" if peak else "")


def parse_summary(report: str, name: str | None = None, what: str = "measuring loudness"
                  ) -> Loudness:
    """Returns the loudness in an ebur128 summary within ffmpeg's ``report``: the one of the
    filter named ``name`` (``meter``), or else the last. Raises RenderFailed when there is
    none."""
    heading = f"[ebur128@{name} @" if name else "Summary:"
    start = report.rfind(heading)
    summary = report[start:] if start >= 0 else ""
    end = summary.find("Summary:", summary.find("Summary:") + 1)
    summary = summary[:end] if end > 0 else summary
    integrated, peak = _INTEGRATED.search(summary), _PEAK.search(summary)
    if integrated is None:
        raise RenderFailed(f"{what}: ffmpeg printed no loudness summary")
    return Loudness(float(integrated.group(1)),
                    float(peak.group(1)) if peak is not None else -math.inf)


def gain_to(target: float, loudness: Loudness) -> float:
    """The gain in dB that brings ``loudness`` to ``target`` LUFS (0 for silence)."""
    return 0.0 if loudness.silent else target - loudness.integrated


def amplitude(decibels: float) -> float:
    """The linear amplitude factor of a gain in dB."""
    return math.pow(10.0, decibels / 20.0)
