"""The STOCK library: files added once, under the media root's stock folder, for any script.

``add`` copies a file in (its kind judged by content, as every upload is), records it as a
MediaAsset with source STOCK and its tags, and counts it; ``listing`` shows each item with how
many videos use it; ``remove`` deletes an item no video uses. Scripts name an item as
``stock:<id>`` or ``stock:<tag>`` (services/resolver.py). Retention never deletes an item a
video uses, and by default (the STOCK policy has no max age) never deletes stock at all.
"""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path
from typing import Any

from reelflow.db.states import SourceType, StorageType
from reelflow.errors import InvalidArgument, InvalidMedia, NotFound
from reelflow.services.library import Ingested, ingest
from reelflow.services.resolver import as_uuid
from reelflow.services.runtime import database, layout
from reelflow.settings import Settings

STOCK_SESSION = "stock"
MAX_TAGS = 20
_TAG = re.compile(r"^[\w][\w.+-]{0,63}$")


def parse_tags(text: str | None) -> list[str]:
    """Given "a, b,c", returns the tags lower-cased, in order, each once; raises
    InvalidArgument for a tag that is not 1-64 letters, digits or . + - _ (starting with a
    letter, digit or _), or one that would read as an id."""
    tags: list[str] = []
    for raw in (text or "").split(","):
        tag = raw.strip().lower()
        if not tag:
            continue
        if not _TAG.match(tag):
            raise InvalidArgument(f"tag {raw.strip()!r}: use 1 to 64 letters, digits, '.', "
                                  "'+', '-' or '_'")
        if as_uuid(tag) is not None:
            raise InvalidArgument(f"tag {tag!r} looks like an id; stock:<id> would name the "
                                  "item with that id instead")
        if tag not in tags:
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise InvalidArgument(f"{len(tags)} tags; an item may have at most {MAX_TAGS}")
    return tags


def add(settings: Settings, source: Path, tags: list[str]) -> Ingested:
    """Copies ``source`` into the stock folder as ``<asset id><extension>`` and records it as
    a STOCK asset with ``tags``; the source is left where it is. Raises InvalidMedia when it
    is not an accepted image, audio or video file."""
    if not source.is_file():
        raise InvalidMedia(f"{source}: not a file")
    media = layout(settings)
    return ingest(settings, source, original_name=source.name, session_id=STOCK_SESSION,
                  source_type=SourceType.STOCK,
                  folder=lambda _kind: media.folder(StorageType.STOCK), keep_source=True,
                  metadata={"tags": tags})


def listing(settings: Settings) -> list[dict[str, Any]]:
    """Returns every stock item, oldest first: id, kind, tags, size, uses (videos using it),
    duration, file and URL paths, when it was added."""
    with database(settings).unit_of_work(read_only=True) as uow:
        items = uow.library.stock()
        uses = uow.library.uses([item.id for item in items])
        return [{"id": str(item.id), "kind": str(item.asset_type),
                 "tags": list((item.asset_metadata or {}).get("tags") or []),
                 "file_size": (item.asset_metadata or {}).get("file_size"),
                 "uses": uses[item.id], "duration": item.duration,
                 "original_name": (item.asset_metadata or {}).get("original_name"),
                 "file_path": item.file_path, "url_path": item.url_path,
                 "added": item.creation_timestamp.isoformat()} for item in items]


def remove(settings: Settings, asset_id: uuid.UUID) -> dict[str, Any]:
    """Deletes a stock item that no video uses: its file, its row and its ingest job, and
    uncounts the file. Raises NotFound for no such stock item, InvalidArgument while any
    video uses it (naming how many)."""
    media = layout(settings)
    with database(settings).unit_of_work() as uow:
        uow.storage.lock(StorageType.STOCK)
        asset = uow.library.stock_item(asset_id)
        if asset is None:
            raise NotFound(f"no stock item with id {asset_id}")
        used = len(uow.library.videos_using(asset_id))
        if used:
            raise InvalidArgument(f"stock item {asset_id} is used by {used} video"
                                  f"{'s' if used != 1 else ''}; it can be removed when no "
                                  "video uses it")
        path, job_id = asset.file_path, asset.generation_job_id
        try:
            size = os.lstat(path).st_size
        except FileNotFoundError:
            size = None
        others = [row for row in uow.media.assets_recording(path) if row.id != asset_id]
        uow.media.delete_jobs([job_id])  # its one asset goes with it
        if size is not None and not others:
            # As a cleanup does: the file first, then the rows and counters in one commit; a
            # failure between the two leaves a row without its file, which the next one fixes.
            Path(path).unlink(missing_ok=True)
            if media.storage_type_of(path) is not None:
                uow.storage.add_usage(StorageType.STOCK, -size, -1)
        uow.commit()
    return {"id": str(asset_id), "removed": True, "file_path": path}
