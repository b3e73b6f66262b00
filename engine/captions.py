"""Captions timed from the measured narration: one cue per sentence, as SubRip or WebVTT text.

Both files are written from the same cues, and the SubRip text is what the video's own
subtitle track is made from, so the sidecar files and the embedded track agree to the
millisecond.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from reelflow.engine.speech.base import Sentence
from reelflow.files import atomic_output


@dataclass(frozen=True)
class Cue:
    """One caption: its text and when it is on screen, in seconds from the video's start."""

    start: float
    end: float
    text: str


def cues_for(scenes: Sequence[tuple[float, Sequence[Sentence]]]) -> list[Cue]:
    """Given (scene start, sentences) per scene, returns one cue per non-empty sentence."""
    cues = []
    for offset, sentences in scenes:
        for sentence in sentences:
            if sentence.text.strip() and sentence.end > sentence.start:
                cues.append(Cue(offset + sentence.start, offset + sentence.end, sentence.text))
    return cues


def _timestamp(seconds: float, separator: str = ",") -> str:
    millis = max(0, round(seconds * 1000))
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"


def to_srt(cues: Sequence[Cue]) -> str:
    """Returns ``cues`` as SubRip text."""
    blocks = [
        f"{n}\n{_timestamp(cue.start)} --> {_timestamp(cue.end)}\n{cue.text}\n"
        for n, cue in enumerate(cues, start=1)
    ]
    return "\n".join(blocks)


def to_vtt(cues: Sequence[Cue]) -> str:
    """Returns ``cues`` as WebVTT text (a cue's text never holds a blank line or "-->")."""
    blocks = [f"{n}\n{_timestamp(cue.start, '.')} --> {_timestamp(cue.end, '.')}\n"
              f"{_vtt_text(cue.text)}\n" for n, cue in enumerate(cues, start=1)]
    return "\n".join(["WEBVTT\n", *blocks])


def _vtt_text(text: str) -> str:
    # WebVTT reads "<" and "&" as markup, and "-->" as a timing line.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace("-->", "--&gt;")


def write_srt(cues: Sequence[Cue], target: Path) -> None:
    """Writes ``cues`` to ``target`` as a UTF-8 SubRip file, atomically."""
    with atomic_output(target) as temp:
        temp.write_text(to_srt(cues), "utf-8")


def write_vtt(cues: Sequence[Cue], target: Path) -> None:
    """Writes ``cues`` to ``target`` as a UTF-8 WebVTT file, atomically."""
    with atomic_output(target) as temp:
        temp.write_text(to_vtt(cues), "utf-8")
