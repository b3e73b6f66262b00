"""Starting jobs through the API against a real Prefect server: one run per idempotency key,
tagged with the session, its parameters as the flow expects them, and its state readable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reelflow.deployments.serve import deployments
from reelflow.web.app import build_app
from tests.integration.web_library import ADMIN_TOKEN, settings_for
from tests.integration.web_library import request as asgi
from tests.prefect_server import call

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}", "Content-Type": "application/json"}
SCRIPT = "# From the API\n\nOne narrated line.\n"


def test_the_api_creates_one_deployment_run_per_idempotency_key(
        tmp_path: Path, prefect_server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PREFECT_API_URL", prefect_server)
    deployment = deployments()[0].apply()  # registered, not served: runs wait SCHEDULED
    try:
        check_runs(tmp_path, prefect_server)
    finally:  # the session's Prefect server is shared: leave no runnable run behind
        call(prefect_server, "DELETE", f"/deployments/{deployment}")


def check_runs(tmp_path: Path, prefect_server: str) -> None:
    app = build_app(settings_for(tmp_path, f"sqlite:///{tmp_path / 'r.db'}"),
                    prefect_ui="http://ui.example")
    body = json.dumps({"script": SCRIPT, "session_id": "api", "resolution": "640x360",
                       "captions": "burned", "idempotency_key": "order-42"}).encode()
    first = asgi(app, "POST", "/api/v1/jobs", ADMIN, body)
    assert first.status == 202, first.body
    again = asgi(app, "POST", "/api/v1/jobs", ADMIN, body)
    job_id = first.json()["job_id"]
    assert again.json()["job_id"] == job_id
    assert first.json()["prefect_url"] == f"http://ui.example/runs/flow-run/{job_id}"
    run = call(prefect_server, "GET", f"/flow_runs/{job_id}")
    assert run["parameters"] == {"script": SCRIPT, "session_id": "api",
                                 "custom_resolution": "640x360", "captions": "burned"}
    assert {"reelflow", "session:api"} <= set(run["tags"])
    other = asgi(app, "POST", "/api/v1/jobs", ADMIN,
                 json.dumps({"script": SCRIPT, "session_id": "api"}).encode())
    assert other.json()["job_id"] != job_id
    status = asgi(app, "GET", f"/api/v1/jobs/{job_id}")
    assert status.status == 200
    assert status.json()["status"] == "PENDING" and status.json()["run_state"] == "SCHEDULED"
    for run_id in (job_id, other.json()["job_id"]):
        call(prefect_server, "DELETE", f"/flow_runs/{run_id}")
