"""The ASGI application, built from the settings: ``build_app(Settings.from_env())``."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reelflow.errors import InvalidArgument, TooLarge
from reelflow.settings import Settings
from reelflow.web import api, gallery, media, uploads
from reelflow.web.context import Web
from reelflow.web.errors import error_response, install

MAX_JSON_BODY = 2 * 2**20  # a 1 MB script, escaped in JSON, fits
MIN_TOKEN_CHARS = 16


class BodyLimit:
    """Refuses request bodies over MAX_JSON_BODY, except uploads (which stream to disk under
    their own limit): 413 at once for a declared length, mid-stream for an undeclared one."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] == "/api/v1/uploads":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > MAX_JSON_BODY:
            reply = error_response(413, "too_large", f"the body is over {MAX_JSON_BODY:,} bytes")
            await reply(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > MAX_JSON_BODY:
                raise TooLarge(f"the body is over {MAX_JSON_BODY:,} bytes")
            return message

        await self.app(scope, counted, send)


def check_tokens(settings: Settings) -> None:
    """Raises InvalidArgument when a configured token is too short to be a secret."""
    for name, tokens in (("REELFLOW_READ_TOKENS", settings.read_tokens),
                         ("REELFLOW_ADMIN_TOKENS", settings.admin_tokens)):
        if any(len(token) < MIN_TOKEN_CHARS for token in tokens):
            raise InvalidArgument(f"{name}: every token must be at least {MIN_TOKEN_CHARS} "
                                  "characters (e.g. `openssl rand -hex 16`)")


def build_app(settings: Settings, *, prefect_ui: str | None = None) -> FastAPI:
    """Returns the web server's ASGI app: /media, /captions, /api/v1, /docs and the gallery.

    Creates the signing secret in settings.home on first use. Raises InvalidArgument for a
    token too short to be a secret, OSError when home is not writable.
    """
    check_tokens(settings)
    app = FastAPI(title="reelflow", version="1", docs_url=None, redoc_url=None,
                  description="Start and follow video jobs, list, watch and delete videos, "
                              "upload scripts and media.")
    app.state.web = Web(settings, prefect_ui)
    install(app)
    app.include_router(api.router)
    app.include_router(uploads.router)
    app.router.routes.extend(media.routes(settings.media_url_prefix))
    app.router.routes.extend(gallery.routes())
    app.add_middleware(BodyLimit)
    return app
