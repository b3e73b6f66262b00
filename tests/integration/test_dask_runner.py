"""One job's per-scene tasks on a Dask cluster: the same video as the default runner."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import av
import pytest

from reelflow.engine.probe import probe
from reelflow.flows.generate_video import generate_video
from reelflow.settings import Settings

SCRIPT = """# Across a cluster

## One
A still scene, spoken first.

## Two
A second still scene, with a little more to say than the first.

## Three
And a third one to end.
"""

pytestmark = pytest.mark.usefixtures("prefect_server")


def _frames(video: Path) -> list[str]:
    with av.open(str(video)) as container:
        return [hashlib.md5(frame.to_ndarray(format="yuv420p").tobytes()).hexdigest()
                for frame in container.decode(video=0)]


def _render(**parameters: Any) -> dict[str, Any]:
    state = generate_video(script=SCRIPT, custom_resolution="320x180", quality_preset="draft",
                           captions="burned", return_state=True, **parameters)
    assert state.is_completed(), state.message
    result: dict[str, Any] = state.result()
    return result


def test_a_job_on_a_two_worker_local_cluster_makes_the_same_video_as_the_thread_runner(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REELFLOW_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("REELFLOW_DATABASE_URL", raising=False)
    monkeypatch.delenv("REELFLOW_TASK_RUNNER", raising=False)
    threads = _render()

    # The same media root: the second job's narrations come from the speech cache, so both
    # jobs time their scenes from the same audio. Whatever runs in this process now fails,
    # so the job completes only if its per-scene tasks ran in the cluster's processes.
    monkeypatch.setenv("REELFLOW_TASK_RUNNER", "dask")
    monkeypatch.setenv("REELFLOW_DASK_WORKERS", "2")

    def not_here(*args: object, **kwargs: object) -> None:
        raise AssertionError("a per-scene task ran in the flow's process")

    for name in ("reelflow.services.shots.encode_piece", "reelflow.services.media.narrate",
                 "reelflow.services.media.draw"):
        monkeypatch.setattr(name, not_here)
    dask = _render()

    ours, theirs = Path(threads["video"]["file_path"]), Path(dask["video"]["file_path"])
    assert ours != theirs
    first, second = probe(ours), probe(theirs)
    assert first.frames == second.frames > 0
    assert first.video_duration == second.video_duration
    assert first.audio_duration == pytest.approx(second.audio_duration, abs=1e-3)
    # Every scene is still (captions burned in): every decoded frame is the same.
    assert _frames(ours) == _frames(theirs)
    assert Settings.from_env().task_runner == "dask"
