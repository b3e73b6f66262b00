"""A script judged before any job exists: services/intake.py and services/scripts.read_source."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from PIL import Image

from reelflow.engine.script import MAX_SCRIPT_BYTES
from reelflow.errors import InvalidScript
from reelflow.services.intake import accept
from reelflow.services.scripts import read_source
from reelflow.settings import Settings


def settings_in(tmp_path: Path, **changes: object) -> Settings:
    return Settings(home=tmp_path, database_url=f"sqlite:///{tmp_path / 'unused.db'}",
                    media_root=tmp_path / "media", **changes)  # type: ignore[arg-type]


def refusal(settings: Settings, text: str, folder: Path | None) -> str:
    with pytest.raises(InvalidScript) as caught:
        accept(settings, text.encode(), source_name=None, script_folder=folder, overrides={})
    return str(caught.value)


def test_a_scene_picture_resolves_against_the_scripts_folder(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch,
                                                            ) -> None:
    (tmp_path / "show" / "pictures").mkdir(parents=True)
    Image.new("RGB", (40, 30), "red").save(tmp_path / "show" / "pictures" / "a.png")
    monkeypatch.chdir(tmp_path)  # a "pictures/a.png" here would be the wrong one
    accepted = accept(settings_in(tmp_path), b"# T\n\n![x](pictures/a.png)\n\nHello.\n",
                      source_name="s.md", script_folder=tmp_path / "show", overrides={})
    image = accepted.images[0]
    assert image is not None and image.path == str(tmp_path / "show" / "pictures" / "a.png")
    assert (image.width, image.height, image.extension, image.stock) == (40, 30, ".png", False)


def test_refusals_name_the_scene_the_line_and_the_path_as_written(tmp_path: Path) -> None:
    script = "# T\n\n## One\n\nHello.\n\n## Two\n\n![x](../secret.png)\n\nWorld.\n"
    message = refusal(settings_in(tmp_path), script, tmp_path)
    assert message.startswith("scene 2 (line 9): image '../secret.png' leaves")


def test_a_file_that_is_not_a_picture_is_refused_at_validation(tmp_path: Path) -> None:
    (tmp_path / "notes.png").write_text("dear diary")
    message = refusal(settings_in(tmp_path), "# T\n\n![x](notes.png)\n\nHello.\n", tmp_path)
    assert message == ("scene 1 (line 3): image 'notes.png' is not an image (judged by its "
                       "content)")


def test_an_inline_script_reads_only_uploads_and_stock(tmp_path: Path) -> None:
    settings = settings_in(tmp_path)
    stock = settings.media_root / "stock"
    stock.mkdir(parents=True)
    Image.new("RGB", (8, 8)).save(stock / "sky.png")
    Image.new("RGB", (8, 8)).save(tmp_path / "mine.png")
    accepted = accept(settings, b"![x](stock/sky.png)\n\nHello.", source_name=None,
                      script_folder=None, overrides={})
    assert accepted.images[0] is not None and accepted.images[0].stock
    assert "absolute path outside" in refusal(settings, f"![x]({tmp_path}/mine.png)\n\nHi.",
                                              None)
    assert "'..'" in refusal(settings, "![x](../mine.png)\n\nHi.", None)


def test_operator_folders_admit_pictures_from_elsewhere(tmp_path: Path) -> None:
    (tmp_path / "brand").mkdir()
    Image.new("RGB", (8, 8)).save(tmp_path / "brand" / "logo.png")
    text = f"![x]({tmp_path}/brand/logo.png)\n\nHi."
    assert "outside" in refusal(settings_in(tmp_path), text, None)
    widened = settings_in(tmp_path, allowed_media_dirs=(tmp_path / "brand",))
    assert accept(widened, text.encode(), source_name=None, script_folder=None,
                  overrides={}).images[0] is not None


def source_refusal(settings: Settings, path: str) -> str:
    with pytest.raises(InvalidScript) as caught:
        read_source(settings, None, path)
    return str(caught.value)


def test_script_path_is_switched_off_until_an_operator_names_script_folders(
        tmp_path: Path) -> None:
    (tmp_path / "s.md").write_text("Hello.")
    assert "REELFLOW_SCRIPT_DIRS" in source_refusal(settings_in(tmp_path), str(tmp_path / "s.md"))
    assert "switched off" in source_refusal(settings_in(tmp_path), "/etc/passwd")


def test_script_path_reads_a_regular_file_inside_the_script_folders_only(tmp_path: Path) -> None:
    folder = tmp_path / "scripts"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "s.md").write_text("Hello.")
    settings = settings_in(tmp_path, script_dirs=(folder,))
    data, name, _, script_folder = read_source(settings, None, str(folder / "sub" / "s.md"))
    assert (data, name, script_folder) == (b"Hello.", "s.md", folder / "sub")
    assert "outside" in source_refusal(settings, "/etc/passwd")
    assert "outside" in source_refusal(settings, "/proc/self/environ")
    assert "not an absolute path" in source_refusal(settings, "sub/s.md")
    (folder / "link.md").symlink_to("/etc/hostname")
    assert "symbolic link" in source_refusal(settings, str(folder / "link.md"))


def test_script_path_refuses_devices_fifos_and_huge_files_without_reading_them(
        tmp_path: Path) -> None:
    folder = tmp_path / "scripts"
    folder.mkdir()
    os.mkfifo(folder / "pipe.md")
    (folder / "zero.md").symlink_to("/dev/zero")
    (folder / "big.md").write_bytes(b"a" * (MAX_SCRIPT_BYTES + 10))
    settings = settings_in(tmp_path, script_dirs=(folder, Path("/dev")))
    answer: list[str] = []
    reader = threading.Thread(
        target=lambda: answer.append(source_refusal(settings, str(folder / "pipe.md"))))
    reader.start()
    reader.join(timeout=10)
    assert answer and "not a regular file" in answer[0]  # answered, not blocked on the FIFO
    assert "not a regular file" in source_refusal(settings, str(folder / "zero.md"))
    assert "larger than the limit" in source_refusal(settings, str(folder / "big.md"))
