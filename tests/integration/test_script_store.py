"""A script is stored once per text and session, whichever way it arrived."""

from __future__ import annotations

from pathlib import Path

import pytest

from reelflow.db.states import ScriptKind
from reelflow.services.runtime import database
from reelflow.services.scripts import read_source, store_script, stored_text
from reelflow.settings import Settings

TEXT = "# Hello\n\nOne scene, said once.\n"


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings(home=tmp_path, database_url=db_url, media_root=tmp_path / "media",
                    script_dirs=(tmp_path,))


def test_a_file_with_a_byte_order_mark_and_the_same_text_inline_are_one_script(
        settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "hello.md"
    path.write_bytes(b"\xef\xbb\xbf" + TEXT.encode())
    from_file, name, kind, _ = read_source(settings, None, str(path))
    inline, _, inline_kind, _ = read_source(settings, TEXT, None)
    first = store_script(settings, "Hello", stored_text(from_file), name, kind, "s1")
    second = store_script(settings, "Hello", stored_text(inline), None, inline_kind, "s1")
    assert (kind, inline_kind) == (ScriptKind.UPLOADED, ScriptKind.INLINE)
    assert first == second
    with database(settings).unit_of_work(read_only=True) as uow:
        record = uow.scripts.get(first)
        assert record.content == TEXT  # stored without the mark
        assert uow.scripts.find_by_sha256(record.sha256, "s1") is not None


def test_the_same_text_in_another_session_is_another_script(settings: Settings) -> None:
    first = store_script(settings, "Hello", TEXT, None, ScriptKind.INLINE, "s1")
    assert store_script(settings, "Hello", TEXT, None, ScriptKind.INLINE, "s2") != first
