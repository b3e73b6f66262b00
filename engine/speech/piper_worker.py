"""The voice process: ``python -m reelflow.engine.speech.piper_worker MODEL CONFIG IDLE [THREADS
[NICE]]``.

Reads one JSON request a line on standard input ({"text", "speed", "target"}), speaks it into
``target`` and answers one JSON line on standard output ({"sentences": [[text, seconds], ...]}
or {"error": message}). It ends at the end of its input (its parent ended or closed the pipe)
or after IDLE seconds without a request, so its memory goes back to the system. THREADS is
how many threads the voice's inference uses (0, the default: one per core); NICE how much the
process lowers its own priority (default 0).
"""

from __future__ import annotations

import json
import os
import select
import sys
from pathlib import Path
from typing import Any, TextIO

from reelflow.engine.speech.piper_voice import load_voice, narrate_to, use_threads
from reelflow.errors import ReelflowError


def answer(model: str, config: str, request: dict[str, Any]) -> dict[str, Any]:
    """Given one request, narrates it; returns the reply (never raises for bad input)."""
    try:
        sentences = narrate_to(model, config, str(request["text"]), float(request["speed"]),
                               Path(request["target"]))
    except ReelflowError as exc:
        return {"error": str(exc)}
    except (KeyError, TypeError, ValueError, OSError) as exc:
        return {"error": f"{type(exc).__name__}: {exc}"}
    return {"sentences": [[text, seconds] for text, seconds in sentences]}


def serve(model: str, config: str, idle_seconds: float, requests: TextIO,
          replies: TextIO) -> None:
    """Answers requests until the input ends or stays silent for ``idle_seconds``."""
    while True:
        ready, _, _ = select.select([requests], [], [], idle_seconds)
        if not ready:
            return
        line = requests.readline()
        if not line:
            return
        try:
            request = json.loads(line)
        except ValueError as exc:
            reply: dict[str, Any] = {"error": f"not a JSON request: {exc}"}
        else:
            reply = answer(model, config, request)
        replies.write(json.dumps(reply) + "\n")
        replies.flush()


if __name__ == "__main__":
    use_threads(int(sys.argv[4]) if len(sys.argv) > 4 else 0)
    os.nice(int(sys.argv[5]) if len(sys.argv) > 5 else 0)
    load_voice(sys.argv[1], sys.argv[2])  # before the first request, which may be a while
    serve(sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.stdin, sys.stdout)
