"""Writing systems: what a character needs to be drawn, which way a text runs, and where a
line of it may break.

Line breaking is the part of Unicode's line breaking rules (UAX #14) that matters for slides
and captions: a line breaks after spaces, and between two characters of a script written
without spaces (Chinese, Japanese, Korean), except before closing punctuation, small kana and
the like, and after opening punctuation (the Japanese "kinsoku" rules).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator

# Scripts written without spaces between words, by code point range: a line may break between
# any two of their characters.
_IDEOGRAPHIC = (
    (0x1100, 0x11FF),  # Hangul Jamo
    (0x2E80, 0x2FDF),  # CJK radicals
    (0x3000, 0x303F),  # CJK symbols and punctuation
    (0x3040, 0x30FF),  # Hiragana, Katakana
    (0x3100, 0x31FF),  # Bopomofo, Hangul compatibility jamo, Kanbun, Katakana extensions
    (0x3200, 0x4DBF),  # enclosed CJK, CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xA960, 0xA97F),  # Hangul Jamo extended A
    (0xAC00, 0xD7FF),  # Hangul syllables, Jamo extended B
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFE30, 0xFE4F),  # CJK compatibility forms
    (0xFF00, 0xFFEF),  # full-width and half-width forms
    (0x1F300, 0x1FAFF),  # pictographs and emoji
    (0x20000, 0x3FFFF),  # CJK extensions B and later
)
# Never at the start of a line: closing punctuation, small kana, iteration and length marks.
_NO_START = frozenset(
    "、。，．・：；？！゛゜ヽヾゝゞ々〻ー〜～ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ"  # noqa: RUF001
    "）〕］｝〉》」』】〙〗〟｠’”»›,.!?:;)]}%‰°℃¢…‥‐–—"  # noqa: RUF001
)
# Never at the end of a line: opening punctuation and currency signs before amounts.
_NO_END = frozenset("（〔［｛〈《「『【〘〖〝｟‘“«‹([{¥$£€＄￥")  # noqa: RUF001
# Scripts named for people otherwise than by the first word of their letters' names.
_SCRIPT_NAMES = {"CJK": "CJK (Chinese, Japanese, Korean)", "HANGUL": "Korean (Hangul)",
                 "HIRAGANA": "Japanese kana", "KATAKANA": "Japanese kana",
                 "CANADIAN": "Canadian syllabics"}
# First words of letter names that need the second too ("OLD UYGHUR", "LINEAR B").
_TWO_WORDS = frozenset({"OLD", "LINEAR", "NEW", "TAI", "MEETEI", "PAU", "SORA", "MASARAM",
                        "GUNJALA", "HANIFI", "NYIAKENG", "ZANABAZAR", "INSCRIPTIONAL",
                        "IMPERIAL", "PSALTER", "CAUCASIAN", "MENDE", "PAHAWH", "BASSA",
                        "WARANG", "KHITAN", "ANATOLIAN", "EGYPTIAN", "SYLOTI", "OL"})


NOT_SCRIPTS = ("private-use characters", "unassigned code points", "symbols and emoji")


def drawn(char: str) -> bool:
    """Whether ``char`` needs a glyph: not white space, a control or format character
    (joiners, direction marks) or a variation selector."""
    if unicodedata.category(char) in ("Cc", "Cf", "Zs", "Zl", "Zp") or char.isspace():
        return False
    code = ord(char)
    return not (0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF)


def script_name(char: str) -> str:
    """Names the writing system of ``char`` for people: "Thai", "Arabic", "CJK (Chinese,
    Japanese, Korean)", or what it is when it belongs to none (one of NOT_SCRIPTS)."""
    category = unicodedata.category(char)
    if category == "Co":
        return NOT_SCRIPTS[0]
    if category == "Cn":
        return NOT_SCRIPTS[1]
    if category.startswith("S"):
        return NOT_SCRIPTS[2]
    words = unicodedata.name(char, "UNKNOWN").split()
    if words[0] in _SCRIPT_NAMES:
        return _SCRIPT_NAMES[words[0]]
    if words[0] in _TWO_WORDS and len(words) > 1:
        return f"{words[0].capitalize()} {words[1].capitalize()}"
    return words[0].capitalize()


def is_rtl(text: str) -> bool:
    """Whether ``text`` runs right to left: its first strongly directional character is
    Hebrew, Arabic or another right-to-left script (Unicode's rule for a paragraph)."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False


def needs_shaping(text: str) -> bool:
    """Whether drawing ``text`` needs complex layout (bidirectional reordering or glyph
    shaping): right-to-left letters, or combining marks as Indic scripts and Arabic use."""
    return any(unicodedata.bidirectional(char) in ("R", "AL", "AN")
               or unicodedata.category(char) in ("Mn", "Mc") for char in text)


def ideographic(char: str) -> bool:
    """Whether ``char`` belongs to a script written without spaces between words."""
    code = ord(char)
    return code >= 0x1100 and any(low <= code <= high for low, high in _IDEOGRAPHIC)


def cjk(char: str) -> bool:
    """Whether ``char`` is Chinese, Japanese or Korean (ideographic, and not an emoji)."""
    return ideographic(char) and not 0x1F300 <= ord(char) <= 0x1FAFF


def break_units(text: str) -> Iterator[str]:
    """Yields ``text`` in the pieces a line may break between, in order; each piece keeps the
    spaces that follow it, so joining them gives ``text`` back."""
    start = 0
    for n in range(1, len(text)):
        if _may_break(text[n - 1], text[n]):
            yield text[start:n]
            start = n
    if text:
        yield text[start:]


def _may_break(before: str, after: str) -> bool:
    if after.isspace() or after in _NO_START or unicodedata.category(after).startswith("M"):
        return False
    if before.isspace():
        return True
    if before in _NO_END or not drawn(after):
        return False
    return ideographic(before) or ideographic(after)
