"""Background music mixed under the narration, checked on the finished files by measuring
them: ffmpeg's ebur128 for loudness and true peak, and the music's own tone in windows of the
decoded sound for the ducking, the looping and the fades. The narration is a 220 Hz tone and
the music a 1800 Hz one, so each can be heard apart from the other."""

from __future__ import annotations

import re
import subprocess
import wave
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from reelflow.engine.audio import NARRATION_RATE, join_padded
from reelflow.engine.compose import Shot, render_video
from reelflow.engine.ffmpeg import ffmpeg_exe, run_ffmpeg
from reelflow.engine.music import mix_music, speech_spans
from reelflow.engine.probe import probe
from reelflow.engine.speech import SpeechChain
from reelflow.engine.speech.fake import FakeEngine
from reelflow.engine.timeline import SceneSlot, plan_timeline, total_seconds

FPS = 24
PAUSE = 1.6  # long pauses, so the music's level between scenes can be measured clear of ramps
VOICE_HZ, MUSIC_HZ = 220.0, 1800.0
TEXTS = ["x" * 25, "y" * 35, "z" * 20]  # 1.5 s, 2.1 s and 1.2 s of narration


def ebur128(path: Path) -> tuple[float, float]:
    """Integrated loudness (LUFS) and true peak (dBTP) of a file's sound, as ffmpeg says."""
    report = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-nostats", "-i", str(path), "-map", "0:a:0", "-af",
         "ebur128=peak=true", "-f", "null", "-"], capture_output=True, text=True,
        check=True).stderr
    summary = report[report.rindex("Summary:"):]
    loudness = re.search(r"I:\s+(-?[\d.]+) LUFS", summary)
    peak = re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary)
    assert loudness is not None and peak is not None
    return float(loudness.group(1)), float(peak.group(1))


def decoded(path: Path) -> tuple[np.ndarray, int, int]:
    """The file's sound as one mono float array, its sample rate and its channel count."""
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        chunks = [frame.to_ndarray() for frame in container.decode(stream)]
        rate, channels = stream.codec_context.sample_rate, stream.codec_context.channels
    pcm = np.concatenate([chunk.reshape(channels, -1) if chunk.shape[0] == channels
                          else chunk.reshape(-1, channels).T for chunk in chunks], axis=1)
    return pcm.mean(axis=0), rate, channels


def level(pcm: np.ndarray, rate: int, start: float, end: float, hertz: float) -> float:
    """The level in dB of the ``hertz`` tone between ``start`` and ``end`` seconds."""
    piece = pcm[round(start * rate):round(end * rate)]
    spectrum = np.abs(np.fft.rfft(piece * np.hanning(len(piece))))
    centre = round(hertz * len(piece) / rate)
    return float(20 * np.log10(spectrum[centre - 2:centre + 3].max() / len(piece) + 1e-12))


def momentary(path: Path, band: str) -> list[tuple[float, float]]:
    """ffmpeg's own momentary loudness (LUFS over the 400 ms ending at t), every 100 ms, of
    the sound passed through the filters ``band``: (t, loudness) pairs."""
    report = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-nostats", "-i", str(path), "-map", "0:a:0", "-af",
         f"{band},ebur128=framelog=info", "-f", "null", "-"], capture_output=True, text=True,
        check=True).stderr
    return [(float(t), float(m)) for t, m in re.findall(
        r"t:\s*([\d.]+)\s+TARGET:-?\d+ LUFS\s+M:\s*(-?[\d.]+)", report)]


def loudness_at(meter: list[tuple[float, float]], seconds: float) -> float:
    """The momentary loudness of the 400 ms centred on ``seconds``."""
    return min(meter, key=lambda point: abs(point[0] - (seconds + 0.2)))[1]


def music_file(path: Path, seconds: float = 2.0) -> Path:
    """A stereo FLAC of a steady tone, shorter than the video, so that it has to loop."""
    run_ffmpeg(["-f", "lavfi", "-i", f"sine=frequency={MUSIC_HZ}:sample_rate=44100:"
                f"duration={seconds}", "-af", "volume=-6dB", "-ac", "2", "-c:a", "flac",
                str(path)], what="making music")
    return path


def render(tmp_path: Path, *, narrated: bool = True
           ) -> tuple[list[Path], list[SceneSlot], list[float]]:
    chain = SpeechChain([FakeEngine()])
    narrations = [chain.narrate(text, tmp_path / f"n{n}.wav") for n, text in enumerate(TEXTS)]
    spoken = [narration.duration for narration in narrations]
    slots = list(plan_timeline(spoken, fps=FPS, pause_seconds=PAUSE))
    voice = None
    if narrated:
        voice = tmp_path / "narration.wav"
        join_padded([(n.path, s.samples(NARRATION_RATE))
                     for n, s in zip(narrations, slots, strict=True)], voice)
    mix = tmp_path / "mix.wav"
    report = mix_music(voice, music_file(tmp_path / "theme.flac"), speech_spans(slots, spoken),
                       total_seconds(slots), -12.0, mix)
    assert report.narration_lufs is not None or not narrated
    slide = tmp_path / "slide.png"
    Image.new("RGB", (64, 36), (40, 90, 160)).save(slide)
    targets = [tmp_path / "out.mp4", tmp_path / "out.webm"]
    render_video([Shot(slide, slot.frames) for slot in slots], targets, fps=FPS,
                 quality="draft", audio=mix)
    return targets, slots, spoken


@pytest.fixture(scope="module")
def videos(tmp_path_factory: pytest.TempPathFactory
           ) -> tuple[list[Path], list[SceneSlot], list[float]]:
    return render(tmp_path_factory.mktemp("music"))


@pytest.mark.parametrize("index", [0, 1], ids=["mp4", "webm"])
def test_the_mix_is_minus_16_lufs_with_its_true_peak_at_most_minus_1_dbtp(
        videos: tuple[list[Path], list[SceneSlot], list[float]], index: int) -> None:
    loudness, peak = ebur128(videos[0][index])
    assert -17.0 <= loudness <= -15.0
    assert peak <= -1.0


@pytest.mark.parametrize("index", [0, 1], ids=["mp4", "webm"])
def test_the_music_is_at_least_10_db_lower_under_speech_than_between_scenes(
        videos: tuple[list[Path], list[SceneSlot], list[float]], index: int) -> None:
    targets, slots, spoken = videos
    pcm, rate, channels = decoded(targets[index])
    assert channels == 2
    under = [level(pcm, rate, s.start + d / 2 - 0.2, s.start + d / 2 + 0.2, MUSIC_HZ)
             for s, d in zip(slots, spoken, strict=True)]
    gaps = [(s.start + d, s.end) for s, d in zip(slots, spoken, strict=True)][:-1]
    between = [level(pcm, rate, (a + b) / 2 - 0.2, (a + b) / 2 + 0.2, MUSIC_HZ)
               for a, b in gaps]
    for n, gap in enumerate(between):
        assert gap - under[n] >= 10, f"scene {n + 1}: {gap - under[n]:.1f} dB"
        assert gap - under[n + 1] >= 10, f"scene {n + 2}: {gap - under[n + 1]:.1f} dB"
    # The same, in loudness as ffmpeg's EBU R128 meter gives it over 400 ms windows, of the
    # music's band alone (three high-pass filters take the 220 Hz narration out).
    meter = momentary(targets[index], "highpass=f=1200,highpass=f=1200,highpass=f=1200")
    speaking = [loudness_at(meter, s.start + d / 2) for s, d in zip(slots, spoken, strict=True)]
    pausing = [loudness_at(meter, (a + b) / 2) for a, b in gaps]
    for n, gap in enumerate(pausing):
        assert gap - speaking[n] >= 10 and gap - speaking[n + 1] >= 10, (n, pausing, speaking)
    # The second pause is past the music file's two seconds: the music looped, as loud as
    # before; and it fades out to (nearly) nothing at the end.
    assert abs(between[1] - between[0]) < 2
    end = total_seconds(slots)
    assert level(pcm, rate, end - 0.15, end, MUSIC_HZ) < between[0] - 10
    # The narration is still there, well above the music under it.
    voice = [level(pcm, rate, s.start + d / 2 - 0.2, s.start + d / 2 + 0.2, VOICE_HZ)
             for s, d in zip(slots, spoken, strict=True)]
    assert min(voice) - max(under) > 15


@pytest.mark.parametrize("index", [0, 1], ids=["mp4", "webm"])
def test_the_narration_still_starts_on_every_cut_with_music_under_it(
        videos: tuple[list[Path], list[SceneSlot], list[float]], index: int) -> None:
    targets, slots, _ = videos
    pcm, rate, _ = decoded(targets[index])
    for slot in slots[1:]:  # the first cut is the start of the file (encoder priming)
        before = level(pcm, rate, slot.start - 0.045, slot.start - 0.005, VOICE_HZ)
        after = level(pcm, rate, slot.start + 0.005, slot.start + 0.045, VOICE_HZ)
        assert after - before > 20, f"scene {slot.index + 1}"
    found = probe(targets[index])
    assert abs(found.audio_duration - found.video_duration) < 0.05
    assert found.frames == sum(slot.frames for slot in slots)


def test_music_alone_plays_at_one_level_and_is_normalised_too(tmp_path: Path) -> None:
    targets, slots, spoken = render(tmp_path, narrated=False)
    pcm, rate, _ = decoded(targets[0])
    middle = [level(pcm, rate, s.start + d / 2 - 0.2, s.start + d / 2 + 0.2, MUSIC_HZ)
              for s, d in zip(slots, spoken, strict=True)][1:]
    assert max(middle) - min(middle) < 1.5  # nothing ducks it without narration
    loudness, peak = ebur128(targets[0])
    assert -17.0 <= loudness <= -15.0 and peak <= -1.0


def test_peaks_above_the_ceiling_are_limited_without_moving_the_sound(tmp_path: Path) -> None:
    """A narration of quiet tone with loud clicks: bringing it to -16 LUFS would push the
    clicks over 0 dBTP, so the limiter runs; the clicks stay on their samples."""
    seconds, clicks = 6.0, [1.0, 2.5, 4.0]
    count = round(seconds * NARRATION_RATE)
    voice = 0.03 * np.sin(2 * np.pi * VOICE_HZ * np.arange(count) / NARRATION_RATE)
    for at in clicks:
        voice[round(at * NARRATION_RATE)] = 0.95
    narration = tmp_path / "clicks.wav"
    with wave.open(str(narration), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(NARRATION_RATE)
        out.writeframes((voice * 32767).astype("<i2").tobytes())
    mix = tmp_path / "mix.wav"
    report = mix_music(narration, music_file(tmp_path / "theme.flac"), [(0.0, seconds)],
                       seconds, -20.0, mix)
    assert report.limited
    pcm, rate, _ = decoded(mix)
    assert len(pcm) == round(seconds * 48000)
    for at in clicks:
        near = np.abs(pcm[round((at - 0.01) * rate):round((at + 0.01) * rate)])
        assert abs(int(np.argmax(near)) - round(0.01 * rate)) <= 3  # samples at 48 kHz
    loudness, peak = ebur128(mix)
    assert -17.0 <= loudness <= -15.0 and peak <= -1.0


def test_music_longer_than_the_video_is_trimmed_to_its_exact_length_and_faded_out(
        tmp_path: Path) -> None:
    seconds = 4.0
    mix = tmp_path / "mix.wav"
    mix_music(None, music_file(tmp_path / "long.flac", seconds=20.0), [], seconds, -12.0, mix)
    pcm, rate, channels = decoded(mix)
    assert (len(pcm), rate, channels) == (round(seconds * 48000), 48000, 2)
    middle = level(pcm, rate, 1.8, 2.2, MUSIC_HZ)
    assert level(pcm, rate, seconds - 0.1, seconds, MUSIC_HZ) < middle - 10
    assert level(pcm, rate, 0.0, 0.1, MUSIC_HZ) < middle - 10


@pytest.mark.parametrize("include_audio", [True, False], ids=["with narration", "music alone"])
def test_a_jobs_soundtrack_has_the_music_with_or_without_the_narration(
        tmp_path: Path, include_audio: bool) -> None:
    import uuid

    from reelflow.engine.script import RenderSettings
    from reelflow.services.soundtrack import mix_narration
    from reelflow.settings import Settings

    settings = Settings(home=tmp_path, database_url=f"sqlite:///{tmp_path / 'unused.db'}",
                        media_root=tmp_path / "media")
    chain = SpeechChain([FakeEngine()])
    narrations = [chain.narrate(text, tmp_path / f"n{n}.wav") for n, text in enumerate(TEXTS)]
    render = RenderSettings(include_audio=include_audio, formats=("mp4", "webm"),
                            captions="off")
    track = mix_narration(settings, uuid.uuid4(), narrations, [None] * 3, render,
                          music_file(tmp_path / "theme.flac"))
    assert track.sounds is not None and set(track.sounds) == {"mp4", "webm"}
    for sound in track.sounds.values():
        pcm, rate, channels = decoded(sound)
        assert channels == 2
        voice = level(pcm, rate, 0.5, 0.9, VOICE_HZ)
        assert (voice > -40) == include_audio  # the narration is there only when asked for
        assert level(pcm, rate, 0.5, 0.9, MUSIC_HZ) > -80
        assert -17.0 <= ebur128(sound)[0] <= -15.0
