"""The soundtrack encoded while scenes are spoken is the joined narration encoded in one go."""

from __future__ import annotations

import uuid
from pathlib import Path

import av
import numpy as np
import pytest

from reelflow.engine.audio import NARRATION_RATE, join_padded
from reelflow.engine.outputs import encode_audio
from reelflow.engine.script import RenderSettings
from reelflow.engine.speech import Narration
from reelflow.engine.speech.fake import FakeEngine
from reelflow.errors import RenderFailed
from reelflow.services.shots import timeline
from reelflow.services.soundtrack import SoundtrackWriter
from reelflow.settings import Settings

TEXTS = ("A first scene, spoken.", "Second.", "And a third scene that says a little more.")


def _narrations(folder: Path) -> list[Narration]:
    found = []
    for n, text in enumerate(TEXTS):
        path = folder / f"scene-{n + 1:03d}.wav"
        FakeEngine(seconds_per_char=0.02).synthesize(text, 1.0, path)
        with av.open(str(path)) as wav:
            seconds = float(wav.duration or 0) / av.time_base
        found.append(Narration(path, seconds, NARRATION_RATE, "fake", "fake-tone", ()))
    return found


def _samples(path: Path) -> np.ndarray:
    with av.open(str(path)) as container:
        return np.concatenate([frame.to_ndarray().ravel()
                               for frame in container.decode(audio=0)])


@pytest.mark.parametrize("fmt", ["mp4", "webm"])
def test_scenes_fed_out_of_order_encode_exactly_the_joined_narration(
        tmp_path: Path, fmt: str) -> None:
    narrations = _narrations(tmp_path)
    render = RenderSettings(formats=(fmt,), captions="soft")
    minimums: list[float | None] = [None, 2.0, None]
    writer = SoundtrackWriter(Settings.from_env({}, cwd=tmp_path), uuid.uuid4(), minimums,
                              render)
    for index in (2, 0, 1):  # as narrations may finish
        writer.narrated(index, narrations[index])
    sound = writer.finish()
    assert sound.sounds is not None and sound.subtitles is not None

    slots = timeline(narrations, minimums, render)
    joined = tmp_path / "joined.wav"
    join_padded([(n.path, s.samples(NARRATION_RATE)) for n, s in zip(narrations, slots,
                                                                        strict=True)], joined)
    at_once = encode_audio(joined, tmp_path / "at-once", fmt)
    streamed, whole = _samples(sound.sounds[fmt]), _samples(at_once)
    assert streamed.shape == whole.shape and np.array_equal(streamed, whole)


def test_a_soundtrack_missing_a_scene_is_refused(tmp_path: Path) -> None:
    narrations = _narrations(tmp_path)
    writer = SoundtrackWriter(Settings.from_env({}, cwd=tmp_path), uuid.uuid4(),
                              [None, None, None], RenderSettings())
    writer.narrated(0, narrations[0])
    writer.narrated(2, narrations[2])
    with pytest.raises(RenderFailed, match="1 of 3 scenes"):
        writer.finish()
    writer.abandon()
