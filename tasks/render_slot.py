"""Renders at once across a whole work pool: Prefect's global concurrency limit reelflow-renders.

Every run of generate-video, whichever worker (or ``reelflow up``, or ``reelflow render``)
executes it, holds one slot of the limit from its first narration to its completion, so the
limit bounds the renders of a fleet, not of one machine (a worker's ``--limit`` bounds only its
own). The limit lives on the Prefect server; ``reelflow deploy`` (and ``up``, ``serve``) create
or update it from REELFLOW_MAX_RENDERS. Without the limit on the server, runs take no slot.

The slot is leased: a worker killed outright stops renewing it, and the server frees it when
the lease ends (LEASE_SECONDS), so a lost machine cannot hold a slot for good.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

RENDER_LIMIT = "reelflow-renders"
LEASE_SECONDS = 60.0


def _read(client: Any) -> Any:
    from prefect.exceptions import ObjectNotFound

    try:
        return client.read_global_concurrency_limit_by_name(RENDER_LIMIT)
    except ObjectNotFound:
        return None


def set_render_limit(renders: int) -> None:
    """Creates the limit with ``renders`` slots, or sets an existing one to ``renders`` (and
    active). Raises what Prefect raises when its API cannot be reached."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import (
        GlobalConcurrencyLimitCreate,
        GlobalConcurrencyLimitUpdate,
    )
    from prefect.exceptions import ObjectAlreadyExists

    with get_client(sync_client=True) as client:
        if _read(client) is None:
            try:
                client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(
                    name=RENDER_LIMIT, limit=renders))
                return
            except ObjectAlreadyExists:
                pass  # created meanwhile: update it below
        client.update_global_concurrency_limit(RENDER_LIMIT, GlobalConcurrencyLimitUpdate(
            limit=renders, active=True))


def render_limit() -> tuple[int, int] | None:
    """Returns (slots, slots taken) of the limit, or None when the server has none."""
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        found = _read(client)
    return None if found is None else (int(found.limit), int(found.active_slots))


@contextmanager
def render_slot(on_wait: Callable[[int, int], None] | None = None) -> Iterator[None]:
    """Holds one slot of the render limit for the block, waiting as long as it takes; calls
    ``on_wait(slots, taken)`` first when every slot is taken. Without the limit on the server
    (or with it switched off), the block runs at once."""
    from prefect.concurrency.sync import concurrency

    found = render_limit()
    if found is None:
        yield
        return
    slots, taken = found
    if taken >= slots and on_wait is not None:
        on_wait(slots, taken)
    with concurrency(RENDER_LIMIT, occupy=1, lease_duration=LEASE_SECONDS):
        yield
