"""Whether this machine can show and speak a script's text: the checks validation runs.

Each check returns None when all is well, else the reason in words for the author: a script
whose text no installed font draws, or whose language no voice here speaks, is refused before
any job exists, naming the writing system or the voice that is missing.
"""

from __future__ import annotations

import unicodedata
from collections import Counter

from reelflow.engine.fonts import complex_layout, missing_script
from reelflow.engine.speech.voices import gtts_language, is_english, language_name
from reelflow.engine.writing import needs_shaping, script_name

FONT_PACKAGES = "fonts-noto-core and fonts-noto-cjk"
# A language tag to suggest for text written in a script (the most spoken language of it).
_EXAMPLE_TAGS = {"Arabic": "ar", "Hebrew": "he", "Greek": "el", "Cyrillic": "ru",
                 "CJK (Chinese, Japanese, Korean)": "zh or ja", "Japanese kana": "ja",
                 "Korean (Hangul)": "ko", "Thai": "th", "Devanagari": "hi", "Bengali": "bn",
                 "Tamil": "ta", "Armenian": "hy", "Georgian": "ka"}


def undrawable(text: str) -> str | None:
    """Why ``text`` cannot be drawn here, or None: a character no installed font has, or
    right-to-left or shaped text without Pillow's complex layout."""
    missing = missing_script(text)
    if missing is not None:
        return (f"no installed font draws {missing}; install Debian's {FONT_PACKAGES} "
                "(the README's set-up does)")
    if needs_shaping(text) and not complex_layout():
        return ("right-to-left or shaped text needs Pillow's complex layout (raqm), which "
                "needs FriBiDi: install Debian's libfribidi0 (the README's set-up does)")
    return None


def unspeakable(language: str, chain: tuple[str, ...]) -> str | None:
    """Why the engines of ``chain`` cannot narrate ``language``, or None. Piper's offline
    voice speaks English only, and is never let read another language; gTTS speaks the
    languages it lists."""
    if is_english(language):
        return None
    name = language_name(language)
    if "piper" in chain:
        return (f"the piper voice speaks English only, so it cannot narrate {name}; "
                "use tts: gtts (Google's voice, over the network) for this language")
    if gtts_language(language) is None:
        return (f"no voice speaks {name}: the offline piper voice speaks English only and "
                "gtts has no voice for it")
    return None


def foreign_to(language: str, text: str) -> str | None:
    """Why ``text`` should not be read as ``language``, or None: most of its letters are of
    another script than English is written in, so an English voice would garble it."""
    if not is_english(language):
        return None
    scripts = Counter(script_name(char) for char in text
                      if unicodedata.category(char).startswith("L"))
    foreign = sum(count for script, count in scripts.items() if script != "Latin")
    if foreign * 2 <= sum(scripts.values()):
        return None
    script = next(name for name, _ in scripts.most_common() if name != "Latin")
    example = _EXAMPLE_TAGS.get(script, "its language tag")
    return (f"written in the {script} script, but the language is {language_name(language)}, "
            f"which an English voice would read; set language to the text's language "
            f"(e.g. {example})")
