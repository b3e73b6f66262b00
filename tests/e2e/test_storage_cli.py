"""``reelflow storage`` and ``reelflow cleanup`` as a user runs them: real processes, a real
SQLite database, a real Prefect server for the cleanup flow."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from tests.e2e.conftest import run


def aged(path: Path, days: float, size: int = 1000) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x" * size)
    stamp = time.time() - days * 86_400
    os.utime(path, (stamp, stamp))
    return path


def test_storage_shows_every_type_with_its_usage_policy_and_access(env: dict[str, str]) -> None:
    shown = run(["storage"], env)
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert lines[0].split()[:3] == ["TYPE", "FILES", "SIZE"]
    assert [line.split()[0] for line in lines[1:]] == ["VIDEOS", "IMAGES", "AUDIO", "TEMP",
                                                      "STOCK"]
    rows = json.loads(run(["storage", "--json"], env).stdout)
    media = Path(env["REELFLOW_HOME"]) / "media"
    for row in rows:
        assert Path(row["directory_path"]) == media / row["storage_type"].lower()
        assert Path(row["directory_path"]).is_dir()
        assert set(row["cleanup_policy"]) == {"max_age_days", "max_size_mb",
                                              "preserve_completed_videos"}
        assert set(row["access_permissions"]) == {"public_read", "authenticated_read",
                                                  "admin_write"}


def test_storage_set_changes_a_policy_and_refuses_bad_input_in_one_line(
        env: dict[str, str]) -> None:
    done = run(["storage", "set", "videos", "max_age_days=90", "max_size_mb=none",
                "public_read=false", "--json"], env)
    assert done.returncode == 0, done.stderr
    changed = json.loads(done.stdout)
    assert changed["cleanup_policy"]["max_age_days"] == 90
    assert changed["access_permissions"]["public_read"] is False
    videos = json.loads(run(["storage", "--json"], env).stdout)[0]
    assert videos["cleanup_policy"]["max_age_days"] == 90
    for args, code, words in (
            (["storage", "set", "VIDEOS", "max_age_days=-3"], 2, "max_age_days"),
            (["storage", "set", "VIDEOS", "colour=red"], 2, "unknown key 'colour'"),
            (["storage", "set", "VIDEOS", "public_read=maybe"], 2, "public_read"),
            (["storage", "set", "MOVIES", "max_age_days=3"], 2, "no storage type 'MOVIES'")):
        refused = run(args, env)
        assert refused.returncode == code, refused.stderr
        assert len(refused.stderr.strip().splitlines()) == 1 and words in refused.stderr


def test_cleanup_dry_run_prints_the_plan_as_json_and_a_run_carries_it_out(
        env: dict[str, str]) -> None:
    assert run(["storage"], env).returncode == 0  # creates the database and the folders
    media = Path(env["REELFLOW_HOME"]) / "media"
    stale = aged(media / "videos" / ".partial-0123456789ab-talk.mp4", 0.5)
    expired = aged(media / "audio" / "cache" / "0f.wav", 30, size=2048)
    fresh = aged(media / "videos" / ".partial-ba9876543210-next.mp4", 0)

    planned = run(["cleanup", "--dry-run", "--json"], env)
    assert planned.returncode == 0, planned.stderr
    plan = json.loads(planned.stdout)
    assert plan["dry_run"] is True and (plan["files"], plan["bytes"]) == (2, 3048)
    assert {(i["path"], i["reason"]) for i in plan["items"]} == {
        (str(stale), "stale_partial"), (str(expired), "expired")}
    assert stale.exists() and expired.exists() and fresh.exists()

    text = run(["cleanup", "--dry-run"], env)
    assert "would delete 2 files" in text.stdout and "stale_partial" in text.stdout

    done = run(["cleanup", "--json"], env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["files"] == 2
    assert not stale.exists() and not expired.exists() and fresh.exists()
    videos = json.loads(run(["storage", "--json"], env).stdout)[0]
    assert (videos["file_count"], videos["total_size_bytes"]) == (1, 1000)
    assert "no drift" in run(["storage", "reconcile"], env).stdout
