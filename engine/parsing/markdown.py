"""Markdown and plain-text scripts: front matter, comments, then scenes.

The first level-1 heading is the title. Each later level-1 or level-2 heading starts a section,
and each section is one scene (text before the first section is one more); without sections,
each paragraph is a scene. Deeper headings are spoken as the first sentence of what follows.
"""

from __future__ import annotations

import re
from typing import Any

from reelflow.engine.parsing.draft import _Draft
from reelflow.engine.parsing.markdown_blocks import _MarkdownReader, _Unit
from reelflow.engine.parsing.structured import _load_yaml, _yaml_lines
from reelflow.errors import InvalidScript

_FRONT_MATTER_KEY = re.compile(r"^[A-Za-z_][\w-]*\s*:")


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
    draft.data["scenes"] = [scene for scene, _, _ in scenes]
    for index, (_, line, media_lines) in enumerate(scenes):
        draft.lines[("scenes", index)] = line
        for name, media_line in media_lines.items():
            draft.lines[("scenes", index, name)] = media_line
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


def _scenes(units: list[_Unit]) -> list[tuple[dict[str, Any], int, dict[str, int]]]:
    """Given candidate scenes, returns (raw scene, its line, the line of each media field)
    triples; units with media and no text are media for the next scene (or, at the end, for
    the last one)."""
    found: list[tuple[dict[str, Any], int, list[tuple[str, str, int]]]] = []
    pending: list[tuple[str, str, int]] = []
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
        found.append((scene, unit.line, pending + unit.images))
        pending = []
    if pending and found:
        found[-1][2].extend(pending)
    return [(scene, line, _set_media(scene, media)) for scene, line, media in found]


# An image's alt text can say what the file is and how to show it: its first word "clip"
# (a video clip) or "audio" (recorded narration), and any of the option words below.
# ``![clip mix](beach.mp4)``, ``![contain](chart.png)``, ``![audio](me.wav)``.
MEDIA_WORDS = {"clip": "clip", "audio": "audio"}
OPTION_WORDS = {"cover": ("fit", "cover"), "contain": ("fit", "contain"),
                "mute": ("clip_audio", "mute"), "mix": ("clip_audio", "mix")}


def media_field(alt: str) -> tuple[str, dict[str, str]]:
    """Given an image's alt text, returns the scene field its file fills (image, clip or
    audio) and the options it names (fit, clip_audio)."""
    words = [word.strip(":,;.").lower() for word in alt.split()]
    kind = MEDIA_WORDS.get(words[0], "image") if words else "image"
    options = dict(OPTION_WORDS[word] for word in words if word in OPTION_WORDS)
    return kind, options


def _set_media(scene: dict[str, Any], images: list[tuple[str, str, int]]) -> dict[str, int]:
    """Sets the scene's image, clip and audio (one of each); returns each field's line."""
    lines: dict[str, int] = {}
    found: dict[str, list[int]] = {}
    for alt, path, line in images:
        kind, options = media_field(alt)
        found.setdefault(kind, []).append(line)
        scene[kind] = path
        scene.update(options)
        if line:
            lines[kind] = line
    for kind, where in found.items():
        if len(where) > 1:
            noun = {"image": "show one image", "clip": "play one clip",
                    "audio": "have one recorded narration"}[kind]
            shown = ", ".join(f"line {line}" for line in where if line)
            raise InvalidScript(f"a scene can {noun}, found {len(where)} ({shown})")
    return lines
