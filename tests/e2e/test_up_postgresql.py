"""``reelflow up --database postgresql://...``: the app and the Prefect server it starts share
one PostgreSQL database, the app in schema public, Prefect (through asyncpg) in prefect_server;
a job submitted over the API lands in both."""

from __future__ import annotations

import signal
import subprocess
import uuid
from pathlib import Path

import psycopg2
import pytest
from sqlalchemy.engine import make_url

from reelflow.db.session import Database
from reelflow.db.states import JobStatus
from tests import pg
from tests.e2e.conftest import REELFLOW, ROOT
from tests.prefect_server import call, clean_env, free_port, wait_for

pytestmark = pytest.mark.postgres


def tables(url: str) -> dict[str, set[str]]:
    parsed = make_url(url)
    connection = psycopg2.connect(host=parsed.host, port=parsed.port or 5432,
                                  user=parsed.username, dbname=parsed.database)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT table_schema, table_name FROM information_schema.tables "
                           "WHERE table_schema IN ('public', 'prefect_server')")
            found: dict[str, set[str]] = {"public": set(), "prefect_server": set()}
            for schema, name in cursor.fetchall():
                found[schema].add(name)
            return found
    finally:
        connection.close()


def test_up_on_postgresql_keeps_the_app_and_prefect_in_one_database_apart(
        tmp_path: Path) -> None:
    port, web_port = free_port(), free_port()
    log = tmp_path / "up.log"
    env = {**clean_env(), "REELFLOW_HOME": str(tmp_path / "home")}
    with pg.fresh_database() as url, open(log, "wb") as out:
        up = subprocess.Popen([str(REELFLOW), "up", "--port", str(port), "--web-port",
                               str(web_port), "--database", url], env=env, cwd=ROOT,
                              stdout=out, stderr=subprocess.STDOUT)
        api = f"http://127.0.0.1:{port}/api"
        try:
            wait_for("up", lambda: "Ctrl-C stops everything" in log.read_text(), timeout=240)
            assert "(Prefect's: schema prefect_server)" in log.read_text()
            deployment = wait_for("the deployment", lambda: _deployment(api), timeout=120)
            run = call(api, "POST", f"/deployments/{deployment}/create_flow_run", {
                "parameters": {"script": "# On PostgreSQL\n\nBoth databases in one.",
                               "custom_resolution": "320x180", "quality_preset": "draft"}})
            run_id = uuid.UUID(run["id"])
            wait_for("the run", lambda: call(api, "GET", f"/flow_runs/{run_id}")["state"][
                "type"] in ("COMPLETED", "FAILED", "CRASHED"), timeout=300)
            assert call(api, "GET", f"/flow_runs/{run_id}")["state"]["type"] == "COMPLETED"
        finally:
            up.send_signal(signal.SIGINT)
            code = up.wait(timeout=60)
        assert code == 0, log.read_text()[-2000:]
        found = tables(url)
        assert {"flow_run", "deployment", "alembic_version"} <= found["prefect_server"]
        assert {"video_generation_jobs", "media_root_identity", "alembic_version"} <= \
            found["public"]
        assert not {"flow_run", "deployment"} & found["public"]
        assert not {"video_generation_jobs"} & found["prefect_server"]
        database = Database.open(url, migrate=False)
        try:
            with database.unit_of_work(read_only=True) as uow:
                assert uow.jobs.get(run_id).status == JobStatus.COMPLETED
        finally:
            database.dispose()


def _deployment(api: str) -> str | None:
    try:
        return str(call(api, "GET", "/deployments/name/generate-video/generate-video")["id"])
    except Exception:
        return None
