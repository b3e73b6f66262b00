"""The one settings object, read once at the edge (command line, flow entry, server start)."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from reelflow.errors import InvalidArgument

DEFAULT_HOME = "reelflow-data"
DEFAULT_HEARTBEAT_SECONDS = 10.0


class Settings(BaseModel):
    """Where reelflow keeps its data, which database it uses, and which folders scripts may
    read from beyond their own folder and the media root's uploads and stock library."""

    model_config = ConfigDict(frozen=True)

    home: Path
    database_url: str
    media_root: Path
    media_url_prefix: str = "/media"
    # Folders whose script files the run parameter script_path may name (none by default).
    script_dirs: tuple[Path, ...] = ()
    # Folders any script may take images from, on top of uploads and stock (none by default).
    allowed_media_dirs: tuple[Path, ...] = ()
    heartbeat_seconds: float = DEFAULT_HEARTBEAT_SECONDS

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, cwd: Path | None = None) -> Settings:
        """Reads REELFLOW_HOME, REELFLOW_DATABASE_URL, REELFLOW_MEDIA_ROOT, the folder lists
        REELFLOW_SCRIPT_DIRS and REELFLOW_ALLOWED_MEDIA_DIRS (separated by ``os.pathsep``, like
        PATH) and REELFLOW_HEARTBEAT_SECONDS.

        Defaults: home is ``reelflow-data`` in the working directory, the database is a SQLite
        file in home, media lives in ``home/media``, no extra folders, a heartbeat every 10 s.
        Relative paths are made absolute. Raises InvalidArgument naming the variable when a
        value is malformed.
        """
        env = os.environ if env is None else env
        base = cwd or Path.cwd()
        home = _absolute(base, _text(env, "REELFLOW_HOME", DEFAULT_HOME), "REELFLOW_HOME")
        media = _absolute(base, _text(env, "REELFLOW_MEDIA_ROOT", str(home / "media")),
                          "REELFLOW_MEDIA_ROOT")
        url = env.get("REELFLOW_DATABASE_URL") or f"sqlite:///{home / 'reelflow.db'}"
        return cls(home=home, database_url=url, media_root=media,
                   script_dirs=_folders(env, "REELFLOW_SCRIPT_DIRS", base),
                   allowed_media_dirs=_folders(env, "REELFLOW_ALLOWED_MEDIA_DIRS", base),
                   heartbeat_seconds=_seconds(env, "REELFLOW_HEARTBEAT_SECONDS",
                                              DEFAULT_HEARTBEAT_SECONDS, 0.2, 600.0))


def _text(env: Mapping[str, str], name: str, default: str) -> str:
    value = env.get(name) or default
    if "\x00" in value:
        raise InvalidArgument(f"{name} contains a NUL character")
    return value


def _folders(env: Mapping[str, str], name: str, base: Path) -> tuple[Path, ...]:
    raw = _text(env, name, "")
    return tuple(_absolute(base, part.strip(), name)
                 for part in raw.split(os.pathsep) if part.strip())


def _absolute(base: Path, text: str, name: str) -> Path:
    try:
        return (base / text).resolve()
    except (OSError, RuntimeError) as exc:  # e.g. a symbolic link loop
        raise InvalidArgument(f"{name}: cannot resolve {text[:80]!r}: {exc}") from exc


def _seconds(env: Mapping[str, str], name: str, default: float, low: float,
             high: float) -> float:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not low <= value <= high:  # NaN fails this too
        raise InvalidArgument(f"{name} must be a number of seconds from {low:g} to {high:g}, "
                              f"got {raw[:40]!r}")
    return value
