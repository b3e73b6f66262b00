"""A script's music judged before any job exists, exactly as its pictures are."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from reelflow.errors import InvalidScript
from reelflow.services.intake import accept
from reelflow.settings import Settings


def settings_in(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path, database_url=f"sqlite:///{tmp_path / 'unused.db'}",
                    media_root=tmp_path / "media")


def tone(path: Path, seconds: float = 0.5, rate: int = 44100, channels: int = 2) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    samples = (np.sin(np.arange(round(seconds * rate)) * 0.05) * 8000).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(np.repeat(samples, channels).tobytes())
    return path


def script(music: str) -> bytes:
    return f"---\nmusic: {music}\n---\n# T\n\nHello.\n".encode()


def refusal(settings: Settings, text: bytes, folder: Path | None) -> str:
    with pytest.raises(InvalidScript) as caught:
        accept(settings, text, source_name=None, script_folder=folder, overrides={})
    return str(caught.value)


def test_the_music_resolves_against_the_scripts_folder_and_is_checked_as_sound(
        tmp_path: Path) -> None:
    song = tone(tmp_path / "show" / "sound" / "theme.wav", seconds=0.75)
    accepted = accept(settings_in(tmp_path), script("sound/theme.wav"), source_name="s.md",
                      script_folder=tmp_path / "show", overrides={})
    music = accepted.music
    assert music is not None and music.path == str(song)
    assert (music.written, music.stock, music.extension, music.sample_rate, music.channels,
            music.codec) == ("sound/theme.wav", False, ".wav", 44100, 2, "pcm_s16le")
    assert music.duration == pytest.approx(0.75, abs=0.01)


def test_no_music_setting_means_no_music(tmp_path: Path) -> None:
    accepted = accept(settings_in(tmp_path), b"# T\n\nHello.\n", source_name="s.md",
                      script_folder=tmp_path, overrides={})
    assert accepted.music is None


def test_an_inline_scripts_music_comes_from_the_uploads_or_the_stock_folder(
        tmp_path: Path) -> None:
    settings = settings_in(tmp_path)
    tone(settings.media_root / "stock" / "calm.wav")
    tone(tmp_path / "home" / "mine.wav")
    accepted = accept(settings, script("stock/calm.wav"), source_name=None, script_folder=None,
                      overrides={})
    assert accepted.music is not None and accepted.music.stock
    message = refusal(settings, script(str(tmp_path / "home" / "mine.wav")), None)
    assert message.startswith("settings.music (line 2): music '") and (
        "is an absolute path outside the allowed folders" in message)


def test_music_outside_the_allowed_folders_or_that_is_not_sound_is_refused(
        tmp_path: Path) -> None:
    settings = settings_in(tmp_path)
    tone(tmp_path / "secret.wav")
    (tmp_path / "show").mkdir()
    message = refusal(settings, script("../secret.wav"), tmp_path / "show")
    assert message == ("settings.music (line 2): music '../secret.wav' leaves the allowed "
                       "folders through '..'; a script may read only from the script's "
                       "folder, the media root's uploads and stock folders")
    Image.new("RGB", (8, 8)).save(tmp_path / "show" / "cover.png")
    assert refusal(settings, script("cover.png"), tmp_path / "show") == (
        "settings.music (line 2): music 'cover.png' is not a sound file reelflow reads "
        "(WAV, MP3, FLAC, Ogg, M4A, WebM audio)")
    (tmp_path / "show" / "notes.mp3").write_text("not music")
    assert "music 'notes.mp3': not an image, audio or video file" in refusal(
        settings, script("notes.mp3"), tmp_path / "show")
    assert refusal(settings, script("stock:calm"), tmp_path / "show") == (
        "settings.music (line 2): music 'stock:calm': not found: no stock audio has this tag "
        "(`reelflow stock list` shows the library)")


def test_a_music_option_overrides_the_scripts_own(tmp_path: Path) -> None:
    tone(tmp_path / "a.wav")
    tone(tmp_path / "b.wav")
    accepted = accept(settings_in(tmp_path), script("a.wav"), source_name="s.md",
                      script_folder=tmp_path, overrides={"music": "b.wav"})
    assert accepted.music is not None and accepted.music.written == "b.wav"
