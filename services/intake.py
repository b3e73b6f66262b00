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
from reelflow.engine.sniff import sniff
from reelflow.errors import InvalidMedia, InvalidScript
from reelflow.services.runtime import database
from reelflow.settings import Settings
from reelflow.storage.layout import MediaLayout
from reelflow.storage.references import (
    ASSET_PREFIX,
    AssetLookup,
    ReadRoots,
    Resolved,
    StockLookup,
    resolve,
)

MAX_MUSIC_BYTES = 200 * 2**20


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
class MusicFile:
    """The script's background music after every check: its real path, what the author
    wrote, whether it came from the stock library (and which asset, if one), the extension it
    is stored under, its length in seconds and what it holds."""

    path: str
    written: str
    stock: bool
    extension: str
    duration: float
    sample_rate: int
    channels: int
    codec: str
    asset_id: str | None = None


@dataclass(frozen=True)
class Accepted:
    """A script ready to render: the parsed plan, per scene its checked picture, and its
    checked music (None: no music)."""

    script: Script
    images: tuple[SceneImage | None, ...]
    music: MusicFile | None = None


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
    written = [scene.image or "" for scene in script.scenes] + [script.settings.music or ""]
    wants_assets = any(text.startswith(ASSET_PREFIX) for text in written)
    lookup = _asset_lookup(settings) if wants_assets else None
    find_stock = stock_lookup(settings)
    stock = settings.media_root / "stock"
    images: list[SceneImage | None] = []
    for index, scene in enumerate(script.scenes):
        if scene.image is None:
            images.append(None)
            continue
        line = lines.get(("scenes", index, "image")) or lines.get(("scenes", index))
        where = f"scene {index + 1}" + (f" (line {line})" if line else "")
        try:
            found = resolve(scene.image, roots, lookup, find_stock)
        except InvalidScript as exc:
            raise InvalidScript(f"{where}: image {exc}") from exc
        try:
            facts = check_picture(found.path)
        except InvalidScript as exc:
            raise InvalidScript(f"{where}: image {scene.image!r} {exc}") from exc
        images.append(SceneImage(str(found.path), scene.image,
                                 found.source_type == "STOCK" or _inside(found.path, stock),
                                 facts.width, facts.height, facts.extension))
    music = None
    if script.settings.music is not None:
        line = lines.get(("settings", "music"))
        where = "settings.music" + (f" (line {line})" if line else "")
        music = _accept_music(script.settings.music, where, roots, lookup, find_stock, stock)
    return Accepted(script, tuple(images), music)


def stock_lookup(settings: Settings) -> StockLookup:
    """Returns how a ``stock:<id or tag>`` reference finds its item in the STOCK library:
    the one place every ``stock:`` reference (music, scene pictures) goes through.

    The library (``reelflow stock add``) is built on another branch and fills this in; until
    then no stock item exists, so every ``stock:`` reference is refused as not found."""

    def lookup(key: str) -> tuple[uuid.UUID, str, str] | None:
        return None

    return lookup


def _accept_music(written: str, where: str, roots: ReadRoots, lookup: AssetLookup | None,
                  find_stock: StockLookup, stock: Path) -> MusicFile:
    try:
        found: Resolved = resolve(written, roots, lookup, find_stock)
    except InvalidScript as exc:
        raise InvalidScript(f"{where}: music {exc}") from exc
    shown = f"{where}: music {written!r}"
    if found.path.stat().st_size > MAX_MUSIC_BYTES:
        raise InvalidScript(f"{shown} is larger than {MAX_MUSIC_BYTES // 2**20} MB")
    try:
        facts = sniff(found.path)
    except InvalidMedia as exc:
        raise InvalidScript(f"{shown}: {exc}") from exc
    if facts.kind != "audio" or facts.duration is None:
        raise InvalidScript(f"{shown} is not a sound file reelflow reads (WAV, MP3, FLAC, Ogg, "
                            "M4A, WebM audio)")
    return MusicFile(str(found.path), written,
                     found.source_type == "STOCK" or _inside(found.path, stock),
                     facts.extension, facts.duration, int(facts.metadata["sample_rate"]),
                     int(facts.metadata["channels"]), str(facts.metadata["codec"]),
                     str(found.asset_id) if found.asset_id else None)


def _inside(path: Path, folder: Path) -> bool:
    top = os.path.realpath(folder)
    return os.path.commonpath([str(path), top]) == top


def _asset_lookup(settings: Settings) -> AssetLookup:
    def lookup(asset_id: uuid.UUID) -> tuple[str, str] | None:
        with database(settings).unit_of_work(read_only=True) as uow:
            asset = uow.session.get(MediaAsset, asset_id)
            return None if asset is None else (asset.file_path, str(asset.source_type))

    return lookup

