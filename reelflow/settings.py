"""The one settings object, read once at the edge (command line, flow entry, server start)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel, ConfigDict

DEFAULT_HOME = "reelflow-data"


class Settings(BaseModel):
    """Where reelflow keeps its data and which database it uses."""

    model_config = ConfigDict(frozen=True)

    home: Path
    database_url: str
    media_root: Path
    media_url_prefix: str = "/media"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, cwd: Path | None = None) -> Settings:
        """Reads REELFLOW_HOME, REELFLOW_DATABASE_URL and REELFLOW_MEDIA_ROOT.

        Defaults: home is ``reelflow-data`` in the working directory, the database is a SQLite
        file in home, media lives in ``home/media``. Relative paths are made absolute.
        """
        env = os.environ if env is None else env
        base = cwd or Path.cwd()
        home = (base / env.get("REELFLOW_HOME", DEFAULT_HOME)).resolve()
        media = (base / env.get("REELFLOW_MEDIA_ROOT", str(home / "media"))).resolve()
        url = env.get("REELFLOW_DATABASE_URL") or f"sqlite:///{home / 'reelflow.db'}"
        return cls(home=home, database_url=url, media_root=media)
