"""A shot encoded from the scenes before it alone is the shot the whole timeline plans."""

from __future__ import annotations

import uuid
from pathlib import Path

from PIL import Image

from reelflow.engine.burned_captions import spans_for
from reelflow.engine.encoder import EncoderSettings
from reelflow.engine.script import RenderSettings
from reelflow.engine.shots import Shot, encode_piece, piece_paths
from reelflow.engine.speech import Narration, Sentence
from reelflow.services.shots import cues, encode_scene, timeline
from reelflow.settings import Settings
from reelflow.storage.layout import MediaLayout

SPOKEN = [(1.21, ("One sentence.", "And another one.")), (0.47, ("Short.",)),
          (2.9, ("A longer scene", "that goes on.", "And ends."))]


def _narrations(folder: Path) -> list[Narration]:
    found = []
    for n, (seconds, texts) in enumerate(SPOKEN):
        step = seconds / len(texts)
        sentences = tuple(Sentence(text, i * step, (i + 1) * step) for i, text in enumerate(texts))
        found.append(Narration(folder / f"scene-{n + 1:03d}.wav", seconds, 22050, "fake",
                               "fake-tone", sentences))
    return found


def test_each_shot_made_early_is_byte_for_byte_the_shot_of_the_whole_timeline(
        tmp_path: Path) -> None:
    settings = Settings.from_env({}, cwd=tmp_path)
    render = RenderSettings(resolution="96x64", fps=12, quality="draft", captions="burned",
                            formats=("mp4", "webm"))
    encoder = EncoderSettings(96, 64, 12, "draft", 1)
    slide = tmp_path / "slide.png"
    Image.new("RGB", (96, 64), (20, 40, 90)).save(slide)
    narrations = _narrations(tmp_path)
    minimums: list[float | None] = [None, 1.5, None]
    whole = timeline(narrations, minimums, render)
    job = uuid.uuid4()
    (tmp_path / "whole").mkdir()
    for index, slot in enumerate(whole):
        early = encode_scene(settings, job, index, narrations[:index + 1],
                             minimums[:index + 1], slide, render, encoder)
        assert early.frames == slot.frames
        spans = spans_for(cues(narrations, whole), slot.start_frame, slot.frames, render.fps)
        assert spans  # every scene shows a caption: the comparison covers them
        shot = Shot(slide, slot.frames, spans)
        planned = encode_piece(shot, piece_paths(tmp_path / "whole", index, shot,
                                                 render.formats), encoder)
        for fmt in render.formats:
            assert early.files[fmt].read_bytes() == planned.files[fmt].read_bytes(), fmt
        assert early.files["mp4"].parent == MediaLayout(settings.media_root).shots(job)
