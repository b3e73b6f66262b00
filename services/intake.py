"""Accepting a script before any job exists: parse it, resolve every file it names, check it.

The command line runs this before it pays for Prefect's start-up, and the flow runs it again
before it creates the job, so a script from a stranger is judged the same way wherever it
comes from. Messages name the scene, the line and the path as the author wrote it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from reelflow.db.models import MediaAsset
from reelflow.engine.parsing import parse_located
from reelflow.engine.pictures import check_picture
from reelflow.engine.script import Script
from reelflow.errors import InvalidScript
from reelflow.services.runtime import database
from reelflow.settings import Settings
from reelflow.storage.layout import MediaLayout
from reelflow.storage.references import ASSET_PREFIX, AssetLookup, ReadRoots, resolve


@dataclass(frozen=True)
class SceneImage:
    """A scene's picture that passed every check: its real path, what the author wrote,
    whether it came from the stock library, and its pixel size and format."""

    path: str
    written: str
    stock: bool
    width: int
    height: int
    extension: str


@dataclass(frozen=True)
class Accepted:
    """A script ready to render: the parsed plan and, per scene, its checked picture."""

    script: Script
    images: tuple[SceneImage | None, ...]


def read_roots(settings: Settings, script_folder: Path | None) -> ReadRoots:
    """Returns the folders a script may read from: its own folder (None: inline), the media
    root's uploads and stock, and the operator's REELFLOW_ALLOWED_MEDIA_DIRS."""
    media = MediaLayout(settings.media_root, settings.media_url_prefix)
    return ReadRoots(script_folder=script_folder, media_root=settings.media_root,
                     library=media.library(), operator=settings.allowed_media_dirs)


def accept(settings: Settings, source: bytes, *, source_name: str | None,
           script_folder: Path | None, overrides: Mapping[str, object]) -> Accepted:
    """Given a script's bytes and where it came from, returns it parsed with its pictures
    resolved and checked; raises InvalidScript naming the scene, line and path."""
    script, lines = parse_located(source, source_name=source_name, overrides=overrides)
    roots = read_roots(settings, script_folder)
    wants_assets = any((scene.image or "").startswith(ASSET_PREFIX) for scene in script.scenes)
    lookup = _asset_lookup(settings) if wants_assets else None
    stock = settings.media_root / "stock"
    images: list[SceneImage | None] = []
    for index, scene in enumerate(script.scenes):
        if scene.image is None:
            images.append(None)
            continue
        line = lines.get(("scenes", index, "image")) or lines.get(("scenes", index))
        where = f"scene {index + 1}" + (f" (line {line})" if line else "")
        try:
            found = resolve(scene.image, roots, lookup)
        except InvalidScript as exc:
            raise InvalidScript(f"{where}: image {exc}") from exc
        try:
            facts = check_picture(found.path)
        except InvalidScript as exc:
            raise InvalidScript(f"{where}: image {scene.image!r} {exc}") from exc
        images.append(SceneImage(str(found.path), scene.image,
                                 found.source_type == "STOCK" or _inside(found.path, stock),
                                 facts.width, facts.height, facts.extension))
    return Accepted(script, tuple(images))


def _inside(path: Path, folder: Path) -> bool:
    top = os.path.realpath(folder)
    return os.path.commonpath([str(path), top]) == top


def _asset_lookup(settings: Settings) -> AssetLookup:
    def lookup(asset_id: uuid.UUID) -> tuple[str, str] | None:
        with database(settings).unit_of_work(read_only=True) as uow:
            asset = uow.session.get(MediaAsset, asset_id)
            return None if asset is None else (asset.file_path, str(asset.source_type))

    return lookup

