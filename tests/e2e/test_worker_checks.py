"""``reelflow worker`` refuses to start, with one line and exit status 1, when a run on it could
not work: an unreachable database, one that records no media root, a media root that is not
the shared one (or not at the same path), or one it cannot write."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.e2e.conftest import run
from tests.mounts import read_only_view


@pytest.fixture
def deployed(env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    """A server side set up by ``reelflow deploy`` on a SQLite app database."""
    env = {**env, "REELFLOW_DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}",
           "REELFLOW_MEDIA_ROOT": str(tmp_path / "shared")}
    done = run(["deploy"], env)
    assert done.returncode == 0, done.stderr
    assert "work pool:   reelflow" in done.stdout
    return env


def refusal(env: dict[str, str]) -> str:
    done = run(["worker", "--limit", "1"], env, timeout=120)
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    return lines[0]


def test_a_worker_on_a_local_folder_instead_of_the_shared_media_root_is_refused(
        deployed: dict[str, str], tmp_path: Path) -> None:
    line = refusal({**deployed, "REELFLOW_MEDIA_ROOT": str(tmp_path / "local")})
    assert "is not the shared one" in line and "has no marker .reelflow-media-root" in line


def test_a_worker_seeing_the_shared_media_root_at_another_path_is_refused(
        deployed: dict[str, str], tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(tmp_path / "shared", copy)  # the same marker, seen at another path
    line = refusal({**deployed, "REELFLOW_MEDIA_ROOT": str(copy)})
    assert "mount it at the same path on every machine" in line


def test_a_worker_whose_database_records_no_media_root_is_told_to_deploy_first(
        env: dict[str, str], tmp_path: Path) -> None:
    line = refusal({**env, "REELFLOW_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}"})
    assert "reelflow deploy" in line


def test_a_worker_whose_database_does_not_answer_is_refused(env: dict[str, str]) -> None:
    line = refusal({**env, "REELFLOW_DATABASE_URL":
                    "postgresql+psycopg2://nobody@127.0.0.1:1/nothing"})
    assert line.startswith("reelflow: failed: cannot reach the database") or \
        "cannot read the database" in line


def test_a_worker_that_cannot_write_the_media_root_is_refused(
        deployed: dict[str, str], tmp_path: Path) -> None:
    temp = tmp_path / "shared" / "temp"
    with read_only_view(temp, temp):  # root writes through permissions, not a read-only mount
        line = refusal(deployed)
    assert "the media root cannot be written" in line
