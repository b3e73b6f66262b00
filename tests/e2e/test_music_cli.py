"""Music and crossfades from the command line, as a user runs ``reelflow render``."""

from __future__ import annotations

import json
from pathlib import Path

import av

from reelflow.engine.ffmpeg import run_ffmpeg
from tests.e2e.conftest import run


def test_render_takes_music_and_a_crossfade_from_the_command_line(
        env: dict[str, str], tmp_path: Path) -> None:
    show = tmp_path / "show"
    show.mkdir()
    (show / "script.md").write_text("# Tune\n\nThe first scene.\n\nThe second scene.\n")
    run_ffmpeg(["-f", "lavfi", "-i", "sine=frequency=500:sample_rate=44100:duration=2",
                "-c:a", "libopus", str(show / "theme.ogg")], what="making music")
    done = run(["render", str(show / "script.md"), "--music", str(show / "theme.ogg"),
                "--music-volume", "-18", "--transition", "crossfade", "--transition-seconds",
                "0.3", "--resolution", "320x180", "--quality", "draft", "--json"], env)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    with av.open(result["video"]["file_path"]) as container:
        assert container.streams.audio[0].codec_context.channels == 2
    detail = json.loads(run(["show", result["job_id"], "--json"], env).stdout)
    settings = detail["composition_settings"]
    assert (settings["music"], settings["music_volume"], settings["transition"],
            settings["transition_seconds"]) == (str(show / "theme.ogg"), -18.0, "crossfade",
                                                0.3)
    music = [a for a in detail["assets"] if a["metadata"].get("role") == "music"]
    assert len(music) == 1 and music[0]["asset_type"] == "AUDIO"
    assert music[0]["source_type"] == "USER_UPLOADED" and music[0]["file_path"].endswith(
        "/music.ogg")


def test_music_outside_the_scripts_folder_exits_2_before_anything_starts(
        env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "show").mkdir()
    (tmp_path / "show" / "script.md").write_text("# Tune\n\nHello.\n")
    (tmp_path / "theme.ogg").write_bytes(b"OggS")
    done = run(["render", str(tmp_path / "show" / "script.md"), "--music",
                str(tmp_path / "theme.ogg")], env)
    assert done.returncode == 2
    assert "settings.music: music '" in done.stderr
    assert "is an absolute path outside the allowed folders" in done.stderr
    assert "Traceback" not in done.stderr
