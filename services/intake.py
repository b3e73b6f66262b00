"""Accepting a script before any job exists: parse it, resolve every file it names (pictures,
clips, recorded narration; paths and library references), check each by its content.

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
from typing import Any

from reelflow.engine.footage import FootageKind, check_footage
from reelflow.engine.parsing import parse_located
from reelflow.engine.pictures import check_picture
from reelflow.engine.script import Script
from reelflow.engine.sniff import MediaKind, sniff
from reelflow.errors import InvalidMedia, InvalidScript
from reelflow.services.resolver import (
    is_library_reference,
    library_roots,
    resolve_library,
    stock_lookup,
)
from reelflow.settings import Settings
from reelflow.storage.references import ReadRoots, resolve

MAX_MUSIC_BYTES = 200 * 2**20
__all__ = ["Accepted", "MusicFile", "SceneFootage", "SceneImage", "accept", "read_roots",
           "stock_lookup"]


@dataclass(frozen=True)
class SceneImage:
    """A scene's picture that passed every check: its real path, what the author wrote,
    whether it came from the stock library, its pixel size and format, and the library asset
    it is (``stock:``/``asset:`` references: used in place, never copied; None for a path)."""

    path: str
    written: str
    stock: bool
    width: int
    height: int
    extension: str
    asset_id: uuid.UUID | None = None


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
class SceneFootage:
    """A scene's clip or recorded narration that passed every check: its real path, what the
    author wrote, the library asset it is (None for a path), whether that is a stock item,
    its usual extension, length in seconds and the data model's metadata."""

    path: str
    written: str
    asset_id: uuid.UUID | None
    stock: bool
    extension: str
    duration: float
    metadata: dict[str, Any]


@dataclass(frozen=True)
class Accepted:
    """A script ready to render: the parsed plan, per scene its checked picture, clip and
    recorded narration (None where the scene has none), and its checked music (None: no
    music)."""

    script: Script
    images: tuple[SceneImage | None, ...]
    music: MusicFile | None = None
    clips: tuple[SceneFootage | None, ...] = ()
    sounds: tuple[SceneFootage | None, ...] = ()

    @property
    def library_assets(self) -> tuple[uuid.UUID, ...]:
        """The library assets the script uses (each once, in scene order, the music last):
        the job's videos are linked to them, which keeps them from retention."""
        found = [item.asset_id for item in (*self.images, *self.clips, *self.sounds)
                 if item is not None and item.asset_id is not None]
        if self.music is not None and self.music.asset_id is not None:
            found.append(uuid.UUID(self.music.asset_id))
        return tuple(dict.fromkeys(found))


def read_roots(settings: Settings, script_folder: Path | None) -> ReadRoots:
    """Returns the folders a script may read from: its own folder (None: inline), the media
    root's uploads and stock, and the operator's REELFLOW_ALLOWED_MEDIA_DIRS."""
    return library_roots(settings, script_folder)


def accept(settings: Settings, source: bytes, *, source_name: str | None,
           script_folder: Path | None, overrides: Mapping[str, object]) -> Accepted:
    """Given a script's bytes and where it came from, returns it parsed with its pictures,
    clips and recorded narration resolved and checked; raises InvalidScript naming the
    scene, line and path."""
    script, lines = parse_located(source, source_name=source_name, overrides=overrides)
    roots = read_roots(settings, script_folder)
    stock = settings.media_root / "stock"
    images: list[SceneImage | None] = []
    clips: list[SceneFootage | None] = []
    sounds: list[SceneFootage | None] = []
    for index, scene in enumerate(script.scenes):
        def where(name: str, index: int = index) -> str:
            line = lines.get(("scenes", index, name)) or lines.get(("scenes", index))
            return f"scene {index + 1}" + (f" (line {line})" if line else "")

        image = None
        if scene.image is not None:
            path, asset_id, from_stock = _find(settings, scene.image, "image", roots,
                                               where("image"))
            try:
                facts = check_picture(path)
            except InvalidScript as exc:
                raise InvalidScript(f"{where('image')}: image {scene.image!r} {exc}") from exc
            image = SceneImage(str(path), scene.image, from_stock or _inside(path, stock),
                               facts.width, facts.height, facts.extension, asset_id)
        images.append(image)
        clips.append(_footage(settings, scene.clip, "video", roots, where("clip"), "clip"))
        sounds.append(_footage(settings, scene.audio, "audio", roots, where("audio"), "audio"))
    music = None
    if script.settings.music is not None:
        line = lines.get(("settings", "music"))
        named = "settings.music" + (f" (line {line})" if line else "")
        music = _accept_music(settings, script.settings.music, named, roots, stock)
    return Accepted(script, tuple(images), music, tuple(clips), tuple(sounds))


def _find(settings: Settings, written: str, kind: MediaKind, roots: ReadRoots, where: str,
          noun: str | None = None) -> tuple[Path, uuid.UUID | None, bool]:
    """Resolves a reference: (real path, library asset id or None, from stock)."""
    noun = noun or {"image": "image", "video": "clip", "audio": "audio"}[kind]
    try:
        if is_library_reference(written):
            item = resolve_library(settings, written, kind)
            return item.path, item.asset_id, item.stock
        return resolve(written, roots).path, None, False
    except InvalidScript as exc:
        raise InvalidScript(f"{where}: {noun} {exc}") from exc


def _footage(settings: Settings, written: str | None, kind: FootageKind, roots: ReadRoots,
             where: str, noun: str) -> SceneFootage | None:
    if written is None:
        return None
    path, asset_id, from_stock = _find(settings, written, kind, roots, where)
    try:
        facts = check_footage(path, kind)
    except InvalidScript as exc:
        raise InvalidScript(f"{where}: {noun} {written!r} {exc}") from exc
    return SceneFootage(str(path), written, asset_id, from_stock, facts.extension,
                        facts.duration, facts.metadata)


def _accept_music(settings: Settings, written: str, where: str, roots: ReadRoots,
                  stock: Path) -> MusicFile:
    path, asset_id, from_stock = _find(settings, written, "audio", roots, where, "music")
    shown = f"{where}: music {written!r}"
    if path.stat().st_size > MAX_MUSIC_BYTES:
        raise InvalidScript(f"{shown} is larger than {MAX_MUSIC_BYTES // 2**20} MB")
    try:
        facts = sniff(path)
    except InvalidMedia as exc:
        raise InvalidScript(f"{shown}: {exc}") from exc
    if facts.kind != "audio" or facts.duration is None:
        raise InvalidScript(f"{shown} is not a sound file reelflow reads (WAV, MP3, FLAC, Ogg, "
                            "M4A, WebM audio)")
    return MusicFile(str(path), written, from_stock or _inside(path, stock),
                     facts.extension, facts.duration, int(facts.metadata["sample_rate"]),
                     int(facts.metadata["channels"]), str(facts.metadata["codec"]),
                     str(asset_id) if asset_id else None)


def _inside(path: Path, folder: Path) -> bool:
    top = os.path.realpath(folder)
    return os.path.commonpath([str(path), top]) == top
