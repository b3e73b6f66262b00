"""Where a job's tasks run: the settings that choose it and the runner each run gets."""

from __future__ import annotations

import pickle
import uuid
from pathlib import Path

import pytest
from prefect.task_runners import ThreadPoolTaskRunner
from prefect_dask.task_runners import DaskTaskRunner

from reelflow.engine.compose import RenderReport
from reelflow.engine.encoder import EncoderSettings
from reelflow.engine.script import RenderSettings, Scene
from reelflow.engine.shots import Piece
from reelflow.engine.speech import Narration, Sentence
from reelflow.errors import InvalidArgument
from reelflow.flows.runners import SettingsTaskRunner, task_runner
from reelflow.services.compose import PlannedVideo, RenderPlan
from reelflow.services.intake import SceneImage
from reelflow.services.soundtrack import Soundtrack
from reelflow.settings import Settings


def test_tasks_run_in_threads_unless_the_settings_say_dask(tmp_path: Path) -> None:
    settings = Settings.from_env({}, cwd=tmp_path)
    assert (settings.task_runner, settings.dask_address, settings.dask_workers) == (
        "thread", "", 2)
    assert isinstance(task_runner(settings), ThreadPoolTaskRunner)


def test_dask_without_an_address_is_a_local_cluster_of_the_workers_asked_for(
        tmp_path: Path) -> None:
    settings = Settings.from_env({"REELFLOW_TASK_RUNNER": "Dask ",
                                  "REELFLOW_DASK_WORKERS": "3"}, cwd=tmp_path)
    runner = task_runner(settings)
    assert isinstance(runner, DaskTaskRunner) and runner.address is None
    assert runner.cluster_kwargs == {"n_workers": 3, "threads_per_worker": 1,
                                     "processes": True, "dashboard_address": None}


def test_dask_with_an_address_uses_that_scheduler(tmp_path: Path) -> None:
    settings = Settings.from_env({"REELFLOW_TASK_RUNNER": "dask",
                                  "REELFLOW_DASK_ADDRESS": " tcp://10.0.0.5:8786 "},
                                 cwd=tmp_path)
    runner = task_runner(settings)
    assert isinstance(runner, DaskTaskRunner)
    assert (runner.address, runner.cluster_kwargs) == ("tcp://10.0.0.5:8786", {})


@pytest.mark.parametrize(("name", "value"), [("REELFLOW_TASK_RUNNER", "ray"),
                                             ("REELFLOW_DASK_WORKERS", "0"),
                                             ("REELFLOW_DASK_WORKERS", "two")])
def test_a_malformed_runner_setting_is_refused_naming_the_variable(
        tmp_path: Path, name: str, value: str) -> None:
    with pytest.raises(InvalidArgument, match=name):
        Settings.from_env({name: value}, cwd=tmp_path)


def test_each_run_gets_the_runner_the_settings_name_when_it_starts(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    chooser = SettingsTaskRunner()
    monkeypatch.setenv("REELFLOW_HOME", str(tmp_path))
    monkeypatch.delenv("REELFLOW_TASK_RUNNER", raising=False)
    assert isinstance(chooser.duplicate(), ThreadPoolTaskRunner)
    monkeypatch.setenv("REELFLOW_TASK_RUNNER", "dask")
    assert isinstance(chooser.duplicate(), DaskTaskRunner)
    with pytest.raises(RuntimeError, match="only chooses"):
        chooser.submit(object(), {})


def test_the_per_scene_tasks_get_the_settings_without_the_tokens(tmp_path: Path) -> None:
    settings = Settings.from_env({"REELFLOW_READ_TOKENS": "a-reader-of-16-chars",
                                  "REELFLOW_ADMIN_TOKENS": "an-admin-of-16-chars"}, cwd=tmp_path)
    bare = settings.without_tokens()
    assert bare.read_tokens == bare.admin_tokens == ()
    assert bare.model_copy(update={"read_tokens": settings.read_tokens,
                                   "admin_tokens": settings.admin_tokens}) == settings


def test_everything_a_task_takes_or_returns_survives_pickling(tmp_path: Path) -> None:
    # Dask hands arguments and results between processes by pickling them.
    values = [
        Settings.from_env({"REELFLOW_ADMIN_TOKENS": "a-secret-of-16-chars"}, cwd=tmp_path),
        RenderSettings(), Scene(heading="One", narration="Hello there.", duration=2.0),
        Narration(tmp_path / "a.wav", 1.5, 22050, "piper", "joe",
                  (Sentence("Hello there.", 0.0, 1.5),)),
        EncoderSettings(320, 180, 24, "draft", 1),
        Piece({"mp4": tmp_path / "shot-0000.h264"}, 36, 1, 0.01),
        Soundtrack({"mp4": tmp_path / "sound-mp4.mp4"}, tmp_path / "captions.srt", 0.2),
        SceneImage(str(tmp_path / "p.png"), "p.png", False, 320, 180, ".png"),
        uuid.uuid4(),
    ]
    for value in values:
        assert pickle.loads(pickle.dumps(value)) == value
    plan = RenderPlan((PlannedVideo(uuid.uuid4(), tmp_path / "v.mp4", "mp4"),), 1.5, 36, 24,
                      "320x180", True, True, RenderReport(36, 1, 1, 0.01, 0.1, 1))
    assert pickle.loads(pickle.dumps(plan)) == plan
