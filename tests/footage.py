"""Tiny real media for the tests of the user's own footage: made with PyAV and the stdlib."""

from __future__ import annotations

import math
import wave
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from PIL import Image

# Clip frame k is this colour: far apart from each other and from the slides' dark blues.
PALETTE = [(230, 30, 30), (30, 200, 40), (240, 220, 20), (200, 40, 220), (20, 220, 220),
           (250, 130, 0)]


def palette_clip(path: Path, *, fps: int = 6, size: tuple[int, int] = (64, 48),
                 tone: float | None = 440.0, bt709: bool = False) -> Path:
    """Writes an MP4 (H.264, and AAC with a sine of ``tone`` Hz unless None) whose frame k is
    solid PALETTE[k]: len(PALETTE) frames at ``fps``. ``bt709``: converted with BT.709 and
    tagged so in the stream; else converted with BT.601 and untagged, as most tools do."""
    pictures = []
    for colour in PALETTE:
        rgb = np.zeros((size[1], size[0], 3), np.uint8)
        rgb[:] = colour
        pictures.append(rgb)
    with av.open(str(path), "w", format="mp4") as container:
        video = container.add_stream("libx264", rate=fps)
        sound = container.add_stream("aac", rate=44100) if tone is not None else None
        encode_pictures(container, video, pictures, {"preset": "ultrafast", "crf": "10"},
                        "colorprim=bt709:transfer=bt709:colormatrix=bt709" if bt709 else None)
        if sound is not None:
            seconds = len(PALETTE) / fps
            count = int(seconds * 44100)
            samples = (0.5 * np.sin(2 * math.pi * tone * np.arange(count) / 44100))
            block = av.AudioFrame.from_ndarray(samples.astype(np.float32)[None, :],
                                               format="fltp", layout="mono")
            block.sample_rate, block.pts, block.time_base = 44100, 0, Fraction(1, 44100)
            container.mux(sound.encode(block))
            container.mux(sound.encode(None))
    return path


def encode_pictures(container: av.container.OutputContainer, video: av.video.VideoStream,
                    pictures: list[np.ndarray], options: dict[str, str],
                    bt709_params: str | None = None) -> None:
    """Encodes each RGB picture as one frame of ``video`` (yuv420p, ``options``) into
    ``container``. ``bt709_params``: the x264-params that tag the stream BT.709, and each frame
    converted with BT.709; None: converted with BT.601 and untagged, as most tools do."""
    video.width, video.height, video.pix_fmt = pictures[0].shape[1], pictures[0].shape[0], \
        "yuv420p"
    video.options = dict(options)
    if bt709_params is not None:
        video.options["x264-params"] = bt709_params
    for number, rgb in enumerate(pictures):
        frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
        if bt709_params is not None:
            frame = frame.reformat(format="yuv420p", dst_colorspace="ITU709")
        frame.pts = number
        container.mux(video.encode(frame))
    container.mux(video.encode(None))


def tone_wav(path: Path, *, seconds: float, frequency: float, rate: int = 44100) -> Path:
    """Writes a mono 16-bit WAV of a sine of ``frequency`` Hz lasting ``seconds``."""
    count = round(seconds * rate)
    samples = (0.5 * 32767 * np.sin(2 * math.pi * frequency * np.arange(count) / rate))
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples.astype("<i2").tobytes())
    return path


def portrait(path: Path, size: tuple[int, int] = (100, 300)) -> Path:
    """Writes a portrait PNG: red above its middle row, blue below."""
    picture = Image.new("RGB", size, (255, 0, 0))
    picture.paste((0, 0, 255), (0, size[1] // 2, size[0], size[1]))
    picture.save(path)
    return path


def peak_frequency(samples: np.ndarray, rate: int) -> float:
    """The frequency (Hz) with the most energy in ``samples``."""
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(samples.size)))
    return float(np.fft.rfftfreq(samples.size, 1 / rate)[int(np.argmax(spectrum[1:])) + 1])


def decoded_audio(path: Path, rate: int = 48000) -> np.ndarray:
    """Returns the first audio stream of ``path`` as mono float samples at ``rate``."""
    with av.open(str(path)) as container:
        resampler = av.AudioResampler(format="flt", layout="mono", rate=rate)
        parts = [frame.to_ndarray().reshape(-1)
                 for decoded in container.decode(audio=0)
                 for frame in resampler.resample(decoded)]
    return np.concatenate(parts) if parts else np.zeros(0, np.float32)
