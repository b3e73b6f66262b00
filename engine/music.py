"""Background music under the narration, mixed once into the video's one sound track.

The music is looped or trimmed to the video, faded in and out, and ducked while someone
speaks: DUCK_DB lower from the first to the last sample of every scene's narration, back up
in the pauses between scenes. Its level between scenes is ``volume_db`` relative to the
narration's loudness, whatever level the file was mastered at. The finished mix is brought to
TARGET_LUFS integrated, its true peak kept under CEILING_DBTP.

Why an envelope computed from the timeline and not a compressor keyed by the voice: the
timeline knows, to the sample, when each narration starts and ends, so the music's level is a
pure function of time (``envelope``): the same script always gives the same mix, the music is
down before the first word rather than after the compressor's attack, and it does not pump
on the gaps between words. The envelope is a small 1 kHz signal that ffmpeg resamples and
multiplies into the music (amultiply); the rest is ffmpeg filters, streaming, in C.

Loudness is normalised in two passes: the mix is measured (ebur128), then rendered again with
the gain that brings it to the target; only when that gain would lift the true peak over the
ceiling does a lookahead limiter, run at four times the rate so that it sees the peaks
between samples, hold them down, and then the limited mix is measured once more and the
loudness the limiter took made up. The result is a 48 kHz stereo WAV of exactly the video's
samples, which engine/outputs.py encodes once per format like the narration alone: one
encoder priming for the whole video, so the sound stays on the frame at every cut.
"""

from __future__ import annotations

import math
import time
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from reelflow.engine.ffmpeg import run_ffmpeg
from reelflow.engine.loudness import Loudness, amplitude, gain_to, measure
from reelflow.engine.timeline import SceneSlot
from reelflow.files import atomic_output

MIX_RATE = 48000
ENVELOPE_RATE = 1000
DUCK_DB = 12.0  # how much lower the music plays while someone speaks
RAMP_SECONDS = 0.2  # the music goes down before a narration starts and up after it ends
FADE_IN_SECONDS = 1.5
FADE_OUT_SECONDS = 2.5
TARGET_LUFS = -16.0
# The promise is a true peak of at most -1 dBTP in the finished file; the mix aims lower
# because the AAC and Opus encoders overshoot a little on transients.
CEILING_DBTP = -2.0
_LIMITER_RATE = 4 * MIX_RATE
# A limited mix is measured again and its gain made up, at most this many renders in all,
# until its loudness is within this many LU of the target.
LIMITED_PASSES = 3
LIMITED_TOLERANCE = 0.2
_STEREO = "pan=stereo|c0=c0|c1=c0,aformat=sample_fmts=fltp"
_ANY_TO_STEREO = "aformat=sample_fmts=fltp:channel_layouts=stereo"


@dataclass(frozen=True)
class MixReport:
    """What a mix measured and did: loudness of the narration, the music and the mix before
    the final gain (LUFS, None when absent), the gains applied (dB), whether the limiter ran,
    and the seconds it took."""

    narration_lufs: float | None
    music_lufs: float
    music_gain_db: float
    mix_lufs: float
    gain_db: float
    limited: bool
    seconds: float


def speech_spans(slots: Sequence[SceneSlot], spoken: Sequence[float]
                 ) -> list[tuple[float, float]]:
    """Given the scene slots and each scene's measured narration length in seconds, returns
    the (start, end) seconds of the video during which someone speaks."""
    return [(slot.start, min(slot.end, slot.start + seconds))
            for slot, seconds in zip(slots, spoken, strict=True) if seconds > 0]


def envelope(duration: float, speech: Sequence[tuple[float, float]], *,
             rate: int = ENVELOPE_RATE, duck_db: float = DUCK_DB,
             ramp: float = RAMP_SECONDS) -> np.ndarray:
    """Returns the music's gain (0 to 1, linear) at ``rate`` samples per second over
    ``duration`` seconds: ``duck_db`` down during each speech span (reached ``ramp`` seconds
    before it starts, left over ``ramp`` seconds after it ends, both raised-cosine), faded in
    from silence at the start and out to silence at the end (the fades shortened to a quarter
    of a short video each)."""
    count = math.ceil(duration * rate) + 1
    times = np.arange(count, dtype=np.float64) / rate
    duck = np.zeros(count)
    for start, end in speech:
        first = max(0, math.floor((start - ramp) * rate))
        last = min(count, math.ceil((end + ramp) * rate) + 1)
        if first >= last:
            continue
        near = times[first:last]
        level = np.minimum(np.clip((near - (start - ramp)) / ramp, 0, 1),
                           np.clip(((end + ramp) - near) / ramp, 0, 1))
        duck[first:last] = np.maximum(duck[first:last], 0.5 - 0.5 * np.cos(np.pi * level))
    fade_in = min(FADE_IN_SECONDS, duration / 4)
    fade_out = min(FADE_OUT_SECONDS, duration / 4)
    fade = np.clip(np.minimum(times / fade_in, (duration - times) / fade_out), 0, 1)
    gain: np.ndarray = np.power(10.0, -duck_db * duck / 20) * fade
    return gain


def write_envelope(gain: np.ndarray, target: Path, rate: int = ENVELOPE_RATE) -> None:
    """Writes a 0-1 gain curve as a mono 16-bit WAV at ``rate`` Hz."""
    samples = np.round(np.clip(gain, 0, 1) * 32767).astype("<i2")
    with wave.open(str(target), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples.tobytes())


def mix_music(narration: Path | None, music: Path, speech: Sequence[tuple[float, float]],
              duration: float, volume_db: float, target: Path) -> MixReport:
    """Writes to ``target`` the video's sound: the narration WAV (None: no narration) with
    ``music`` under it as the module says, a 48 kHz stereo 16-bit WAV of exactly
    ``duration`` seconds of samples. Raises RenderFailed when ffmpeg cannot read the music or
    fails."""
    started = time.perf_counter()
    samples = round(duration * MIX_RATE)
    curve = target.with_name(f"{target.stem}-envelope.wav")
    write_envelope(envelope(duration, speech if narration is not None else ()), curve)
    try:
        looped = ["-stream_loop", "-1", "-t", f"{duration + 1:.3f}", "-i", str(music)]
        fit = f"apad=whole_len={samples},atrim=end_sample={samples}"
        heard = measure(looped, f"[0:a]aresample={MIX_RATE},{_ANY_TO_STEREO},{fit}[sound]",
                        what="measuring the music")
        spoken: Loudness | None = None
        if narration is not None:
            spoken = measure(["-i", str(narration)],
                             f"[0:a]aresample={MIX_RATE},{_STEREO},{fit}[sound]",
                             what="measuring the narration")
        music_gain = 0.0
        if spoken is not None and not spoken.silent and not heard.silent:
            music_gain = spoken.integrated + volume_db - heard.integrated
        inputs = [*(["-i", str(narration)] if narration is not None else []), *looped,
                  "-i", str(curve)]
        graph = _mix_graph(narration is not None, music_gain, fit)
        mixed = measure(inputs, graph, what="measuring the mix")
        gain = gain_to(TARGET_LUFS, mixed)
        limited = mixed.true_peak + gain > CEILING_DBTP
        with atomic_output(target) as temp:
            for _ in range(LIMITED_PASSES):
                _write(inputs, graph, gain, limited, fit, temp)
                if not limited:
                    break
                # Holding the peaks down also lowers the loudness a little (0.4 LU for the
                # Piper voice, whose peaks reach 0 dBTP at -19 LUFS): measure, and make up.
                done = measure(["-i", str(temp)], "[0:a]anull[sound]",
                               what="measuring the limited mix")
                if done.silent or abs(TARGET_LUFS - done.integrated) <= LIMITED_TOLERANCE:
                    break
                gain += TARGET_LUFS - done.integrated
    finally:
        curve.unlink(missing_ok=True)
    return MixReport(spoken.integrated if spoken else None, heard.integrated,
                     round(music_gain, 2), mixed.integrated, round(gain, 2), limited,
                     round(time.perf_counter() - started, 3))


def _write(inputs: Sequence[str], graph: str, gain: float, limited: bool, fit: str,
           target: Path) -> None:
    """Renders the mix with ``gain`` dB, through the limiter when ``limited``, to ``target``."""
    final = f"[sound]volume={gain:.4f}dB"
    if limited:
        final += (f",aresample={_LIMITER_RATE},alimiter=limit={amplitude(CEILING_DBTP):.5f}:"
                  f"attack=2:release=60:level=false:latency=true,aresample={MIX_RATE}")
    run_ffmpeg([*inputs, "-filter_complex", f"{graph};{final},{fit}[out]", "-map", "[out]",
                "-c:a", "pcm_s16le", "-f", "wav", str(target)],
               what="mixing the music under the narration")


def _mix_graph(with_narration: bool, music_gain: float, fit: str) -> str:
    """The filter graph from the inputs (narration, if any; music; envelope) to ``[sound]``."""
    first = 1 if with_narration else 0
    graph = [f"[{first}:a]aresample={MIX_RATE},{_ANY_TO_STEREO},volume={music_gain:.4f}dB,"
             f"{fit}[music]",
             f"[{first + 1}:a]aresample={MIX_RATE},{_STEREO},{fit}[curve]",
             "[music][curve]amultiply" + ("[bed]" if with_narration else "[sound]")]
    if with_narration:
        graph += [f"[0:a]aresample={MIX_RATE},{_STEREO},{fit}[voice]",
                  "[voice][bed]amix=inputs=2:duration=first:normalize=0[sound]"]
    return ";".join(graph)
