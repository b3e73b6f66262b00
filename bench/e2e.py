"""The whole pipeline: ``reelflow render`` of the W1 script, Prefect start-up included.

The W1 script is ten scenes of the benchmark's narration at 1920x1080, 24 fps, each at least
six seconds long. A one-scene warm-up render runs first in the same data directory, so the
measured run pays what a user's second render pays: Prefect's server start-up, Piper's model
load and synthesis of new text (the warm-up says other words), slides, composition,
verification and the database, but not the one-off creation of Prefect's database.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from bench.inputs import FPS, HEIGHT, SCENE_SECONDS, TEXTS, TITLE, WIDTH
from bench.measure import Measured, run_measured

_LOG_TIME = re.compile(r"^(\d\d:\d\d:\d\d\.\d{3}) \|")


def w1_script(captions: str = "soft", motion: str = "none") -> str:
    """Returns the W1 workload as a reelflow YAML script."""
    return yaml.safe_dump({
        "title": TITLE,
        "settings": {"resolution": f"{WIDTH}x{HEIGHT}", "fps": FPS, "captions": captions,
                     "motion": motion},
        "scenes": [{"heading": f"Scene {n + 1}", "narration": text, "duration": SCENE_SECONDS}
                   for n, text in enumerate(TEXTS)],
    }, sort_keys=False)


def _reelflow() -> list[str]:
    return [sys.executable, "-m", "reelflow.deployments.cli"]


def phases(measured: Measured) -> dict[str, float]:
    """Splits the run's wall time at Prefect's own log lines: start-up (command, imports and
    the temporary server, up to the flow run's start), the flow run, and shutting down."""
    marks: dict[str, float] = {}
    day = datetime.fromtimestamp(measured.started).date()
    for line in measured.stderr.splitlines():
        found = _LOG_TIME.match(line)
        if not found:
            continue
        at = datetime.combine(day, datetime.strptime(found[1], "%H:%M:%S.%f").time())
        for mark, text in (("flow_start", "Beginning flow run"), ("flow_end", "Finished in state"),
                           ("stop", "Stopping temporary server")):
            if text in line and ("Flow run" in line or mark == "stop"):
                marks.setdefault(mark, at.timestamp() - measured.started)
    if {"flow_start", "flow_end"} - set(marks):
        return {}
    return {"start-up": marks["flow_start"], "flow run": marks["flow_end"] - marks["flow_start"],
            "shut-down": measured.wall - marks["flow_end"]}


def run_pipeline(workdir: Path) -> tuple[Measured, dict[str, Any]]:
    """Renders the W1 script through ``reelflow render --json`` in a fresh data directory
    after a warm-up; returns the measured run and its resource_usage."""
    home = workdir / "e2e-home"
    shutil.rmtree(home, ignore_errors=True)
    env = {**os.environ, "REELFLOW_HOME": str(home)}
    for name in ("PREFECT_API_URL", "PREFECT_HOME", "REELFLOW_DATABASE_URL",
                 "REELFLOW_MEDIA_ROOT"):
        env.pop(name, None)
    warmup = workdir / "warmup.md"
    warmup.write_text("# Warm-up\n\nOne short scene to create the databases.\n", "utf-8")
    run_measured([*_reelflow(), "render", str(warmup), "--json"], env=env)
    script = workdir / "w1.yaml"
    script.write_text(w1_script(), "utf-8")
    measured = run_measured([*_reelflow(), "render", str(script), "--json"], env=env)
    result = json.loads(measured.stdout.strip().splitlines()[-1])
    if result.get("status") != "COMPLETED":
        raise RuntimeError(f"the W1 render did not complete: {result}")
    usage: dict[str, Any] = result["resource_usage"]
    return measured, usage
