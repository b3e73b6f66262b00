"""The bad-input corpus through ``reelflow render`` as a user runs it: every case renders a valid
video or is refused with exit 2 and one line, no traceback, no unfinished job, no file left."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from reelflow.engine.probe import probe
from reelflow.files import PARTIAL_PREFIX, PARTS_PREFIX
from reelflow.storage.identity import MARKER
from tests.corpus import Case, prepare, script_cases
from tests.e2e.conftest import run

CASES = script_cases()


def test_the_corpus_holds_at_least_fifty_refused_cases_and_some_that_render() -> None:
    refused = [case for case in CASES if case.says is not None]
    assert len(refused) >= 50 and len(CASES) - len(refused) >= 5


def job_statuses(home: Path) -> list[str]:
    """The status of every job in the data directory's SQLite database (none if no file)."""
    path = home / "reelflow.db"
    if not path.exists():
        return []
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        tables = {row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "video_generation_jobs" not in tables:
            return []
        return [row[0] for row in connection.execute("SELECT status FROM video_generation_jobs")]


def media_files(home: Path) -> list[Path]:
    root = home / "media"
    return sorted(p for p in root.rglob("*") if p.is_file() and p.name != MARKER) \
        if root.exists() else []


@pytest.mark.parametrize("case", CASES, ids=lambda case: "-".join(
    [case.script, *case.options])[:60])
def test_a_corpus_case_renders_or_is_refused_with_one_line(
        case: Case, env: dict[str, str], tmp_path: Path) -> None:
    folder = tmp_path / "show"
    folder.mkdir()
    script = prepare(case, folder)
    given = "-" if case.script == "-" else str(script)
    home = Path(env["REELFLOW_HOME"])
    if case.says is not None:
        done = run(["render", given, *case.options], env, stdin=case.stdin)
        lines = done.stderr.splitlines()
        assert done.returncode == 2, done.stderr
        assert done.stdout == "" and len(lines) == 1, done.stderr
        assert lines[0].startswith("reelflow") and case.says in lines[0], lines[0]
        assert job_statuses(home) == []
        assert media_files(home) == []
        return
    options = [] if "tiny" in case.script else ["--resolution", "320x180"]
    done = run(["render", given, "--json", "--quality", "draft", *options], env)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    video = json.loads(done.stdout)["video"]
    found = probe(Path(video["file_path"]))
    assert found.resolution == video["resolution"] and found.video_duration > 0
    assert job_statuses(home) == ["COMPLETED"]
    leftovers = [p for p in media_files(home) if p.name.startswith(PARTIAL_PREFIX)
                 or PARTS_PREFIX in str(p) or "/temp/" in str(p)]
    assert leftovers == []
    drift = run(["storage", "reconcile", "--json"], env)
    assert json.loads(drift.stdout) == {"fixed": []}, drift.stderr
