"""Numeric command-line options, checked by argparse so a bad one exits 2 with one line."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable


def whole(low: int, high: int) -> Callable[[str], int]:
    """Returns an argparse type: a whole number from ``low`` to ``high``."""

    def parse(text: str) -> int:
        try:
            value = int(text.strip())
        except ValueError:
            value = low - 1
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(
                f"expected a whole number from {low} to {high}, got {text[:40]!r}")
        return value

    return parse


def number(low: float, high: float) -> Callable[[str], float]:
    """Returns an argparse type: a finite number from ``low`` to ``high``."""

    def parse(text: str) -> float:
        try:
            value = float(text.strip())
        except ValueError:
            value = math.nan
        if not low <= value <= high:  # NaN fails this too
            raise argparse.ArgumentTypeError(
                f"expected a number from {_shown(low)} to {_shown(high)}, got {text[:40]!r}")
        return value

    return parse


def _shown(value: float) -> str:
    return f"{value:.0f}" if value == int(value) else f"{value:g}"
