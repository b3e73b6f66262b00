"""YAML and JSON scripts, read with a safe loader that refuses aliases and duplicate keys."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import yaml

try:  # libyaml is ~50x faster and caps nesting depth; the pure-Python loader is the fallback
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - PyYAML wheels ship libyaml
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

from reelflow.engine.parsing.draft import Loc, _Draft
from reelflow.errors import InvalidScript


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
