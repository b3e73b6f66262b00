"""``stock:<id or tag>`` references: one lookup decides, the same confinement applies."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from reelflow.errors import InvalidScript
from reelflow.storage.references import ReadRoots, resolve


def roots(tmp_path: Path) -> ReadRoots:
    media = tmp_path / "media"
    (media / "stock").mkdir(parents=True, exist_ok=True)
    return ReadRoots(script_folder=None, media_root=media, library=(media / "stock",))


def test_a_stock_reference_the_library_does_not_hold_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(InvalidScript, match=r"^'stock:calm': not found: no item of the stock "
                                            r"library has this id or tag$"):
        resolve("stock:calm", roots(tmp_path), stock=lambda key: None)
    with pytest.raises(InvalidScript, match="not found"):
        resolve("stock:calm", roots(tmp_path))


def test_a_stock_item_found_resolves_to_its_file_and_asset(tmp_path: Path) -> None:
    given = roots(tmp_path)
    song = given.media_root / "stock" / "calm.flac"
    song.write_bytes(b"fLaC")
    asset = uuid.uuid4()
    found = resolve("stock: calm", given,
                    stock=lambda key: (asset, str(song), "STOCK") if key == "calm" else None)
    assert (found.path, found.asset_id, found.source_type) == (song, asset, "STOCK")


def test_a_stock_lookup_cannot_lead_outside_the_allowed_folders_or_to_other_assets(
        tmp_path: Path) -> None:
    given = roots(tmp_path)
    outside = tmp_path / "secret.flac"
    outside.write_bytes(b"fLaC")
    with pytest.raises(InvalidScript, match="outside the allowed folders"):
        resolve("stock:x", given, stock=lambda key: (uuid.uuid4(), str(outside), "STOCK"))
    inside = given.media_root / "stock" / "a.flac"
    inside.write_bytes(b"fLaC")
    with pytest.raises(InvalidScript, match="not a stock item, this one is GENERATED"):
        resolve("stock:x", given, stock=lambda key: (uuid.uuid4(), str(inside), "GENERATED"))
    with pytest.raises(InvalidScript, match=r"expected stock:<id> or stock:<tag>"):
        resolve("stock:  ", given, stock=lambda key: None)
