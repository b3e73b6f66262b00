"""A chain of speech engines with fallback, and a cache keyed by what determines the audio."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path

from reelflow.engine.audio import NARRATION_RATE, wav_seconds
from reelflow.engine.speech.base import Narration, Sentence, SpeechEngine
from reelflow.errors import ReelflowError, SpeechFailed, VoiceUnavailable
from reelflow.files import atomic_output, partial_path
from reelflow.files import publish as publish_file
from reelflow.vocabulary import SPEECH_ENGINES


def build_engine(name: str, *, language: str = "en") -> SpeechEngine:
    """Returns the real engine called ``name``; raises SpeechFailed for an unknown name."""
    if name == "piper":
        from reelflow.engine.speech.piper_engine import PiperEngine

        return PiperEngine(language=language)
    if name == "gtts":
        from reelflow.engine.speech.gtts_engine import GttsEngine

        return GttsEngine(language)
    raise SpeechFailed(f"unknown speech engine {name!r}; known: {', '.join(SPEECH_ENGINES)}")


def cache_key(engine: str, voice: str, speed: float, text: str) -> str:
    """Returns the cache key of a narration: a hash of engine, voice, speed and text."""
    material = json.dumps([engine, voice, round(speed, 4), text], ensure_ascii=False)
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def cache_files(cache_dir: Path, key: str) -> tuple[Path, Path]:
    """The files of one cache entry: the narration WAV and its sentences' timing (JSON)."""
    return cache_dir / f"{key}.wav", cache_dir / f"{key}.json"


def is_cached(cache_dir: Path, key: str) -> bool:
    """Whether the cache holds the whole entry ``key`` (both its files)."""
    return all(path.is_file() for path in cache_files(cache_dir, key))


class SpeechChain:
    """Tries each engine in order until one narrates the text; caches every result.

    ``narrate`` writes the narration to ``target`` and returns it with its timing and which
    engines failed before the one that spoke; raises SpeechFailed when all of them fail
    (VoiceUnavailable when none has a voice for the language here).

    A new cache entry is written beside the narration under a partial name and then moved
    into ``cache_dir`` by ``publish(temp, final)`` (default: an atomic rename), so a caller
    that accounts for its storage can count the entry in the same step that makes it appear.
    The cache must be on the same file system as the narrations.
    """

    def __init__(self, engines: Sequence[SpeechEngine], cache_dir: Path | None = None,
                 publish: Callable[[Path, Path], None] = publish_file) -> None:
        if not engines:
            raise SpeechFailed("the speech engine chain is empty")
        self.engines = tuple(engines)
        self.cache_dir = cache_dir
        self._publish = publish

    def narrate(self, text: str, target: Path, *, speed: float = 1.0) -> Narration:
        failures: list[str] = []
        errors: list[ReelflowError] = []
        for engine in self.engines:
            try:
                return self._narrate_with(engine, text, target, speed, tuple(failures))
            except ReelflowError as exc:
                failures.append(engine.name)
                errors.append(exc)
        detail = "; ".join(str(e) for e in errors)
        # Only when no engine could speak at all is it a missing voice, not a passing failure.
        kind = VoiceUnavailable if all(isinstance(e, VoiceUnavailable) for e in errors) \
            else SpeechFailed
        raise kind(f"no speech engine could narrate the text: {detail}") from errors[-1]

    def _narrate_with(
        self, engine: SpeechEngine, text: str, target: Path, speed: float, failed: tuple[str, ...]
    ) -> Narration:
        key = cache_key(engine.name, engine.voice, speed, text)
        cached = self._from_cache(key, target)
        if cached is not None:
            timings, hit = cached, True
        else:
            timings, hit = engine.synthesize(text, speed, target), False
            self._store(key, target, timings)
        sentences, clock = [], 0.0
        for sentence, seconds in timings:
            sentences.append(Sentence(sentence, clock, clock + seconds))
            clock += seconds
        return Narration(
            path=target,
            duration=wav_seconds(target),
            sample_rate=NARRATION_RATE,
            engine=engine.name,
            voice=engine.voice,
            sentences=tuple(sentences),
            cached=hit,
            fallback_from=failed,
        )

    def _from_cache(self, key: str, target: Path) -> list[tuple[str, float]] | None:
        if self.cache_dir is None:
            return None
        if not is_cached(self.cache_dir, key):
            return None
        wav, meta = cache_files(self.cache_dir, key)
        try:
            timings = [(str(s), float(t)) for s, t in json.loads(meta.read_text("utf-8"))]
            _link_or_copy(wav, target)
        except FileNotFoundError:
            return None  # expired by a cleanup since it was looked at: a miss, not a failure
        except (ValueError, TypeError):
            return None
        return timings

    def _store(self, key: str, source: Path, timings: list[tuple[str, float]]) -> None:
        if self.cache_dir is None:
            return
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        for final in cache_files(self.cache_dir, key):
            temp = source.parent / partial_path(final).name
            try:
                if final.suffix == ".wav":
                    shutil.copyfile(source, temp)
                else:
                    temp.write_text(json.dumps(timings, ensure_ascii=False), "utf-8")
                self._publish(temp, final)
            finally:
                temp.unlink(missing_ok=True)


def _link_or_copy(source: Path, target: Path) -> None:
    with atomic_output(target) as temp:
        try:
            os.link(source, temp)
        except OSError:
            shutil.copyfile(source, temp)
