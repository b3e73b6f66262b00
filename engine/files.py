"""Atomic file output: a file appears at its final path complete, or not at all."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def partial_path(final: Path) -> Path:
    """Returns a unique temporary name beside ``final`` (same directory, so rename is atomic).

    Partial files start with ``.partial-`` so that retention can recognise stale ones.
    """
    return final.with_name(f".partial-{uuid.uuid4().hex[:12]}-{final.name}")


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
