"""The ``reelflow`` command line. Exit codes are chosen here and only here."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from reelflow.deployments.commands import jobs, orchestration, render, storage, web, worker
from reelflow.errors import (
    InvalidArgument,
    InvalidMedia,
    InvalidScript,
    NotFound,
    ReelflowError,
)
from reelflow.settings import Settings

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_INVALID = 2
EXIT_INTERRUPTED = 130

COMMAND_GROUPS = (render, orchestration, worker, jobs, storage, web)


def parser() -> argparse.ArgumentParser:
    """Returns the argument parser with every command group registered."""
    top = argparse.ArgumentParser(
        prog="reelflow", description="Turn a written script into a narrated video.")
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in COMMAND_GROUPS:
        group.register(commands)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the command line; returns the process exit code.

    0: done; 2: invalid input (a bad script or argument, an unknown id); 1: the work failed.
    """
    args = parser().parse_args(argv)
    try:
        args.handler(args, Settings.from_env())
    except (InvalidScript, InvalidArgument, InvalidMedia, NotFound) as exc:
        prefix = "invalid script: " if isinstance(exc, InvalidScript) else ""
        print(f"reelflow: {prefix}{exc}", file=sys.stderr)
        return EXIT_INVALID
    except ReelflowError as exc:
        print(f"reelflow: failed: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("reelflow: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
