"""A scene that plays the user's clip, rendered by the real engine (x264, libvpx, ffmpeg) and
checked by decoding: the clip's own frames, in order, looped to the scene; its sound mixed
under the narration at the right samples (engine/clips.py, engine/clip_sound.py)."""

from __future__ import annotations

import wave
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from reelflow.engine.audio import NARRATION_RATE
from reelflow.engine.burned_captions import CaptionSpan
from reelflow.engine.clip_sound import mix_under
from reelflow.engine.compose import Shot, render_video
from reelflow.engine.ffmpeg import run_ffmpeg
from tests.footage import PALETTE, encode_pictures, palette_clip, peak_frequency

FPS = 24


def frames_of(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [frame.to_ndarray(format="rgb24").astype(float)
                for frame in container.decode(video=0)]


def nearest(colour: np.ndarray) -> int:
    return int(np.argmin([np.abs(colour - np.array(p)).sum() for p in PALETTE]))


@pytest.mark.parametrize(("fmt", "bt709"), [("mp4", False), ("webm", False), ("mp4", True)])
def test_a_clip_scene_shows_the_clips_frames_in_order_looped_to_the_scene(
        tmp_path: Path, fmt: str, bt709: bool) -> None:
    clip = palette_clip(tmp_path / "surf.mp4", fps=6, tone=None, bt709=bt709)  # 6 frames, 1 s
    with av.open(str(clip)) as container:
        assert (next(container.decode(video=0)).colorspace == 1) == bt709  # 1: BT.709
    slide = tmp_path / "slide.png"
    Image.new("RGB", (320, 180), (15, 23, 42)).save(slide)
    target = tmp_path / f"out.{fmt}"
    report = render_video([Shot(slide, 12), Shot(slide, 60, clip=clip), Shot(slide, 12)],
                          target, fps=FPS, quality="draft", size=(320, 180))
    frames = frames_of(target)
    assert len(frames) == 84 and report.frames == 84
    for n in range(60):
        # At 24 fps each clip frame (6 fps) shows for 4 frames; after 1 s the clip starts over.
        shown = frames[12 + n]
        expected = (n // 4) % len(PALETTE)
        assert nearest(shown.mean(axis=(0, 1))) == expected, (n, shown.mean(axis=(0, 1)))
        assert np.abs(shown - np.array(PALETTE[expected])).max(axis=2).mean() < 8, n
    for n in [*range(12), *range(72, 84)]:
        assert np.abs(frames[n] - np.array((15, 23, 42))).mean() < 6, n


@pytest.mark.parametrize("bt709", [False, True])
def test_a_clip_scaled_to_cover_shows_its_centre_without_bars(tmp_path: Path,
                                                              bt709: bool) -> None:
    # A 4:3 clip in a 16:9 frame: scaled to 320x240, a band of 30 rows cut off top and bottom.
    clip = tmp_path / "tall.mp4"
    rgb = np.zeros((48, 64, 3), np.uint8)
    rgb[:6] = (250, 250, 250)  # the top eighth: cut away by the cover crop
    rgb[6:, :32] = (230, 30, 30)
    rgb[6:, 32:] = (30, 30, 230)
    with av.open(str(clip), "w", format="mp4") as container:
        encode_pictures(container, container.add_stream("libx264", rate=6), [rgb] * 3,
                        {"crf": "5"}, "colormatrix=bt709" if bt709 else None)
    slide = tmp_path / "slide.png"
    Image.new("RGB", (320, 180), (0, 0, 0)).save(slide)
    target = tmp_path / "out.mp4"
    render_video([Shot(slide, 12, clip=clip)], target, fps=FPS, quality="draft",
                 size=(320, 180))
    first = frames_of(target)[0]
    assert first[:4].mean(axis=(0, 1))[2] < 200  # no white band left at the top
    assert np.abs(first[10:170, 20:140] - (230, 30, 30)).mean() < 15
    assert np.abs(first[10:170, 180:300] - (30, 30, 230)).mean() < 15


def test_a_clips_sound_is_mixed_under_the_narration_only_in_its_scene(tmp_path: Path) -> None:
    clip = palette_clip(tmp_path / "surf.mp4", fps=6, tone=440.0)
    narration = tmp_path / "narration.wav"
    total = 3 * NARRATION_RATE
    with wave.open(str(narration), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(NARRATION_RATE)
        out.writeframes(np.zeros(total, "<i2").tobytes())
    first, count = NARRATION_RATE, NARRATION_RATE + NARRATION_RATE // 2  # 1 s to 2.5 s
    mix_under(narration, [(clip, first, count)], tmp_path)
    with wave.open(str(narration), "rb") as wav:
        assert wav.getnframes() == total
        samples = np.frombuffer(wav.readframes(total), "<i2").astype(float)
    assert np.abs(samples[:first]).max() == 0 and np.abs(samples[first + count:]).max() == 0
    inside = samples[first:first + count]
    assert abs(peak_frequency(inside, NARRATION_RATE) - 440) < 5
    # The clip lasts 1 s and the scene 1.5 s: it loops, so its last half second sounds too.
    assert np.abs(inside[-NARRATION_RATE // 4:]).mean() > 1000
    # Under the voice: about 0.3 of the clip's level (a 0.5 sine: 16383 at its peak).
    assert 0.2 * 16383 < np.abs(inside).max() < 0.4 * 16383


def test_burned_captions_are_drawn_over_a_playing_clip_during_their_span(
        tmp_path: Path) -> None:
    from reelflow.engine.burned_captions import caption_overlay

    clip = palette_clip(tmp_path / "surf.mp4", fps=6, tone=None)
    slide = tmp_path / "slide.png"
    Image.new("RGB", (320, 180), (0, 0, 0)).save(slide)
    target = tmp_path / "out.mp4"
    render_video([Shot(slide, 24, (CaptionSpan("Waves.", 8, 16),), clip=clip)], target,
                 fps=FPS, quality="draft", size=(320, 180))
    frames = frames_of(target)
    box = caption_overlay("Waves.", 320, 180, "bottom", "")
    width, height = box.image.size
    where = (slice(box.top, box.top + height), slice(box.left, box.left + width))
    caption = [np.abs(frame[where] - np.array(PALETTE[n // 4])).mean()
               for n, frame in enumerate(frames)]
    top = [np.abs(frame[:60] - np.array(PALETTE[n // 4])).mean()
           for n, frame in enumerate(frames)]
    assert all(caption[n] > 50 for n in range(8, 16)), caption  # its box and text
    assert all(caption[n] < 10 for n in [*range(8), *range(16, 24)]), caption
    assert max(top) < 10, top  # the clip plays on around it


def test_a_clip_stored_sideways_plays_upright(tmp_path: Path) -> None:
    # A phone stores a portrait clip as landscape pictures plus a display rotation.
    stored = tmp_path / "stored.mp4"
    with av.open(str(stored), "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=6)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        rgb = np.zeros((48, 64, 3), np.uint8)
        rgb[:, :32] = (230, 30, 30)  # left half red: the bottom once turned a quarter left
        rgb[:, 32:] = (30, 30, 230)
        for n in range(3):
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
            frame.pts = n
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    clip = tmp_path / "portrait.mp4"
    run_ffmpeg(["-display_rotation", "90", "-i", str(stored), "-c", "copy", str(clip)],
               what="tagging a rotation")
    with av.open(str(clip)) as container:
        assert next(container.decode(video=0)).rotation == 90
    slide = tmp_path / "slide.png"
    Image.new("RGB", (320, 180), (0, 0, 0)).save(slide)
    for captions in ((), (CaptionSpan("Up.", 0, 1),)):
        target = tmp_path / f"out-{len(captions)}.mp4"
        render_video([Shot(slide, 6, captions, clip=clip)], target, fps=FPS, quality="draft",
                     size=(320, 180))
        first = frames_of(target)[0]
        assert np.abs(first[5:60, 20:300] - (30, 30, 230)).mean() < 15  # blue on top
        assert np.abs(first[120:135, 20:300] - (230, 30, 30)).mean() < 15  # red below


def test_an_untagged_hd_clip_is_taken_as_bt709_as_players_show_it(tmp_path: Path) -> None:
    # Converted with BT.709 and not tagged: mpv shows an untagged HD clip so.
    # Read as BT.601 (what swscale assumes), its red (230, 30, 30) came out (211, 6, 30).
    clip = tmp_path / "hd.mp4"
    rgb = np.zeros((720, 1280, 3), np.uint8)
    rgb[:] = PALETTE[0]
    with av.open(str(clip), "w", format="mp4") as container:
        video = container.add_stream("libx264", rate=6)
        video.width, video.height, video.pix_fmt = 1280, 720, "yuv420p"
        video.options = {"preset": "ultrafast", "crf": "10"}
        for number in range(3):
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(
                format="yuv420p", dst_colorspace="ITU709")
            frame.pts = number
            container.mux(video.encode(frame))
        container.mux(video.encode(None))
    with av.open(str(clip)) as container:
        assert next(container.decode(video=0)).colorspace == 2  # 2: unspecified
    slide = tmp_path / "slide.png"
    Image.new("RGB", (320, 180), (0, 0, 0)).save(slide)
    target = tmp_path / "out.mp4"
    render_video([Shot(slide, 12, clip=clip)], target, fps=FPS, quality="draft",
                 size=(320, 180))
    shown = frames_of(target)[0].mean(axis=(0, 1))
    assert np.abs(shown - np.array(PALETTE[0])).max() < 6, shown
