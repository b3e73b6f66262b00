"""The engine end to end on tiny inputs: real speech, real ffmpeg, probed with PyAV."""

from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from reelflow.engine.audio import NARRATION_RATE, join_padded
from reelflow.engine.captions import cues_for, write_srt
from reelflow.engine.compose import Shot, render_video
from reelflow.engine.probe import probe
from reelflow.engine.speech import SpeechChain
from reelflow.engine.speech.base import Sentence
from reelflow.engine.speech.fake import FakeEngine
from reelflow.engine.speech.piper_engine import PiperEngine
from reelflow.engine.timeline import plan_timeline, total_seconds
from reelflow.errors import RenderFailed

COLOURS = [(200, 30, 30), (30, 200, 30), (30, 30, 200)]


def _solid(path: Path, colour: tuple[int, int, int]) -> Path:
    Image.new("RGB", (160, 96), colour).save(path)
    return path


def _render(tmp_path: Path, texts: list[str], engine: object) -> tuple[Path, list, list]:
    chain = SpeechChain([engine])  # type: ignore[list-item]
    narrations = [chain.narrate(t, tmp_path / f"n{i}.wav") for i, t in enumerate(texts)]
    slots = plan_timeline([n.duration for n in narrations], fps=24, pause_seconds=0.5)
    pairs = list(zip(narrations, slots, strict=True))
    join_padded([(n.path, s.samples(NARRATION_RATE)) for n, s in pairs], tmp_path / "all.wav")
    write_srt(cues_for([(s.start, n.sentences) for n, s in zip(narrations, slots, strict=True)]),
              tmp_path / "c.srt")
    scenes = [Shot(_solid(tmp_path / f"s{i}.png", COLOURS[i]), s.frames)
              for i, s in enumerate(slots)]
    out = tmp_path / "out.mp4"
    render_video(scenes, out, fps=24, quality="draft", audio=tmp_path / "all.wav",
                 subtitles=tmp_path / "c.srt")
    return out, narrations, list(slots)


def test_a_piper_narrated_video_lasts_exactly_its_narration_plus_pauses(tmp_path: Path) -> None:
    out, narrations, slots = _render(
        tmp_path, ["Hello. This is the first scene.", "And the second one."], PiperEngine())
    found = probe(out)
    spoken = sum(n.duration + 0.5 for n in narrations)
    assert (found.video_codec, found.audio_codec, found.resolution) == ("h264", "aac", "160x96")
    assert abs(found.video_duration - spoken) < 1 / 24
    assert found.frames == sum(s.frames for s in slots)
    assert abs(found.audio_duration - found.video_duration) < 0.05
    assert found.subtitle_streams == 1
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_each_scene_shows_its_own_picture_up_to_the_exact_cut_frame(tmp_path: Path) -> None:
    out, _, slots = _render(tmp_path, ["a" * 20, "b" * 30, "c" * 10], FakeEngine())
    with av.open(str(out)) as container:
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    for slot, colour in zip(slots, COLOURS, strict=False):
        first, last = frames[slot.start_frame], frames[slot.start_frame + slot.frames - 1]
        for frame in (first, last):
            assert np.abs(frame[48, 80].astype(int) - colour).max() < 25


def test_narration_starts_at_every_cut_without_drift(tmp_path: Path) -> None:
    out, narrations, slots = _render(tmp_path, ["x" * 25, "y" * 40, "z" * 15], FakeEngine())
    with av.open(str(out)) as container:
        stream = container.streams.audio[0]
        rate = stream.codec_context.sample_rate
        pcm = np.concatenate([f.to_ndarray().reshape(-1) for f in container.decode(stream)])
    for narration, slot in zip(narrations, slots, strict=True):
        start = round(slot.start * rate)
        speech_end = start + round(narration.duration * rate)
        loud = np.abs(pcm[start + 480:start + 1440]).mean()  # 10-30 ms after the cut
        quiet_before = np.abs(pcm[max(0, start - 1440):start - 480]).mean() if start else 0.0
        tail = np.abs(pcm[speech_end + 2400:speech_end + 4800]).mean()  # inside the pause
        assert loud > 0.02, f"scene {slot.index + 1}: no narration right after its cut"
        assert quiet_before < 0.005, f"scene {slot.index + 1}: sound before its cut"
        assert tail < 0.005, f"scene {slot.index + 1}: sound in the pause"
    assert abs(len(pcm) / rate - total_seconds(slots)) < 0.05


def test_a_failed_encode_leaves_no_file_and_no_parts(tmp_path: Path) -> None:
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not a png")
    with pytest.raises(RenderFailed, match=r"encoding broken\.png"):
        render_video([Shot(broken, 10)], tmp_path / "out.mp4", fps=24)
    assert list(tmp_path.iterdir()) == [broken]


@pytest.mark.parametrize(("suffix", "code"), [(".mp4", "deu"), (".webm", "ger")])
def test_the_subtitle_track_is_labelled_with_the_script_language(
        tmp_path: Path, suffix: str, code: str) -> None:
    slots = plan_timeline([0.5], fps=24, pause_seconds=0.0)
    write_srt(cues_for([(0.0, [Sentence("Hallo.", 0.0, 0.4)])]), tmp_path / "c.srt")
    out = tmp_path / f"out{suffix}"
    render_video([Shot(_solid(tmp_path / "s.png", COLOURS[0]), slots[0].frames)], out, fps=24,
                 quality="draft", subtitles=tmp_path / "c.srt", language="de-AT")
    with av.open(str(out)) as container:
        assert [s.metadata.get("language") for s in container.streams.subtitles] == [code]
