"""Atomic file output: a file appears at its final path complete, or not at all.

Also the names of unfinished files, defined here once: the engine makes them, and retention
(storage/) recognises stale ones by the same names.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PARTIAL_PREFIX = ".partial-"  # .partial-<12 hex>-<final name>, beside the final file
PARTS_PREFIX = ".parts-"  # .parts-<stem of the video>/, the segments a video is built from


def partial_path(final: Path) -> Path:
    """Returns a unique temporary name beside ``final`` (same directory, so rename is atomic).

    Partial files start with ``.partial-`` so that retention can recognise stale ones.
    """
    return final.with_name(f"{PARTIAL_PREFIX}{uuid.uuid4().hex[:12]}-{final.name}")


def parts_folder(final: Path) -> Path:
    """Returns the scratch folder beside ``final`` in which its pieces are built."""
    return final.with_name(f"{PARTS_PREFIX}{final.stem}")


def partial_target(name: str) -> str | None:
    """Given a file name, returns the final name a partial file is becoming (None: not a
    partial file's name)."""
    if not name.startswith(PARTIAL_PREFIX):
        return None
    parts = name.split("-", 2)  # ".partial", "<hex>", "<final name>"
    return parts[2] if len(parts) == 3 else ""


def fsync_file(path: Path) -> None:
    """Flushes ``path``'s contents to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish(temp: Path, final: Path) -> None:
    """Moves a finished ``temp`` file to ``final`` atomically, after syncing its contents."""
    fsync_file(temp)
    os.replace(temp, final)
    dir_fd = os.open(final.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


@contextmanager
def atomic_output(final: Path) -> Iterator[Path]:
    """Yields a temporary path to write; on success it is renamed to ``final``.

    On any exception the temporary file is removed and ``final`` is left untouched, so a
    half-finished step never leaves a file at its final path.
    """
    final.parent.mkdir(parents=True, exist_ok=True)
    temp = partial_path(final)
    try:
        yield temp
        publish(temp, final)
    finally:
        temp.unlink(missing_ok=True)
