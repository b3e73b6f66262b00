"""``stock:ID``, ``stock:TAG`` and ``asset:UUID`` resolved against a real database and media
root (services/resolver.py), and what the stock library refuses (services/stock.py)."""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

import pytest
from PIL import Image

from reelflow.errors import InvalidArgument, InvalidScript, NotFound
from reelflow.services import stock
from reelflow.services.library import ingest
from reelflow.services.resolver import resolve_library, stock_lookup
from reelflow.settings import Settings
from tests.footage import palette_clip, tone_wav


def picture(path: Path, colour: tuple[int, int, int]) -> Path:
    Image.new("RGB", (16, 16), colour).save(path)
    return path


def test_a_tag_names_the_first_item_of_the_wanted_kind_added_with_it(
        settings: Settings, tmp_path: Path) -> None:
    first = stock.add(settings, picture(tmp_path / "a.png", (255, 0, 0)), ["sea"])
    time.sleep(0.01)  # a later creation_timestamp
    later = stock.add(settings, picture(tmp_path / "b.png", (0, 0, 255)), ["sea", "blue"])
    sound = stock.add(settings, tone_wav(tmp_path / "waves.wav", seconds=0.3, frequency=200),
                      ["sea"])
    clip = stock.add(settings, palette_clip(tmp_path / "surf.mp4", tone=None), ["sea"])
    assert resolve_library(settings, "stock:sea", "image").asset_id == first.asset_id
    assert resolve_library(settings, "stock:SEA", "image").asset_id == first.asset_id
    assert resolve_library(settings, "stock:blue", "image").asset_id == later.asset_id
    assert resolve_library(settings, "stock:sea", "audio").asset_id == sound.asset_id
    found = resolve_library(settings, "stock:sea", "video")
    assert (found.asset_id, found.stock) == (clip.asset_id, True)
    assert found.path == Path(os.path.realpath(clip.file_path))
    assert resolve_library(settings, f"stock:{later.asset_id}", "image").path == Path(
        os.path.realpath(later.file_path))
    assert resolve_library(settings, f"asset:{sound.asset_id}", "audio").asset_id == \
        sound.asset_id
    # The lookup storage.references.resolve takes answers the same way.
    assert stock_lookup(settings)("sea") == (first.asset_id, first.file_path, "STOCK")
    assert stock_lookup(settings, "audio")("SEA")[0] == sound.asset_id  # type: ignore[index]
    assert stock_lookup(settings)(str(clip.asset_id))[0] == clip.asset_id  # type: ignore[index]
    assert stock_lookup(settings)("forest") is None


@pytest.mark.parametrize(("written", "kind", "words"), [
    ("stock:forest", "image", "'stock:forest': not found: no stock image has this tag"),
    ("stock:", "image", "expected stock:<id> or stock:<tag>"),
    ("asset:123", "image", "expected asset:<uuid>"),
    ("asset:0b8f7a52-6a3b-4a4e-9a7e-2f1f0b6f2d11", "audio", "no uploaded or stock asset"),
    ("pictures/a.png", "image", "expected stock:<id>, stock:<tag> or asset:<uuid>"),
])
def test_a_reference_that_names_nothing_is_refused_quoting_it(
        settings: Settings, written: str, kind: str, words: str) -> None:
    with pytest.raises(InvalidScript, match=words):
        resolve_library(settings, written, kind)  # type: ignore[arg-type]


def test_an_item_of_another_kind_or_an_upload_named_as_stock_is_refused(
        settings: Settings, tmp_path: Path) -> None:
    item = stock.add(settings, picture(tmp_path / "a.png", (9, 9, 9)), [])
    with pytest.raises(InvalidScript, match=r"is an image, not a video clip"):
        resolve_library(settings, f"stock:{item.asset_id}", "video")
    upload = ingest(settings, picture(tmp_path / "up.png", (1, 2, 3)), original_name="up.png",
                    session_id="s")
    assert resolve_library(settings, f"asset:{upload.asset_id}", "image").stock is False
    with pytest.raises(InvalidScript, match="an upload, not a stock item"):
        resolve_library(settings, f"stock:{upload.asset_id}", "image")


def test_tags_are_checked_and_an_unknown_item_cannot_be_removed(settings: Settings) -> None:
    assert stock.parse_tags(" Sea, sea ,calm,") == ["sea", "calm"]
    for bad in ("two words", "a/b", "0b8f7a52-6a3b-4a4e-9a7e-2f1f0b6f2d11"):
        with pytest.raises(InvalidArgument):
            stock.parse_tags(bad)
    with pytest.raises(NotFound, match="no stock item"):
        stock.remove(settings, uuid.uuid4())
