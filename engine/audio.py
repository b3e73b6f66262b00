"""PCM WAV helpers: measuring, converting and joining narration sample-exactly.

Every narration clip is normalised to NARRATION_RATE Hz, mono, 16-bit, so that scenes can be
joined by copying samples: no encoder priming or padding creeps in at the cuts.
"""

from __future__ import annotations

import wave
from collections.abc import Iterator, Sequence
from pathlib import Path

from reelflow.engine.ffmpeg import run_ffmpeg
from reelflow.errors import RenderFailed
from reelflow.files import atomic_output

NARRATION_RATE = 22050
SAMPLE_WIDTH = 2
_CHUNK_FRAMES = 1 << 16
_SILENCE = b"\x00" * (_CHUNK_FRAMES * SAMPLE_WIDTH)


def wav_info(path: Path) -> tuple[int, int, int]:
    """Returns (sample_rate, channels, frame_count) of a PCM WAV; raises RenderFailed."""
    try:
        with wave.open(str(path), "rb") as wav:
            return wav.getframerate(), wav.getnchannels(), wav.getnframes()
    except (OSError, EOFError, wave.Error) as exc:
        raise RenderFailed(f"cannot read WAV {path}: {exc}") from exc


def wav_seconds(path: Path) -> float:
    """Returns the exact length of a PCM WAV in seconds, from its sample count."""
    rate, _, frames = wav_info(path)
    return frames / rate


def is_narration_format(path: Path) -> bool:
    """True when ``path`` is already mono 16-bit PCM at NARRATION_RATE."""
    try:
        with wave.open(str(path), "rb") as wav:
            return (
                wav.getframerate() == NARRATION_RATE
                and wav.getnchannels() == 1
                and wav.getsampwidth() == SAMPLE_WIDTH
            )
    except (OSError, EOFError, wave.Error):
        return False


def to_narration_wav(source: Path, target: Path) -> None:
    """Decodes any audio file ffmpeg reads into the narration WAV format at ``target``."""
    with atomic_output(target) as temp:
        run_ffmpeg(
            ["-i", str(source), "-vn", "-ac", "1", "-ar", str(NARRATION_RATE),
             "-c:a", "pcm_s16le", "-f", "wav", str(temp)],
            what=f"converting {source.name} to WAV",
        )


def join_padded(parts: Sequence[tuple[Path, int]], target: Path) -> None:
    """Joins narration WAVs into ``target``, each cut or padded with silence to its sample count.

    ``parts`` holds (wav, samples) pairs; the output has exactly ``sum(samples)`` samples, so
    scene n's narration starts at the exact sample where scene n's picture starts.
    Raises RenderFailed when a part is not in the narration format.
    """
    with atomic_output(target) as temp, wave.open(str(temp), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(SAMPLE_WIDTH)
        out.setframerate(NARRATION_RATE)
        for source, samples in parts:
            for chunk in padded_samples(source, samples):
                out.writeframes(chunk)


def padded_samples(source: Path, samples: int) -> Iterator[bytes]:
    """Yields the PCM of the narration WAV ``source``, cut or padded with silence to exactly
    ``samples`` samples, in chunks. Raises RenderFailed when it is not in the narration
    format."""
    if not is_narration_format(source):
        raise RenderFailed(f"{source} is not mono 16-bit WAV at {NARRATION_RATE} Hz")
    written = 0
    with wave.open(str(source), "rb") as wav:
        while written < samples:
            chunk = wav.readframes(min(_CHUNK_FRAMES, samples - written))
            if not chunk:
                break
            yield chunk
            written += len(chunk) // SAMPLE_WIDTH
    while written < samples:
        count = min(_CHUNK_FRAMES, samples - written)
        yield _SILENCE[: count * SAMPLE_WIDTH]
        written += count
