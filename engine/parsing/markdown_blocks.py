"""Markdown lines to blocks: a title, headed sections and paragraphs, with image hints."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from reelflow.engine.parsing.markdown_text import _as_sentence, _plain
from reelflow.errors import InvalidScript

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
    r"!\[([^\[\]]*)\]\(\s*(<[^<>]*>|[^\s()<]+)(?:\s+(?:\"[^\"()]*\"|'[^'()]*'))?\s*\)"
)


@dataclass
class _Unit:
    """A candidate scene: a headed section, or (in a document without sections) a paragraph.
    ``images``: each ``![alt](path)`` as (alt text, path, line)."""

    line: int
    heading: str | None = None
    text: list[str] = field(default_factory=list)
    images: list[tuple[str, str, int]] = field(default_factory=list)


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
            unit.images.append((image.group(1), image.group(2).strip("<>").strip(), number))
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
