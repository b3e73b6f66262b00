"""The entry point: bytes to text, the choice of format, overrides, then validation."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from typing import Literal

from pydantic import ValidationError

from reelflow.engine.parsing.draft import Loc, _Draft
from reelflow.engine.parsing.markdown import _parse_markdown
from reelflow.engine.parsing.messages import _apply_overrides, _describe
from reelflow.engine.parsing.structured import _parse_json, _parse_yaml
from reelflow.engine.script import MAX_SCRIPT_BYTES, MAX_TITLE_CHARS, Script
from reelflow.errors import InvalidScript

ScriptFormat = Literal["markdown", "yaml", "json"]

_SUFFIX_FORMATS: dict[str, ScriptFormat] = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "markdown",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".json": "json",
}
_YAML_KEY = re.compile(r"^[\"']?[A-Za-z_][\w-]*[\"']?\s*:(?:\s|$)")
_YAML_SCENES = re.compile(r"^[\"']?scenes[\"']?\s*:", re.MULTILINE)
_BOM = b"\xef\xbb\xbf"


def script_sha256(data: bytes | str) -> str:
    """Given script bytes (or text, hashed as UTF-8), returns their hex SHA-256 digest."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    return hashlib.sha256(raw).hexdigest()


def parse_script(
    data: bytes | str,
    *,
    source_name: str | None = None,
    overrides: Mapping[str, object] | None = None,
) -> Script:
    """Given script bytes or text, returns the validated ``Script``; raises ``InvalidScript``.

    The format comes from ``source_name``'s suffix (.md/.markdown/.txt, .yaml/.yml, .json),
    else it is sniffed. ``overrides`` holds ``RenderSettings`` fields and optionally ``title``;
    they win over what the script says and are validated the same way. ``None`` values are
    ignored, so a command line can pass its unset options straight through. Without a title
    in the overrides or the script, the title is ``source_name``'s humanised stem, else
    "Untitled".
    """
    return parse_located(data, source_name=source_name, overrides=overrides)[0]


def parse_located(
    data: bytes | str,
    *,
    source_name: str | None = None,
    overrides: Mapping[str, object] | None = None,
) -> tuple[Script, Mapping[Loc, int]]:
    """As ``parse_script``, and also returns the source line of each field path it knows,
    such as ``("scenes", 1, "image")`` (0-based scene index), for messages about the script
    that only later checks can give (a scene's image that cannot be read)."""
    text = _decode(data)
    fmt = _choose_format(text, source_name)
    draft = _PARSERS[fmt](text)
    _apply_overrides(draft, overrides or {})
    _refuse_unpaired_surrogates(draft.data)
    if "title" not in draft.data:
        draft.data["title"] = _title_from_name(source_name) or "Untitled"
    try:
        return Script.model_validate(draft.data), dict(draft.lines)
    except ValidationError as exc:
        raise InvalidScript(_describe(exc, draft.lines)) from exc


def _decode(data: bytes | str) -> str:
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else bytes(data)
    if len(raw) > MAX_SCRIPT_BYTES:
        raise InvalidScript(
            f"script is {len(raw):,} bytes; the limit is {MAX_SCRIPT_BYTES:,} bytes"
        )
    skipped = len(_BOM) if raw.startswith(_BOM) else 0
    try:
        text = raw[skipped:].decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = skipped + exc.start
        line = raw.count(b"\n", 0, offset) + 1
        hint = (
            " (it looks like UTF-16; save it as UTF-8)"
            if raw[:2] in (b"\xff\xfe", b"\xfe\xff")
            else ""
        )
        raise InvalidScript(
            f"script is not valid UTF-8: byte 0x{raw[offset]:02x} at offset {offset} "
            f"(line {line}){hint}"
        ) from exc
    nul = text.find("\x00")
    if nul >= 0:
        # No database text column takes a NUL (PostgreSQL refuses it), and no script needs one.
        line = text.count("\n", 0, nul) + 1
        raise InvalidScript(f"script contains a NUL character (line {line})")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise InvalidScript("script is empty")
    return text


def _refuse_unpaired_surrogates(data: object) -> None:
    # JSON and YAML escapes such as "\ud800" make strings that are not Unicode text: no
    # file, database or speech engine can take them, so they are refused here, once.
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError as exc:
                code = ord(item[exc.start])
                raise InvalidScript(f"script contains an unpaired surrogate \\u{code:04x} "
                                    f"(an escape that is not a character)") from None
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _choose_format(text: str, source_name: str | None) -> ScriptFormat:
    suffix = _split_name(source_name)[1].lower() if source_name else ""
    if suffix in _SUFFIX_FORMATS:
        return _SUFFIX_FORMATS[suffix]
    if text.lstrip().startswith("{"):
        return "json"
    # Sniffed by shape, not by trial parsing: a first line that is a "key:" plus a top-level
    # "scenes:" key mean YAML, even broken YAML, so its syntax error gets reported instead of
    # the YAML being read aloud as prose. ("#" lines are YAML comments or Markdown titles.)
    first = next((line for line in text.split("\n") if line.strip() and line[0] != "#"), "")
    if _YAML_KEY.match(first) and _YAML_SCENES.search(text):
        return "yaml"
    return "markdown"


def _split_name(name: str) -> tuple[str, str]:
    """Given a file name or path, returns (stem, suffix) of its last component."""
    base = re.split(r"[\\/]", name)[-1]
    dot = base.rfind(".")
    return (base[:dot], base[dot:]) if dot > 0 else (base, "")


def _title_from_name(source_name: str | None) -> str | None:
    if not source_name:
        return None
    words = re.sub(r"[-_\s.]+", " ", _split_name(source_name)[0]).strip()
    if not words:
        return None
    return (words[0].upper() + words[1:])[:MAX_TITLE_CHARS]


_PARSERS: dict[ScriptFormat, Callable[[str], _Draft]] = {
    "markdown": _parse_markdown,
    "yaml": _parse_yaml,
    "json": _parse_json,
}
