"""The one place where errors become HTTP statuses, and every error body is
``{"error": <name>, "detail": <one line>}``."""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

from reelflow.errors import (
    AccessDenied,
    DatabaseError,
    InvalidArgument,
    InvalidMedia,
    InvalidScript,
    InvalidTransition,
    NotAuthenticated,
    NotFound,
    RecordInvalid,
    ReelflowError,
    ServiceUnavailable,
    TooLarge,
)

# Most specific first: the first class an error is an instance of decides.
STATUS: tuple[tuple[type[ReelflowError], int], ...] = (
    (NotAuthenticated, 401),
    (AccessDenied, 403),
    (NotFound, 404),
    (TooLarge, 413),
    (InvalidMedia, 415),
    (InvalidScript, 422),
    (RecordInvalid, 422),
    (InvalidArgument, 400),
    (InvalidTransition, 409),
    (ServiceUnavailable, 503),
    (DatabaseError, 503),
)
HTTP_NAMES = {400: "bad_request", 401: "not_authenticated", 403: "access_denied",
              404: "not_found", 405: "method_not_allowed", 413: "too_large",
              415: "unsupported_media", 422: "invalid_request"}


def status_of(error: ReelflowError) -> int:
    """Given a reelflow error, returns its HTTP status (500 for anything unexpected)."""
    return next((status for kind, status in STATUS if isinstance(error, kind)), 500)


def error_name(error: BaseException) -> str:
    """Returns the error's class name in snake case: InvalidScript -> invalid_script."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", type(error).__name__).lower()


def error_response(status: int, name: str, detail: str) -> JSONResponse:
    """Returns the JSON error body with ``status``; a 401 also says which scheme to use."""
    headers = {"www-authenticate": 'Bearer realm="reelflow"'} if status == 401 else None
    return JSONResponse({"error": name, "detail": detail}, status_code=status, headers=headers)


def install(app: FastAPI) -> None:
    """Registers the handlers that turn errors raised anywhere in ``app`` into JSON errors."""

    async def reelflow_error(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ReelflowError)
        status = status_of(exc)
        detail = str(exc) if status < 500 or isinstance(exc, ServiceUnavailable | DatabaseError) \
            else "the server failed; see its log"
        return error_response(status, error_name(exc), detail.splitlines()[0] if detail else "")

    async def http_error(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HTTPException)
        return error_response(exc.status_code, HTTP_NAMES.get(exc.status_code, "http_error"),
                              str(exc.detail))

    async def invalid_request(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(part) for part in first.get("loc", ()) if part != "body")
        return error_response(422, "invalid_request",
                              f"{where}: {first.get('msg', 'invalid')}" if where
                              else str(first.get("msg", "invalid request")))

    app.add_exception_handler(ReelflowError, reelflow_error)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(RequestValidationError, invalid_request)
