"""Renders a workload with reelflow's engine: ``python -m bench.ours MANIFEST OUTPUT...
[--music=FILE] [--crossfade=SECONDS]`` (one output per format: its suffix, .mp4 or .webm,
names it; with music under the narration, and crossfades between the scenes).

This is what the harness times in a subprocess: joining the narration, drawing captions and
encoding the video with the engine's one-call render (engine/compose.py), the same shot
encodes and join that a job's encode-shot and join-video tasks run.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from bench.inputs import Workload
from reelflow.engine.audio import NARRATION_RATE, join_padded, wav_seconds
from reelflow.engine.burned_captions import spans_for
from reelflow.engine.captions import Cue
from reelflow.engine.compose import Shot, render_video
from reelflow.engine.music import mix_music, speech_spans
from reelflow.engine.timeline import SceneSlot, total_seconds
from reelflow.engine.transitions import crossfade_frames, with_transitions
from reelflow.vocabulary import Quality


def render(workload: Workload, target: Path | list[Path],
           quality: Quality = "standard", music: Path | None = None,
           crossfade: float = 0.0) -> None:
    """Renders ``workload`` to ``target`` (or each of several targets) with the engine, with
    ``music`` mixed under the narration and crossfades of ``crossfade`` seconds (0: cuts)."""
    slots = [SceneSlot(n, scene.start_frame, scene.frames, workload.fps)
             for n, scene in enumerate(workload.scenes)]
    shots = []
    for scene, slot in zip(workload.scenes, slots, strict=True):
        cues = [Cue(start, end, text) for text, start, end in scene.cues]
        spans = spans_for(cues, slot.start_frame, slot.frames, workload.fps) \
            if workload.captions else ()
        shots.append(Shot(Path(scene.slide), slot.frames, spans,
                          "kenburns" if workload.zoom else "none"))
    first = target if isinstance(target, Path) else target[0]
    with tempfile.TemporaryDirectory(dir=first.parent) as scratch:
        audio = Path(scratch) / "narration.wav"
        join_padded([(Path(scene.narration), slot.samples(NARRATION_RATE))
                     for scene, slot in zip(workload.scenes, slots, strict=True)], audio)
        if music is not None:
            spoken = [wav_seconds(Path(scene.narration)) for scene in workload.scenes]
            mixed = Path(scratch) / "mix.wav"
            mix_music(audio, music, speech_spans(slots, spoken), total_seconds(slots), -12.0,
                      mixed)
            audio = mixed
        pieces = with_transitions(shots, crossfade_frames(
            "crossfade" if crossfade else "cut", crossfade, workload.fps))
        render_video(pieces, target, fps=workload.fps, quality=quality, audio=audio,
                     size=(workload.width, workload.height))


def _option(name: str) -> str | None:
    return next((arg.split("=", 1)[1] for arg in sys.argv[2:]
                 if arg.startswith(f"--{name}=")), None)


if __name__ == "__main__":
    song, fade = _option("music"), _option("crossfade")
    render(Workload.load(Path(sys.argv[1])),
           [Path(name) for name in sys.argv[2:] if not name.startswith("--")],
           music=Path(song) if song else None, crossfade=float(fade or 0))
