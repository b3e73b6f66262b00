"""gTTS: Google Translate's voice over the network, with a timeout and retries on HTTP 429."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reelflow.engine.audio import to_narration_wav, wav_seconds
from reelflow.engine.speech.base import split_sentences, spread_by_length
from reelflow.errors import SpeechFailed


class GttsEngine:
    """Narrates through gTTS. Needs the network; fails fast without it."""

    name = "gtts"

    def __init__(
        self,
        language: str = "en",
        *,
        timeout_seconds: float = 15.0,
        retries_on_429: int = 3,
        backoff_seconds: float = 2.0,
        sleep: Callable[[float], None] = time.sleep,
        client: Callable[..., Any] | None = None,
    ) -> None:
        self.voice = f"gtts-{language}"
        self._language = language
        self._timeout = timeout_seconds
        self._retries = retries_on_429
        self._backoff = backoff_seconds
        self._sleep = sleep
        self._client = client

    def synthesize(self, text: str, speed: float, target: Path) -> list[tuple[str, float]]:
        from gtts import gTTS, gTTSError

        client = self._client or gTTS
        mp3 = target.with_name(target.name + ".mp3")
        try:
            for attempt in range(self._retries + 1):
                try:
                    # gTTS only knows normal and slow; speeds under 0.8 use its slow voice.
                    speech = client(text, lang=self._language, slow=speed < 0.8,
                                  timeout=self._timeout)
                    speech.save(str(mp3))
                    break
                except gTTSError as exc:
                    status = getattr(getattr(exc, "rsp", None), "status_code", None)
                    if status == 429 and attempt < self._retries:
                        self._sleep(self._backoff * 2**attempt)
                        continue
                    raise SpeechFailed(f"gtts failed: {exc}") from exc
                except (ValueError, AssertionError) as exc:
                    raise SpeechFailed(f"gtts cannot narrate this text: {exc}") from exc
            to_narration_wav(mp3, target)
        finally:
            mp3.unlink(missing_ok=True)
        return spread_by_length(split_sentences(text), wav_seconds(target))
