"""Clear failures of the environment: a bad, unreachable or read-only database, a media root
that cannot be made, another installation's media root, a storage folder that is a link, bad
numbers. Each is one line on stderr with a documented exit code, never a traceback."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import run
from tests.mounts import read_only_view


def one_line(done: subprocess.CompletedProcess[str], code: int, *parts: str) -> str:
    lines = done.stderr.splitlines()
    assert done.returncode == code, done.stderr
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    for part in parts:
        assert part in lines[0], lines[0]
    return lines[0]


@pytest.mark.parametrize(("url", "says"), [
    ("garbage", "not a database URL: 'garbage'"),
    ("mysql://someone@db/reelflow", "works with sqlite:/// and postgresql://"),
    ("postgresql://someone:secret@127.0.0.1:1/reelflow",
     "postgresql://someone:***@127.0.0.1:1/reelflow"),
])
def test_a_bad_or_unreachable_database_is_one_line_at_start(
        env: dict[str, str], tmp_path: Path, url: str, says: str) -> None:
    script = tmp_path / "s.md"
    script.write_text("Hello.\n")
    for command in (["jobs"], ["render", str(script)]):
        line = one_line(run(command, {**env, "REELFLOW_DATABASE_URL": url}, timeout=60), 1, says)
        assert "secret" not in line


@pytest.fixture
def read_only_home(env: dict[str, str], tmp_path: Path) -> Iterator[Path]:
    """A data directory made by a first command, then mounted read-only elsewhere."""
    made = tmp_path / "made"
    assert run(["jobs"], {**env, "REELFLOW_HOME": str(made)}).returncode == 0
    with read_only_view(made, tmp_path / "read-only") as mounted:
        yield mounted


def test_a_read_only_database_serves_reading_commands_and_refuses_a_render_at_start(
        env: dict[str, str], read_only_home: Path, tmp_path: Path) -> None:
    env = {**env, "REELFLOW_HOME": str(read_only_home)}
    for command in (["jobs"], ["jobs", "--json"], ["storage"]):
        done = run(command, env)
        assert done.returncode == 0 and done.stderr == "", done.stderr
    script = tmp_path / "s.md"
    script.write_text("Hello.\n")
    one_line(run(["render", str(script)], env, timeout=60), 1,
             "cannot write to the database", "readonly")


def test_a_media_root_that_cannot_be_made_is_named(env: dict[str, str], tmp_path: Path) -> None:
    script = tmp_path / "s.md"
    script.write_text("Hello.\n")
    env = {**env, "REELFLOW_MEDIA_ROOT": "/proc/reelflow-media"}
    one_line(run(["render", str(script)], env, timeout=60), 1,
             "cannot create the storage folder /proc/reelflow-media/")


def test_cleanup_refuses_another_installations_media_root_and_a_linked_folder(
        env: dict[str, str], tmp_path: Path) -> None:
    first = {**env, "REELFLOW_HOME": str(tmp_path / "a")}
    second = {**env, "REELFLOW_HOME": str(tmp_path / "b")}
    assert run(["jobs"], first).returncode == run(["jobs"], second).returncode == 0
    video = tmp_path / "a" / "media" / "videos" / "precious.mp4"
    video.write_bytes(b"a finished video of installation a")
    crossed = {**second, "REELFLOW_MEDIA_ROOT": str(tmp_path / "a" / "media")}
    one_line(run(["cleanup", "--grace-hours", "0"], crossed), 1,
             "refusing to delete", "belongs to another database")
    one_line(run(["storage", "reconcile"], crossed), 1, "refusing to delete")
    assert video.exists()
    temp = tmp_path / "b" / "media" / "temp"
    temp.rmdir()
    temp.symlink_to(tmp_path / "a" / "media" / "videos", target_is_directory=True)
    one_line(run(["cleanup", "--dry-run"], second), 1, f"{temp} is a symbolic link")
    assert video.exists()


@pytest.mark.parametrize("command", [
    ["jobs", "--limit", "0"], ["jobs", "--limit", "-5"], ["jobs", "--limit", "lots"],
    ["jobs", "--limit", "1" + "0" * 30], ["up", "--port", "70000"], ["up", "--limit", "0"],
    ["serve", "--limit", "1000"], ["reconcile", "--stale-after", "-1"],
    ["reconcile", "--stale-after", "nan"], ["reconcile", "--stale-after", "0"],
    ["cleanup", "--grace-hours", "-1"], ["cleanup", "--grace-hours", "inf"],
])
def test_every_numeric_option_is_checked_with_exit_2(env: dict[str, str],
                                                     command: list[str]) -> None:
    one_line(run(command, env, timeout=60), 2, command[-1][:20])


def test_a_malformed_setting_names_its_variable_with_exit_2(env: dict[str, str]) -> None:
    done = run(["jobs"], {**env, "REELFLOW_HEARTBEAT_SECONDS": "soon"})
    one_line(done, 2, "REELFLOW_HEARTBEAT_SECONDS", "'soon'")
