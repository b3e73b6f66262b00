"""PostgreSQL for the test suite: a fresh database on a server that answers, or on a throwaway one.

``fresh_database()`` yields the URL of a uniquely named database (reelflow_test_<hex>) and drops
it afterwards. The server is the one at REELFLOW_TEST_PG_URL (default: postgres on
127.0.0.1:5432, trust auth) if it answers; otherwise, or when REELFLOW_TEST_PG_FORCE_THROWAWAY=1,
a server started from the PostgreSQL binaries in a temporary directory on a free port, stopped
and deleted at the end. initdb and postgres refuse to run as root, so as root they run as the
``postgres`` system user (runuser). With neither a server nor binaries, PostgresUnavailable says
what to install or start.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg2
from sqlalchemy.engine import URL, make_url

DEFAULT_ADMIN_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
SYSTEM_USER = "postgres"


class PostgresUnavailable(RuntimeError):
    """Neither a running PostgreSQL nor the binaries to start one could be found or used."""


@contextmanager
def fresh_database() -> Iterator[str]:
    """Yields the URL of a new, empty, uniquely named database; drops it (and any throwaway
    server) on exit. Raises PostgresUnavailable with instructions if there is no PostgreSQL."""
    admin_url = make_url(os.environ.get("REELFLOW_TEST_PG_URL", DEFAULT_ADMIN_URL))
    forced = os.environ.get("REELFLOW_TEST_PG_FORCE_THROWAWAY") == "1"
    if not forced and answers(admin_url):
        with _database_on(admin_url) as url:
            yield url
        return
    with throwaway_server() as throwaway_url, _database_on(throwaway_url) as url:
        yield url


def answers(url: URL) -> bool:
    """Given an admin URL, returns whether a PostgreSQL server accepts a connection there."""
    try:
        psycopg2.connect(**_connect_args(url), connect_timeout=3).close()
    except psycopg2.OperationalError:
        return False
    return True


def reset_schema(url: str) -> None:
    """Given the URL of a test database, empties it: drops and recreates its public schema.

    Only ever point this at a database ``fresh_database`` made.
    """
    parsed = make_url(url)
    if not (parsed.database or "").startswith("reelflow_test_"):
        raise ValueError(f"refusing to reset {parsed.database!r}: not a reelflow test database")
    with _admin_connection(parsed) as cursor:
        cursor.execute("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public")


@contextmanager
def _database_on(admin_url: URL) -> Iterator[str]:
    name = f"reelflow_test_{uuid.uuid4().hex[:12]}"
    with _admin_connection(admin_url) as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with _admin_connection(admin_url) as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def _admin_connection(url: URL) -> Iterator[psycopg2.extensions.cursor]:
    connection = psycopg2.connect(**_connect_args(url), connect_timeout=10)
    connection.autocommit = True  # CREATE/DROP DATABASE refuse to run in a transaction
    try:
        with connection.cursor() as cursor:
            yield cursor
    finally:
        connection.close()


def _connect_args(url: URL) -> dict[str, object]:
    args = {
        "host": url.host,
        "port": url.port or 5432,
        "user": url.username,
        "password": url.password,
        "dbname": url.database,
    }
    return {key: value for key, value in args.items() if value is not None}


@contextmanager
def throwaway_server() -> Iterator[URL]:
    """Starts a private PostgreSQL in a temporary directory; yields its admin URL; stops it and
    deletes its files on exit. Raises PostgresUnavailable if it cannot."""
    with restartable_server() as (url, _):
        yield url


@contextmanager
def restartable_server() -> Iterator[tuple[URL, Callable[[], None]]]:
    """As ``throwaway_server``, and also yields a function that restarts the server (a fast
    shutdown: open connections are cut, as in a real restart)."""
    bindir = _find_binaries()
    as_root = os.geteuid() == 0
    workdir = Path(tempfile.mkdtemp(prefix="reelflow-pg-"))
    data, log = workdir / "data", workdir / "server.log"
    try:
        if as_root:
            _hand_over_to_system_user(workdir)
        port = _free_port()
        _run(
            as_root,
            workdir,
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        )
        # Why these settings: a test server only has to be fast; its data dies with it.
        options = (
            f"-p {port} -k {workdir} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off"
        )
        _run(
            as_root,
            workdir,
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(log),
            "-w",
            "-t",
            "60",
            "-o",
            options,
            "start",
        )
        def restart() -> None:
            _run(as_root, workdir, str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log),
                 "-m", "fast", "-w", "-t", "60", "-o", options, "restart")

        try:
            yield make_url(f"postgresql+psycopg2://postgres@127.0.0.1:{port}/postgres"), restart
        finally:
            _run(
                as_root,
                workdir,
                str(bindir / "pg_ctl"),
                "-D",
                str(data),
                "-m",
                "immediate",
                "-w",
                "stop",
            )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _find_binaries() -> Path:
    on_path = shutil.which("initdb")
    if on_path and shutil.which("pg_ctl"):
        return Path(on_path).resolve().parent
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda path: int(Path(path).parts[-3]) if Path(path).parts[-3].isdigit() else 0,
    )
    if candidates:
        return Path(candidates[-1]).parent
    raise PostgresUnavailable(
        "the integration tests need PostgreSQL: none answers at "
        f"{os.environ.get('REELFLOW_TEST_PG_URL', DEFAULT_ADMIN_URL)} and no initdb/pg_ctl was "
        "found on PATH or in /usr/lib/postgresql/*/bin. Start a server (trust auth for user "
        "postgres), set REELFLOW_TEST_PG_URL, or install the PostgreSQL server binaries."
    )


def _hand_over_to_system_user(workdir: Path) -> None:
    try:
        shutil.chown(workdir, user=SYSTEM_USER, group=SYSTEM_USER)
    except (LookupError, PermissionError) as error:
        raise PostgresUnavailable(
            f"running as root, PostgreSQL must run as the {SYSTEM_USER!r} system user, "
            f"but {workdir} could not be handed over to it: {error}"
        ) from error


def _run(as_root: bool, cwd: Path, *command: str) -> None:
    prefix = [_runuser(), "-u", SYSTEM_USER, "--"] if as_root else []
    try:
        result = subprocess.run(
            [*prefix, *command], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise PostgresUnavailable(f"{' '.join([*prefix, *command])} failed: {error}") from error
    if result.returncode != 0:
        log = cwd / "server.log"
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        raise PostgresUnavailable(
            f"{' '.join([*prefix, *command])} failed ({result.returncode}):\n"
            f"{result.stdout}{result.stderr}{tail}"
        )


def _runuser() -> str:
    found = shutil.which("runuser") or next(
        (path for path in ("/usr/sbin/runuser", "/sbin/runuser") if os.path.exists(path)), None
    )
    if found is None:
        raise PostgresUnavailable(
            "running as root, PostgreSQL must run as the postgres system user, but runuser "
            "(util-linux) was not found; run the tests as another user or start a server"
        )
    return found


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
