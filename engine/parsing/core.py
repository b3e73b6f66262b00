"""Turn script text (Markdown / plain text, YAML or JSON) into a validated ``Script``.

Every problem with the input becomes one ``InvalidScript`` whose one-line message says what is
wrong and where: a line number for text and syntax problems, a field path such as
``scenes[2].narration`` (0-based indices) for model problems, and both when both are known.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import yaml
from pydantic import ValidationError

try:  # libyaml is ~50x faster and caps nesting depth; the pure-Python loader is the fallback
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - PyYAML wheels ship libyaml
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

from engine.errors import InvalidScript
from engine.script import MAX_SCRIPT_BYTES, MAX_TITLE_CHARS, RenderSettings, Script

ScriptFormat = Literal["markdown", "yaml", "json"]
Loc = tuple[str | int, ...]

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
_MAX_LISTED_ERRORS = 3
_MAX_SHOWN_INPUT = 60


@dataclass
class _Draft:
    """Raw script data before validation, with the source line of each known field path."""

    data: dict[str, Any]
    lines: dict[Loc, int] = field(default_factory=dict)


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
    text = _decode(data)
    fmt = _choose_format(text, source_name)
    draft = _PARSERS[fmt](text)
    _apply_overrides(draft, overrides or {})
    if "title" not in draft.data:
        draft.data["title"] = _title_from_name(source_name) or "Untitled"
    try:
        return Script.model_validate(draft.data)
    except ValidationError as exc:
        raise InvalidScript(_describe(exc, draft.lines)) from exc


# --- bytes to text -------------------------------------------------------------------------


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
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise InvalidScript("script is empty")
    return text


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


# --- overrides and error messages ----------------------------------------------------------


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
        path = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc)
        part = f"{prefix}{path.lstrip('.')}: {_error_text(error)}" if path else _error_text(error)
        line = _line_of(loc, lines)
        parts.append(f"{part} (line {line})" if line else part)
    if len(errors) > _MAX_LISTED_ERRORS:
        parts.append(f"and {len(errors) - _MAX_LISTED_ERRORS} more problems")
    return "; ".join(parts)


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


# --- YAML and JSON -------------------------------------------------------------------------


def _parse_yaml(text: str) -> _Draft:
    node, data = _load_yaml(text, first_line=1)
    draft = _Draft(_top_mapping(data, "YAML"), _yaml_lines(node, line_offset=0))
    _normalise_structured(draft.data)
    return draft


def _parse_json(text: str) -> _Draft:
    try:
        data = json.loads(text, object_pairs_hook=_reject_duplicate_keys)
    except json.JSONDecodeError as exc:
        raise InvalidScript(
            f"JSON syntax error at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from exc
    except ValueError as exc:  # e.g. an integer beyond Python's digit limit
        raise InvalidScript(f"JSON value cannot be read: {exc}") from exc
    except RecursionError as exc:
        raise InvalidScript("JSON is nested too deeply") from exc
    draft = _Draft(_top_mapping(data, "JSON"))
    _normalise_structured(draft.data)
    return draft


def _reject_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            # A silent last-one-wins would drop part of the author's script.
            raise InvalidScript(f"JSON has a duplicate key {key!r}")
        result[key] = value
    return result


def _top_mapping(data: object, fmt: str) -> dict[str, Any]:
    if isinstance(data, dict):
        return data
    kind = "nothing" if data is None else f"a {type(data).__name__}"
    raise InvalidScript(
        f"a {fmt} script must be a mapping with title, settings and scenes at the top level; "
        f"got {kind} (line 1)"
    )


def _normalise_structured(data: dict[str, Any]) -> None:
    for key in ("title", "settings"):
        if key in data and data[key] is None:
            del data[key]  # "settings:" with nothing under it means the defaults
    scenes = data.get("scenes")
    if isinstance(scenes, list):
        # A bare scalar is a scene's narration (YAML reads "- 42" as a number).
        data["scenes"] = [
            {"narration": s} if isinstance(s, (str, int, float)) and not isinstance(s, bool) else s
            for s in scenes
        ]


class _Loader(_BaseLoader):
    """The safe loader, with the node's line on errors that PyYAML raises without one."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (ValueError, TypeError, OverflowError) as exc:  # e.g. a date with month 13
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read this value ({exc})", node.start_mark
            ) from exc


def _load_yaml(text: str, *, first_line: int) -> tuple[yaml.Node | None, Any]:
    """Given YAML text starting at ``first_line`` of the script, returns (node tree, data)."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is not None:
            _check_nodes(node, first_line)
        return node, (loader.construct_document(node) if node is not None else None)
    except yaml.MarkedYAMLError as exc:
        raise InvalidScript(_yaml_error_text(exc, first_line)) from exc
    except yaml.YAMLError as exc:
        raise InvalidScript(f"YAML error: {' '.join(str(exc).split())}") from exc
    except RecursionError as exc:
        raise InvalidScript("YAML is nested too deeply") from exc
    finally:
        loader.dispose()


def _yaml_error_text(exc: yaml.MarkedYAMLError, first_line: int) -> str:
    def where(mark: Any) -> str:
        return f"line {mark.line + first_line}, column {mark.column + 1}"

    kind = (
        "YAML error" if isinstance(exc, yaml.constructor.ConstructorError) else "YAML syntax error"
    )
    mark = exc.problem_mark or exc.context_mark
    text = f"{kind} at {where(mark)}" if mark else kind
    text += f": {exc.problem or exc.context or 'cannot be parsed'}"
    # The problem is often found only at the end of the file; the context says where it began.
    if exc.problem and exc.context and exc.context_mark:
        text += f" ({exc.context} at {where(exc.context_mark)})"
    return text


def _walk(node: yaml.Node) -> Iterator[yaml.Node]:
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if isinstance(current, yaml.MappingNode):
            stack.extend(item for pair in current.value for item in pair)
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)


def _check_nodes(root: yaml.Node, first_line: int) -> None:
    """Given a YAML node tree, raises ``InvalidScript`` on an alias or a duplicate key."""
    # An alias shows up as the same node reached twice. Aliases let a tiny file expand into
    # an exponential amount of data ("billion laughs"), and scripts have no use for them.
    seen: set[int] = set()
    for node in _walk(root):
        if id(node) in seen:
            line = node.start_mark.line + first_line
            raise InvalidScript(
                f"YAML anchors and aliases are not supported (anchor at line {line})"
            )
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            keys: dict[tuple[str, str], int] = {}
            for key_node, _ in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    continue  # a list or mapping as a key fails later, in construction
                key, line = (key_node.tag, key_node.value), key_node.start_mark.line + first_line
                if key in keys:
                    # A silent last-one-wins would drop part of the author's script.
                    raise InvalidScript(
                        f"duplicate key {key_node.value!r} at line {line} "
                        f"(first at line {keys[key]})"
                    )
                keys[key] = line


def _yaml_lines(node: yaml.Node | None, line_offset: int, depth: int = 3) -> dict[Loc, int]:
    """Given a YAML node tree, returns the 1-based line of each field path ``depth`` deep."""
    lines: dict[Loc, int] = {}

    def visit(current: yaml.Node, loc: Loc) -> None:
        lines[loc] = current.start_mark.line + 1 + line_offset
        if len(loc) >= depth:
            return
        if isinstance(current, yaml.MappingNode):
            for key_node, value_node in current.value:
                if isinstance(key_node, yaml.ScalarNode):
                    visit(value_node, (*loc, key_node.value))
                    lines[(*loc, key_node.value)] = key_node.start_mark.line + 1 + line_offset
        elif isinstance(current, yaml.SequenceNode):
            for index, item in enumerate(current.value):
                visit(item, (*loc, index))

    if node is not None:
        visit(node, ())
        lines.pop((), None)
    return lines


# --- Markdown and plain text ---------------------------------------------------------------

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*))?$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_BREAK = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_LINK_DEF = re.compile(r"^ {0,3}\[[^\]]+\]:\s*\S")
_QUOTE = re.compile(r"^\s*(?:>\s?)+")
_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])\s+(?:\[[ xX]\]\s+)?")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")
_TABLE_ROW = re.compile(r"^\s*\|(.*)\|\s*$")
_IMAGE = re.compile(
    r"!\[[^\[\]]*\]\(\s*(<[^<>]*>|[^\s()<]+)(?:\s+(?:\"[^\"()]*\"|'[^'()]*'))?\s*\)"
)
_FRONT_MATTER_KEY = re.compile(r"^[A-Za-z_][\w-]*\s*:")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SENTENCE_END = re.compile(r"[.!?…:;][\"')\]]*$")

_ESCAPABLE = "\\`*_{}[]()#+-.!<>|~"
_PROTECT = {ord(char): 0xE000 + ord(char) for char in _ESCAPABLE}
_RESTORE = {value: key for key, value in _PROTECT.items()}
# Every character class below stops at the next delimiter of its own kind, so each rule runs
# in linear time: a script is untrusted input and may be a megabyte on one line.
_INLINE_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"!\[[^\[\]]*\]\([^()]*\)"), ""),  # images: hints, not speech
    (re.compile(r"\[\^[^\[\]]+\]"), ""),  # footnote references
    (re.compile(r"\[([^\[\]]*)\]\([^()]*\)"), r"\1"),  # [text](url)
    (re.compile(r"\[([^\[\]]+)\]\[[^\[\]]*\]"), r"\1"),  # [text][ref]
    (re.compile(r"<(?:mailto:)?([^<>\s@]+@[^<>\s]+|https?://[^<>\s]+)>"), r"\1"),  # autolinks
    (re.compile(r"<br\s*/?>", re.IGNORECASE), " "),
    (re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>"), ""),  # other HTML tags
    (re.compile(r"\*\*(?=\S)([^*]+?)(?<=\S)\*\*"), r"\1"),
    (re.compile(r"(?<!\w)__(?=\S)([^_]+?)(?<=\S)__(?!\w)"), r"\1"),
    (re.compile(r"~~(?=\S)([^~]+?)(?<=\S)~~"), r"\1"),
    (re.compile(r"(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])"), r"\1"),
    (re.compile(r"(?<![\w_])_(?=\S)([^_]+?)(?<=\S)_(?![\w_])"), r"\1"),
)
_MARKUP = re.compile(r"[\\`*_\[<>&~]")
_EMPHASIS_DEPTH = 3  # ***a* b** nests three deep; deeper nesting keeps its leftover marks


def _plain(text: str) -> str:
    """Given one line of Markdown, returns it as plain speakable text."""
    if not _MARKUP.search(text):
        return " ".join(_CONTROL.sub(" ", text).split())  # plain prose: the common, fast case
    # Escaped characters and code spans are parked in the private-use area so that no rule
    # below can mistake them for markup; they come back verbatim at the end.
    text = re.sub(r"\\([\\`*_{}\[\]()#+\-.!<>|~])", lambda m: m.group(1).translate(_PROTECT), text)
    text = _CONTROL.sub(" ", _code_spans(text))
    for _ in range(_EMPHASIS_DEPTH):
        previous = text
        for pattern, replacement in _INLINE_RULES:
            text = pattern.sub(replacement, text)
        if text == previous:
            break
    text = html.unescape(text).translate(_RESTORE)
    return " ".join(text.split())


def _code_spans(text: str) -> str:
    """Given a line, returns it with each code span's content protected and its ticks gone."""
    # A span closes at the next run of exactly as many backticks. Pairing runs by length in
    # one pass keeps this linear; a regex with a backreference is quadratic on unclosed runs.
    runs = [(m.start(), m.end()) for m in re.finditer(r"`+", text)]
    closer: dict[int, int] = {}
    last_of_length: dict[int, int] = {}
    for index in range(len(runs) - 1, -1, -1):
        length = runs[index][1] - runs[index][0]
        if length in last_of_length:
            closer[index] = last_of_length[length]
        last_of_length[length] = index
    parts, position, index = [], 0, 0
    while index < len(runs):
        if index not in closer:
            index += 1
            continue
        (start, end), (close_start, close_end) = runs[index], runs[closer[index]]
        parts += [text[position:start], text[end:close_start].strip().translate(_PROTECT)]
        position, index = close_end, closer[index] + 1
    return "".join(parts) + text[position:]


def _as_sentence(text: str) -> str:
    return text if _SENTENCE_END.search(text) else f"{text}."


@dataclass
class _Unit:
    """A candidate scene: a headed section, or (in a document without sections) a paragraph."""

    line: int
    heading: str | None = None
    text: list[str] = field(default_factory=list)
    images: list[tuple[str, int]] = field(default_factory=list)


@dataclass
class _MarkdownReader:
    """Walks the lines once, splitting them into a title, sections and paragraphs."""

    title: tuple[str, int] | None = None
    sections: list[list[_Unit]] = field(default_factory=lambda: [[]])
    headings: list[tuple[str, int]] = field(default_factory=list)
    paragraph: list[tuple[int, str]] = field(default_factory=list)
    pending_subheadings: list[str] = field(default_factory=list)

    def read(self, lines: list[tuple[int, str]]) -> None:
        fence: tuple[str, int] | None = None
        for number, line in lines:
            if fence is not None:
                marker = fence[0]
                if re.match(rf"^ {{0,3}}{re.escape(marker[0])}{{{len(marker)},}}\s*$", line):
                    fence = None
                continue
            if opened := _FENCE.match(line):
                self.close_paragraph()
                fence = (opened.group(1), number)  # code is not speakable, so it is skipped
            elif not line.strip():
                self.close_paragraph()
            elif heading := _ATX.match(line):
                self.close_paragraph()
                text = re.sub(r"(?:^|[ \t]+)#+$", "", (heading.group(2) or "").strip())
                self.heading(len(heading.group(1)), text, number)
            elif (underline := _SETEXT.match(line)) and self.is_single_text_line():
                first_number, text = self.paragraph.pop()
                self.heading(1 if underline.group(1)[0] == "=" else 2, text, first_number)
            elif _BREAK.match(line):
                self.close_paragraph()
            elif not _LINK_DEF.match(line):
                self.paragraph.append((number, line))
        if fence is not None:
            raise InvalidScript(f"code block opened at line {fence[1]} is never closed")
        self.close_paragraph()
        if self.pending_subheadings:
            self.sections[-1].append(_Unit(lines[-1][0], text=self.pending_subheadings))

    def is_single_text_line(self) -> bool:
        if len(self.paragraph) != 1:
            return False
        line = self.paragraph[0][1]
        return not (_ITEM.match(line) or _QUOTE.match(line) or _TABLE_ROW.match(line))

    def heading(self, level: int, text: str, number: int) -> None:
        plain = _plain(text)
        if not plain:
            return  # an empty heading ("#" alone) names nothing and starts nothing
        if level == 1 and self.title is None:
            self.title = (plain, number)
        elif level <= 2:
            self.sections.append([])
            self.headings.append((plain, number))
        else:
            # A sub-heading is spoken as the first sentence of what follows it.
            self.pending_subheadings.append(_as_sentence(plain))

    def close_paragraph(self) -> None:
        if not self.paragraph:
            return
        unit = _Unit(self.paragraph[0][0], text=list(self.pending_subheadings))
        self.pending_subheadings.clear()
        _read_paragraph(unit, self.paragraph)
        self.paragraph.clear()
        self.sections[-1].append(unit)


def _read_paragraph(unit: _Unit, lines: list[tuple[int, str]]) -> None:
    """Given a paragraph's lines, adds its speakable text and image hints to ``unit``."""
    fragments: list[tuple[bool, str]] = []  # (ends as a sentence, text): list items, rows
    for number, raw in lines:
        unquoted = re.sub(r"\\$", "", _QUOTE.sub("", raw))  # trailing backslash: hard break
        for image in _IMAGE.finditer(unquoted):
            unit.images.append((image.group(1).strip("<>").strip(), number))
        line = _IMAGE.sub("", unquoted)
        if _TABLE_RULE.match(line) and "-" in line and "|" in line:
            continue
        if row := _TABLE_ROW.match(line):
            cells = (_plain(cell) for cell in row.group(1).split("|") if cell.strip())
            fragments.append((True, ", ".join(cell for cell in cells if cell)))
        elif item := _ITEM.match(line):
            fragments.append((True, _plain(line[item.end() :])))
        elif text := _plain(line):
            # Lines after a list item continue that item, as in CommonMark.
            if fragments and fragments[-1][0]:
                fragments[-1] = (True, f"{fragments[-1][1]} {text}".strip())
            else:
                fragments.append((False, text))
    for is_sentence, text in fragments:
        if text:
            unit.text.append(_as_sentence(text) if is_sentence else text)


def _split_front_matter(text: str) -> tuple[str | None, list[tuple[int, str]]]:
    lines = list(enumerate(text.split("\n"), start=1))
    if not lines or lines[0][1].strip() != "---":
        return None, lines
    # Only a block whose first line is a "key:" is front matter; otherwise the "---" is a
    # Markdown thematic break and the text after it is narration.
    first = next((line for _, line in lines[1:] if line.strip()), "")
    if not _FRONT_MATTER_KEY.match(first):
        return None, lines
    for index, (_, line) in enumerate(lines[1:], start=1):
        if line.strip() in ("---", "..."):
            return "\n".join(line for _, line in lines[1:index]), lines[index + 1 :]
    raise InvalidScript("front matter opened at line 1 is never closed with '---'")


def _front_matter_draft(front: str) -> _Draft:
    node, data = _load_yaml(front, first_line=2)
    if data is None:
        return _Draft({})
    if not isinstance(data, dict):
        raise InvalidScript("front matter must be a mapping of settings and title (line 2)")
    key_lines = _yaml_lines(node, line_offset=1, depth=2)
    draft = _Draft({})
    settings: dict[str, Any] = {}
    nested = data.pop("settings", None)
    for key, value in (nested if isinstance(nested, dict) else {}).items():
        settings[key] = value
        draft.lines[("settings", key)] = key_lines.get(("settings", key), 2)
    if nested is not None and not isinstance(nested, dict):
        raise InvalidScript(
            f"front matter settings must be a mapping (line {key_lines.get(('settings',), 2)})"
        )
    for key, value in data.items():
        line = key_lines.get((key,), 2)
        if key == "title":
            draft.data["title"] = value
            draft.lines[("title",)] = line
        elif key in settings:
            raise InvalidScript(f"front matter sets {key!r} twice (line {line})")
        else:
            settings[key] = value
            draft.lines[("settings", key)] = line
    if settings:
        draft.data["settings"] = settings
    return draft


def _parse_markdown(text: str) -> _Draft:
    front, lines = _split_front_matter(text)
    draft = _front_matter_draft(front) if front is not None else _Draft({})
    first = lines[0][0] if lines else 1
    body = _blank_comments("\n".join(line for _, line in lines), first)
    reader = _MarkdownReader()
    reader.read(list(enumerate(body.split("\n"), start=first)))
    if reader.title is not None and "title" not in draft.data:
        draft.data["title"], draft.lines[("title",)] = reader.title
    units = _units(reader)
    scenes = _scenes(units)
    if not scenes:
        raise InvalidScript("script has no narration: write at least one paragraph of text")
    draft.data["scenes"] = [scene for scene, _ in scenes]
    for index, (_, line) in enumerate(scenes):
        draft.lines[("scenes", index)] = line
    return draft


def _blank_comments(body: str, first_line: int) -> str:
    """Given Markdown, returns it with each <!-- comment --> reduced to its line breaks."""
    # Comments are the author's notes, not speech; keeping their line breaks keeps every
    # later line number true. str.find keeps this linear where a lazy regex is not.
    parts, position = [], 0
    while (start := body.find("<!--", position)) >= 0:
        end = body.find("-->", start + 4)
        if end < 0:
            line = first_line + body.count("\n", 0, start)
            raise InvalidScript(f"comment opened at line {line} with '<!--' is never closed")
        parts += [body[position:start], "\n" * body.count("\n", start, end)]
        position = end + 3
    return "".join(parts) + body[position:]


def _units(reader: _MarkdownReader) -> list[_Unit]:
    intro, *sections = reader.sections
    if not sections:
        return intro  # no sections: each paragraph is a scene
    units = [_merge(intro, None, intro[0].line)] if intro else []
    for paragraphs, (heading, line) in zip(sections, reader.headings, strict=True):
        units.append(_merge(paragraphs, heading, line))
    return units


def _merge(paragraphs: list[_Unit], heading: str | None, line: int) -> _Unit:
    unit = _Unit(line, heading)
    for paragraph in paragraphs:
        unit.text.extend(paragraph.text)
        unit.images.extend(paragraph.images)
    return unit


def _scenes(units: list[_Unit]) -> list[tuple[dict[str, Any], int]]:
    """Given candidate scenes, returns (raw scene, line) pairs; image-only units are hints."""
    scenes: list[tuple[dict[str, Any], int]] = []
    pending: list[tuple[str, int]] = []
    for unit in units:
        narration = " ".join(part for part in unit.text if part)
        if not narration and unit.heading is None:
            pending.extend(unit.images)  # a picture on its own goes with the next scene
            continue
        if not narration:
            raise InvalidScript(f"section {unit.heading!r} at line {unit.line} has no narration")
        scene: dict[str, Any] = {"narration": narration}
        if unit.heading is not None:
            scene["heading"] = unit.heading
        images, pending = pending + unit.images, []
        _set_image(scene, images)
        scenes.append((scene, unit.line))
    if pending and scenes:
        last = scenes[-1][0]
        _set_image(last, [(last["image"], 0), *pending] if "image" in last else pending)
    return scenes


def _set_image(scene: dict[str, Any], images: list[tuple[str, int]]) -> None:
    if len(images) > 1:
        where = ", ".join(f"line {line}" for _, line in images if line)
        raise InvalidScript(f"a scene can show one image, found {len(images)} ({where})")
    if images:
        scene["image"] = images[0][0]


_PARSERS: dict[ScriptFormat, Callable[[str], _Draft]] = {
    "markdown": _parse_markdown,
    "yaml": _parse_yaml,
    "json": _parse_json,
}
