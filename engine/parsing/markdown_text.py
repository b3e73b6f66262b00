"""Inline Markdown to plain speakable text: escapes, code spans, links, emphasis, HTML."""

from __future__ import annotations

import html
import re

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
