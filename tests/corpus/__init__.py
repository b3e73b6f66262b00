"""The bad-input corpus: malformed and hostile scripts and parameters, each with the outcome it
must have. ``tests/e2e/test_corpus.py`` runs every case as a user (or a stranger) would.

- ``scripts/``: script files, committed as they are (bytes included: NUL, UTF-16, bad UTF-8).
- ``pictures/``: the pictures they name: not an image, a header claiming 20000x20000, a
  truncated JPEG, and CMYK, 16-bit and transparent-palette pictures that must render.
- ``GENERATED``: cases that cannot be committed as files (5 MB, links out, FIFOs), built from
  the code here at run time in the case's folder.

Every case either renders a valid video or is refused with exit 2 and one line that contains
its ``says``; either way no job is left unfinished and no file is left behind.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

CORPUS = Path(__file__).resolve().parent
SCRIPTS = CORPUS / "scripts"
PICTURES = CORPUS / "pictures"


@dataclass(frozen=True)
class Case:
    """A script given to ``reelflow render`` (a file of scripts/ or of GENERATED; "-" reads
    ``stdin``), the options given with it, and what the one line of a refusal contains (None:
    it must render)."""

    script: str
    says: str | None
    options: tuple[str, ...] = ()
    stdin: bytes | None = None


REFUSED_SCRIPTS: dict[str, str] = {
    "empty.md": "script is empty",
    "whitespace.md": "script is empty",
    "only-markup.md": "no narration",
    "title-only.md": "no narration",
    "heading-without-narration.md": "'Empty section' at line 3 has no narration",
    "two-thousand-scenes.md": "2000 scenes; a script may have at most 500",
    "nul-bytes.md": "NUL character (line 3)",
    "invalid-utf8.md": "not valid UTF-8: byte 0xe9 at offset 5 (line 1)",
    "utf16-bom.md": "it looks like UTF-16",
    "only-punctuation.md": "has nothing to speak",
    "long-word.md": "at most 5000 characters",
    "unclosed-comment.md": "never closed",
    "front-matter-unclosed.md": "front matter opened at line 1 is never closed",
    "two-images-one-scene.md": "a scene can show one image, found 2 (line 5, line 6)",
    "yaml-anchor-bomb.yaml": "anchors and aliases are not supported",
    "yaml-python-tag.yaml": "could not determine a constructor for the tag",
    "yaml-python-name.yaml": "could not determine a constructor for the tag",
    "yaml-syntax-error.yaml": "YAML syntax error at line 4",
    "yaml-not-a-mapping.yaml": "must be a mapping",
    "yaml-duplicate-key.yaml": "duplicate key 'title' at line 2",
    "json-nested-deep.json": "nested too deeply",
    "json-syntax-error.json": "JSON syntax error at line 1, column 32",
    "json-not-a-mapping.json": "must be a mapping",
    "json-huge-number.json": "JSON value cannot be read",
    "wrong-type-scenes.json": "scenes: Input should be a valid tuple",
    "wrong-type-narration.json": "scenes[0].narration: Input should be a valid string",
    "wrong-type-settings.yaml": "settings: Input should be a valid dictionary",
    "unknown-field.yaml": "colour: unknown field (line 2)",
    "unknown-scene-field.yaml": "scenes[0].narraton: unknown field",
    "unknown-setting.yaml": "settings.framerate: unknown field",
    "resolution-absurd.yaml": "'99999x99999' is out of range",
    "resolution-zero.yaml": "settings.resolution",
    "resolution-odd.yaml": "'641x361' has an odd side",
    "resolution-star.yaml": "'1920*1080' is not a resolution",
    "resolution-huge-digits.json": "is not a resolution",
    "duration-zero.yaml": "scenes[0].duration: Input should be greater than 0",
    "duration-negative.yaml": "scenes[0].duration: Input should be greater than 0",
    "duration-huge.yaml": "less than or equal to 600",
    "duration-nan.yaml": "finite number",
    "pause-negative.yaml": "settings.pause_seconds",
    "pause-infinite.yaml": "finite number",
    "speed-zero.yaml": "settings.speed",
    "speed-huge.json": "settings.speed",
    "fps-zero.yaml": "settings.fps",
    "tts-unknown.yaml": "unknown speech engine",
    "language-injection.yaml": "is not a language tag",
    "title-too-long.yaml": "title: String should have at most 256 characters",
    "narration-too-long.yaml": "at most 5000 characters",
    "image-absolute-outside.md": "image '/etc/passwd' is an absolute path outside",
    "image-proc-environ.md": "image '/proc/self/environ' is an absolute path outside",
    "image-dot-dot.md": "leaves the allowed folders through '..'",
    "image-tilde.md": "'~' is not allowed",
    "image-url.md": "URLs are not fetched",
    "image-missing.md": "image 'pictures/none.png' not found",
    "image-folder.md": "image 'pictures' is a folder",
    "image-not-an-image.md": "is not an image (judged by its content)",
    "image-bomb.md": "claims more than 40 megapixels",
    "image-truncated.md": "image 'pictures/truncated.jpg' is truncated or damaged",
    "image-bad-asset-id.md": "expected asset:<uuid>",
    "image-unknown-asset.md": "no uploaded or stock asset has this id",
    "image-nul-in-path.json": "image path contains a NUL character",
    "lone-surrogate.json": "unpaired surrogate",
    "refuses-arabic-read-in-english.md": ("written in the Arabic script, but the language is "
                                          "English"),
}

RENDERED_SCRIPTS = (
    "renders-emoji-and-combining.md",
    "renders-right-to-left.md",
    "renders-tiny-frame.yaml",
    "renders-odd-pictures.md",
    "renders-control-characters.md",
)


def _five_megabytes(folder: Path) -> Path:
    path = folder / "five-megabytes.md"
    path.write_bytes(b"# Big\n\n" + b"word " * 1_000_000)
    return path


def _with_image(folder: Path, name: str, make: Callable[[Path], None]) -> Path:
    make(folder / "pictures" / name)
    path = folder / f"uses-{name}.md"
    path.write_text(f"# T\n\n![x](pictures/{name})\n\nHello.\n")
    return path


GENERATED: dict[str, tuple[Callable[[Path], Path], str]] = {
    "five-megabytes.md": (_five_megabytes, "larger than the limit of 1,000,000 bytes"),
    "image-link-out.md": (lambda folder: _with_image(
        folder, "link.png", lambda p: p.symlink_to("/etc/passwd")), "symbolic link"),
    "image-folder-link-out.md": (lambda folder: _with_image(
        folder, "etc", lambda p: p.symlink_to("/etc", target_is_directory=True)),
        "symbolic link"),
    "image-fifo.md": (lambda folder: _with_image(
        folder, "pipe.png", os.mkfifo), "not a regular file"),
    "image-device.md": (lambda folder: _with_image(
        folder, "zero.png", lambda p: p.symlink_to("/dev/zero")), "symbolic link"),
}

VALID = "# Fine\n\nA perfectly good scene.\n"

# Options of ``reelflow render`` given with a valid script.
REFUSED_OPTIONS: dict[tuple[str, ...], str] = {
    ("--resolution", "0x0"): "override resolution",
    ("--resolution", "1920*1080"): "is not a resolution",
    ("--resolution", "20000x20000"): "out of range",
    ("--resolution", "641x360"): "odd side",
    ("--tts", "espeak"): "unknown speech engine 'espeak'",
    ("--tts", "piper,piper"): "names a speech engine twice",
    ("--quality", "ultra"): "invalid choice: 'ultra'",
    ("--captions", "maybe"): "invalid choice: 'maybe'",
    ("--motion", "spin"): "invalid choice: 'spin'",
    ("--title", ""): "--title must not be empty",
    ("--title", "t" * 300): "at most 256 characters",
    ("--session", ""): "--session must be 1 to 128 characters",
    ("--session", "s" * 200): "--session must be 1 to 128 characters",
    ("--colour", "red"): "unrecognized arguments: --colour red",
}

# The stdin script has no folder: a relative picture path means one in the media root, where
# only the uploads and stock folders are open to it.
INLINE_WITHOUT_FOLDER = Case("-", "may read only from the media root's uploads and stock",
                             stdin=b"# T\n\n![x](pictures/cmyk.jpg)\n\nHello.\n")

# The generate-video flow's parameters as a stranger sends them over the API.
REFUSED_RUN_PARAMETERS: list[tuple[dict[str, object], str]] = [
    ({"script": 42}, "script"),
    ({"script_path": "/etc/passwd"}, "script_path is switched off"),
    ({"script_path": "/dev/zero"}, "script_path is switched off"),
    ({"script_path": "/root/.bashrc"}, "script_path is switched off"),
    ({"script": VALID, "script_path": "/etc/passwd"}, "not both"),
    ({}, "no script"),
    ({"script": "   "}, "no script"),
    ({"script": "# T\n\n![x](/etc/passwd)\n\nHi.\n"}, "absolute path outside"),
    ({"script": "# T\n\n![x](/proc/self/environ)\n\nHi.\n"}, "absolute path outside"),
    ({"script": VALID, "resolution": "1920*1080"}, "resolution"),
    ({"script": VALID, "custom_resolution": "0x0"}, "custom_resolution"),
    ({"script": VALID, "session_id": ""}, "session_id"),
    ({"script": VALID, "session_id": "s" * 200}, "session_id"),
    ({"script": VALID, "include_audio": "maybe"}, "include_audio"),
    ({"script": VALID, "tts": "rm -rf /"}, "unknown speech engine"),
    ({"script": VALID, "title": "x" * 300}, "title"),
    ({"script": VALID, "quality_preset": "ultra"}, "quality_preset"),
    ({"script": VALID, "music": "/etc/passwd"}, "absolute path outside"),
    ({"script": VALID, "music": "../../../../etc/passwd"}, "leaves the allowed folders"),
    ({"script": VALID, "music": "stock:anything"}, "not found"),
    ({"script": VALID, "music_volume": 40}, "music_volume"),
    ({"script": VALID, "transition": "explode"}, "transition"),
    ({"script": VALID, "transition_seconds": 600}, "transition_seconds"),
]


def script_cases() -> list[Case]:
    """Every script case given to ``reelflow render``, refused ones first."""
    return ([Case(name, says) for name, says in REFUSED_SCRIPTS.items()]
            + [Case(name, says) for name, (_, says) in GENERATED.items()]
            + [Case("valid.md", says, options) for options, says in REFUSED_OPTIONS.items()]
            + [INLINE_WITHOUT_FOLDER]
            + [Case(name, None) for name in RENDERED_SCRIPTS])


def prepare(case: Case, folder: Path) -> Path:
    """Lays out ``case`` in ``folder`` (its script and the pictures folder); returns the path
    to give on the command line."""
    import shutil

    shutil.copytree(PICTURES, folder / "pictures")
    if case.script in GENERATED:
        return GENERATED[case.script][0](folder)
    target = folder / case.script
    if case.script == "valid.md":
        target.write_text(VALID)
    elif case.script != "-":
        shutil.copyfile(SCRIPTS / case.script, target)
    return target
