"""Fonts: the installed faces, which characters each one draws, and the faces chosen for a text.

Every face comes from a Debian package that the set-up installs (fonts-dejavu-core,
fonts-noto-core, fonts-noto-cjk, and fonts-symbola for emoji); nothing is downloaded. Which
characters a face draws is read from its character map (fontTools), once per face and process.
A text is drawn in one face when one covers all of it, trying first the face made for its
script (Noto Sans Arabic for Arabic, Noto Sans Hebrew for Hebrew, the Noto Sans CJK face of the
language for Chinese, Japanese and Korean), then DejaVu Sans, Noto Sans, the other CJK faces
and every other Noto face; otherwise each run of characters gets the first face that draws it,
Symbola last, for emoji. Choices are cached, so drawing the same text again costs nothing.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from PIL import ImageFont, features

from reelflow.engine.writing import NOT_SCRIPTS, cjk, drawn, script_name

_SEARCH_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/share/fonts/truetype/noto"),
    Path("/usr/share/fonts/opentype/noto"),
    Path("/usr/share/fonts/noto"),
    Path("/usr/share/fonts/truetype/ancient-scripts"),
    Path("/usr/local/share/fonts"),
    Path("/Library/Fonts"),
)
# family: (regular file, bold file, face index in the file), in the order of preference.
_FAMILIES = {
    "DejaVu Sans": ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", 0),
    "Noto Sans": ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf", 0),
    "Noto Sans Arabic": ("NotoSansArabic-Regular.ttf", "NotoSansArabic-Bold.ttf", 0),
    "Noto Sans Hebrew": ("NotoSansHebrew-Regular.ttf", "NotoSansHebrew-Bold.ttf", 0),
    **{f"Noto Sans CJK {region}": ("NotoSansCJK-Regular.ttc", "NotoSansCJK-Bold.ttc", n)
       for n, region in enumerate(("JP", "KR", "SC", "TC", "HK"))},
}
# Faces for the characters no other face draws, never for a whole text: Symbola's emoji (to
# Unicode 9, one colour like the text around them); its letters are not the ones to read.
_FALLBACKS = {"Symbola": "Symbola_hint.ttf"}
# Which CJK face a language tag asks for (Han characters take different shapes per region).
_CJK_REGIONS = {"ja": "JP", "ko": "KR", "zh": "SC", "zh-hans": "SC", "zh-cn": "SC",
                "zh-sg": "SC", "zh-hant": "TC", "zh-tw": "TC", "zh-hk": "HK", "zh-mo": "HK",
                "yue": "HK"}
_ASCII = frozenset(range(0x20, 0x7F))

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@dataclass(frozen=True)
class Face:
    """One installed font face: a family name, its file and its index in that file. A face
    with no path is Pillow's bundled font, the last resort, which draws ASCII only."""

    name: str
    path: Path | None
    index: int = 0


PILLOW_DEFAULT = Face("Pillow default", None)


@lru_cache(maxsize=2)
def installed_faces(weight: str) -> tuple[Face, ...]:
    """The faces of ``weight`` (regular or bold) found on this machine: the known families
    first, in order of preference, then every other Noto face, then Pillow's bundled font."""
    faces = []
    for family, (regular, bold, index) in _FAMILIES.items():
        path = _find(bold if weight == "bold" else regular) or _find(regular)
        if path is not None:
            faces.append(Face(family, path, index))
    known = {face.path.name for face in faces if face.path is not None}
    for folder in _SEARCH_DIRS:
        for path in sorted(folder.glob("Noto*-Regular.tt[fc]")) if folder.is_dir() else []:
            heavy = path.with_name(path.name.replace("-Regular", "-Bold"))
            chosen = heavy if weight == "bold" and heavy.is_file() else path
            if chosen.name not in known:
                known.add(chosen.name)
                faces.append(Face(path.name.split("-")[0], chosen))
    fallbacks = [Face(name, path) for name, file in _FALLBACKS.items()
                 if (path := _find(file)) is not None]
    return (*faces, *fallbacks, PILLOW_DEFAULT)


def _find(name: str) -> Path | None:
    return next((folder / name for folder in _SEARCH_DIRS if (folder / name).is_file()), None)


@cache
def coverage(face: Face) -> frozenset[int]:
    """The code points ``face`` has a glyph for (read from its character map once)."""
    if face.path is None:
        return _ASCII
    from fontTools.ttLib import TTFont, TTLibError

    try:
        with TTFont(str(face.path), fontNumber=face.index, lazy=True) as font:
            return frozenset(font.getBestCmap() or {})
    except (OSError, TTLibError, KeyError, AssertionError):
        return frozenset()  # an unreadable file draws nothing; another face is chosen


def _preference(text: str, weight: str, language: str) -> tuple[Face, ...]:
    """The installed faces in the order to try them for ``text``."""
    first: list[str] = []
    kinds = {unicodedata.bidirectional(char) for char in text if ord(char) >= 0x590}
    if "AL" in kinds:
        first.append("Noto Sans Arabic")
    if "R" in kinds:
        first.append("Noto Sans Hebrew")
    regional = f"Noto Sans CJK {_cjk_region(text, language)}"
    if any(cjk(char) for char in text):
        first.append(regional)
    return _ordered(weight, (*first, "DejaVu Sans", "Noto Sans", regional))


@lru_cache(maxsize=64)
def _ordered(weight: str, names: tuple[str, ...]) -> tuple[Face, ...]:
    """The installed faces of ``weight``, those ``names`` first in that order."""
    rank: dict[str, int] = {}
    for name in names:
        rank.setdefault(name, len(rank))
    faces = installed_faces(weight)
    return tuple(sorted(faces, key=lambda face: rank.get(face.name, len(rank))))  # stable


def _cjk_region(text: str, language: str) -> str:
    """The region whose CJK face draws ``text``: the language's, else the one its letters
    show (Hangul: Korea, kana: Japan), else Simplified Chinese."""
    tag = language.lower().replace("_", "-")
    for key in (tag, "-".join(tag.split("-")[:2]), tag.split("-")[0]):
        if key in _CJK_REGIONS:
            return _CJK_REGIONS[key]
    wide = [ord(char) for char in text if ord(char) >= 0x3040]
    if any(0xAC00 <= code <= 0xD7AF for code in wide):
        return "KR"
    if any(0x3040 <= code <= 0x30FF for code in wide):
        return "JP"
    return "SC"


@lru_cache(maxsize=4096)
def face_runs(text: str, weight: str = "regular", language: str = ""
              ) -> tuple[tuple[str, Face], ...]:
    """Splits ``text`` into (run, face) pairs in order: one pair when a face draws all of it,
    else a new run wherever the current face lacks a character, or is a fallback (Symbola)
    and another face draws it: the words after an emoji go back to the text's face (a
    character no face draws keeps the current face, which shows it as a box; validation
    refuses such text first)."""
    faces = _preference(text, weight, language)
    needed = {ord(char) for char in text if drawn(char)}
    for face in faces:
        if face.name not in _FALLBACKS and needed <= coverage(face):
            return ((text, face),)
    runs: list[tuple[str, Face]] = []
    for char in text:
        current = runs[-1][1] if runs else faces[0]
        face = next((f for f in faces if ord(char) in coverage(f)), current)
        if runs and (not drawn(char) or (ord(char) in coverage(current) and (
                current.name not in _FALLBACKS or face.name in _FALLBACKS))):
            runs[-1] = (runs[-1][0] + char, current)
        else:
            runs.append((char, face))
    return tuple(runs)


def missing_script(text: str) -> str | None:
    """Describes the first character of ``text`` that no installed face draws ("the Thai
    script ('ส', U+0E2A)"); None when every character can be drawn."""
    remaining = {char for char in text if drawn(char)}
    seen: set[Path | None] = set()
    for face in installed_faces("regular"):
        if not remaining:
            return None
        if face.path in seen:
            continue  # the faces of one collection share their character map
        seen.add(face.path)
        remaining = {char for char in remaining if ord(char) not in coverage(face)}
    if not remaining:
        return None
    char = next(char for char in text if char in remaining)
    name = script_name(char)
    what = name if name in NOT_SCRIPTS else f"the {name} script"
    return f"{what} ({char!r}, U+{ord(char):04X})"


@lru_cache(maxsize=1)
def complex_layout() -> bool:
    """Whether Pillow can shape and reorder text (its raqm layout, which needs FriBiDi)."""
    return bool(features.check("raqm"))


@lru_cache(maxsize=512)
def load_font(face: Face, size: int) -> Font:
    """Returns ``face`` at ``size`` pixels."""
    if face.path is None:
        return ImageFont.load_default(size)
    return ImageFont.truetype(str(face.path), size, index=face.index)


def font_name(weight: str = "regular", text: str = "", language: str = "") -> str:
    """Names the face that draws ``text`` (the first run's), for asset metadata."""
    return face_runs(text or "A", weight, language)[0][1].name
