"""A full disk: the media root on a small tmpfs. The job fails with a message that says so,
and nothing it was writing stays behind. Needs root to mount; without it the test fails."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from reelflow.files import PARTIAL_PREFIX, PARTS_PREFIX
from tests.e2e.conftest import run
from tests.mounts import small_tmpfs

pytestmark = pytest.mark.long
SIZE = "400k"


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    with small_tmpfs(tmp_path / "small", SIZE) as mount:
        yield mount


def test_a_full_media_root_fails_the_job_clearly_and_keeps_nothing_half_made(
        env: dict[str, str], small_disk: Path, tmp_path: Path) -> None:
    env = {**env, "REELFLOW_MEDIA_ROOT": str(small_disk / "media")}
    script = tmp_path / "big.md"
    script.write_text("# Too big\n\n" + "".join(
        f"## Part {n}\nThis scene says enough words to fill a small disk quickly.\n\n"
        for n in range(1, 9)))
    done = run(["render", str(script), "--resolution", "1280x720"], env)
    assert done.returncode == 1, done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr
    assert "no space left" in lines[0].lower(), lines[0]
    jobs = json.loads(run(["jobs", "--json"], env).stdout)
    assert [job["status"] for job in jobs] == ["FAILED"]
    media = small_disk / "media"
    half = [p for p in media.rglob("*") if p.name.startswith((PARTIAL_PREFIX, PARTS_PREFIX))]
    assert half == []
    assert list((media / "temp").iterdir()) == []
    assert list((media / "videos").iterdir()) == []
    drift = run(["storage", "reconcile", "--json"], env)
    assert json.loads(drift.stdout) == {"fixed": []}, drift.stdout
