"""The Piper voice speaks in a process of its own, reused while busy and gone when idle."""

from __future__ import annotations

import time
import wave
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil
import pytest

from reelflow.engine.audio import NARRATION_RATE
from reelflow.engine.speech.piper_engine import VOICE_NICENESS, PiperEngine, Voice, VoiceProcess
from reelflow.engine.speech.piper_voice import bundled_voice_paths
from reelflow.errors import SpeechFailed


def _voice(idle: float = 15.0) -> VoiceProcess:
    return VoiceProcess(*bundled_voice_paths(), idle_seconds=idle)


def _ask(voice: VoiceProcess | Voice, text: str, target: Path) -> dict[str, object]:
    return voice.ask({"text": text, "speed": 1.0, "target": str(target)})


def test_two_narrations_share_one_process_and_write_narration_wavs(tmp_path: Path) -> None:
    voice = _voice()
    try:
        first = _ask(voice, "Hello there. This is the first line.", tmp_path / "a.wav")
        second = _ask(voice, "And a second one.", tmp_path / "b.wav")
    finally:
        voice.close()
    assert voice.started == 1
    assert [s for s, _ in first["sentences"]] == [  # type: ignore[attr-defined]
        "Hello there.", "This is the first line."]
    with wave.open(str(tmp_path / "b.wav")) as clip:
        assert (clip.getframerate(), clip.getnchannels()) == (NARRATION_RATE, 1)
        seconds = clip.getnframes() / clip.getframerate()
    assert abs(seconds - sum(t for _, t in second["sentences"])) < 0.05  # type: ignore[attr-defined]


def test_an_idle_process_ends_and_the_next_narration_starts_another(tmp_path: Path) -> None:
    voice = _voice(idle=1.0)
    try:
        _ask(voice, "One.", tmp_path / "a.wav")
        process = voice._process
        assert process is not None
        process.wait(timeout=30)  # it leaves by itself once idle
        _ask(voice, "Two.", tmp_path / "b.wav")
    finally:
        voice.close()
    assert voice.started == 2 and (tmp_path / "b.wav").is_file()


def test_a_killed_process_is_replaced_once(tmp_path: Path) -> None:
    voice = _voice()
    try:
        _ask(voice, "One.", tmp_path / "a.wav")
        assert voice._process is not None
        psutil.Process(voice._process.pid).kill()
        time.sleep(0.2)
        reply = _ask(voice, "Two.", tmp_path / "b.wav")
    finally:
        voice.close()
    assert "sentences" in reply and voice.started == 2


def test_a_text_piper_cannot_speak_comes_back_as_an_error_not_a_dead_process(
        tmp_path: Path) -> None:
    voice = _voice()
    try:
        reply = _ask(voice, "   ", tmp_path / "a.wav")
        again = _ask(voice, "Fine.", tmp_path / "b.wav")
    finally:
        voice.close()
    assert "error" in reply and "sentences" in again and voice.started == 1


def test_a_voice_process_that_cannot_start_says_so(tmp_path: Path) -> None:
    voice = VoiceProcess(str(tmp_path / "missing.onnx"), str(tmp_path / "missing.json"))
    reply = voice.ask({"text": "Hello.", "speed": 1.0, "target": str(tmp_path / "a.wav")})
    voice.close()
    assert "error" in reply


def test_the_engine_turns_an_error_reply_into_speech_failed(tmp_path: Path) -> None:
    from reelflow.engine.speech.piper_engine import PiperEngine

    with pytest.raises(SpeechFailed):
        PiperEngine().synthesize("...", 1.0, tmp_path / "a.wav")


def test_two_narrations_asked_at_once_are_spoken_by_two_processes(tmp_path: Path) -> None:
    voice = Voice(*bundled_voice_paths(), layout=(2, 1))
    try:
        _ask(voice, "Alone.", tmp_path / "a.wav")
        assert voice.started == 1  # one at a time keeps to one process
        with ThreadPoolExecutor(2) as pool:
            replies = list(pool.map(
                lambda n: _ask(voice, f"At the same time, number {n}.",
                               tmp_path / f"{n}.wav"), range(2)))
    finally:
        voice.close()
    assert voice.started == 2 and all("sentences" in reply for reply in replies)
    assert all((tmp_path / f"{n}.wav").stat().st_size > 1000 for n in range(2))


def test_a_narration_spoken_ahead_is_taken_once_instead_of_spoken_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = PiperEngine()
    text = "Spoken ahead of its job. It has two sentences."
    assert engine.speak_ahead([(text, 1.0), (text, 1.0)]) == 1  # the same words once
    assert engine.speak_ahead([(text, 1.0)]) == 0  # already asked for
    first = engine.synthesize(text, 1.0, tmp_path / "a.wav")  # waits for it, then takes it

    def refuse(self: object, request: dict[str, object]) -> dict[str, object]:
        raise AssertionError("the voice was asked again")

    monkeypatch.setattr(Voice, "ask", refuse)
    with pytest.raises(AssertionError, match="asked again"):
        engine.synthesize(text, 1.0, tmp_path / "b.wav")  # taken once: now it must speak
    assert [sentence for sentence, _ in first] == ["Spoken ahead of its job.",
                                                   "It has two sentences."]
    with wave.open(str(tmp_path / "a.wav")) as clip:
        seconds = clip.getnframes() / clip.getframerate()
    assert abs(seconds - sum(t for _, t in first)) < 0.05
    assert not (tmp_path / "b.wav").exists()


def test_a_language_the_voice_does_not_speak_is_not_spoken_ahead() -> None:
    assert PiperEngine(language="fr").speak_ahead([("Bonjour.", 1.0)]) == 0


def test_the_voice_speaks_at_a_lower_priority_than_its_parent(tmp_path: Path) -> None:
    voice = _voice()
    try:
        _ask(voice, "Quietly.", tmp_path / "a.wav")
        assert voice._process is not None
        niceness = psutil.Process(voice._process.pid).nice()
    finally:
        voice.close()
    assert niceness == min(19, psutil.Process().nice() + VOICE_NICENESS)
