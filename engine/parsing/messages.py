"""Overrides merged into a draft, and pydantic errors turned into one-line messages."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from reelflow.engine.parsing.draft import Loc, _Draft
from reelflow.engine.script import RenderSettings
from reelflow.errors import InvalidScript

_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_MAX_LISTED_ERRORS = 3
_MAX_SHOWN_INPUT = 60


def _apply_overrides(draft: _Draft, overrides: Mapping[str, object]) -> None:
    given = {key: value for key, value in overrides.items() if value is not None}
    title = given.pop("title", None)
    if title is not None:
        draft.data["title"] = title
        draft.lines.pop(("title",), None)
    if not given:
        return
    try:
        RenderSettings.model_validate(given)
    except ValidationError as exc:
        raise InvalidScript(_describe(exc, {}, prefix="override ")) from exc
    settings = draft.data.get("settings")
    if not isinstance(settings, dict):
        settings = {}
    draft.data["settings"] = {**settings, **given}
    for key in given:
        draft.lines.pop(("settings", key), None)


def _describe(exc: ValidationError, lines: Mapping[Loc, int], prefix: str = "") -> str:
    """Given a pydantic error, returns one line naming each problem's field path and line."""
    errors = exc.errors(include_url=False)
    parts = []
    for error in errors[:_MAX_LISTED_ERRORS]:
        loc: Loc = tuple(error["loc"])
        path = "".join(_step(part) for part in loc)
        part = f"{prefix}{path.lstrip('.')}: {_error_text(error)}" if path else _error_text(error)
        where = [f"line {line}"] if (line := _line_of(loc, lines)) else []
        if len(loc) > 1 and loc[0] == "scenes" and isinstance(loc[1], int):
            # Paths count from 0 as data does; people, tasks and files count scenes from 1.
            where.insert(0, f"scene {loc[1] + 1}")
        parts.append(f"{part} ({', '.join(where)})" if where else part)
    if len(errors) > _MAX_LISTED_ERRORS:
        parts.append(f"and {len(errors) - _MAX_LISTED_ERRORS} more problems")
    return "; ".join(parts)


def _step(part: str | int) -> str:
    """One step of a field path: ``[2]``, ``.title``, or a quoted key for any other key (an
    author's key may hold anything, line breaks included)."""
    if isinstance(part, int):
        return f"[{part}]"
    if _PLAIN_KEY.fullmatch(part):
        return f".{part}"
    return f"[{part[:_MAX_SHOWN_INPUT]!r}]"


def _error_text(error: Any) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "missing":
        return "required field missing"
    message = str(error["msg"])
    value = error.get("input")
    # Our own validators already quote the value; pydantic's generic messages do not.
    if error.get("ctx", {}).keys() == {"reason"}:
        return message
    shown = repr(value)
    if isinstance(value, (str, int, float, bool)) and len(shown) <= _MAX_SHOWN_INPUT:
        return f"{message}, got {shown}"
    return message


def _line_of(loc: Loc, lines: Mapping[Loc, int]) -> int | None:
    for end in range(len(loc), 0, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return None
