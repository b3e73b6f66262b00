"""The one settings object, read once at the edge (command line, flow entry, server start)."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from reelflow.errors import InvalidArgument
from reelflow.vocabulary import (
    DEFAULT_DASK_WORKERS,
    DEFAULT_TASK_RUNNER,
    TASK_RUNNERS,
    TaskRunnerName,
)

DEFAULT_HOME = "reelflow-data"
DEFAULT_WEB_HOST = "127.0.0.1"
DEFAULT_WEB_PORT = 8800
DEFAULT_UPLOAD_MAX_MB = 200
DEFAULT_HEARTBEAT_SECONDS = 10.0


class Settings(BaseModel):
    """Where reelflow keeps its data, which database it uses, which folders scripts may read
    from beyond their own folder and the media root's uploads and stock library, and how its
    web server serves, and where a job's per-scene tasks run."""

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
    web_host: str = DEFAULT_WEB_HOST
    web_port: int = DEFAULT_WEB_PORT
    # The address people reach the web server at; None: no server is configured to serve.
    public_url: str | None = None
    # Never shown in a repr (logs, tracebacks).
    read_tokens: tuple[str, ...] = Field(default=(), repr=False)
    admin_tokens: tuple[str, ...] = Field(default=(), repr=False)
    upload_max_bytes: int = DEFAULT_UPLOAD_MAX_MB * 2**20
    # "thread": in the flow's process; "dask": on the Dask scheduler at dask_address, or on a
    # LocalCluster of dask_workers processes started for the run when no address is given.
    task_runner: TaskRunnerName = DEFAULT_TASK_RUNNER
    dask_address: str = ""
    dask_workers: int = DEFAULT_DASK_WORKERS
    # Renders at once across every worker of one Prefect server (its global concurrency limit
    # reelflow-renders, set at deploy time); None: leave the limit as it is (none at first).
    max_renders: int | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, cwd: Path | None = None) -> Settings:
        """Reads REELFLOW_HOME, REELFLOW_DATABASE_URL, REELFLOW_MEDIA_ROOT, the folder lists
        REELFLOW_SCRIPT_DIRS and REELFLOW_ALLOWED_MEDIA_DIRS (separated by ``os.pathsep``, like
        PATH), REELFLOW_HEARTBEAT_SECONDS, and the web server's REELFLOW_WEB_HOST,
        REELFLOW_WEB_PORT, REELFLOW_PUBLIC_URL, REELFLOW_READ_TOKENS, REELFLOW_ADMIN_TOKENS
        (comma lists), REELFLOW_UPLOAD_MAX_MB, REELFLOW_MAX_RENDERS, and where tasks run:
        REELFLOW_TASK_RUNNER (thread or dask), REELFLOW_DASK_ADDRESS and REELFLOW_DASK_WORKERS.

        Defaults: home is ``reelflow-data`` in the working directory, the database is a SQLite
        file in home, media lives in ``home/media``, no extra folders, a heartbeat every 10 s;
        the web server listens on 127.0.0.1:8800 and no public URL or token is set; tasks run
        in threads (with dask and no address: a LocalCluster of 2 processes). Relative
        paths are made absolute. Raises InvalidArgument naming the variable when a value is
        malformed.
        """
        env = os.environ if env is None else env
        base = cwd or Path.cwd()
        home = _absolute(base, _text(env, "REELFLOW_HOME", DEFAULT_HOME), "REELFLOW_HOME")
        media = _absolute(base, _text(env, "REELFLOW_MEDIA_ROOT", str(home / "media")),
                          "REELFLOW_MEDIA_ROOT")
        url = env.get("REELFLOW_DATABASE_URL") or f"sqlite:///{home / 'reelflow.db'}"
        public = (env.get("REELFLOW_PUBLIC_URL") or "").strip().rstrip("/") or None
        if public is not None and not public.startswith(("http://", "https://")):
            raise InvalidArgument(f"REELFLOW_PUBLIC_URL must start with http:// or https://, "
                                  f"got {public!r}")
        return cls(
            home=home, database_url=url, media_root=media,
            script_dirs=_folders(env, "REELFLOW_SCRIPT_DIRS", base),
            allowed_media_dirs=_folders(env, "REELFLOW_ALLOWED_MEDIA_DIRS", base),
            heartbeat_seconds=_seconds(env, "REELFLOW_HEARTBEAT_SECONDS",
                                       DEFAULT_HEARTBEAT_SECONDS, 0.2, 600.0),
            web_host=env.get("REELFLOW_WEB_HOST") or DEFAULT_WEB_HOST,
            web_port=_number(env, "REELFLOW_WEB_PORT", DEFAULT_WEB_PORT, 1, 65535),
            public_url=public,
            read_tokens=_tokens(env.get("REELFLOW_READ_TOKENS")),
            admin_tokens=_tokens(env.get("REELFLOW_ADMIN_TOKENS")),
            upload_max_bytes=_number(env, "REELFLOW_UPLOAD_MAX_MB", DEFAULT_UPLOAD_MAX_MB, 1,
                                     100_000) * 2**20,
            task_runner=_task_runner(env),
            dask_address=_text(env, "REELFLOW_DASK_ADDRESS", "").strip(),
            dask_workers=_number(env, "REELFLOW_DASK_WORKERS", DEFAULT_DASK_WORKERS, 1, 256),
            max_renders=_number(env, "REELFLOW_MAX_RENDERS", 0, 1, 100_000) or None)

    def without_tokens(self) -> Settings:
        """These settings without the bearer tokens: what a task that may run in another
        process (a Dask worker) is given, since its arguments travel over the network."""
        return self.model_copy(update={"read_tokens": (), "admin_tokens": ()})

    def public(self, url_path: str) -> str | None:
        """Given a URL path the web server serves, returns its full URL at the configured public
        address; None when no public address is configured."""
        return None if self.public_url is None else f"{self.public_url}{url_path}"


def _task_runner(env: Mapping[str, str]) -> TaskRunnerName:
    raw = (env.get("REELFLOW_TASK_RUNNER") or DEFAULT_TASK_RUNNER).strip().lower()
    for name in TASK_RUNNERS:
        if raw == name:
            return name
    raise InvalidArgument(f"REELFLOW_TASK_RUNNER must be one of {', '.join(TASK_RUNNERS)}, "
                          f"got {raw[:40]!r}")


def _tokens(text: str | None) -> tuple[str, ...]:
    return tuple(token for token in (part.strip() for part in (text or "").split(",")) if token)


def _number(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise InvalidArgument(f"{name} must be a whole number from {low} to {high}, got {raw!r}")
    return int(raw)


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
