"""The raw script data every format reader produces and the validator consumes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Loc = tuple[str | int, ...]


@dataclass
class _Draft:
    """Raw script data before validation, with the source line of each known field path."""

    data: dict[str, Any]
    lines: dict[Loc, int] = field(default_factory=dict)
