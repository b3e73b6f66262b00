"""Uploads under /api/v1: a script (text only) and media files (image, audio, video).

Both take the raw file as the request body (no multipart form), with the original name in
``?name=``: a browser sends ``fetch(url, {method: "POST", body: file})``, curl sends
``--data-binary @file``. Media bodies are streamed to a staging file and refused the moment
they pass the size limit, so nothing larger than the limit is ever written or held in memory.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Annotated

import anyio
from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool

from reelflow.db.states import ScriptKind, StorageType
from reelflow.engine.parsing import parse_script
from reelflow.engine.script import MAX_SCRIPT_BYTES
from reelflow.engine.sniff import MediaKind
from reelflow.errors import AccessDenied, TooLarge
from reelflow.services.library import STORAGE_OF, ingest, staging_folder
from reelflow.services.scripts import store_script, stored_text
from reelflow.web.api import Session
from reelflow.web.context import Web
from reelflow.web.schemas import ScriptStored, Uploaded
from reelflow.web.views import kind_of

router = APIRouter(prefix="/api/v1")
Name = Annotated[str, Query(min_length=1, max_length=255, description="the file's name")]
RAW_BODY = {"requestBody": {"required": True, "content": {
    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}}


async def read_limited(request: Request, limit: int, sink: Path | None = None) -> bytes:
    """Returns the request body (or writes it to ``sink`` and returns b""); raises TooLarge as
    soon as it passes ``limit`` bytes, without reading the rest."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise TooLarge(f"the body is {int(declared):,} bytes; the limit is {limit:,}")
    seen, kept = 0, bytearray()
    out = await anyio.open_file(sink, "wb") if sink is not None else None
    try:
        async for chunk in request.stream():
            seen += len(chunk)
            if seen > limit:
                raise TooLarge(f"the body is over the limit of {limit:,} bytes")
            if out is not None:
                await out.write(chunk)
            else:
                kept += chunk
    finally:
        if out is not None:
            await out.aclose()
    return bytes(kept)


@router.post("/scripts", response_model=ScriptStored, status_code=201, openapi_extra=RAW_BODY,
             summary="Upload a script (its text as the body); validated, stored, reusable")
async def upload_script(request: Request, name: Name, session: Session = None) -> ScriptStored:
    web: Web = request.app.state.web
    await run_in_threadpool(web.check_write, request, StorageType.VIDEOS)
    data = await read_limited(request, MAX_SCRIPT_BYTES)
    parsed = await run_in_threadpool(lambda: parse_script(data, source_name=name))
    session_id = session or "default"
    script_id = await run_in_threadpool(store_script, web.settings, parsed.title,
                                        stored_text(data), name, ScriptKind.UPLOADED, session_id)
    return ScriptStored(script_id=script_id, title=parsed.title, scenes=len(parsed.scenes),
                        session_id=session_id)


@router.post("/uploads", response_model=Uploaded, status_code=201, openapi_extra=RAW_BODY,
             summary="Upload an image, audio or video file for scripts to use")
async def upload_media(request: Request, name: Name, session: Session = None,
                       kind: MediaKind | None = None) -> Uploaded:
    web: Web = request.app.state.web
    wanted = [STORAGE_OF[kind]] if kind else list(STORAGE_OF.values())
    await run_in_threadpool(_may_write_one_of, web, request, wanted)
    def authorize(storage: StorageType) -> None:
        web.check_write(request, storage)  # the type the content showed must be writable

    staged = staging_folder(web.settings) / f".upload-{uuid.uuid4().hex}"
    try:
        await read_limited(request, web.settings.upload_max_bytes, staged)
        done = await run_in_threadpool(
            lambda: ingest(web.settings, staged, original_name=Path(name).name,
                           session_id=session or "default", expect=kind,
                           authorize=authorize))
    finally:
        staged.unlink(missing_ok=True)
    return Uploaded(**{**done.as_dict(), "url": web.link(done.url_path, kind_of(done.url_path))})


def _may_write_one_of(web: Web, request: Request, kinds: list[StorageType]) -> None:
    refusal: AccessDenied | None = None
    for storage in kinds:
        try:
            web.check_write(request, storage)
            return
        except AccessDenied as exc:
            refusal = refusal or exc
    assert refusal is not None
    raise refusal
