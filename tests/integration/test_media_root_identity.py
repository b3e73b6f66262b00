"""A media root that knows whose it is: nothing deletes in another installation's media root,
and storage folders that are symbolic links are refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from reelflow.db.states import JobStatus
from reelflow.errors import StorageError
from reelflow.services import cleanup
from reelflow.services.runtime import database, forget_databases, layout
from reelflow.settings import Settings
from reelflow.storage.identity import marker_path, read_marker
from tests.integration.seeding import age, new_job


def installation(tmp_path: Path, name: str, db_url: str | None = None) -> Settings:
    home = tmp_path / name
    return Settings(home=home, database_url=db_url or f"sqlite:///{home / 'reelflow.db'}",
                    media_root=home / "media")


def stray_files(settings: Settings) -> list[Path]:
    """Files no row records (what cleanup would take for orphans), aged past the grace."""
    layout(settings)
    made = [settings.media_root / "videos" / "precious.mp4",
            settings.media_root / "images" / "slide.png"]
    for path in made:
        path.write_bytes(b"x" * 100)
        age(path, 2)
    return made


def test_the_first_open_writes_a_marker_and_records_the_same_id(db_url: str,
                                                                tmp_path: Path) -> None:
    settings = installation(tmp_path, "a", db_url)
    opened = database(settings)
    marker = read_marker(settings.media_root)
    assert marker is not None
    with opened.unit_of_work(read_only=True) as uow:
        recorded = uow.storage.identity()
        assert recorded is not None and recorded.marker_id == marker
    forget_databases()
    database(settings)  # opening again changes nothing
    assert read_marker(settings.media_root) == marker
    cleanup.check_database(settings)


def test_cleanup_with_another_installations_media_root_refuses_and_deletes_nothing(
        tmp_path: Path) -> None:
    first, second = installation(tmp_path, "a"), installation(tmp_path, "b")
    database(first)
    precious = stray_files(first)
    crossed = first.model_copy(update={"database_url": second.database_url})
    new_job(database(second), JobStatus.COMPLETED, ended_days_ago=1)  # b has its own root
    with pytest.raises(StorageError) as caught:
        cleanup.check_database(crossed)
    message = str(caught.value)
    assert message.startswith("refusing to delete") and "belongs to another database" in message
    assert "\n" not in message
    plan = cleanup.plan(crossed, grace_hours=0)
    assert {item.path for item in plan.deletions} >= {str(path) for path in precious}
    with pytest.raises(StorageError):
        cleanup.delete(crossed, plan)
    with pytest.raises(StorageError):
        cleanup.rescan(crossed)
    assert all(path.exists() for path in precious)


def test_a_fresh_database_on_a_marked_media_root_does_not_adopt_it(tmp_path: Path) -> None:
    first = installation(tmp_path, "a")
    database(first)
    stray_files(first)
    fresh = first.model_copy(update={"database_url": f"sqlite:///{tmp_path / 'fresh.db'}"})
    database(fresh)
    with pytest.raises(StorageError, match="this database recorded none"):
        cleanup.check_database(fresh)


def test_a_media_root_whose_marker_is_gone_is_refused(tmp_path: Path) -> None:
    settings = installation(tmp_path, "a")
    database(settings)
    marker_path(settings.media_root).unlink()
    with pytest.raises(StorageError, match="has no marker"):
        cleanup.check_database(settings)


def test_a_storage_folder_that_is_a_symbolic_link_is_refused(tmp_path: Path) -> None:
    settings = installation(tmp_path, "a")
    database(settings)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("not reelflow's")
    temp = settings.media_root / "temp"
    temp.rmdir()
    temp.symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(StorageError) as caught:
        cleanup.check_database(settings)
    assert "is a symbolic link" in str(caught.value) and str(temp) in str(caught.value)
    assert (elsewhere / "keep.txt").exists()
