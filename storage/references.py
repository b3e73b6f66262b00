"""Where a script may read from: its references resolved to files, or refused.

A script names files (a scene's image, the music) by a path, as ``asset:<uuid>`` or as
``stock:<id or tag>``. The rules:

- A script file has a folder; a relative path resolves against it, never against the
  worker's current folder. An inline script (stdin, the API, the run form) has none: its
  relative paths resolve against the media root.
- The file must lie, after every symbolic link is followed, inside one of the allowed roots:
  the script's own folder (if it has one), the media root's uploads and stock library, and the
  folders an operator allowed (REELFLOW_ALLOWED_MEDIA_DIRS).
- ``asset:<uuid>`` names an uploaded or stock MediaAsset; its file must pass the same test.
- ``stock:<id or tag>`` names an item of the STOCK library, found by the stock lookup given
  in (services/intake.py ``stock_lookup``); its file must pass the same test too.
- ``~``, URLs, folders, devices, FIFOs and sockets are refused.

Why the decision is taken on the resolved path (realpath + commonpath) and never on the text:
``a/../../x``, a symbolic link inside the folder pointing out, or a folder that is itself a
link all look harmless as strings. Pure: the roots and the asset lookup are values given in.
"""

from __future__ import annotations

import os
import stat
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from reelflow.errors import InvalidScript

ASSET_PREFIX = "asset:"
STOCK_PREFIX = "stock:"
LIBRARY_SOURCES = frozenset({"USER_UPLOADED", "STOCK"})

# Given an asset id, returns (file path, source type) of that MediaAsset, or None.
AssetLookup = Callable[[uuid.UUID], tuple[str, str] | None]
# Given what follows "stock:" (an item's id or one of its tags), returns (asset id, file path,
# source type) of the stock asset it names, or None when there is none.
StockLookup = Callable[[str], tuple[uuid.UUID, str, str] | None]


@dataclass(frozen=True)
class ReadRoots:
    """The folders a script may read from, as absolute paths."""

    script_folder: Path | None
    media_root: Path
    library: tuple[Path, ...]
    operator: tuple[Path, ...] = ()

    @property
    def allowed(self) -> tuple[Path, ...]:
        """Every allowed root: the script's folder first, then the library, then the
        operator's folders."""
        own = (self.script_folder,) if self.script_folder is not None else ()
        return (*own, *self.library, *self.operator)

    def describe(self) -> str:
        """Names the allowed roots for a message, as a user thinks of them."""
        parts = ["the script's folder"] if self.script_folder is not None else []
        parts.append("the media root's uploads and stock folders")
        if self.operator:
            parts.append("REELFLOW_ALLOWED_MEDIA_DIRS")
        return ", ".join(parts)


@dataclass(frozen=True)
class Resolved:
    """A reference that passed: the real path of a regular file, and the asset it came
    from (None for a path)."""

    path: Path
    asset_id: uuid.UUID | None = None
    source_type: str | None = None


def resolve(written: str, roots: ReadRoots, lookup: AssetLookup | None = None,
            stock: StockLookup | None = None) -> Resolved:
    """Given a reference as the author wrote it, returns the regular file it names.

    Raises InvalidScript with a message that quotes ``written`` and says why it is refused
    (the caller adds where: the scene and line).
    """
    shown = repr(written if len(written) <= 120 else written[:117] + "...")
    if written.startswith(ASSET_PREFIX):
        return _resolve_asset(written[len(ASSET_PREFIX):].strip(), shown, roots, lookup)
    if written.startswith(STOCK_PREFIX):
        return _resolve_stock(written[len(STOCK_PREFIX):].strip(), shown, roots, stock)
    if "\x00" in written:
        raise InvalidScript(f"{shown} contains a NUL character")
    if written.startswith("~"):
        raise InvalidScript(f"{shown}: '~' is not allowed; write a path relative to "
                            f"{_base_name(roots)}")
    if "://" in written:
        raise InvalidScript(f"{shown}: URLs are not fetched; upload the file and use "
                            "asset:<id> or its path in the uploads folder")
    base = roots.script_folder or roots.media_root
    candidate = os.path.join(base, written)  # an absolute ``written`` replaces the base
    return Resolved(_checked(candidate, written, shown, roots))


def _resolve_asset(text: str, shown: str, roots: ReadRoots,
                   lookup: AssetLookup | None) -> Resolved:
    try:
        asset_id = uuid.UUID(text)
    except ValueError:
        raise InvalidScript(f"{shown}: expected asset:<uuid>") from None
    found = lookup(asset_id) if lookup is not None else None
    if found is None:
        raise InvalidScript(f"{shown}: no uploaded or stock asset has this id")
    path, source_type = found
    if source_type not in LIBRARY_SOURCES:
        raise InvalidScript(f"{shown}: only uploaded or stock assets may be used, this one "
                            f"is {source_type}")
    return Resolved(_checked(path, path, shown, roots), asset_id, source_type)


def confine(path: str, written: str, roots: ReadRoots) -> Path:
    """Given the file of a library asset (``written``: the reference that named it), returns
    its real path when it lies inside the allowed roots and is a regular file; raises
    InvalidScript quoting ``written`` otherwise."""
    shown = repr(written if len(written) <= 120 else written[:117] + "...")
    return _checked(path, path, shown, roots)
def _resolve_stock(key: str, shown: str, roots: ReadRoots,
                   stock: StockLookup | None) -> Resolved:
    if not key or "\x00" in key:
        raise InvalidScript(f"{shown}: expected stock:<id> or stock:<tag>")
    found = stock(key) if stock is not None else None
    if found is None:
        raise InvalidScript(f"{shown}: not found: no item of the stock library has this id "
                            "or tag")
    asset_id, path, source_type = found
    if source_type != "STOCK":
        raise InvalidScript(f"{shown}: not a stock item, this one is {source_type}")
    return Resolved(_checked(path, path, shown, roots), asset_id, source_type)


def resolve_in(written: str, folders: tuple[Path, ...], described: str) -> Path:
    """Given an absolute path as written and the folders it must lie in (named by
    ``described``), returns the real path of the regular file; raises InvalidScript."""
    shown = repr(written if len(written) <= 120 else written[:117] + "...")
    if "\x00" in written:
        raise InvalidScript(f"{shown} contains a NUL character")
    if not os.path.isabs(written):
        raise InvalidScript(f"{shown} is not an absolute path inside {described}")
    return _checked_in(written, written, shown, folders, f"only from {described}")


def _checked(candidate: str, written: str, shown: str, roots: ReadRoots) -> Path:
    return _checked_in(candidate, written, shown, roots.allowed,
                       f"a script may read only from {roots.describe()}")


def _checked_in(candidate: str, written: str, shown: str, allowed: tuple[Path, ...],
                rule: str) -> Path:
    real = os.path.realpath(candidate)
    if not any(_inside(real, root) for root in allowed):
        raise InvalidScript(f"{shown} {_why_outside(candidate, written, allowed)}; {rule}")
    try:
        info = os.stat(real)
    except FileNotFoundError:
        raise InvalidScript(f"{shown} not found") from None
    except OSError as exc:
        raise InvalidScript(f"{shown} cannot be read: {exc.strerror or exc}") from None
    if stat.S_ISDIR(info.st_mode):
        raise InvalidScript(f"{shown} is a folder, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise InvalidScript(f"{shown} is not a regular file (a device, FIFO or socket)")
    return Path(real)


def _inside(real: str, root: Path) -> bool:
    top = os.path.realpath(root)
    try:
        return os.path.commonpath([real, top]) == top
    except ValueError:  # different drives, or mixed absolute and relative
        return False


def _why_outside(candidate: str, written: str, allowed: tuple[Path, ...]) -> str:
    lexical = os.path.normpath(candidate)
    if any(_inside(lexical, root) for root in allowed):
        return "is (or passes through) a symbolic link that points outside the allowed folders"
    if os.path.isabs(written):
        return "is an absolute path outside the allowed folders"
    if ".." in Path(written).parts:
        return "leaves the allowed folders through '..'"
    return "is outside the allowed folders"


def _base_name(roots: ReadRoots) -> str:
    return "the script's folder" if roots.script_folder is not None else "the media root"
