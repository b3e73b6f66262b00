"""Sending one file from disk: conditional requests, byte ranges, HEAD, in bounded chunks.

Memory per request is one chunk, whatever the file's size, so a browser seeking in a 1 GB
video costs a stat and a seek. Precedence follows RFC 9110 section 13.2.2: If-None-Match
(else If-Modified-Since) may answer 304 before any Range is looked at; an If-Range that does
not match the file makes a Range request get the whole file.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path

import anyio
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from reelflow.web.ranges import Parts, Unsatisfiable, parse_range

CHUNK = 256 * 1024


class FileSend(Response):
    """An ASGI response for the regular file ``path`` as ``info`` (its stat) describes it."""

    def __init__(self, path: Path, info: os.stat_result, content_type: str,
                 headers: Mapping[str, str]) -> None:
        # Why no super().__init__: nothing of Response's body handling applies; the class is
        # a Response so that endpoints can return it.
        self.path, self.size = path, info.st_size
        self.etag = f'"{info.st_mtime_ns:x}-{info.st_size:x}"'
        self.last_modified = formatdate(info.st_mtime, usegmt=True)
        self.mtime = int(info.st_mtime)
        self.content_type = content_type
        self.base = {"accept-ranges": "bytes", "etag": self.etag,
                     "last-modified": self.last_modified, **headers}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        asked = Headers(scope=scope)
        head = scope["method"] == "HEAD"
        if self._not_modified(asked):
            await _start(send, 304, self.base)
            await send({"type": "http.response.body", "body": b""})
            return
        wanted = asked.get("range")
        if_range = asked.get("if-range")
        if if_range is not None and if_range not in (self.etag, self.last_modified):
            wanted = None
        answer = parse_range(wanted, self.size)
        if isinstance(answer, Unsatisfiable):
            await _start(send, 416, {**self.base, "content-range": f"bytes */{self.size}",
                                     "content-length": "0"})
            await send({"type": "http.response.body", "body": b""})
            return
        spans = answer.spans if isinstance(answer, Parts) else ((0, self.size - 1),)
        if len(spans) == 1:
            first, last = spans[0]
            headers = {**self.base, "content-type": self.content_type,
                       "content-length": str(last - first + 1)}
            if isinstance(answer, Parts):
                headers["content-range"] = f"bytes {first}-{last}/{self.size}"
            await _start(send, 206 if isinstance(answer, Parts) else 200, headers)
            if head or self.size == 0:
                await send({"type": "http.response.body", "body": b""})
            else:
                await self._stream(scope, receive, send, [(b"", first, last)], b"")
            return
        boundary = secrets.token_hex(13)
        pieces = [(f"--{boundary}\r\ncontent-type: {self.content_type}\r\ncontent-range: "
                   f"bytes {first}-{last}/{self.size}\r\n\r\n").encode()
                  for first, last in spans]
        closing = f"\r\n--{boundary}--\r\n".encode()
        length = sum(len(p) for p in pieces) + sum(b - a + 1 for a, b in spans) \
            + 2 * (len(spans) - 1) + len(closing)
        await _start(send, 206, {**self.base, "content-length": str(length),
                                 "content-type": f"multipart/byteranges; boundary={boundary}"})
        if head:
            await send({"type": "http.response.body", "body": b""})
            return
        parts = [(piece if n == 0 else b"\r\n" + piece, a, b)
                 for n, (piece, (a, b)) in enumerate(zip(pieces, spans, strict=True))]
        await self._stream(scope, receive, send, parts, closing)

    def _not_modified(self, asked: Headers) -> bool:
        tags = asked.get("if-none-match")
        if tags is not None:
            return tags.strip() == "*" or self.etag in (
                tag.strip().removeprefix("W/") for tag in tags.split(","))
        since = asked.get("if-modified-since")
        if since is None:
            return False
        try:
            return self.mtime <= int(parsedate_to_datetime(since).timestamp())
        except (TypeError, ValueError, IndexError, OverflowError):
            return False

    async def _stream(self, scope: Scope, receive: Receive, send: Send,
                      parts: list[tuple[bytes, int, int]], closing: bytes) -> None:
        async def write() -> None:
            file = await anyio.open_file(self.path, "rb")
            try:
                for prefix, first, last in parts:
                    if prefix:
                        await send({"type": "http.response.body", "body": prefix,
                                    "more_body": True})
                    await file.seek(first)
                    left = last - first + 1
                    while left > 0:
                        chunk = await file.read(min(CHUNK, left))
                        if not chunk:
                            raise OSError(f"{self.path} became shorter while it was sent")
                        left -= len(chunk)
                        await send({"type": "http.response.body", "body": chunk,
                                    "more_body": True})
                await send({"type": "http.response.body", "body": closing, "more_body": False})
            finally:
                with anyio.CancelScope(shield=True):
                    await file.aclose()

        # Why a watcher: before ASGI 2.4 a server may swallow writes to a closed connection,
        # and the rest of a 1 GB file would be read for nobody.
        async with anyio.create_task_group() as group:
            async def watch() -> None:
                while (await receive())["type"] != "http.disconnect":
                    pass
                group.cancel_scope.cancel()

            group.start_soon(watch)
            await write()
            group.cancel_scope.cancel()


async def _start(send: Send, status: int, headers: Mapping[str, str]) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(k.encode("latin-1"), v.encode("latin-1"))
                            for k, v in headers.items()]})
