"""The command line has glibc keep few malloc heaps, in itself and what it starts, unless the
user's environment says how many."""

from __future__ import annotations

import os
import subprocess
import sys

SHOW = ("from reelflow.processes import few_malloc_arenas; few_malloc_arenas(); import os, "
        "subprocess, sys; print(os.environ['MALLOC_ARENA_MAX'], subprocess.run([sys.executable, "
        "'-c', 'import os; print(os.environ[\"MALLOC_ARENA_MAX\"])'], capture_output=True, "
        "text=True).stdout.strip())")


def _shown(env: dict[str, str]) -> str:
    return subprocess.run([sys.executable, "-c", SHOW], env=env, capture_output=True,
                          text=True, check=True).stdout.strip()


def test_two_heaps_for_the_process_and_its_children_by_default() -> None:
    env = {key: value for key, value in os.environ.items() if key != "MALLOC_ARENA_MAX"}
    assert _shown(env) == "2 2"


def test_the_users_own_setting_is_kept() -> None:
    assert _shown({**os.environ, "MALLOC_ARENA_MAX": "6"}) == "6 6"
