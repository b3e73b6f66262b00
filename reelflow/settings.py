"""The one settings object, read once at the edge (command line, flow entry, server start)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from reelflow.errors import InvalidArgument

DEFAULT_HOME = "reelflow-data"
DEFAULT_WEB_HOST = "127.0.0.1"
DEFAULT_WEB_PORT = 8800
DEFAULT_UPLOAD_MAX_MB = 200


class Settings(BaseModel):
    """Where reelflow keeps its data, which database it uses, and how its web server serves."""

    model_config = ConfigDict(frozen=True)

    home: Path
    database_url: str
    media_root: Path
    media_url_prefix: str = "/media"
    web_host: str = DEFAULT_WEB_HOST
    web_port: int = DEFAULT_WEB_PORT
    # The address people reach the web server at; None: no server is configured to serve.
    public_url: str | None = None
    # Never shown in a repr (logs, tracebacks).
    read_tokens: tuple[str, ...] = Field(default=(), repr=False)
    admin_tokens: tuple[str, ...] = Field(default=(), repr=False)
    upload_max_bytes: int = DEFAULT_UPLOAD_MAX_MB * 2**20

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, cwd: Path | None = None) -> Settings:
        """Reads REELFLOW_HOME, REELFLOW_DATABASE_URL, REELFLOW_MEDIA_ROOT and the web
        server's REELFLOW_WEB_HOST, REELFLOW_WEB_PORT, REELFLOW_PUBLIC_URL,
        REELFLOW_READ_TOKENS, REELFLOW_ADMIN_TOKENS (comma lists) and REELFLOW_UPLOAD_MAX_MB.

        Defaults: home is ``reelflow-data`` in the working directory, the database is a SQLite
        file in home, media lives in ``home/media``; the web server listens on 127.0.0.1:8800
        and no public URL or token is set. Relative paths are made absolute. Raises
        InvalidArgument naming the variable when a number or URL is malformed.
        """
        env = os.environ if env is None else env
        base = cwd or Path.cwd()
        home = (base / env.get("REELFLOW_HOME", DEFAULT_HOME)).resolve()
        media = (base / env.get("REELFLOW_MEDIA_ROOT", str(home / "media"))).resolve()
        url = env.get("REELFLOW_DATABASE_URL") or f"sqlite:///{home / 'reelflow.db'}"
        public = (env.get("REELFLOW_PUBLIC_URL") or "").strip().rstrip("/") or None
        if public is not None and not public.startswith(("http://", "https://")):
            raise InvalidArgument(f"REELFLOW_PUBLIC_URL must start with http:// or https://, "
                                  f"got {public!r}")
        return cls(
            home=home, database_url=url, media_root=media,
            web_host=env.get("REELFLOW_WEB_HOST") or DEFAULT_WEB_HOST,
            web_port=_number(env, "REELFLOW_WEB_PORT", DEFAULT_WEB_PORT, 1, 65535),
            public_url=public,
            read_tokens=_tokens(env.get("REELFLOW_READ_TOKENS")),
            admin_tokens=_tokens(env.get("REELFLOW_ADMIN_TOKENS")),
            upload_max_bytes=_number(env, "REELFLOW_UPLOAD_MAX_MB", DEFAULT_UPLOAD_MAX_MB, 1,
                                     100_000) * 2**20)

    def public(self, url_path: str) -> str | None:
        """Given a URL path the web server serves, returns its full URL at the configured public
        address; None when no public address is configured."""
        return None if self.public_url is None else f"{self.public_url}{url_path}"


def _tokens(text: str | None) -> tuple[str, ...]:
    return tuple(token for token in (part.strip() for part in (text or "").split(",")) if token)


def _number(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise InvalidArgument(f"{name} must be a whole number from {low} to {high}, got {raw!r}")
    return int(raw)
