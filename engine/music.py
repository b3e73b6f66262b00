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
between samples, hold them down. What is written is measured as it is written, and when the
limiter took enough loudness to miss the target, the mix is rendered again with that made
up. The result is a 48 kHz stereo WAV of exactly the video's
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

from reelflow.engine.ffmpeg import ffmpeg_report
from reelflow.engine.loudness import (
    Loudness,
    amplitude,
    gain_to,
    measure,
    measure_each,
    meter,
    parse_summary,
)
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
CEILING_DBTP = -1.5
_LIMITER_RATE = 4 * MIX_RATE
# The written mix is measured as it is written; while its loudness is further than this from
# the target (the limiter took some), the gain is made up, in at most this many renders.
MAX_PASSES = 3
TOLERANCE_LU = 0.5
_STEREO = "pan=stereo|c0=c0|c1=c0,aformat=sample_fmts=fltp"
_ANY_TO_STEREO = "aformat=sample_fmts=fltp:channel_layouts=stereo"


@dataclass(frozen=True)
class MixReport:
    """What a mix measured and did: loudness of the narration, the music and the mix before
    the final gain (LUFS, None when absent), the gains applied (dB), whether the limiter ran,
    the loudness of the mix written, and the seconds it took."""

    narration_lufs: float | None
    music_lufs: float
    music_gain_db: float
    mix_lufs: float
    gain_db: float
    limited: bool
    final_lufs: float
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
        voiced = ["-i", str(narration)] if narration is not None else []
        looped = ["-stream_loop", "-1", "-t", f"{duration + 1:.3f}", "-i", str(music)]
        fit = f"apad=whole_len={samples},atrim=end_sample={samples}"
        first = len(voiced) // 2
        sources = [f"[{first}:a]aresample={MIX_RATE},{_ANY_TO_STEREO},{fit}[music]"]
        if narration is not None:
            sources.append(f"[0:a]aresample={MIX_RATE},{_STEREO},{fit}[voice]")
        found = measure_each([*voiced, *looped], ";".join(sources),
                             ("music", "voice")[:len(sources)], peak=False,
                             what="measuring the music and the narration")
        heard, spoken = found["music"], found.get("voice")
        music_gain = 0.0
        if spoken is not None and not spoken.silent and not heard.silent:
            music_gain = spoken.integrated + volume_db - heard.integrated
        inputs = [*voiced, *looped, "-i", str(curve)]
        graph = _mix_graph(narration is not None, music_gain, fit)
        mixed = measure(inputs, graph, what="measuring the mix")
        gain = gain_to(TARGET_LUFS, mixed)
        limited, tried = False, []
        with atomic_output(target) as temp:
            for _ in range(MAX_PASSES):
                limited = limited or mixed.true_peak + gain > CEILING_DBTP
                done = _write(inputs, graph, gain, limited, fit, temp)
                tried.append((gain, done.integrated))
                # Holding the peaks down also lowers the loudness (the Piper voice's peaks
                # reach 0 dBTP 16 dB above its loudness in stereo): make it up.
                if done.silent or abs(TARGET_LUFS - done.integrated) <= TOLERANCE_LU:
                    break
                gain += (TARGET_LUFS - done.integrated) / _slope(tried)
    finally:
        curve.unlink(missing_ok=True)
    return MixReport(spoken.integrated if spoken else None, heard.integrated,
                     round(music_gain, 2), mixed.integrated, round(tried[-1][0], 2), limited,
                     tried[-1][1], round(time.perf_counter() - started, 3))


def _slope(tried: Sequence[tuple[float, float]]) -> float:
    """How much the written loudness grew per dB of gain over the last two renders (1 after
    one: a limiter that grips takes part of every dB added)."""
    if len(tried) < 2 or tried[-1][0] == tried[-2][0]:
        return 1.0
    (gain_a, loud_a), (gain_b, loud_b) = tried[-2], tried[-1]
    return min(1.0, max(0.2, (loud_b - loud_a) / (gain_b - gain_a)))


def _write(inputs: Sequence[str], graph: str, gain: float, limited: bool, fit: str,
           target: Path) -> Loudness:
    """Renders the mix with ``gain`` dB, through the limiter when ``limited``, to ``target``,
    and returns the loudness of what it wrote, measured on the way."""
    final = f"[sound]volume={gain:.4f}dB"
    if limited:
        final += (f",aresample={_LIMITER_RATE},alimiter=limit={amplitude(CEILING_DBTP):.5f}:"
                  f"attack=2:release=40:level=false:latency=true,aresample={MIX_RATE}")
    report = ffmpeg_report(
        [*inputs, "-filter_complex",
         f"{graph};{final},{fit},asplit[out][check];[check]{meter('written', False)}[read]",
         "-map", "[out]", "-c:a", "pcm_s16le", "-f", "wav", str(target),
         "-map", "[read]", "-f", "null", "-"], what="mixing the music under the narration")
    return parse_summary(report, "written", "mixing the music under the narration")


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
