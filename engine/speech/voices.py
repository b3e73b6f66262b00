"""Which voice speaks which language: Piper's offline voice English only, gTTS many more.

Languages are BCP 47 tags as scripts write them (``en``, ``en-GB``, ``ja``, ``zh-Hant``);
gTTS names a few of them its own way (Hebrew ``iw``, Chinese ``zh-CN`` and ``zh-TW``).
"""

from __future__ import annotations

from functools import lru_cache

# BCP 47 tags (lower case) that gTTS knows under another name.
_GTTS_NAMES = {"he": "iw", "jv": "jw", "fil": "tl", "nb": "no", "nn": "no", "zh-hans": "zh-CN",
               "zh-cn": "zh-CN", "zh-sg": "zh-CN", "zh-hant": "zh-TW", "zh-tw": "zh-TW",
               "zh-hk": "zh-TW", "zh-mo": "zh-TW", "pt-br": "pt"}


def _candidates(language: str) -> list[str]:
    """The tag, then it without its region, then its primary language, in lower case."""
    parts = language.strip().lower().replace("_", "-").split("-")
    return list(dict.fromkeys("-".join(parts[:n]) for n in range(len(parts), 0, -1)))


def is_english(language: str) -> bool:
    """Whether ``language`` is English of any region (what the offline Piper voice speaks)."""
    return _candidates(language)[-1] == "en"


@lru_cache(maxsize=1)
def _gtts_languages() -> dict[str, str]:
    from gtts.lang import tts_langs  # a table in the package: no network

    return {code.lower(): code for code in tts_langs()}


def gtts_language(language: str) -> str | None:
    """The gTTS language code that speaks ``language``, or None when gTTS has no voice for it."""
    known = _gtts_languages()
    for candidate in _candidates(language):
        name = _GTTS_NAMES.get(candidate, candidate)
        if name.lower() in known:
            return known[name.lower()]
    return None


def language_name(language: str) -> str:
    """``language`` for people: "Japanese ('ja')", or just the tag when gTTS does not name it."""
    from gtts.lang import tts_langs

    code = gtts_language(language)
    name = tts_langs().get(code) if code else None
    return f"{name} ({language!r})" if name else repr(language)
