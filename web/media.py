"""``/media/{path}``: the media root by the URL paths the database records, GET and HEAD.

The order of the checks is the point. First the path alone (storage/access.py): anything
that would leave the root, or names a kind of file never served, is 404. Then who asks: 401
or 403 for a type the caller may not read, before the file is looked at, so a refusal says
nothing about whether the file exists. Only then the disk and the database: a file must be a
regular file that a COMPLETED video, or an asset of a COMPLETED job, records.
"""

from __future__ import annotations

import mimetypes
import os
import stat
from pathlib import Path

import anyio
from starlette.requests import Request
from starlette.routing import Route

from reelflow.db.states import StorageType
from reelflow.errors import NotFound
from reelflow.storage.access import Role, resolve, servable_type
from reelflow.web.context import Web
from reelflow.web.filesend import FileSend

TYPES = {".mp4": "video/mp4", ".m4a": "audio/mp4", ".webm": "video/webm", ".vtt": "text/vtt",
         ".srt": "application/x-subrip", ".wav": "audio/wav", ".mp3": "audio/mpeg",
         ".ogg": "audio/ogg", ".flac": "audio/flac", ".png": "image/png", ".jpg": "image/jpeg",
         ".jpeg": "image/jpeg", ".webp": "image/webp", ".gif": "image/gif",
         ".mkv": "video/x-matroska"}
NO_SUCH_FILE = "no such file"


def content_type(path: Path) -> str:
    """Returns the Content-Type to send for ``path`` (by its name; uploads are stored under
    the extension their content showed)."""
    suffix = path.suffix.lower()
    return TYPES.get(suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def serving_headers(role: Role, public: bool, download: str | None = None) -> dict[str, str]:
    """Returns the caching and safety headers of a served file."""
    headers = {"x-content-type-options": "nosniff",
               "cache-control": "public, max-age=3600" if public and role == Role.ANONYMOUS
               else "private, max-age=3600"}
    if download is not None:
        headers["content-disposition"] = f'attachment; filename="{download}"'
    return headers


def _decide(web: Web, request: Request) -> tuple[Path, os.stat_result, Role, StorageType]:
    real = resolve(web.media.root, request.path_params["path"])
    kind = servable_type(web.media, real) if real is not None else None
    if real is None or kind is None:
        raise NotFound(NO_SUCH_FILE)
    role = web.check_read(request, kind)
    try:
        info = os.stat(real)
    except OSError as exc:
        raise NotFound(NO_SUCH_FILE) from exc
    if not stat.S_ISREG(info.st_mode) or not web.published(real):
        raise NotFound(NO_SUCH_FILE)
    return real, info, role, kind


async def media(request: Request) -> FileSend:
    """Serves one published file of the media root (see the module's order of checks)."""
    web: Web = request.app.state.web
    real, info, role, kind = await anyio.to_thread.run_sync(_decide, web, request)
    public = web.permissions(kind).get("public_read") is True
    download = real.name if request.query_params.get("download") == "1" else None
    return FileSend(real, info, content_type(real), serving_headers(role, public, download))


def routes(prefix: str) -> list[Route]:
    """Returns the media route under ``prefix`` (``/media``), for GET and HEAD."""
    return [Route(f"{prefix.rstrip('/')}/{{path:path}}", media, methods=["GET", "HEAD"])]
