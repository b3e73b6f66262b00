"""Child processes that die with the process that started them, even when it is SIGKILLed.

Why: a render killed outright runs no cleanup code, so a Prefect server or an ffmpeg it
started would live on, orphaned. Linux's PR_SET_PDEATHSIG has the kernel kill the child when
its parent goes. (The "parent" is the thread that started the child: start long-lived
children from a thread that lives as long as they should.) Elsewhere it does nothing.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from collections.abc import Callable

_PR_SET_PDEATHSIG = 1
_M_ARENA_MAX = -8  # mallopt's parameter number in glibc's malloc.h


def _prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl: Callable[..., int] = ctypes.CDLL(None, use_errno=True).prctl
        return prctl
    except (OSError, AttributeError):
        return None


_PRCTL = _prctl()  # looked up once, before any fork: the child only makes the call


def die_with_parent() -> Callable[[], None] | None:
    """Returns a ``preexec_fn`` for subprocess that has the child killed when this process
    dies; None where the system offers no such thing."""
    if _PRCTL is None:
        return None
    parent = os.getpid()
    prctl = _PRCTL

    def arrange() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the parent died before the request took effect
            os._exit(1)

    return arrange


MALLOC_ARENAS = 2


def few_malloc_arenas(arenas: int = MALLOC_ARENAS) -> None:
    """Has glibc's malloc keep at most ``arenas`` heaps in this process and in the processes
    it starts (MALLOC_ARENA_MAX), unless the environment already says how many.

    Why: glibc gives threads heaps of their own, up to eight per CPU, and keeps in each what
    was freed there; a job's tasks and encoders run on many threads. Measured on the
    benchmark's eight-scene 1080p script beside `reelflow up`, three renders each: the render
    process peaked at 375-387 MB with glibc's default and at 318-323 MB with two heaps, in
    7.27-7.34 s and 6.95-7.14 s. Elsewhere than glibc, only the variable is set.
    """
    if "MALLOC_ARENA_MAX" in os.environ:
        return  # the user's choice; glibc read it when this process started
    os.environ["MALLOC_ARENA_MAX"] = str(arenas)
    if not sys.platform.startswith("linux"):
        return
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    mallopt(_M_ARENA_MAX, arenas)
