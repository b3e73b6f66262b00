"""Language tags as containers want them: a subtitle track's language in MP4 and WebM.

Scripts name their language in BCP 47 (``en``, ``pt-BR``, ``zh-Hant``); MP4 and Matroska label a
track with a three-letter ISO 639-2 code, the terminologic form in MP4 (``deu``) and the
bibliographic one in Matroska/WebM (``ger``). The table is ISO 639-2's, for every language
that has a two-letter code (from Debian's iso-codes). Unknown languages are "und", as both
formats say for undetermined.
"""

from __future__ import annotations

from typing import Literal

UNDETERMINED = "und"

# ISO 639-1 -> ISO 639-2/T (three letters).
_TERMINOLOGIC = {
    "aa": "aar", "ab": "abk", "ae": "ave", "af": "afr", "ak": "aka", "am": "amh", "an": "arg",
    "ar": "ara", "as": "asm", "av": "ava", "ay": "aym", "az": "aze", "ba": "bak", "be": "bel",
    "bg": "bul", "bh": "bih", "bi": "bis", "bm": "bam", "bn": "ben", "bo": "bod", "br": "bre",
    "bs": "bos", "ca": "cat", "ce": "che", "ch": "cha", "co": "cos", "cr": "cre", "cs": "ces",
    "cu": "chu", "cv": "chv", "cy": "cym", "da": "dan", "de": "deu", "dv": "div", "dz": "dzo",
    "ee": "ewe", "el": "ell", "en": "eng", "eo": "epo", "es": "spa", "et": "est", "eu": "eus",
    "fa": "fas", "ff": "ful", "fi": "fin", "fj": "fij", "fo": "fao", "fr": "fra", "fy": "fry",
    "ga": "gle", "gd": "gla", "gl": "glg", "gn": "grn", "gu": "guj", "gv": "glv", "ha": "hau",
    "he": "heb", "hi": "hin", "ho": "hmo", "hr": "hrv", "ht": "hat", "hu": "hun", "hy": "hye",
    "hz": "her", "ia": "ina", "id": "ind", "ie": "ile", "ig": "ibo", "ii": "iii", "ik": "ipk",
    "io": "ido", "is": "isl", "it": "ita", "iu": "iku", "ja": "jpn", "jv": "jav", "ka": "kat",
    "kg": "kon", "ki": "kik", "kj": "kua", "kk": "kaz", "kl": "kal", "km": "khm", "kn": "kan",
    "ko": "kor", "kr": "kau", "ks": "kas", "ku": "kur", "kv": "kom", "kw": "cor", "ky": "kir",
    "la": "lat", "lb": "ltz", "lg": "lug", "li": "lim", "ln": "lin", "lo": "lao", "lt": "lit",
    "lu": "lub", "lv": "lav", "mg": "mlg", "mh": "mah", "mi": "mri", "mk": "mkd", "ml": "mal",
    "mn": "mon", "mr": "mar", "ms": "msa", "mt": "mlt", "my": "mya", "na": "nau", "nb": "nob",
    "nd": "nde", "ne": "nep", "ng": "ndo", "nl": "nld", "nn": "nno", "no": "nor", "nr": "nbl",
    "nv": "nav", "ny": "nya", "oc": "oci", "oj": "oji", "om": "orm", "or": "ori", "os": "oss",
    "pa": "pan", "pi": "pli", "pl": "pol", "ps": "pus", "pt": "por", "qu": "que", "rm": "roh",
    "rn": "run", "ro": "ron", "ru": "rus", "rw": "kin", "sa": "san", "sc": "srd", "sd": "snd",
    "se": "sme", "sg": "sag", "si": "sin", "sk": "slk", "sl": "slv", "sm": "smo", "sn": "sna",
    "so": "som", "sq": "sqi", "sr": "srp", "ss": "ssw", "st": "sot", "su": "sun", "sv": "swe",
    "sw": "swa", "ta": "tam", "te": "tel", "tg": "tgk", "th": "tha", "ti": "tir", "tk": "tuk",
    "tl": "tgl", "tn": "tsn", "to": "ton", "tr": "tur", "ts": "tso", "tt": "tat", "tw": "twi",
    "ty": "tah", "ug": "uig", "uk": "ukr", "ur": "urd", "uz": "uzb", "ve": "ven", "vi": "vie",
    "vo": "vol", "wa": "wln", "wo": "wol", "xh": "xho", "yi": "yid", "yo": "yor", "za": "zha",
    "zh": "zho", "zu": "zul",
}

# The languages whose ISO 639-2/B code differs from the terminologic one.
_BIBLIOGRAPHIC = {
    "bo": "tib", "cs": "cze", "cy": "wel", "de": "ger", "el": "gre", "eu": "baq", "fa": "per",
    "fr": "fre", "hy": "arm", "is": "ice", "ka": "geo", "mi": "mao", "mk": "mac", "ms": "may",
    "my": "bur", "nl": "dut", "ro": "rum", "sk": "slo", "sq": "alb", "zh": "chi",
}


def primary_language(tag: str) -> str:
    """Given a BCP 47 tag, returns its primary language subtag in lower case ("pt-BR" ->
    "pt"); "" for an empty tag."""
    return tag.strip().replace("_", "-").split("-")[0].lower()


def track_language(tag: str, container: Literal["mp4", "webm"]) -> str:
    """Given a BCP 47 tag, returns the ISO 639-2 code ``container`` labels a track with: the
    terminologic form for MP4, the bibliographic one for WebM, "und" when unknown."""
    primary = primary_language(tag)
    if len(primary) == 3 and primary.isalpha():  # already ISO 639-2 (or 639-3)
        return primary
    if container == "webm" and primary in _BIBLIOGRAPHIC:
        return _BIBLIOGRAPHIC[primary]
    return _TERMINOLOGIC.get(primary, UNDETERMINED)
