"""Notices: what a step says to the person waiting at a terminal, even when the logs are quiet.

A flow run in the command's own process (``reelflow render``, ``reelflow cleanup``) logs to
Prefect, whose console output the command silences so that it can print its one line of
outcome. A step that must tell the user something while it works (it is waiting for another
cleanup, say) also says it here; the command line shows these on stderr, and elsewhere (a
served run, a worker) they go wherever Python's logging sends them.
"""

from __future__ import annotations

import logging
import sys

NOTICES = logging.getLogger("reelflow.notices")


def show_on_stderr() -> None:
    """Prints this process's notices on stderr as ``reelflow: <message>`` lines (once)."""
    if any(getattr(handler, "reelflow_notices", False) for handler in NOTICES.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("reelflow: %(message)s"))
    handler.reelflow_notices = True  # type: ignore[attr-defined]
    NOTICES.addHandler(handler)
    NOTICES.setLevel(logging.INFO)
    NOTICES.propagate = False
