"""Library references in scripts: ``stock:ID``, ``stock:TAG`` and ``asset:UUID`` to files.

``stock:`` followed by an asset id names that stock item; followed by anything else it is a
tag, and names the stock item of the wanted kind carrying that tag (tags compare without case)
that was added first (oldest ``creation_timestamp``, then the smaller id): the same answer
every time, and adding an item later never changes what an existing script shows.
``asset:UUID`` names any stock item or upload. The item must be of the kind the script wants
there (an image, a video clip, audio), and its file must pass the same confinement test as
any path a script names (storage/references.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from reelflow.db.models import MediaAsset
from reelflow.db.states import AssetType, SourceType
from reelflow.engine.sniff import MediaKind
from reelflow.errors import InvalidScript
from reelflow.services.runtime import database
from reelflow.settings import Settings
from reelflow.storage.layout import MediaLayout
from reelflow.storage.references import ASSET_PREFIX, ReadRoots, StockLookup, confine

STOCK_PREFIX = "stock:"
ASSET_TYPE_OF: dict[MediaKind, AssetType] = {
    "image": AssetType.IMAGE, "audio": AssetType.AUDIO, "video": AssetType.VIDEO_CLIP}
_NOUN: dict[MediaKind, str] = {"image": "image", "audio": "audio", "video": "video clip"}


@dataclass(frozen=True)
class LibraryItem:
    """A library reference that passed: the real path of its file, the asset's id, and
    whether it is a stock item (else an upload)."""

    path: Path
    asset_id: uuid.UUID
    stock: bool


def is_library_reference(written: str) -> bool:
    """Whether ``written`` names a library item (``stock:...`` or ``asset:...``) rather
    than a path."""
    return written.startswith((STOCK_PREFIX, ASSET_PREFIX))


def library_roots(settings: Settings, script_folder: Path | None = None) -> ReadRoots:
    """The folders a script may read from (its own, the media root's uploads and stock, the
    operator's)."""
    media = MediaLayout(settings.media_root, settings.media_url_prefix)
    return ReadRoots(script_folder=script_folder, media_root=settings.media_root,
                     library=media.library(), operator=settings.allowed_media_dirs)


def resolve_library(settings: Settings, reference: str, kind: MediaKind) -> LibraryItem:
    """Given ``stock:ID``, ``stock:TAG`` or ``asset:UUID`` as a script wrote it and the kind of
    file wanted there ("image", "video" or "audio"), returns the item's file and asset id.

    Raises InvalidScript quoting ``reference`` when it names nothing, an item of another
    kind, or a file that is missing or outside the allowed folders.
    """
    shown = repr(reference if len(reference) <= 120 else reference[:117] + "...")
    stock = reference.startswith(STOCK_PREFIX)
    if not is_library_reference(reference):
        raise InvalidScript(f"{shown}: expected stock:<id>, stock:<tag> or asset:<uuid>")
    text = reference.split(":", 1)[1].strip()
    asset_id = as_uuid(text)
    if not text or (not stock and asset_id is None):
        expected = "stock:<id> or stock:<tag>" if stock else "asset:<uuid>"
        raise InvalidScript(f"{shown}: expected {expected}")
    with database(settings).unit_of_work(read_only=True) as uow:
        asset = uow.library.get(asset_id) if asset_id is not None else None
        if stock and asset_id is None:  # a tag: the first stock item of the kind that has it
            asset = _first_tagged(uow.library.stock(ASSET_TYPE_OF[kind]), text)
        elif stock and asset is not None and uow.library.stock_item(asset.id) is None:
            if asset.source_type == SourceType.USER_UPLOADED:
                raise InvalidScript(f"{shown}: this asset is an upload, not a stock item; "
                                    f"write asset:{asset.id}")
            asset = None  # a job's own copy of a stock file is no stock item
        if asset is None:
            what = (f"stock {_NOUN[kind]} has this tag" if stock and asset_id is None
                    else "stock item has this id" if stock else "uploaded or stock asset has "
                    "this id")
            raise InvalidScript(f"{shown}: not found: no {what} (`reelflow stock list` shows "
                                "the library)")
        if asset.asset_type != ASSET_TYPE_OF[kind]:
            found = str(asset.asset_type).lower().replace("_", " ")
            raise InvalidScript(f"{shown} is {_article(found)} {found}, not "
                                f"{_article(_NOUN[kind])} {_NOUN[kind]}")
        path, found_id = asset.file_path, asset.id
        is_stock = asset.source_type == SourceType.STOCK
    return LibraryItem(confine(path, reference, library_roots(settings)), found_id, is_stock)


def stock_lookup(settings: Settings, kind: MediaKind | None = None) -> StockLookup:
    """Returns how ``storage.references.resolve`` finds a ``stock:<id or tag>`` item in the
    library: by id, or the first item (of ``kind``, if given) added with the tag; it answers
    (asset id, file path, source type), or None when nothing matches."""

    def lookup(key: str) -> tuple[uuid.UUID, str, str] | None:
        wanted = as_uuid(key.strip())
        with database(settings).unit_of_work(read_only=True) as uow:
            items = uow.library.stock(ASSET_TYPE_OF[kind] if kind is not None else None)
            found = _first_tagged(items, key) if wanted is None else \
                next((item for item in items if item.id == wanted), None)
            return None if found is None else (found.id, found.file_path,
                                               str(found.source_type))

    return lookup


def as_uuid(text: str) -> uuid.UUID | None:
    """``text`` as an id, or None when it is not one (a tag, say)."""
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def _first_tagged(items: Iterable[MediaAsset], tag: str) -> MediaAsset | None:
    """The first of ``items`` (oldest first, as the library lists them) carrying ``tag``."""
    wanted = tag.strip().lower()
    return next((item for item in items if wanted in _tags(item)), None)


def _tags(asset: MediaAsset) -> list[str]:
    tags = (asset.asset_metadata or {}).get("tags") or []
    return [str(tag).lower() for tag in tags] if isinstance(tags, list) else []


def _article(noun: str) -> str:
    return "an" if noun[:1].lower() in "aeiou" else "a"
