"""The ``reelflow`` command as a user runs it: a real process, real files, a real database."""

from __future__ import annotations

import json
from pathlib import Path

import av
import numpy as np
import pytest

from reelflow.engine.probe import probe
from tests.e2e.conftest import run


def test_render_prints_one_json_object_for_a_completed_job(env: dict[str, str],
                                                           tmp_path: Path) -> None:
    temp = tmp_path / "temp"
    temp.mkdir()
    done = run(["render", "examples/three-paragraphs.md", "--json", "--resolution", "640x360",
                "--session", "e2e"], {**env, "TMPDIR": str(temp)})
    assert done.returncode == 0, done.stderr
    assert not list(temp.glob("reelflow-ahead-*"))  # spoken ahead, gone with the process
    result = json.loads(done.stdout)
    assert result["status"] == "COMPLETED"
    video = result["video"]
    assert set(video) == {"id", "file_path", "url_path", "title", "duration", "resolution",
                          "file_size", "format"}
    found = probe(Path(video["file_path"]))
    assert found.resolution == video["resolution"] == "640x360"
    assert found.size == video["file_size"]
    assert found.audio_codec == "aac"
    for key in ("generation_time_seconds", "peak_memory_mb", "disk_space_used_mb",
                "cpu_time_seconds"):
        assert result["resource_usage"][key] > 0

    shown = run(["show", result["job_id"], "--json"], env)
    assert shown.returncode == 0, shown.stderr
    detail = json.loads(shown.stdout)
    assert detail["status"] == "COMPLETED" and detail["progress_percentage"] == 100
    audio = [a for a in detail["assets"] if a["asset_type"] == "AUDIO"]
    images = [a for a in detail["assets"] if a["asset_type"] == "IMAGE"
              and a["metadata"].get("role") != "poster"]
    assert len(audio) == len(images) == 3
    spoken = sum(a["duration"] + 0.6 for a in audio)
    assert abs(found.video_duration - spoken) <= 0.1

    listed = run(["jobs", "--session", "e2e"], env)
    assert listed.returncode == 0 and result["job_id"] in listed.stdout
    assert "COMPLETED" in listed.stdout


@pytest.mark.parametrize(("content", "name", "expected"), [
    ("", "empty.md", "empty"),
    ("# Title only\n", "title.md", "narration"),
    ("title: x\nsettings:\n  resolution: 1920*1080\nscenes: [hi]\n", "bad.yaml", "1920*1080"),
    ("title: x\nscenes:\n  - narraton: hi\n", "typo.yaml", "narraton"),
])
def test_an_invalid_script_exits_2_with_one_line_and_no_traceback(
        env: dict[str, str], tmp_path: Path, content: str, name: str, expected: str) -> None:
    script = tmp_path / name
    script.write_text(content)
    done = run(["render", str(script)], env)
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], done.stderr
    assert "Traceback" not in done.stderr


def test_a_script_that_is_not_utf8_exits_2(env: dict[str, str], tmp_path: Path) -> None:
    script = tmp_path / "latin1.md"
    script.write_bytes("# Caf\xe9\n\nBonjour \xe0 tous.\n".encode("latin-1"))
    done = run(["render", str(script)], env)
    assert done.returncode == 2 and "UTF-8" in done.stderr


def test_a_missing_file_exits_2(env: dict[str, str]) -> None:
    done = run(["render", "no/such/script.md"], env)
    assert done.returncode == 2 and "no/such/script.md" in done.stderr


def test_a_failed_generation_exits_1_with_one_line_naming_the_job_and_why(
        env: dict[str, str], tmp_path: Path) -> None:
    script = tmp_path / "s.md"
    script.write_text("# T\n\n## One\nHello there.\n")
    # gTTS alone, and no network in the tests: every attempt fails, so the job does.
    done = run(["render", str(script), "--resolution", "320x180", "--tts", "gtts"], env)
    assert done.returncode == 1
    assert done.stdout == "" and "Traceback" not in done.stderr
    listed = json.loads(run(["jobs", "--json"], env).stdout)
    assert [job["status"] for job in listed] == ["FAILED"]
    assert done.stderr.splitlines() == [
        f"reelflow: failed: job {listed[0]['id']} FAILED: VoiceUnavailable: no speech engine "
        f"could narrate the text: the English ('en') voice (gtts) needs the network and cannot "
        f"reach it: Failed to connect. Probable cause: Unknown"]
    verbose = run(["render", str(script), "--resolution", "320x180", "--tts", "gtts",
                   "--verbose"], env)
    assert verbose.returncode == 1 and "Traceback" in verbose.stderr


def test_a_missing_picture_exits_2_before_any_job(env: dict[str, str], tmp_path: Path) -> None:
    script = tmp_path / "s.md"
    script.write_text("# T\n\n## One\n![x](missing.png)\nHello there.\n")
    done = run(["render", str(script), "--resolution", "320x180", "--json"], env)
    assert done.returncode == 2
    assert done.stderr == ("reelflow: invalid script: scene 1 (line 4): image 'missing.png' "
                           "not found\n")
    assert json.loads(run(["jobs", "--json"], env).stdout) == []


def test_a_script_from_stdin_renders_without_audio(env: dict[str, str]) -> None:
    done = run(["render", "-", "--no-audio", "--resolution", "320x180", "--quality", "draft",
                "--title", "From stdin", "--json"], env, stdin=b"One short scene.\n")
    assert done.returncode == 0, done.stderr
    video = json.loads(done.stdout)["video"]
    assert video["title"] == "From stdin"
    assert probe(Path(video["file_path"])).audio_codec is None


def test_show_of_an_unknown_job_exits_2(env: dict[str, str]) -> None:
    done = run(["show", "00000000-0000-0000-0000-000000000000"], env)
    assert done.returncode == 2 and "00000000-0000-0000-0000-000000000000" in done.stderr


def test_captions_and_motion_can_be_chosen_on_the_command_line(env: dict[str, str]) -> None:
    script = b"# Look\n\nA zooming scene. With burned-in captions.\n"
    common = ["--motion", "kenburns", "--resolution", "320x180", "--quality", "draft", "--json"]
    done = run(["render", "-", "--captions", "burned", *common], env, stdin=script)
    plain = run(["render", "-", "--captions", "off", *common], env, stdin=script)
    assert done.returncode == 0 and plain.returncode == 0, done.stderr + plain.stderr
    result, without = json.loads(done.stdout), json.loads(plain.stdout)
    found = probe(Path(result["video"]["file_path"]))
    assert found.subtitle_streams == 0  # drawn into the picture, not a track
    detail = json.loads(run(["show", result["job_id"], "--json"], env).stdout)
    chosen = detail["composition_settings"]
    assert (chosen["captions"], chosen["motion"]) == ("burned", "kenburns")
    sentence = next(a for a in detail["assets"] if a["asset_type"] == "AUDIO")["metadata"][
        "sentences"][0]
    moment = (sentence[1] + sentence[2]) / 2
    burned = _frame_at(Path(result["video"]["file_path"]), moment)
    bare = _frame_at(Path(without["video"]["file_path"]), moment)
    later = _frame_at(Path(without["video"]["file_path"]), found.video_duration - 0.2)
    top, bottom = slice(0, 60), slice(120, 180)
    # Ken Burns: without captions, the picture still changes between two moments.
    assert np.abs(later - bare).mean() > 0.5
    # Burned captions: the same moment with and without them differs in the lower third.
    assert np.abs(burned[bottom] - bare[bottom]).mean() > 3 * max(
        0.3, np.abs(burned[top] - bare[top]).mean())


def _frame_at(path: Path, seconds: float) -> np.ndarray:
    """The luma of the first decoded frame at or after ``seconds``, as floats."""
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            if frame.time is not None and frame.time >= seconds:
                return frame.to_ndarray(format="gray").astype(float)
    raise AssertionError(f"no frame at {seconds} s")


def test_render_json_lists_every_video_and_the_files_beside_them(env: dict[str, str]) -> None:
    done = run(["render", "-", "--formats", "mp4,webm", "--caption-position", "top",
                "--poster-scene", "2", "--resolution", "320x180", "--quality", "draft",
                "--json"], env, stdin=b"# Files\n\nFirst scene here.\n\nSecond scene here.\n")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert [video["format"] for video in result["videos"]] == ["mp4", "webm"]
    assert result["video"] == result["videos"][0]
    for video in result["videos"]:
        assert probe(Path(video["file_path"])).size == video["file_size"]
    kinds = sorted(item["kind"] for item in result["files"])
    assert kinds == ["captions.srt", "captions.vtt", "poster", "poster"]
    assert all(Path(item["file_path"]).is_file() for item in result["files"])
    assert all(item["url_path"].startswith("/media/videos/") for item in result["files"])

    shown = run(["show", result["job_id"]], env)
    assert shown.returncode == 0, shown.stderr
    assert "video 2 of 2:" in shown.stdout and "files: 4" in shown.stdout
    for item in result["files"]:
        assert item["url_path"] in shown.stdout
    detail = json.loads(run(["show", result["job_id"], "--json"], env).stdout)
    assert [(v["id"], v["format"], v["file_path"], v["status"]) for v in detail["videos"]] == [
        (v["id"], v["format"], v["file_path"], "COMPLETED") for v in result["videos"]]
    assert detail["composition_settings"]["formats"] == ["mp4", "webm"]
    assert detail["composition_settings"]["caption_position"] == "top"


def test_an_unknown_format_on_the_command_line_exits_2(env: dict[str, str]) -> None:
    done = run(["render", "examples/welcome.md", "--formats", "mp4,avi"], env)
    assert done.returncode == 2 and "mp4,avi" in done.stderr


def test_a_language_the_chosen_voice_cannot_speak_exits_2_before_anything_starts(
        env: dict[str, str]) -> None:
    done = run(["render", "examples/welcome.md", "--language", "ja", "--tts", "gtts,piper"], env)
    assert done.returncode == 2
    assert "the piper voice speaks English only, so it cannot narrate Japanese" in done.stderr
