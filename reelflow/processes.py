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
