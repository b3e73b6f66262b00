"""Ken Burns zoom: exact frame counts, a smooth monotonic zoom, joined cleanly with stills."""

from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image, ImageDraw

from reelflow.engine.audio import NARRATION_RATE, join_padded
from reelflow.engine.compose import Shot, render_video
from reelflow.engine.encoder import EncoderSettings
from reelflow.engine.ffmpeg import run_ffmpeg
from reelflow.engine.kenburns import zoom_at, zoom_frames
from reelflow.engine.probe import probe
from reelflow.engine.speech import SpeechChain
from reelflow.engine.speech.fake import FakeEngine
from reelflow.engine.timeline import plan_timeline

WIDTH, HEIGHT = 320, 180


def _card(path: Path, width: int = 160, height: int = 90) -> Path:
    """A bright rectangle centred on a dark frame: its width measures the zoom."""
    image = Image.new("RGB", (WIDTH, HEIGHT), (20, 20, 20))
    left, top = (WIDTH - width) // 2, (HEIGHT - height) // 2
    ImageDraw.Draw(image).rectangle((left, top, left + width - 1, top + height - 1),
                                    fill=(230, 230, 230))
    image.save(path)
    return path


def _luma(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="gray").astype(float) for f in container.decode(video=0)]


def _width(frame: np.ndarray) -> float:
    """The rectangle's width to a fraction of a pixel: bright area per row, middle rows."""
    rows = frame[HEIGHT // 2 - 20:HEIGHT // 2 + 20]
    dark, bright = np.median(frame[:, :10]), np.median(frame[HEIGHT // 2, WIDTH // 2 - 5:])
    return float(np.clip((rows - dark) / (bright - dark), 0, 1).sum(axis=1).mean())


def test_the_zoom_grows_by_the_same_fraction_of_a_pixel_every_frame(tmp_path: Path) -> None:
    card = _card(tmp_path / "c.png")
    step = 160 * (zoom_at(1, 48) - 1)  # a third of a pixel per frame
    made = zoom_frames(Image.open(card).convert("RGB"), 48, (),
                       EncoderSettings(WIDTH, HEIGHT, 24))
    drawn = np.array([_width(np.frombuffer(frame[:WIDTH * HEIGHT], np.uint8)
                             .reshape(HEIGHT, WIDTH).astype(float)) for frame in made])
    assert np.all(np.abs(np.diff(drawn) - step) < step * 0.2), "the zoom moves unevenly"
    out = tmp_path / "out.mp4"
    report = render_video([Shot(card, 48, motion="kenburns")], out, fps=24, quality="high")
    widths = np.array([_width(frame) for frame in _luma(out)])
    assert report.encoded_frames == 48 and len(widths) == 48
    # After lossy coding the edges still follow the plan to half a pixel, never going back.
    assert widths == pytest.approx([160 * zoom_at(n, 48) for n in range(48)], abs=0.5)
    assert np.all(np.diff(widths) > -0.05)
    assert np.diff(widths).mean() == pytest.approx(step, rel=0.05)


def test_zooming_and_still_scenes_join_with_exact_frames_and_sound_at_every_cut(
        tmp_path: Path) -> None:
    chain = SpeechChain([FakeEngine()])
    narrations = [chain.narrate(t, tmp_path / f"n{i}.wav")
                  for i, t in enumerate(["x" * 25, "y" * 40, "z" * 15])]
    slots = plan_timeline([n.duration for n in narrations], fps=24, pause_seconds=0.5)
    audio = tmp_path / "all.wav"
    join_padded([(n.path, s.samples(NARRATION_RATE)) for n, s in zip(narrations, slots,
                                                                      strict=True)], audio)
    card = _card(tmp_path / "c.png")
    shots = [Shot(card, slot.frames, motion="kenburns" if slot.index != 1 else "none")
             for slot in slots]
    out = tmp_path / "out.mp4"
    render_video(shots, out, fps=24, audio=audio)
    found = probe(out)
    total = sum(slot.frames for slot in slots)
    assert (found.frames, len(_luma(out))) == (total, total)
    assert found.video_duration == pytest.approx(total / 24, abs=1e-6)
    widths = [_width(frame) for frame in _luma(out)]
    for slot in slots:  # each scene starts unzoomed: the cut is where the plan put it
        assert widths[slot.start_frame] == pytest.approx(160, abs=0.5)
    with av.open(str(out)) as container:
        stream = container.streams.audio[0]
        rate = stream.codec_context.sample_rate
        pcm = np.concatenate([f.to_ndarray().reshape(-1) for f in container.decode(stream)])
    for slot in slots:
        start = round(slot.start * rate)
        loud = np.abs(pcm[start + 480:start + 1440]).mean()
        quiet = np.abs(pcm[max(0, start - 1440):start - 480]).mean() if start else 0.0
        assert loud > 0.02 and quiet < 0.005, f"scene {slot.index + 1} is out of sync"
    run_ffmpeg(["-err_detect", "explode", "-xerror", "-i", str(out), "-f", "null", "-"],
               what="strict decoding")
