"""The corpus's run parameters, as a stranger sends them to the generate-video flow: each run
fails at once with a message naming the problem, before any job or file exists."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from reelflow.flows.generate_video import generate_video
from reelflow.services.runtime import database
from reelflow.settings import Settings
from reelflow.storage.identity import MARKER
from tests.corpus import REFUSED_RUN_PARAMETERS

pytestmark = pytest.mark.usefixtures("prefect_server")


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("REELFLOW_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("REELFLOW_SCRIPT_DIRS", raising=False)
    return Settings.from_env()


def test_the_corpus_holds_a_dozen_hostile_run_parameters() -> None:
    assert len(REFUSED_RUN_PARAMETERS) >= 12


@pytest.mark.parametrize(("parameters", "says"), REFUSED_RUN_PARAMETERS,
                         ids=lambda value: str(value)[:40])
def test_a_hostile_parameter_fails_the_run_before_any_job_or_file(
        settings: Settings, parameters: dict[str, Any], says: str) -> None:
    state = generate_video(**parameters, return_state=True)
    assert state.is_failed()
    error = state.result(raise_on_failure=False)
    told = f"{state.message} {error}"
    assert says in told, told
    with database(settings).unit_of_work(read_only=True) as uow:
        assert uow.jobs.list() == []
    left = [p for p in settings.media_root.rglob("*") if p.is_file() and p.name != MARKER]
    assert left == []
