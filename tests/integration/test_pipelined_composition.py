"""Composition pipelined with narration: shots encode while later scenes are still spoken,
and the video is the one the whole timeline plans."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

from reelflow.db.session import Database
from reelflow.db.states import JobStatus, StorageType
from reelflow.engine.probe import probe
from reelflow.errors import RenderFailed
from reelflow.flows.generate_video import generate_video
from reelflow.services import media, shots
from reelflow.settings import Settings
from reelflow.storage.layout import MediaLayout

THREE_SCENES = """# Three scenes

## First
The first scene is short.

## Second
The second scene says a little more than the first one did.

## Third
And the third scene ends it.
"""

pytestmark = pytest.mark.usefixtures("prefect_server")


def test_a_shot_is_encoded_while_a_later_scene_is_still_being_narrated(
        settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    # The last scene's narration is held back until some shot has started encoding: with
    # composition after all narration, no shot could start and the wait would run out.
    shot_started = threading.Event()
    released: list[bool] = []
    encode, narrate = shots.encode_piece, media.narrate

    def encode_noting_the_start(*args: Any, **kwargs: Any) -> Any:
        shot_started.set()
        return encode(*args, **kwargs)

    def narrate_the_last_scene_late(*args: Any, **kwargs: Any) -> Any:
        if args[2] == 2:  # scene 3, from 0
            released.append(shot_started.wait(timeout=120))
        return narrate(*args, **kwargs)

    monkeypatch.setattr("reelflow.services.shots.encode_piece", encode_noting_the_start)
    monkeypatch.setattr("reelflow.services.media.narrate", narrate_the_last_scene_late)
    state = generate_video(script=THREE_SCENES, custom_resolution="320x180",
                           quality_preset="draft", captions="burned", return_state=True)
    assert state.is_completed(), state.message
    assert released == [True]

    run_id = state.state_details.flow_run_id
    with get_client(sync_client=True) as client:
        runs = client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[run_id])))
    times = {r.name: (r.start_time, r.end_time) for r in runs}
    first_encode = min(start for name, (start, _) in times.items()
                       if name.startswith("encode shot") and start is not None)
    last_narration_end = times["narrate scene 3"][1]
    assert last_narration_end is not None and first_encode < last_narration_end

    # The video is still exactly the planned timeline: frames and length from the narration.
    result = state.result()
    database = Database.open(settings.database_url)
    with database.unit_of_work() as uow:
        job = uow.jobs.get(run_id)
        assert job.status == JobStatus.COMPLETED
        usage = job.resource_usage or {}
        audio = sorted(a.duration or 0.0 for a in uow.assets.for_job(run_id)
                       if a.asset_type.value == "AUDIO")
    found = probe(Path(result["video"]["file_path"]))
    assert found.frames == usage["frames"]
    assert found.video_duration == pytest.approx(sum(audio) + 3 * 0.6, abs=0.1)
    assert found.audio_duration == pytest.approx(found.video_duration, abs=0.1)
    assert list(MediaLayout(settings.media_root).folder(StorageType.TEMP).iterdir()) == []


def test_a_shot_that_fails_fails_the_job_and_leaves_no_scratch_or_video(
        settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RenderFailed("the shot's encoder gave up")

    monkeypatch.setattr("reelflow.services.shots.encode_piece", broken)
    state = generate_video(script=THREE_SCENES, custom_resolution="320x180",
                           quality_preset="draft", return_state=True)
    assert state.is_failed()
    with Database.open(settings.database_url).unit_of_work() as uow:
        job = uow.jobs.get(state.state_details.flow_run_id)
        assert job.status == JobStatus.FAILED
        assert "the shot's encoder gave up" in (job.error_message or "")
    layout = MediaLayout(settings.media_root)
    assert list(layout.folder(StorageType.TEMP).iterdir()) == []
    assert list(layout.folder(StorageType.VIDEOS).iterdir()) == []
