"""Deterministic benchmark inputs: 1080p slides, Piper narration, a frame-exact timeline.

Everything is generated offline from fixed texts and cached in the work directory, so a second
run reuses it. Each workload is written as a JSON manifest that both renderers read.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from reelflow.engine.captions import cues_for
from reelflow.engine.slides import Slide, render_slide
from reelflow.engine.speech import SpeechChain
from reelflow.engine.timeline import plan_timeline

WIDTH, HEIGHT, FPS = 1920, 1080, 24
SCENE_SECONDS = 6.0
PAUSE_SECONDS = 0.6
TITLE = "reelflow benchmark"
TEXTS = (
    "Every scene starts as a sentence. The voice decides how long it stays.",
    "Slides are drawn once with Pillow. They are never redrawn per frame.",
    "Each picture is encoded a single time. Nothing is encoded twice.",
    "Scenes are rendered in parallel. Every core gets a share of the work.",
    "The narration is joined sample by sample. It never drifts at a cut.",
    "Captions follow the sentences. They appear and leave right on time.",
    "A slow zoom gives a still picture life. It must never jitter.",
    "Segments are joined without encoding. The headers must match exactly.",
    "Memory stays flat as videos grow. Only one scene is held at a time.",
    "The result is probed before it is kept. Its length is checked to the frame.",
)


@dataclass(frozen=True)
class SceneInput:
    slide: str
    narration: str
    frames: int
    start_frame: int
    cues: list[tuple[str, float, float]]


@dataclass(frozen=True)
class Workload:
    """One benchmark case; ``scenes`` are shared by both renderers."""

    name: str
    width: int
    height: int
    fps: int
    captions: bool
    zoom: bool
    baseline: bool
    scenes: list[SceneInput]

    @property
    def frames(self) -> int:
        return sum(scene.frames for scene in self.scenes)

    def save(self, path: Path) -> Path:
        path.write_text(json.dumps(asdict(self), indent=1), "utf-8")
        return path

    @classmethod
    def load(cls, path: Path) -> Workload:
        data = json.loads(path.read_text("utf-8"))
        scenes = [SceneInput(**{**s, "cues": [tuple(c) for c in s["cues"]]})
                  for s in data.pop("scenes")]
        return cls(**data, scenes=scenes)


def build_scenes(workdir: Path, count: int) -> list[SceneInput]:
    """Returns ``count`` scenes of SCENE_SECONDS each, generating slides and narration as needed.

    Narration cycles through TEXTS; slides are distinct (their heading and page number differ).
    Raises RuntimeError if a narration is too long to fit its scene.
    """
    from reelflow.engine.speech.piper_engine import PiperEngine

    chain = SpeechChain([PiperEngine()], cache_dir=workdir / "speech-cache")
    narrations = []
    for n in range(min(count, len(TEXTS))):
        wav = workdir / "narration" / f"n{n:02d}.wav"
        wav.parent.mkdir(parents=True, exist_ok=True)
        narrations.append(chain.narrate(TEXTS[n], wav))
    picked = [narrations[n % len(narrations)] for n in range(count)]
    slots = plan_timeline([n.duration for n in picked], fps=FPS, pause_seconds=PAUSE_SECONDS,
                          minimum_seconds=[SCENE_SECONDS] * count)
    if any(slot.frames != round(SCENE_SECONDS * FPS) for slot in slots):
        raise RuntimeError("a benchmark narration is longer than its scene; shorten TEXTS")
    scenes = []
    for n, (narration, slot) in enumerate(zip(picked, slots, strict=True)):
        slide = workdir / "slides" / f"{count}-{n:03d}.png"
        if not slide.is_file():
            slide.parent.mkdir(parents=True, exist_ok=True)
            render_slide(Slide(title=TITLE, heading=f"Scene {n + 1}",
                               body=TEXTS[n % len(TEXTS)], index=n + 1, count=count + 1),
                         slide, WIDTH, HEIGHT)
        cues = [(c.text, c.start, c.end) for c in cues_for([(slot.start, narration.sentences)])]
        scenes.append(SceneInput(str(slide), str(narration.path), slot.frames, slot.start_frame,
                                 cues))
    return scenes


def build_workloads(workdir: Path, names: list[str]) -> dict[str, Path]:
    """Writes the manifests of the named workloads (W1..W4); returns their paths by name."""
    workdir.mkdir(parents=True, exist_ok=True)
    short = build_scenes(workdir, 10)
    specs = {
        "W1": (False, False, True, short),
        "W2": (True, False, True, short),
        "W3": (False, True, True, short),
    }
    manifests = {}
    for name in names:
        captions, zoom, baseline, scenes = \
            (False, False, False, build_scenes(workdir, 100)) if name == "W4" else specs[name]
        workload = Workload(name, WIDTH, HEIGHT, FPS, captions, zoom, baseline, scenes)
        manifests[name] = workload.save(workdir / f"{name}.json")
    return manifests
