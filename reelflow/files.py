"""Atomic file output: a file appears at its final path complete, or not at all; and safe
input: a regular file opened without following a link, read up to a limit.

Also the names of unfinished files, defined here once: the engine makes them, and retention
(storage/) recognises stale ones by the same names.
"""

from __future__ import annotations

import errno
import os
import stat
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

PARTIAL_PREFIX = ".partial-"  # .partial-<12 hex>-<final name>, beside the final file
PARTS_PREFIX = ".parts-"  # .parts-<stem of the video>/, the segments a video is built from
# In a job's scratch folder (temp/<job id>/): its shots, encoded one by one until the join, and
# the join's own intermediate files. Scratch, like partial files: never recorded, removed when
# the job ends, and by retention if a lost job left them.
SHOTS_FOLDER = "shots"
JOIN_FOLDER = "join"


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


def open_regular(path: Path) -> BinaryIO:
    """Opens ``path`` for reading only if it is a regular file reached without following a
    symbolic link in its last part; raises OSError otherwise (IsADirectoryError for a folder).

    Why O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever;
    the check after opening (on the open file, not the name) refuses it and devices.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, "is a folder", str(path))
        if not stat.S_ISREG(mode):
            raise OSError(errno.EINVAL, "not a regular file (a device, FIFO or socket)",
                          str(path))
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_at_most(stream: BinaryIO, limit: int) -> bytes:
    """Returns up to ``limit + 1`` bytes of ``stream``: one more than allowed is enough to
    tell a file that is too large, without reading a huge one (or /dev/zero) to its end."""
    chunks, left = [], limit + 1
    while left > 0:
        chunk = stream.read(min(left, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)
