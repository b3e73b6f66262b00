"""What every request handler shares: settings, the real media root, the signing secret, and
access checks that ask storage/access.py and raise the errors web/errors.py turns into 401/403.

Storage permissions are read from the database at most every PERMISSIONS_TTL seconds, so
``reelflow storage set`` takes effect on a running server within that time. "This file is
published" answers are remembered for PUBLISHED_TTL seconds; only positive ones, since a file
never stops being published without being deleted (and a deleted file fails its stat).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from starlette.requests import Request

from reelflow.db.states import StorageType
from reelflow.errors import AccessDenied, NotAuthenticated
from reelflow.services.runtime import database
from reelflow.settings import Settings
from reelflow.storage.access import (
    Role,
    Verdict,
    load_secret,
    may_read,
    may_write,
    role_of,
    signed_query,
    verify,
)
from reelflow.storage.layout import MediaLayout

PERMISSIONS_TTL = 5.0
PUBLISHED_TTL = 30.0
LINK_SECONDS = 3600  # how long the signed URLs the API hands out stay valid


@dataclass
class Web:
    """The web server's state, built once at start (see web/app.py)."""

    settings: Settings
    prefect_ui: str | None = None
    media: MediaLayout = field(init=False)
    secret: bytes = field(init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)
    _permissions: tuple[float, dict[StorageType, dict[str, object]]] = field(
        default=(0.0, {}), init=False)
    _published: dict[str, float] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        self.media = MediaLayout(Path(os.path.realpath(self.settings.media_root)),
                                 self.settings.media_url_prefix)
        self.secret = load_secret(self.settings.home)

    def permissions(self, kind: StorageType) -> Mapping[str, object]:
        """Returns a storage type's access_permissions as the database holds them."""
        read_at, known = self._permissions
        if time.monotonic() - read_at > PERMISSIONS_TTL:
            with database(self.settings).unit_of_work(read_only=True) as uow:
                known = {row.storage_type: dict(row.access_permissions or {})
                         for row in uow.storage.all()}
            self._permissions = (time.monotonic(), known)
        return known.get(kind, {})

    def published(self, path: Path) -> bool:
        """Whether a COMPLETED video, or an asset of a COMPLETED job, records ``path``."""
        key = str(path)
        with self._lock:
            if time.monotonic() - self._published.get(key, -PUBLISHED_TTL) < PUBLISHED_TTL:
                return True
        with database(self.settings).unit_of_work(read_only=True) as uow:
            found = uow.media.is_published(key)
        if found:
            with self._lock:
                if len(self._published) > 10_000:
                    self._published.clear()
                self._published[key] = time.monotonic()
        return found

    def role(self, request: Request) -> Role:
        """Returns who the request is; raises NotAuthenticated for an unknown bearer token."""
        role = role_of(request.headers.get("authorization"), self.settings.read_tokens,
                       self.settings.admin_tokens)
        if role is None:
            raise NotAuthenticated("the bearer token is not one this server knows")
        if role == Role.ANONYMOUS and verify(
                self.secret, request.scope["path"], request.query_params.get("expires"),
                request.query_params.get("signature"), time.time()):
            return Role.READER  # a genuine signed URL reads exactly its own path
        return role

    def check_read(self, request: Request, kind: StorageType) -> Role:
        """Raises NotAuthenticated or AccessDenied unless the request may read ``kind``."""
        role = self.role(request)
        _enforce(may_read(self.permissions(kind), role), kind, "read")
        return role

    def check_write(self, request: Request, kind: StorageType) -> Role:
        """Raises NotAuthenticated or AccessDenied unless the request may write ``kind``."""
        role = self.role(request)
        _enforce(may_write(self.permissions(kind), role), kind, "write")
        return role

    def link(self, url_path: str, kind: StorageType, seconds: int = LINK_SECONDS) -> str:
        """Returns the URL (path and query) a browser needs to read ``url_path``: the plain
        path when the type is public, else a signed one valid for ``seconds``."""
        if self.permissions(kind).get("public_read") is True:
            return url_path
        return f"{url_path}?{signed_query(self.secret, url_path, int(time.time()) + seconds)}"


def _enforce(verdict: Verdict, kind: StorageType, action: str) -> None:
    if verdict == Verdict.UNAUTHENTICATED:
        raise NotAuthenticated(f"to {action} {str(kind).lower()}, send a bearer token"
                               + (" or use a signed URL" if action == "read" else ""))
    if verdict == Verdict.FORBIDDEN:
        raise AccessDenied(f"these credentials may not {action} {str(kind).lower()}")
