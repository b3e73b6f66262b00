"""What the scaling benchmarks share: a PostgreSQL database of their own, a Prefect server on
PostgreSQL, ``reelflow`` commands and workers, the Prefect REST API."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg2
from sqlalchemy.engine import make_url

ADMIN_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
REELFLOW = [sys.executable, "-m", "reelflow.deployments.cli"]


def _admin(url: str) -> Any:
    parsed = make_url(url)
    connection = psycopg2.connect(host=parsed.host, port=parsed.port or 5432,
                                  user=parsed.username, password=parsed.password,
                                  dbname=parsed.database)
    connection.autocommit = True
    return connection


@contextmanager
def fresh_database(admin_url: str = ADMIN_URL) -> Iterator[str]:
    """Yields the URL of a new database reelflow_bench_<hex> on the admin URL's server; drops
    it on exit."""
    name = f"reelflow_bench_{uuid.uuid4().hex[:10]}"
    connection = _admin(admin_url)
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        connection = _admin(admin_url)
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.close()


class ConnectionSampler(threading.Thread):
    """Samples how many connections a database has open, every ``interval`` seconds, from
    another database of the same server (so its own connection is not counted)."""

    def __init__(self, database_url: str, admin_url: str = ADMIN_URL,
                 interval: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.name_ = make_url(database_url).database
        self.admin_url, self.interval = admin_url, interval
        self.peak = 0
        self._done = threading.Event()

    def run(self) -> None:
        connection = _admin(self.admin_url)
        try:
            with connection.cursor() as cursor:
                while not self._done.is_set():
                    cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s",
                                   (self.name_,))
                    self.peak = max(self.peak, int(cursor.fetchone()[0]))
                    self._done.wait(self.interval)
        finally:
            connection.close()

    def stop(self) -> int:
        self._done.set()
        self.join()
        return self.peak


def commits(database_url: str, admin_url: str = ADMIN_URL) -> int:
    """Committed transactions of the database so far (pg_stat_database.xact_commit)."""
    connection = _admin(admin_url)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute("SELECT xact_commit FROM pg_stat_database WHERE datname = %s",
                           (make_url(database_url).database,))
            row = cursor.fetchone()
            return int(row[0]) if row else 0
    finally:
        connection.close()


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "REELFLOW_"))}


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(home: Path, database_url: str | None) -> tuple[subprocess.Popen[bytes], str]:
    """Starts a Prefect server (its database in ``database_url``'s schema prefect_server, or
    SQLite in ``home``); returns it and its API URL once healthy."""
    from reelflow.deployments.prefect_database import create_prefect_schema, prefect_env
    from reelflow.deployments.serve import start_server as start

    port = free_port()
    env = {**clean_env(), "PREFECT_HOME": str(home / "prefect"),
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_UI_ENABLED": "false",
           "PREFECT_API_URL": f"http://127.0.0.1:{port}/api"}
    if database_url:
        create_prefect_schema(database_url)
        env.update(prefect_env(database_url))
    home.mkdir(parents=True, exist_ok=True)
    return start("127.0.0.1", port, str(home / "server.log"), env=env), env["PREFECT_API_URL"]


def stop(*processes: subprocess.Popen[bytes]) -> None:
    """Interrupts the processes, then kills any that does not stop within 30 s."""
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def reelflow(args: list[str], env: Mapping[str, str], cwd: Path | None = None,
             ) -> subprocess.CompletedProcess[str]:
    """Runs a reelflow command; raises CalledProcessError (with its output) when it fails."""
    return subprocess.run([*REELFLOW, *args], env=dict(env), cwd=cwd, capture_output=True,
                          text=True, check=True)


def call(api: str, method: str, path: str, body: Any = None, attempts: int = 10,
         pause: float | None = None) -> Any:
    """One JSON request to the Prefect REST API. A 503 is retried, after ``pause`` seconds
    (default: one second more at each attempt): a Prefect server on SQLite answers it while
    its database is busy, which a loaded 2-core machine makes common and which a real client
    would also retry."""
    data = None if body is None else json.dumps(body).encode()
    for attempt in range(attempts):
        request = urllib.request.Request(f"{api}{path}", data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=60) as reply:
                text = reply.read().decode()
                return json.loads(text) if text else None
        except urllib.error.HTTPError as exc:
            if exc.code != 503 or attempt == attempts - 1:
                raise
            time.sleep(1 + attempt if pause is None else pause)
    raise AssertionError("unreachable")
