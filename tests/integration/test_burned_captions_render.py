"""Burned-in captions: in the picture exactly during their sentence, and nowhere else."""

from pathlib import Path

import av
import numpy as np
from PIL import Image

from reelflow.engine.burned_captions import CaptionSpan, caption_overlay, spans_for, with_caption
from reelflow.engine.captions import cues_for
from reelflow.engine.compose import Shot, render_video
from reelflow.engine.speech import SpeechChain
from reelflow.engine.speech.fake import FakeEngine
from reelflow.engine.timeline import plan_timeline

WIDTH, HEIGHT = 320, 180


def _slide(path: Path, colour: tuple[int, int, int]) -> Path:
    Image.new("RGB", (WIDTH, HEIGHT), colour).save(path)
    return path


def _rgb_frames(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="rgb24").astype(int) for f in container.decode(video=0)]


def _box(text: str) -> tuple[slice, slice]:
    overlay = caption_overlay(text, WIDTH, HEIGHT)
    return (slice(overlay.top, overlay.top + overlay.image.height),
            slice(overlay.left, overlay.left + overlay.image.width))


def _expected(slide: Path, text: str | None) -> np.ndarray:
    picture = Image.open(slide).convert("RGB")
    if text is not None:
        picture = with_caption(picture, caption_overlay(text, WIDTH, HEIGHT))
    return np.asarray(picture).astype(int)


def _closest(frame: np.ndarray, slide: Path, texts: list[str | None],
             region: tuple[slice, slice]) -> str | None:
    errors = {text: np.abs(frame[region] - _expected(slide, text)[region]).mean()
              for text in texts}
    return min(errors, key=lambda text: errors[text])


def test_captions_show_during_their_spans_only(tmp_path: Path) -> None:
    slide = _slide(tmp_path / "s.png", (30, 60, 120))
    first, second = "Hello there, viewer.", "Goodbye now."
    spans = (CaptionSpan(first, 10, 30), CaptionSpan(second, 30, 40))
    out = tmp_path / "out.mp4"
    report = render_video([Shot(slide, 48, spans)], out, fps=24, quality="standard")
    frames = _rgb_frames(out)
    region = _box(first)
    assert len(frames) == 48 and report.encoded_frames == 4  # slide, two captions, slide
    shown = [_closest(frame, slide, [None, first, second], region) for frame in frames]
    assert shown == [None] * 10 + [first] * 20 + [second] * 10 + [None] * 8
    plain = _expected(slide, None)
    outside = np.ones((HEIGHT, WIDTH), bool)
    outside[region] = False
    for frame in frames:
        assert np.abs(frame[outside] - plain[outside]).mean() < 3  # the rest never changes


def test_captions_change_on_the_frames_where_their_sentences_start(tmp_path: Path) -> None:
    chain = SpeechChain([FakeEngine()])
    texts = ["One short line. And another one here.", "Third sentence, last scene."]
    narrations = [chain.narrate(t, tmp_path / f"n{i}.wav") for i, t in enumerate(texts)]
    slots = plan_timeline([n.duration for n in narrations], fps=24, pause_seconds=0.5)
    cues = cues_for([(s.start, n.sentences) for n, s in zip(narrations, slots, strict=True)])
    slides = [_slide(tmp_path / f"s{i}.png", c) for i, c in enumerate([(90, 20, 20), (20, 90, 20)])]
    shots = [Shot(slide, slot.frames, spans_for(cues, slot.start_frame, slot.frames, 24))
             for slide, slot in zip(slides, slots, strict=True)]
    out = tmp_path / "out.mp4"
    render_video(shots, out, fps=24)
    frames = _rgb_frames(out)
    assert len(frames) == sum(slot.frames for slot in slots)
    for cue in cues:
        slot = next(s for s in slots if s.start <= cue.start < s.end)
        slide = slides[slot.index]
        first, last = round(cue.start * 24), round(cue.end * 24) - 1
        others: list[str | None] = [None, *(c.text for c in cues if c is not cue)]
        region = _box(cue.text)
        for n in (first, last):
            assert _closest(frames[n], slide, [cue.text, *others], region) == cue.text
        if first > slot.start_frame:
            assert _closest(frames[first - 1], slide, [cue.text, *others], region) != cue.text
        assert _closest(frames[last + 1], slide, [cue.text, *others], region) != cue.text
