"""Starting a generate-video run through Prefect's client, and reading a run's state.

Runs are created from the served ``generate-video`` deployment, so each shows in the Prefect
UI like any other, and the flow-run id is the job id. The Prefect API is the one
PREFECT_API_URL names; without it the server does not start an ephemeral Prefect of its own.
"""

from __future__ import annotations

import os
import uuid
from typing import Any

from reelflow.errors import ServiceUnavailable

DEPLOYMENT = "generate-video/generate-video"


def prefect_configured() -> bool:
    """Whether a Prefect API address is configured (PREFECT_API_URL)."""
    return bool(os.environ.get("PREFECT_API_URL"))


def prefect_ui_url() -> str | None:
    """Returns the Prefect UI's address for links (None without a configured API)."""
    if not prefect_configured():
        return None
    from prefect.settings import PREFECT_UI_URL

    url = PREFECT_UI_URL.value()
    return str(url).rstrip("/") if url else None


async def create_run(parameters: dict[str, Any], *, session_id: str,
                     idempotency_key: str | None) -> uuid.UUID:
    """Creates a run of the generate-video deployment; returns its id (= the job id). The
    same idempotency key returns the run it first created. Raises ServiceUnavailable when no
    Prefect API is configured, it does not answer, or nothing serves the deployment."""
    if not prefect_configured():
        raise ServiceUnavailable("no Prefect API is configured (PREFECT_API_URL); start "
                                 "everything with `reelflow up`")
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectNotFound

    try:
        async with get_client() as client:
            deployment = await client.read_deployment_by_name(DEPLOYMENT)
            run = await client.create_flow_run_from_deployment(
                deployment.id, parameters=parameters, idempotency_key=idempotency_key,
                tags=["reelflow", f"session:{session_id}"])
    except ObjectNotFound as exc:
        raise ServiceUnavailable(f"the {DEPLOYMENT} deployment does not exist; serve it with "
                                 "`reelflow up` or `reelflow serve`") from exc
    except Exception as exc:
        raise ServiceUnavailable(f"the Prefect API did not create the run: {exc}") from exc
    return run.id


async def run_state(run_id: uuid.UUID) -> tuple[str, str] | None:
    """Returns (state type, message) of a flow run, or None when Prefect knows no such run
    (or none is configured). Raises ServiceUnavailable when the API does not answer."""
    if not prefect_configured():
        return None
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectNotFound

    try:
        async with get_client() as client:
            run = await client.read_flow_run(run_id)
    except ObjectNotFound:
        return None
    except Exception as exc:
        raise ServiceUnavailable(f"the Prefect API did not answer: {exc}") from exc
    if run.state is None:
        return "PENDING", ""
    return run.state.type.value, run.state.message or ""
