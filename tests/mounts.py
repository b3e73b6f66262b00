"""Mounts for tests of a full disk and a read-only data directory. They need root (as here and
in CI); without it the test fails, saying so, rather than being skipped."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest


@contextmanager
def mounted(target: Path, *commands: list[str]) -> Iterator[Path]:
    """Runs the mount ``commands`` (the last argument of each is ``target``); yields
    ``target``; unmounts it on exit."""
    try:
        for command in commands:
            done = subprocess.run(command, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                pytest.fail(f"{' '.join(command)} failed (root is needed): "
                            f"{done.stderr.strip()}")
        yield target
    finally:
        subprocess.run(["umount", "-l", str(target)], capture_output=True, check=False)


def small_tmpfs(target: Path, size: str) -> AbstractContextManager[Path]:
    """A tmpfs of ``size`` (e.g. "400k") at ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    return mounted(target, ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(target)])


def read_only_view(source: Path, target: Path) -> AbstractContextManager[Path]:
    """``source`` seen read-only at ``target`` (a read-only bind mount)."""
    target.mkdir(parents=True, exist_ok=True)
    return mounted(target, ["mount", "--bind", str(source), str(target)],
                   ["mount", "-o", "remount,bind,ro", str(target)])
