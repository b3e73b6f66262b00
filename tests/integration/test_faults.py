"""Faults inside a job: a speech engine that fails k times, and gTTS without a network."""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from reelflow.db.states import AssetType, JobStatus, StorageType
from reelflow.engine.speech.fake import FakeEngine
from reelflow.errors import SpeechFailed
from reelflow.flows.generate_video import generate_video
from reelflow.services.runtime import database
from reelflow.settings import Settings
from reelflow.storage.accounting import measure
from reelflow.storage.layout import MediaLayout

pytestmark = pytest.mark.usefixtures("prefect_server")
NARRATE_RETRIES = 2  # tasks/media.py: narrate-scene


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("REELFLOW_HOME", str(tmp_path / "home"))
    return Settings.from_env()


class FlakyEngine(FakeEngine):
    """Fails its first ``failures`` calls (after writing half a file, as a crash would)."""

    def __init__(self, failures: int, counter: list[int]) -> None:
        super().__init__("piper")
        self._failures, self._counter = failures, counter

    def synthesize(self, text: str, speed: float, target: Path) -> list[tuple[str, float]]:
        self._counter.append(1)
        if len(self._counter) <= self._failures:
            target.write_bytes(b"RIFF half a file")
            raise SpeechFailed(f"flaky engine: failure {len(self._counter)}")
        return super().synthesize(text, speed, target)


def task_state_names(run_id: uuid.UUID, task: str) -> list[str]:
    """The names of the states one task run of the flow run went through, in order."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    with get_client(sync_client=True) as client:
        runs = client.read_task_runs(flow_run_filter=FlowRunFilter(
            id=FlowRunFilterId(any_=[run_id])))
        mine = [run for run in runs if run.name == task]
        assert len(mine) == 1, [run.name for run in runs]
        states = client.read_task_run_states(mine[0].id)
    return [state.name for state in sorted(states, key=lambda s: s.timestamp)]


@pytest.mark.parametrize("failures", range(NARRATE_RETRIES + 2))
def test_a_speech_engine_failing_k_times_gives_the_expected_history_and_one_asset(
        settings: Settings, monkeypatch: pytest.MonkeyPatch, failures: int) -> None:
    calls: list[int] = []
    monkeypatch.setattr("reelflow.services.media.build_engine",
                        lambda name, language: FlakyEngine(failures, calls))
    state = generate_video(script="# Flaky\n\nOne scene to say.\n", custom_resolution="160x90",
                           quality_preset="draft", return_state=True)
    run_id = state.state_details.flow_run_id
    expected_ok = failures <= NARRATE_RETRIES
    assert state.is_completed() == expected_ok
    assert len(calls) == min(failures + 1, NARRATE_RETRIES + 1)
    retries = ["AwaitingRetry", "Retrying"] * min(failures, NARRATE_RETRIES)
    assert task_state_names(run_id, "narrate scene 1") == [
        "Pending", "Running", *retries, "Completed" if expected_ok else "Failed"]
    media = MediaLayout(settings.media_root)
    with database(settings).unit_of_work(read_only=True) as uow:
        job = uow.jobs.get(run_id)
        assets = uow.assets.for_job(run_id)
        audio = [a for a in assets if a.asset_type == AssetType.AUDIO]
        counted = {r.storage_type: (r.total_size_bytes, r.file_count) for r in uow.storage.all()}
    assert job.status == (JobStatus.COMPLETED if expected_ok else JobStatus.FAILED)
    assert len(audio) == (1 if expected_ok else 0)
    folder = media.narration(run_id, 0).parent
    on_disk = sorted(p.name for p in folder.iterdir()) if folder.exists() else []
    assert on_disk == (["scene-001.wav"] if expected_ok else [])
    if not expected_ok:
        assert "flaky engine: failure 3" in (job.error_message or "")
    for kind in StorageType:
        assert counted[kind] == measure(media.folder(kind)), kind


def test_gtts_without_a_network_falls_back_to_piper_within_its_timeout(
        settings: Settings) -> None:
    started = time.monotonic()
    state = generate_video(script="# Fallback\n\nSpoken by the second engine.\n",
                           custom_resolution="160x90", quality_preset="draft",
                           tts="gtts,piper", return_state=True)
    elapsed = time.monotonic() - started
    assert state.is_completed(), state.message
    run_id = state.state_details.flow_run_id
    with database(settings).unit_of_work(read_only=True) as uow:
        audio: list[Any] = [a for a in uow.assets.for_job(run_id)
                            if a.asset_type == AssetType.AUDIO]
    assert len(audio) == 1
    metadata = audio[0].asset_metadata
    assert metadata["engine"] == "piper" and metadata["fallback_from"] == ["gtts"]
    assert elapsed < 15 + 60  # gTTS's own timeout, plus the render itself on a busy machine
