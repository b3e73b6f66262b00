"""The temporary Prefect server's own settings: checks done once per data directory and
Prefect version are skipped after the first start."""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

import pytest

from reelflow.deployments.local_server import _prepared_env
from reelflow.deployments.prefect_env import PREFECT_FOLDER, starts_at_once
from reelflow.settings import Settings

SKIPS = ("PREFECT_API_DATABASE_MIGRATE_ON_START", "PREFECT_API_BLOCKS_REGISTER_ON_START")


@pytest.fixture(autouse=True)
def _no_user_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (*SKIPS, "PREFECT_API_DATABASE_CONNECTION_URL"):
        monkeypatch.delenv(name, raising=False)


def test_the_first_start_migrates_and_registers_and_the_next_ones_skip_both() -> None:
    first, later = _prepared_env(first=True), _prepared_env(first=False)
    assert not set(SKIPS) & set(first)
    assert [later[name] for name in SKIPS] == ["false", "false"]
    assert first["PREFECT_UI_ENABLED"] == later["PREFECT_UI_ENABLED"] == "0"


def test_the_users_own_choice_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PREFECT_API_BLOCKS_REGISTER_ON_START", "true")
    later = _prepared_env(first=False)
    assert later["PREFECT_API_BLOCKS_REGISTER_ON_START"] == "true"
    assert later["PREFECT_API_DATABASE_MIGRATE_ON_START"] == "false"


def test_another_database_named_by_the_user_is_checked_at_every_start(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PREFECT_API_DATABASE_CONNECTION_URL", "postgresql+asyncpg://db/prefect")
    assert not set(SKIPS) & set(_prepared_env(first=False))


def test_the_server_starts_at_once_only_after_a_first_start_here(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A first start (creating Prefect's database) is waited for: `reelflow render` starts
    the server before checking the script only when no such wait is to come."""
    for name in ("PREFECT_API_URL", "PREFECT_HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("REELFLOW_HOME", str(tmp_path))
    settings = Settings.from_env()
    assert not starts_at_once(settings)  # nothing has started here
    home = tmp_path / PREFECT_FOLDER
    home.mkdir()
    (home / f".reelflow-server-ready-{version('prefect')}").touch()
    assert starts_at_once(settings)
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "elsewhere"))
    assert not starts_at_once(settings)  # Prefect's own folder, where none has started
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:1/api")
    assert starts_at_once(settings)  # a server to use: nothing to start
