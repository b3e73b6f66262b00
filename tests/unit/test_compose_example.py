"""docs/compose.yaml, the many-workers example, stays a valid file whose reelflow commands and
settings exist."""

from __future__ import annotations

from pathlib import Path

import yaml

from reelflow.deployments.cli import parser
from reelflow.settings import Settings

COMPOSE = Path(__file__).resolve().parents[2] / "docs" / "compose.yaml"


def test_every_reelflow_service_runs_a_command_the_cli_accepts_with_settings_it_reads() -> None:
    services = yaml.safe_load(COMPOSE.read_text("utf-8"))["services"]
    ours = {name: spec for name, spec in services.items() if "REELFLOW_IMAGE" in spec["image"]}
    assert set(ours) == {"deploy", "worker", "web"}
    for spec in ours.values():
        command = spec["command"]
        assert command[0] == "reelflow"
        parser().parse_args(command[1:])
        settings = Settings.from_env(spec["environment"])
        assert settings.database_url.startswith("postgresql")
        assert settings.max_renders == 8
    worker = ours["worker"]
    assert worker["stop_signal"] == "SIGINT"  # the worker hands its runs back, not killed


def test_prefect_runs_on_its_own_postgresql_through_asyncpg() -> None:
    server = yaml.safe_load(COMPOSE.read_text("utf-8"))["services"]["prefect-server"]
    assert server["environment"]["PREFECT_API_DATABASE_CONNECTION_URL"].startswith(
        "postgresql+asyncpg://")
