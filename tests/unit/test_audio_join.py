import wave
from pathlib import Path

import pytest

from reelflow.engine.audio import NARRATION_RATE, join_padded, wav_info
from reelflow.engine.speech.fake import FakeEngine
from reelflow.errors import RenderFailed


def _tone(path: Path, text: str) -> Path:
    FakeEngine().synthesize(text, 1.0, path)
    return path


def test_joined_narration_has_exactly_the_planned_samples(tmp_path: Path) -> None:
    a, b = _tone(tmp_path / "a.wav", "abc"), _tone(tmp_path / "b.wav", "abcdefgh")
    join_padded([(a, 10_000), (b, 5_000)], tmp_path / "out.wav")
    assert wav_info(tmp_path / "out.wav") == (NARRATION_RATE, 1, 15_000)


def test_padding_is_silence_after_the_speech(tmp_path: Path) -> None:
    a = _tone(tmp_path / "a.wav", "ab")
    _, _, spoken = wav_info(a)
    join_padded([(a, spoken + 1000)], tmp_path / "out.wav")
    with wave.open(str(tmp_path / "out.wav")) as out:
        out.readframes(spoken)
        assert out.readframes(1000) == b"\x00" * 2000


def test_a_clip_in_another_format_is_refused(tmp_path: Path) -> None:
    odd = tmp_path / "odd.wav"
    with wave.open(str(odd), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(44100)
        out.writeframes(b"\x00" * 400)
    with pytest.raises(RenderFailed, match="not mono 16-bit"):
        join_padded([(odd, 100)], tmp_path / "out.wav")
    assert not (tmp_path / "out.wav").exists()
