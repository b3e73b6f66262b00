"""``reelflow render`` has its script's narrations spoken while Prefect starts: which ones."""

from __future__ import annotations

import pytest

from reelflow.engine.speech.chain import cache_files, cache_key
from reelflow.engine.speech.piper_engine import DEFAULT_VOICE, PiperEngine
from reelflow.services.intake import Accepted, accept
from reelflow.services.media import speak_ahead
from reelflow.services.runtime import layout
from reelflow.settings import Settings

SCRIPT = b"# Ahead\n\n## One\n\nFirst words.\n\n## Two\n\nSecond words.\n\n## Three\n\nThird.\n"


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, float]]:
    """What the voice is asked to speak ahead (nothing is spoken)."""
    found: list[tuple[str, float]] = []

    def record(self: PiperEngine, texts: list[tuple[str, float]]) -> int:
        found.extend(texts)
        return len(texts)

    monkeypatch.setattr(PiperEngine, "speak_ahead", record)
    return found


def _accepted(settings: Settings, source: bytes, **overrides: object) -> Accepted:
    return accept(settings, source, source_name="ahead.md", script_folder=None,
                  overrides=overrides)


def test_every_scene_not_in_the_speech_cache_is_spoken_ahead_in_order(
        settings: Settings, asked: list[tuple[str, float]]) -> None:
    cache = layout(settings).speech_cache()
    cache.mkdir(parents=True)
    for entry in cache_files(cache, cache_key("piper", DEFAULT_VOICE, 1.0, "Second words.")):
        entry.write_bytes(b"")
    assert speak_ahead(settings, _accepted(settings, SCRIPT)) == 2
    assert asked == [("First words.", 1.0), ("Third.", 1.0)]


def test_the_speed_of_the_script_is_the_speed_spoken_ahead(
        settings: Settings, asked: list[tuple[str, float]]) -> None:
    source = b"title: Fast\nsettings: {speed: 1.25}\nscenes: [{narration: Quick words.}]\n"
    accepted = accept(settings, source, source_name="fast.yaml", script_folder=None,
                      overrides={})
    assert speak_ahead(settings, accepted) == 1
    assert asked == [("Quick words.", 1.25)]


def test_a_chain_that_starts_with_another_engine_speaks_nothing_ahead(
        settings: Settings, asked: list[tuple[str, float]]) -> None:
    accepted = _accepted(settings, SCRIPT, tts="gtts,piper")
    assert speak_ahead(settings, accepted) == 0
    assert asked == []
