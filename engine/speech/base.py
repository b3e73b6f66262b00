"""What every speech engine promises, and what narrating a text produces."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

# A sentence ends at . ! ? … (and the Arabic, Urdu and Devanagari full stops) before white
# space, or at a Chinese or Japanese full stop with or without it (those scripts use no spaces),
# unless a closing bracket or quote follows.
_SENTENCE_END = re.compile(r"(?<=[.!?…؟۔।॥])\s+|(?<=[。！？])(?![」』）】〕”’])\s*")  # noqa: RUF001


@dataclass(frozen=True)
class Sentence:
    """One sentence of a narration and where it is spoken, in seconds from the clip's start."""

    text: str
    start: float
    end: float


@dataclass(frozen=True)
class Narration:
    """A narrated text: a mono 16-bit WAV at the narration rate and its measured timing."""

    path: Path
    duration: float
    sample_rate: int
    engine: str
    voice: str
    sentences: tuple[Sentence, ...]
    cached: bool = False
    fallback_from: tuple[str, ...] = field(default=())

    def metadata(self) -> dict[str, object]:
        """Returns the asset metadata the data model asks for audio, plus provenance."""
        return {
            "sample_rate": self.sample_rate,
            "channels": 1,
            "codec": "pcm_s16le",
            "engine": self.engine,
            "voice": self.voice,
            "cached": self.cached,
            "fallback_from": list(self.fallback_from),
            "sentences": [[s.text, round(s.start, 4), round(s.end, 4)] for s in self.sentences],
        }


class SpeechEngine(Protocol):
    """Turns text into a narration WAV.

    ``synthesize`` writes mono 16-bit PCM at the narration rate to ``target`` and returns the
    length in seconds of each sentence, in order; it raises SpeechFailed on any failure.
    """

    name: str
    voice: str

    def synthesize(self, text: str, speed: float, target: Path) -> list[tuple[str, float]]: ...


def split_sentences(text: str) -> list[str]:
    """Splits narration text into sentences: at ., ! and ? (and other scripts' full stops)
    followed by white space, and after a Chinese or Japanese full stop."""
    return [part.strip() for part in _SENTENCE_END.split(text.strip()) if part.strip()]


def spread_by_length(sentences: list[str], total: float) -> list[tuple[str, float]]:
    """Shares ``total`` seconds among sentences in proportion to their length in characters.

    For engines that return one clip per text and no sentence timing.
    """
    weights = [max(1, len(s)) for s in sentences] or [1]
    whole = sum(weights)
    return [(s, total * w / whole) for s, w in zip(sentences, weights, strict=False)]
