"""The pages: the gallery at ``/``, the API reference at ``/docs``, their static files, and
``/captions/{video id}.vtt`` for the players' caption tracks."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import anyio
from starlette.requests import Request
from starlette.responses import FileResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from reelflow.db.states import StorageType
from reelflow.errors import NotFound
from reelflow.services.catalog import find_video
from reelflow.storage.access import Role
from reelflow.web.captions import webvtt_for
from reelflow.web.context import Web
from reelflow.web.filesend import FileSend
from reelflow.web.media import serving_headers

STATIC = Path(__file__).resolve().parent / "static"
# Why a policy: pages load only their own scripts and styles, so a title or an error message
# shown in the page can never run as code.
PAGE_HEADERS = {"content-security-policy": "default-src 'self'; img-src 'self' data:; "
                "media-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
                "x-content-type-options": "nosniff", "cache-control": "no-cache"}


async def gallery(_request: Request) -> FileResponse:
    return FileResponse(STATIC / "index.html", headers=PAGE_HEADERS)


async def docs(_request: Request) -> FileResponse:
    return FileResponse(STATIC / "docs.html", headers=PAGE_HEADERS)


def _captions(web: Web, request: Request) -> tuple[Path, os.stat_result, Role]:
    try:
        video_id = uuid.UUID(request.path_params["video_id"])
    except ValueError as exc:
        raise NotFound("no such captions") from exc
    role = web.check_read(request, StorageType.VIDEOS)
    card = find_video(web.settings, video_id)
    found = webvtt_for(web.settings, card) if card["completed"] else None
    if found is None:
        raise NotFound("no such captions")
    return found, found.stat(), role


async def captions(request: Request) -> FileSend:
    """Serves a completed video's captions as WebVTT, to whoever may read the video."""
    web: Web = request.app.state.web
    path, info, role = await anyio.to_thread.run_sync(_captions, web, request)
    public = web.permissions(StorageType.VIDEOS).get("public_read") is True
    return FileSend(path, info, "text/vtt; charset=utf-8", serving_headers(role, public))


def routes() -> list[Route | Mount]:
    """Returns the page, static and caption routes."""
    return [Route("/", gallery), Route("/docs", docs),
            Route("/captions/{video_id}.vtt", captions, methods=["GET", "HEAD"]),
            Mount("/static", StaticFiles(directory=STATIC), name="static")]
