"""Measuring what each storage folder holds."""

from __future__ import annotations

import os
from pathlib import Path


def measure(folder: Path) -> tuple[int, int]:
    """Returns (bytes, files) of the regular files below ``folder``; (0, 0) when it is missing.

    Symbolic links are not followed, so nothing outside the folder is counted.
    """
    total = count = 0
    for directory, _, files in os.walk(folder):
        for name in files:
            try:
                info = os.lstat(os.path.join(directory, name))
            except FileNotFoundError:
                continue  # deleted while we walked: not there any more
            if not os.path.islink(os.path.join(directory, name)):
                total += info.st_size
                count += 1
    return total, count


def tree_bytes(paths: list[Path]) -> int:
    """Returns the summed size of the existing files among ``paths``."""
    return sum(p.stat().st_size for p in paths if p.is_file())
