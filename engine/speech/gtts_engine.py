"""gTTS: Google Translate's voice over the network, with a timeout and retries on HTTP 429."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reelflow.engine.audio import to_narration_wav, wav_seconds
from reelflow.engine.speech.base import split_sentences, spread_by_length
from reelflow.engine.speech.voices import gtts_language, language_name
from reelflow.errors import SpeechFailed, VoiceUnavailable


class GttsEngine:
    """Narrates through gTTS in ``language`` (a BCP 47 tag). Needs the network; without it,
    fails at once with VoiceUnavailable naming the voice."""

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
        self._language = gtts_language(language) or language
        self._name = language_name(language)
        self.voice = f"gtts-{self._language}"
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
                    if status is None:  # no answer at all: no network, or no route to it
                        raise VoiceUnavailable(
                            f"the {self._name} voice (gtts) needs the network and cannot "
                            f"reach it: {exc}") from exc
                    raise SpeechFailed(f"gtts failed: {exc}") from exc
                except (ValueError, AssertionError) as exc:
                    raise SpeechFailed(f"gtts cannot narrate this text: {exc}") from exc
            to_narration_wav(mp3, target)
        finally:
            mp3.unlink(missing_ok=True)
        return spread_by_length(split_sentences(text), wav_seconds(target))
