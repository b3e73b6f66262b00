"""Still scenes: one encoded picture each, every other frame an exact skipped copy."""

import re
import subprocess
from itertools import pairwise
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from reelflow.engine.burned_captions import CaptionSpan
from reelflow.engine.compose import Shot, render_video
from reelflow.engine.ffmpeg import ffmpeg_exe, run_ffmpeg
from reelflow.engine.probe import probe


def _pattern(path: Path, seed: int, size: tuple[int, int] = (160, 96)) -> Path:
    """A picture with detail everywhere, so that no frame can be skipped by accident."""
    noise = np.random.default_rng(seed).integers(0, 256, (size[1] // 8, size[0] // 8, 3))
    Image.fromarray(noise.astype(np.uint8)).resize(size, Image.Resampling.BICUBIC).save(path)
    return path


def _frames(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="yuv420p") for f in container.decode(video=0)]


def _keyframes(path: Path) -> list[int]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        packets = [p for p in container.demux(stream) if p.size]
    order = sorted(packets, key=lambda p: p.pts or 0)
    return [n for n, packet in enumerate(order) if packet.is_keyframe]


@pytest.mark.parametrize("quality", ["draft", "standard", "high"])
def test_every_frame_of_a_still_scene_is_an_exact_copy_of_its_first(tmp_path: Path,
                                                                     quality: str) -> None:
    shots = [Shot(_pattern(tmp_path / f"s{n}.png", n), frames)
             for n, frames in enumerate([17, 1, 30])]
    out = tmp_path / "out.mp4"
    report = render_video(shots, out, fps=24, quality=quality)
    frames = _frames(out)
    assert len(frames) == probe(out).frames == 48
    assert probe(out).video_duration == pytest.approx(48 / 24, abs=1e-6)
    assert report.encoded_frames == 3
    # The parameter sets that the skipped frames are written for carry a colour description
    # (a VUI) now; the strict decode below proves the skipped slices still parse against them.
    assert probe(out).colour == (1, 1, 1, 1)
    start = 0
    for shot in shots:
        scene = frames[start:start + shot.frames]
        assert all(np.array_equal(frame, scene[0]) for frame in scene)
        source = np.asarray(Image.open(shot.image).convert("L"), dtype=float)
        decoded = (scene[0][:96].astype(float) - 16) * 255 / 219
        assert np.abs(decoded - source).mean() < 12  # the picture itself, lossily coded
        start += shot.frames
    # Strict decoding: any malformed skipped slice fails loudly here.
    run_ffmpeg(["-err_detect", "explode", "-xerror", "-i", str(out), "-f", "null", "-"],
               what="strict decoding")


def _idr_ids(path: Path) -> list[int | None]:
    """Per picture in decoding order: its idr_pic_id if it is an IDR picture, else None."""
    trace = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-i", str(path), "-c:v", "copy", "-bsf:v",
         "trace_headers", "-f", "null", "-"], capture_output=True, text=True, check=True).stderr
    pictures: list[int | None] = []
    for packet in trace.split("Packet: ")[1:]:
        found = re.search(r"idr_pic_id\s+\S+ = (\d+)", packet)
        pictures.append(int(found.group(1)) if found else None)
    return pictures


@pytest.mark.parametrize("quality", ["draft", "standard"])  # CAVLC and CABAC slice data
def test_back_to_back_idr_pictures_never_share_an_idr_pic_id(tmp_path: Path,
                                                             quality: str) -> None:
    image = _pattern(tmp_path / "s.png", 3)
    shots = [Shot(image, 5), Shot(image, 1), Shot(image, 1),  # lone IDR pictures in a row
             Shot(image, 4, (CaptionSpan("Hi.", 3, 4),)),  # ends on a one-frame hold
             Shot(image, 6, motion="kenburns"), Shot(image, 1), Shot(image, 6, motion="kenburns"),
             Shot(image, 2, (CaptionSpan("Bye.", 0, 1),))]
    out = tmp_path / "out.mp4"
    render_video(shots, out, fps=24, quality=quality)
    ids = _idr_ids(out)
    assert len(ids) == sum(shot.frames for shot in shots)
    pairs = [(a, b) for a, b in pairwise(ids) if a is not None and b is not None]
    assert len(pairs) >= 5
    assert all(a != b for a, b in pairs), ids
    frames = _frames(out)
    # Scenes of one picture are identical encodes: renumbering their IDR changes no pixel.
    assert all(np.array_equal(frames[n], frames[0]) for n in [*range(7), 17])
    run_ffmpeg(["-err_detect", "explode", "-xerror", "-i", str(out), "-f", "null", "-"],
               what="strict decoding")


def test_a_scene_longer_than_the_keyframe_interval_repeats_its_keyframe(tmp_path: Path) -> None:
    out = tmp_path / "out.mp4"
    render_video([Shot(_pattern(tmp_path / "s.png", 7), 45)], out, fps=2)  # keyframe: 20 frames
    frames = _frames(out)
    assert _keyframes(out) == [0, 20, 40]
    assert len(frames) == 45 and all(np.array_equal(frame, frames[0]) for frame in frames)


def test_a_slideshow_matches_a_straightforward_encode_of_the_same_slides(tmp_path: Path) -> None:
    from bench.quality import ssim
    from reelflow.engine.slides import Slide, render_slide

    slides = []
    for n in range(3):
        slides.append(tmp_path / f"slide{n}.png")
        render_slide(Slide("A title", f"Scene {n + 1}", "Some words on the slide. " * 3, n + 1,
                           4), slides[-1], 640, 360)
    ours = tmp_path / "ours.mp4"
    render_video([Shot(slide, 24) for slide in slides], ours, fps=24)
    reference = tmp_path / "reference.mp4"
    inputs = [arg for slide in slides
              for arg in ("-loop", "1", "-framerate", "24", "-t", "1", "-i", str(slide))]
    run_ffmpeg([*inputs, "-filter_complex", "concat=n=3:v=1:a=0,format=yuv420p",
                "-c:v", "libx264", "-crf", "23", str(reference)], what="the reference encode")
    with av.open(str(ours)) as a, av.open(str(reference)) as b:
        pairs = list(zip(a.decode(video=0), b.decode(video=0), strict=True))
    assert len(pairs) == 72
    scores = [ssim(x.to_ndarray(format="gray"), y.to_ndarray(format="gray")) for x, y in pairs]
    assert min(scores) >= 0.97
