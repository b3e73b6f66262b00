from pathlib import Path

import pytest

from reelflow.engine.audio import NARRATION_RATE, wav_info
from reelflow.engine.speech import SpeechChain
from reelflow.engine.speech.chain import build_engine, cache_key
from reelflow.engine.speech.fake import FakeEngine
from reelflow.errors import SpeechFailed

TEXT = "Hello there. This is a test!"


def test_the_first_engine_that_works_narrates_and_its_timing_is_measured(tmp_path: Path) -> None:
    chain = SpeechChain([FakeEngine("a")])
    narration = chain.narrate(TEXT, tmp_path / "n.wav")
    rate, channels, frames = wav_info(narration.path)
    assert (rate, channels) == (NARRATION_RATE, 1)
    assert narration.duration == pytest.approx(frames / rate)
    assert [s.text for s in narration.sentences] == ["Hello there.", "This is a test!"]
    assert narration.sentences[-1].end == pytest.approx(narration.duration, abs=1e-3)
    assert narration.fallback_from == ()


def test_a_failing_engine_falls_back_to_the_next_and_the_fallback_is_recorded(
        tmp_path: Path) -> None:
    broken, working = FakeEngine("gtts", fail=True), FakeEngine("piper")
    narration = SpeechChain([broken, working]).narrate(TEXT, tmp_path / "n.wav")
    assert narration.engine == "piper"
    assert narration.fallback_from == ("gtts",)
    assert narration.metadata()["fallback_from"] == ["gtts"]


def test_when_every_engine_fails_one_error_names_them_all(tmp_path: Path) -> None:
    chain = SpeechChain([FakeEngine("x", fail=True), FakeEngine("y", fail=True)])
    with pytest.raises(SpeechFailed, match=r"x is set to fail.*y is set to fail"):
        chain.narrate(TEXT, tmp_path / "n.wav")
    assert not (tmp_path / "n.wav").exists()


def test_a_cached_narration_is_not_synthesized_twice(tmp_path: Path) -> None:
    engine = FakeEngine("a")
    chain = SpeechChain([engine], cache_dir=tmp_path / "cache")
    first = chain.narrate(TEXT, tmp_path / "one.wav")
    second = chain.narrate(TEXT, tmp_path / "two.wav")
    assert engine.calls == 1
    assert (first.cached, second.cached) == (False, True)
    assert (tmp_path / "two.wav").read_bytes() == (tmp_path / "one.wav").read_bytes()
    assert second.sentences == first.sentences


def test_the_cache_key_changes_with_engine_voice_speed_and_text() -> None:
    base = cache_key("piper", "joe", 1.0, "hi")
    assert len({base, cache_key("gtts", "joe", 1.0, "hi"), cache_key("piper", "amy", 1.0, "hi"),
                cache_key("piper", "joe", 1.1, "hi"), cache_key("piper", "joe", 1.0, "hi!")}) == 5


def test_an_unknown_engine_name_is_refused() -> None:
    with pytest.raises(SpeechFailed, match="unknown speech engine 'espeak'"):
        build_engine("espeak")


def test_an_empty_chain_is_refused() -> None:
    with pytest.raises(SpeechFailed):
        SpeechChain([])
