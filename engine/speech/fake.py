"""A deterministic speech engine for unit tests: a quiet tone, 60 ms per character."""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

from reelflow.engine.audio import NARRATION_RATE, SAMPLE_WIDTH
from reelflow.engine.speech.base import split_sentences
from reelflow.errors import SpeechFailed
from reelflow.files import atomic_output


class FakeEngine:
    """Writes a 220 Hz tone whose length depends only on the text; can be told to fail."""

    def __init__(self, name: str = "fake", *, fail: bool = False, seconds_per_char: float = 0.06):
        self.name = name
        self.voice = f"{name}-tone"
        self.calls = 0
        self._fail = fail
        self._per_char = seconds_per_char

    def synthesize(self, text: str, speed: float, target: Path) -> list[tuple[str, float]]:
        self.calls += 1
        if self._fail:
            raise SpeechFailed(f"{self.name} is set to fail")
        sentences = [(s, len(s) * self._per_char / speed) for s in split_sentences(text)]
        samples = sum(round(seconds * NARRATION_RATE) for _, seconds in sentences)
        frames = b"".join(
            struct.pack("<h", int(3000 * math.sin(2 * math.pi * 220 * n / NARRATION_RATE)))
            for n in range(samples)
        )
        with atomic_output(target) as temp, wave.open(str(temp), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(SAMPLE_WIDTH)
            out.setframerate(NARRATION_RATE)
            out.writeframes(frames)
        return sentences
