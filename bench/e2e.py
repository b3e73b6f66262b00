"""The whole pipeline: ``reelflow render`` of the W1 script, Prefect start-up included.

The W1 script is ten scenes of the benchmark's narration at 1920x1080, 24 fps, each at least
six seconds long. A one-scene warm-up render runs first in the same data directory, so the
measured run pays what a user's second render pays: Prefect's server start-up, Piper's model
load and synthesis of new text (the warm-up says other words), slides, composition,
verification and the database, but not the one-off creation of Prefect's database.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bench.compare import fresh, render_after_warm_up
from bench.inputs import FPS, HEIGHT, SCENE_SECONDS, TEXTS, TITLE, WIDTH
from bench.measure import Measured


def w1_script(captions: str = "soft", motion: str = "none") -> str:
    """Returns the W1 workload as a reelflow YAML script."""
    return yaml.safe_dump({
        "title": TITLE,
        "settings": {"resolution": f"{WIDTH}x{HEIGHT}", "fps": FPS, "captions": captions,
                     "motion": motion},
        "scenes": [{"heading": f"Scene {n + 1}", "narration": text, "duration": SCENE_SECONDS}
                   for n, text in enumerate(TEXTS)],
    }, sort_keys=False)


def run_pipeline(workdir: Path) -> tuple[Measured, dict[str, Any]]:
    """Renders the W1 script through ``reelflow render --json`` in a fresh data directory
    after a warm-up; returns the measured run and its job (status, resource_usage)."""
    script = workdir / "w1.yaml"
    script.write_text(w1_script(), "utf-8")
    measured, job = render_after_warm_up(fresh(workdir / "e2e-home"), script)
    if job.get("status") != "COMPLETED":
        raise RuntimeError(f"the W1 render did not complete: {job}")
    return measured, job
