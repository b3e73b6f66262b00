"""A scene clip's own sound, mixed under the narration ("clip_audio: mix").

The clip's sound is decoded to the narration's format (mono 16-bit PCM at NARRATION_RATE),
looped or trimmed to its scene exactly as the picture is, and added into the joined narration
at the scene's first sample, UNDER_VOICE quieter. The narration stays one WAV that is encoded
once per format, so the sound starts on the exact frame of every cut, as all sound does here.
"""

from __future__ import annotations

import wave
from collections.abc import Sequence
from pathlib import Path

import av
import numpy as np

from reelflow.engine.audio import NARRATION_RATE, SAMPLE_WIDTH
from reelflow.engine.ffmpeg import run_ffmpeg
from reelflow.errors import RenderFailed
from reelflow.files import atomic_output

UNDER_VOICE = 0.3  # about -10.5 dB: heard, and never louder than the voice over it


def has_sound(clip: Path) -> bool:
    """Whether the clip has an audio stream."""
    try:
        with av.open(str(clip)) as container:
            return bool(container.streams.audio)
    except av.error.FFmpegError:
        return False


def clip_samples(clip: Path, samples: int, work: Path) -> np.ndarray:
    """Returns the clip's sound as ``samples`` int16 mono samples at NARRATION_RATE, looped
    when the clip is shorter and cut when it is longer. Raises RenderFailed."""
    raw = work / f"{clip.stem}-sound.pcm"
    run_ffmpeg(["-stream_loop", "-1", "-i", str(clip), "-vn", "-ac", "1",
                "-ar", str(NARRATION_RATE), "-t", f"{samples / NARRATION_RATE:.6f}",
                "-c:a", "pcm_s16le", "-f", "s16le", str(raw)],
               what=f"reading the sound of the clip {clip.name}")
    data = np.fromfile(raw, dtype="<i2")
    raw.unlink(missing_ok=True)
    out = np.zeros(samples, dtype=np.int16)
    out[:min(samples, data.size)] = data[:samples]
    return out


def mix_under(narration: Path, clips: Sequence[tuple[Path, int, int]], work: Path,
              gain: float = UNDER_VOICE) -> None:
    """Adds each clip's sound (clip, first sample, samples) at ``gain`` into the narration
    WAV, in place. Clips without sound are skipped. Raises RenderFailed."""
    wanted = [(clip, first, count) for clip, first, count in clips if count > 0
              and has_sound(clip)]
    if not wanted:
        return
    try:
        with wave.open(str(narration), "rb") as wav:
            params = wav.getparams()
            voice = np.frombuffer(wav.readframes(params.nframes), dtype="<i2").astype(np.int32)
    except (OSError, EOFError, wave.Error) as exc:
        raise RenderFailed(f"cannot read the narration {narration.name}: {exc}") from exc
    if params.sampwidth != SAMPLE_WIDTH or params.nchannels != 1:
        raise RenderFailed(f"{narration.name} is not mono 16-bit PCM")
    for clip, first, count in wanted:
        end = min(voice.size, first + count)
        if end > first:
            sound = clip_samples(clip, end - first, work).astype(np.int32)
            voice[first:end] += np.round(sound * gain).astype(np.int32)
    mixed = np.clip(voice, -32768, 32767).astype("<i2")
    with atomic_output(narration) as temp, wave.open(str(temp), "wb") as out:
        out.setparams(params)
        out.writeframes(mixed.tobytes())
