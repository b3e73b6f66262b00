"""The two deployments, defined once: in prefect.yaml.

``prefect deploy --all`` reads prefect.yaml for the work-pool mode; the embedded mode
(``reelflow up`` / ``serve``) builds its served deployments from the same file, so names,
descriptions, tags, schedules and concurrency limits cannot drift apart. The file ships inside
the package (``reelflow/prefect.yaml``), so an installed reelflow serves without a checkout.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from reelflow.errors import ReelflowError

GENERATE = "generate-video"
CLEANUP = "cleanup-media"


@dataclass(frozen=True)
class Definition:
    """One deployment as prefect.yaml declares it."""

    name: str
    entrypoint: str
    description: str
    tags: tuple[str, ...]
    parameters: dict[str, Any]
    concurrency_limit: int | None
    schedules: tuple[tuple[str, str], ...]  # (cron, timezone)
    work_pool: str | None = None  # the pool a worker polls in the production mode

    @property
    def module(self) -> str:
        """The module that defines the flow (entrypoints are module paths: pkg.module.flow)."""
        return self.entrypoint.rsplit(".", 1)[0]

    @property
    def function(self) -> str:
        return self.entrypoint.rsplit(".", 1)[1]


def prefect_yaml() -> dict[str, Any]:
    """Returns prefect.yaml as data; raises ReelflowError when it is missing or malformed."""
    try:
        text = resources.files("reelflow").joinpath("prefect.yaml").read_text("utf-8")
        data = yaml.safe_load(text)
    except (OSError, yaml.YAMLError) as exc:
        raise ReelflowError(f"cannot read reelflow's prefect.yaml: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("deployments"), list):
        raise ReelflowError("reelflow's prefect.yaml has no deployments list")
    return data


def definitions() -> dict[str, Definition]:
    """Returns the deployments of prefect.yaml by name."""
    found = {}
    for entry in prefect_yaml()["deployments"]:
        found[entry["name"]] = Definition(
            name=entry["name"], entrypoint=entry["entrypoint"],
            description=" ".join(str(entry.get("description") or "").split()),
            tags=tuple(entry.get("tags") or ()), parameters=dict(entry.get("parameters") or {}),
            concurrency_limit=entry.get("concurrency_limit"),
            schedules=tuple((s["cron"], s.get("timezone", "UTC"))
                            for s in entry.get("schedules") or () if "cron" in s),
            work_pool=(entry.get("work_pool") or {}).get("name"))
    return found
