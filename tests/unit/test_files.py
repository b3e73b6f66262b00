from pathlib import Path

import pytest

from reelflow.files import atomic_output


def test_a_finished_write_appears_at_its_final_path(tmp_path: Path) -> None:
    with atomic_output(tmp_path / "a" / "out.txt") as temp:
        temp.write_text("done")
    assert (tmp_path / "a" / "out.txt").read_text() == "done"
    assert [p.name for p in (tmp_path / "a").iterdir()] == ["out.txt"]


def test_a_failed_write_leaves_nothing_behind(tmp_path: Path) -> None:
    (tmp_path / "out.txt").write_text("old")
    with pytest.raises(RuntimeError), atomic_output(tmp_path / "out.txt") as temp:
        temp.write_text("half")
        raise RuntimeError("boom")
    assert (tmp_path / "out.txt").read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]
