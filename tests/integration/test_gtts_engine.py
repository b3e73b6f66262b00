"""The gTTS engine's own logic (timeout, 429 retries, conversion) with a stand-in client.

The real gTTS needs the network, which tests never use; the stand-in writes real audio that
the real ffmpeg converts.
"""

from __future__ import annotations

import wave
from pathlib import Path
from typing import Any

import pytest
from gtts import gTTSError

from reelflow.engine.audio import NARRATION_RATE, wav_info
from reelflow.engine.speech import SpeechChain
from reelflow.engine.speech.fake import FakeEngine
from reelflow.engine.speech.gtts_engine import GttsEngine
from reelflow.errors import SpeechFailed


class _Response:
    def __init__(self, status: int) -> None:
        self.status_code = status
        self.reason = "Too Many Requests" if status == 429 else "Error"


class StandIn:
    """Fails with the given HTTP statuses first, then saves a second of 24 kHz audio."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = list(statuses)
        self.calls: list[dict[str, Any]] = []

    def __call__(self, text: str, **options: Any) -> StandIn:
        self.calls.append({"text": text, **options})
        return self

    def save(self, path: str) -> None:
        if self.statuses:
            status = self.statuses.pop(0)
            raise gTTSError(tts=self, response=_Response(status))
        with wave.open(path, "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(24000)
            out.writeframes(b"\x10\x00" * 24000)


def test_a_429_is_retried_with_backoff_and_the_audio_is_converted(tmp_path: Path) -> None:
    client, waits = StandIn([429, 429]), []
    engine = GttsEngine(client=client, sleep=waits.append, timeout_seconds=7, backoff_seconds=1)
    timings = engine.synthesize("One. Two two.", 1.0, tmp_path / "n.wav")
    assert waits == [1, 2]
    assert all(call["timeout"] == 7 for call in client.calls) and len(client.calls) == 3
    rate, channels, frames = wav_info(tmp_path / "n.wav")
    assert (rate, channels) == (NARRATION_RATE, 1)
    assert frames / rate == pytest.approx(1.0, abs=0.01)
    assert [s for s, _ in timings] == ["One.", "Two two."]
    assert sum(t for _, t in timings) == pytest.approx(1.0, abs=0.01)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["n.wav"]


def test_retries_stop_after_the_limit(tmp_path: Path) -> None:
    engine = GttsEngine(client=StandIn([429] * 5), sleep=lambda _: None, retries_on_429=2)
    with pytest.raises(SpeechFailed, match="gtts failed"):
        engine.synthesize("Hello.", 1.0, tmp_path / "n.wav")
    assert list(tmp_path.iterdir()) == []


def test_other_http_errors_are_not_retried(tmp_path: Path) -> None:
    client = StandIn([500, 500])
    with pytest.raises(SpeechFailed):
        GttsEngine(client=client, sleep=lambda _: None).synthesize("Hi.", 1.0, tmp_path / "n.wav")
    assert len(client.calls) == 1


def test_a_failing_gtts_falls_back_to_the_next_engine_in_the_chain(tmp_path: Path) -> None:
    gtts = GttsEngine(client=StandIn([503]), sleep=lambda _: None)
    narration = SpeechChain([gtts, FakeEngine("piper")]).narrate("Hello.", tmp_path / "n.wav")
    assert narration.engine == "piper" and narration.fallback_from == ("gtts",)
