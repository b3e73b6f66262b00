"""Crossfades rendered for real, MP4 and WebM, checked by decoding: each blended frame is a
mix of the two slides it joins, the next scene is shown alone from the very frame its
narration starts, and only the blended frames cost an encode."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from reelflow.engine.audio import NARRATION_RATE, join_padded
from reelflow.engine.compose import Shot, render_video
from reelflow.engine.probe import probe
from reelflow.engine.speech import SpeechChain
from reelflow.engine.speech.fake import FakeEngine
from reelflow.engine.timeline import plan_timeline
from reelflow.engine.transitions import crossfade_frames, with_transitions

FPS = 12
PAUSE = 0.6
SIZE = (128, 72)
TEXTS = ["a" * 20, "b" * 12, "c" * 25]  # 1.2 s, 0.72 s and 1.5 s of narration (FakeEngine)


def slide(path: Path, seed: int) -> Path:
    """A picture with detail everywhere, unlike the others."""
    noise = np.random.default_rng(seed).integers(0, 256, (SIZE[1] // 8, SIZE[0] // 8, 3))
    Image.fromarray(noise.astype(np.uint8)).resize(SIZE, Image.Resampling.BICUBIC).save(path)
    return path


def frames_of(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="rgb24").astype(np.float64)
                for f in container.decode(video=0)]


def weight(frame: np.ndarray, leaving: np.ndarray, entering: np.ndarray
           ) -> tuple[float, float]:
    """The w for which frame = (1 - w) * leaving + w * entering fits best, and how far (RMS,
    in levels of 0-255) the frame is from that blend."""
    towards, moved = entering - leaving, frame - leaving
    w = float((moved * towards).sum() / (towards * towards).sum())
    return w, float(np.sqrt(((moved - w * towards) ** 2).mean()))


def expected_cuts() -> list[int]:
    """Where each scene starts, from the narration's lengths alone: FakeEngine speaks 60 ms
    per character, and each scene lasts its narration plus the pause."""
    cuts, elapsed = [0], 0.0
    for text in TEXTS[:-1]:
        elapsed += len(text) * 0.06 + PAUSE
        cuts.append(round(elapsed * FPS))
    return cuts


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    tmp = tmp_path_factory.mktemp("crossfade")
    chain = SpeechChain([FakeEngine()])
    narrations = [chain.narrate(text, tmp / f"n{n}.wav") for n, text in enumerate(TEXTS)]
    slots = plan_timeline([n.duration for n in narrations], fps=FPS, pause_seconds=PAUSE)
    audio = tmp / "narration.wav"
    join_padded([(n.path, s.samples(NARRATION_RATE))
                 for n, s in zip(narrations, slots, strict=True)], audio)
    slides = [slide(tmp / f"s{n}.png", n) for n in range(len(TEXTS))]
    shots = [Shot(picture, slot.frames) for picture, slot in zip(slides, slots, strict=True)]
    fade = crossfade_frames("crossfade", 0.5, FPS)
    targets = [tmp / "out.mp4", tmp / "out.webm"]
    report = render_video(with_transitions(shots, fade), targets, fps=FPS, quality="high",
                          audio=audio)
    return {"targets": targets, "slots": slots, "slides": slides, "fade": fade,
            "report": report}


@pytest.mark.parametrize("index", [0, 1], ids=["mp4", "webm"])
def test_crossfade_frames_are_blends_of_both_neighbouring_slides(rendered: dict[str, object],
                                                                 index: int) -> None:
    targets, slots, fade = rendered["targets"], rendered["slots"], rendered["fade"]
    assert isinstance(targets, list) and isinstance(fade, int) and fade == 6
    frames = frames_of(targets[index])
    assert len(frames) == probe(targets[index]).frames == sum(
        s.frames for s in slots)  # type: ignore[attr-defined]
    pictures = [np.asarray(Image.open(p).convert("RGB"), np.float64)
                for p in rendered["slides"]]  # type: ignore[attr-defined]
    for n, cut in enumerate(expected_cuts()[1:]):
        leaving, entering = frames[cut - fade - 1], frames[cut]
        # The frames either side of the crossfade are the two slides themselves (to within
        # what 4:2:0 chroma and the encoder lose of these busy pictures), not each other.
        assert np.abs(leaving - pictures[n]).mean() < 10 < np.abs(
            leaving - pictures[n + 1]).mean()
        assert np.abs(entering - pictures[n + 1]).mean() < 10 < np.abs(
            entering - pictures[n]).mean()
        apart = float(np.sqrt(((entering - leaving) ** 2).mean()))
        found = [weight(frames[cut - fade + i], leaving, entering) for i in range(fade)]
        for i, (w, off) in enumerate(found):
            assert w == pytest.approx((i + 1) / (fade + 1), abs=0.04), (n, i)
            # A blend of these two and nothing else: what the blend leaves unexplained is
            # coding noise, under a tenth of the difference between the two slides.
            assert off < 0.1 * apart, (n, i)
        assert found[0][0] > 0.1 and found[-1][0] < 0.9


@pytest.mark.parametrize("index", [0, 1], ids=["mp4", "webm"])
def test_every_cut_stays_on_the_frame_where_its_narration_starts(rendered: dict[str, object],
                                                                 index: int) -> None:
    targets, fade = rendered["targets"], rendered["fade"]
    assert isinstance(targets, list) and isinstance(fade, int)
    frames = frames_of(targets[index])
    for cut in expected_cuts()[1:]:
        entering = frames[cut]
        alone = [i for i in range(cut - fade - 2, cut + 3)
                 if np.abs(frames[i] - entering).mean() < 1.5]
        assert alone[0] == cut  # the first frame showing the next slide alone
    with av.open(str(targets[index])) as container:
        stream = container.streams.audio[0]
        rate = stream.codec_context.sample_rate
        pcm = np.concatenate([f.to_ndarray().reshape(-1) for f in container.decode(stream)])
    for cut in expected_cuts()[1:]:
        start = round(cut / FPS * rate)
        assert np.abs(pcm[start + 480:start + 1440]).mean() > 0.02  # speaking after the cut
        assert np.abs(pcm[start - 1440:start - 480]).mean() < 0.005  # silent before it


def test_only_the_crossfades_frames_cost_an_encode(rendered: dict[str, object]) -> None:
    report, fade = rendered["report"], rendered["fade"]
    assert isinstance(fade, int)
    assert report.encoded_frames == 3 + 2 * fade  # type: ignore[attr-defined]
    assert report.scenes == 3  # type: ignore[attr-defined]


def test_a_zooming_scene_keeps_its_pace_through_its_crossfade(tmp_path: Path) -> None:
    slides = [slide(tmp_path / f"z{n}.png", 10 + n) for n in range(2)]
    shots = [Shot(slides[0], 30, motion="kenburns"), Shot(slides[1], 18, motion="kenburns")]
    # The same zoom cut, the same zoom crossfaded, and a zoom at another pace (over 24 frames).
    videos = {name: tmp_path / f"{name}.mp4" for name in ("cut", "faded", "other")}
    render_video(shots, videos["cut"], fps=FPS, quality="high")
    render_video(with_transitions(shots, 6), videos["faded"], fps=FPS, quality="high")
    render_video([Shot(slides[0], 24, motion="kenburns"), Shot(slides[1], 24)],
                 videos["other"], fps=FPS, quality="high")
    plain, faded, other = (frames_of(videos[name]) for name in ("cut", "faded", "other"))
    assert len(plain) == len(faded) == 48

    def apart(a: np.ndarray, b: np.ndarray) -> float:
        return float(np.abs(a - b).mean())

    # Before the crossfade: the zoom of the cut video (two encodes differ by coding noise,
    # about 2 levels), clearly not a zoom at another pace.
    for n in range(12, 24):
        assert apart(faded[n], plain[n]) < 3 and apart(faded[n], other[n]) > apart(
            faded[n], plain[n]) + 1.5, n
    for n in range(30, 48):  # the next scene, untouched
        assert apart(faded[n], plain[n]) < 3, n
    distance = float(np.sqrt(((plain[30] - plain[24]) ** 2).mean()))
    for i in range(6):  # inside: that zoom's own frame blended into the next scene's first
        w, off = weight(faded[24 + i], plain[24 + i], plain[30])
        assert w == pytest.approx((i + 1) / 7, abs=0.04) and off < 0.1 * distance, i


def test_a_clip_scene_plays_on_through_its_crossfade(tmp_path: Path) -> None:
    from reelflow.engine.ffmpeg import run_ffmpeg

    clip = tmp_path / "clip.mp4"
    run_ffmpeg(["-f", "lavfi", "-i", f"testsrc=size={SIZE[0]}x{SIZE[1]}:rate={FPS}:duration=3",
                "-c:v", "libx264", "-pix_fmt", "yuv420p", str(clip)], what="making a clip")
    slides = [slide(tmp_path / f"c{n}.png", 20 + n) for n in range(2)]
    shots = [Shot(slides[0], 24, clip=clip), Shot(slides[1], 12)]
    cut_video, faded_video = tmp_path / "cut.webm", tmp_path / "faded.webm"
    render_video(shots, cut_video, fps=FPS, quality="high")
    render_video(with_transitions(shots, 6), faded_video, fps=FPS, quality="high")
    plain, faded = frames_of(cut_video), frames_of(faded_video)
    assert len(plain) == len(faded) == 36
    distance = float(np.sqrt(((plain[24] - plain[18]) ** 2).mean()))
    for i in range(6):  # the clip's own frames, blended into the next scene's first
        w, off = weight(faded[18 + i], plain[18 + i], plain[24])
        assert w == pytest.approx((i + 1) / 7, abs=0.05) and off < 0.15 * distance, i
