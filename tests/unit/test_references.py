"""Where a script may read from: storage/references.py against a real folder tree."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from reelflow.errors import InvalidScript
from reelflow.storage.references import ReadRoots, resolve


@pytest.fixture
def tree(tmp_path: Path) -> dict[str, Path]:
    """A script folder with a picture, a media root with an upload and a stock file, and a
    private folder outside every root."""
    folders = {name: tmp_path / name for name in ("scripts", "media", "private", "extra")}
    for folder in folders.values():
        folder.mkdir()
    (folders["scripts"] / "pictures").mkdir()
    (folders["scripts"] / "pictures" / "intro.png").write_bytes(b"png")
    uploads = folders["media"] / "images" / "uploads"
    uploads.mkdir(parents=True)
    (uploads / "cat.png").write_bytes(b"png")
    (folders["media"] / "stock").mkdir()
    (folders["media"] / "stock" / "forest.jpg").write_bytes(b"jpg")
    (folders["private"] / "secret.jpg").write_bytes(b"secret")
    (folders["extra"] / "logo.png").write_bytes(b"png")
    return folders


def roots(tree: dict[str, Path], script: bool = True, operator: bool = False) -> ReadRoots:
    media = tree["media"]
    return ReadRoots(script_folder=tree["scripts"] if script else None, media_root=media,
                     library=(media / "images" / "uploads", media / "stock"),
                     operator=(tree["extra"],) if operator else ())


def refusal(written: str, given: ReadRoots, **kwargs: object) -> str:
    with pytest.raises(InvalidScript) as caught:
        resolve(written, given, **kwargs)  # type: ignore[arg-type]
    message = str(caught.value)
    assert repr(written)[:40] in message or written[:30] in message
    return message


def test_a_relative_path_resolves_against_the_scripts_folder_not_the_cwd(
        tree: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tree["private"])
    found = resolve("pictures/intro.png", roots(tree))
    assert found.path == tree["scripts"] / "pictures" / "intro.png"


def test_an_inline_scripts_relative_path_resolves_against_the_media_root(
        tree: dict[str, Path]) -> None:
    found = resolve("stock/forest.jpg", roots(tree, script=False))
    assert found.path == tree["media"] / "stock" / "forest.jpg"
    assert "the script's folder" not in refusal("pictures/intro.png", roots(tree, script=False))


def test_absolute_paths_inside_the_uploads_and_stock_are_allowed(tree: dict[str, Path]) -> None:
    upload = tree["media"] / "images" / "uploads" / "cat.png"
    assert resolve(str(upload), roots(tree, script=False)).path == upload


def test_an_absolute_path_outside_every_root_is_refused(tree: dict[str, Path]) -> None:
    message = refusal(str(tree["private"] / "secret.jpg"), roots(tree))
    assert "absolute path outside" in message
    assert "uploads and stock" in message
    assert "absolute path" in refusal("/etc/passwd", roots(tree))
    assert "outside" in refusal("/proc/self/environ", roots(tree, script=False))


def test_dot_dot_that_leaves_the_folder_is_refused_and_one_that_stays_is_not(
        tree: dict[str, Path]) -> None:
    assert "'..'" in refusal("../private/secret.jpg", roots(tree))
    assert "'..'" in refusal("pictures/../../private/secret.jpg", roots(tree))
    assert resolve("pictures/../pictures/intro.png", roots(tree)).path.name == "intro.png"


def test_a_tilde_and_a_url_are_refused(tree: dict[str, Path]) -> None:
    assert "'~'" in refusal("~/secret.jpg", roots(tree))
    assert "'~'" in refusal("~root/.bashrc", roots(tree))
    assert "URL" in refusal("http://example.com/x.png", roots(tree))


def test_a_symbolic_link_pointing_out_is_refused_and_one_pointing_in_is_followed(
        tree: dict[str, Path]) -> None:
    (tree["scripts"] / "leak.jpg").symlink_to(tree["private"] / "secret.jpg")
    assert "symbolic link" in refusal("leak.jpg", roots(tree))
    (tree["scripts"] / "outside").symlink_to(tree["private"], target_is_directory=True)
    assert "symbolic link" in refusal("outside/secret.jpg", roots(tree))
    (tree["scripts"] / "same.png").symlink_to(tree["scripts"] / "pictures" / "intro.png")
    assert resolve("same.png", roots(tree)).path == tree["scripts"] / "pictures" / "intro.png"


def test_a_missing_file_a_folder_a_fifo_and_a_device_are_refused(tree: dict[str, Path]) -> None:
    assert "not found" in refusal("pictures/none.png", roots(tree))
    assert "folder" in refusal("pictures", roots(tree))
    os.mkfifo(tree["scripts"] / "pipe.png")
    assert "not a regular file" in refusal("pipe.png", roots(tree))
    device_root = ReadRoots(None, tree["media"], (), operator=(Path("/dev"),))
    assert "not a regular file" in refusal("/dev/null", device_root)


def test_operator_folders_widen_the_roots_only_when_configured(tree: dict[str, Path]) -> None:
    logo = str(tree["extra"] / "logo.png")
    assert "outside" in refusal(logo, roots(tree))
    assert resolve(logo, roots(tree, operator=True)).path == tree["extra"] / "logo.png"
    assert "REELFLOW_ALLOWED_MEDIA_DIRS" in refusal("/etc/passwd", roots(tree, operator=True))


def test_a_root_that_is_a_prefix_of_another_folder_does_not_admit_it(
        tree: dict[str, Path]) -> None:
    twin = tree["scripts"].with_name("scripts-private")
    twin.mkdir()
    (twin / "x.png").write_bytes(b"png")
    assert "outside" in refusal(str(twin / "x.png"), roots(tree))


def test_an_asset_reference_resolves_uploads_and_stock_only(tree: dict[str, Path]) -> None:
    stock, upload, made = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    table = {stock: (str(tree["media"] / "stock" / "forest.jpg"), "STOCK"),
             upload: (str(tree["media"] / "images" / "uploads" / "cat.png"), "USER_UPLOADED"),
             made: (str(tree["media"] / "stock" / "forest.jpg"), "GENERATED")}
    given = roots(tree, script=False)
    found = resolve(f"asset:{stock}", given, table.get)
    assert found.path.name == "forest.jpg" and found.asset_id == stock
    assert found.source_type == "STOCK"
    assert resolve(f"asset:{upload}", given, table.get).source_type == "USER_UPLOADED"
    assert "GENERATED" in refusal(f"asset:{made}", given, lookup=table.get)
    assert "no uploaded or stock asset" in refusal(f"asset:{uuid.uuid4()}", given,
                                                   lookup=table.get)
    assert "asset:<uuid>" in refusal("asset:not-a-uuid", given, lookup=table.get)


def test_an_asset_whose_file_lies_outside_the_library_is_refused(tree: dict[str, Path]) -> None:
    sneaky = uuid.uuid4()
    table = {sneaky: (str(tree["private"] / "secret.jpg"), "USER_UPLOADED")}
    assert "outside" in refusal(f"asset:{sneaky}", roots(tree), lookup=table.get)
