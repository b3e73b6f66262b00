"""The layers import only downwards, so the engine stays a library and nothing needs the CLI.

The rules, as data: each layer of the ``reelflow`` package names the project layers and the
outside packages it must not import. Every import statement counts, including those inside
functions, since a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FLOOR = ("errors", "settings", "files", "vocabulary", "processes", "notices")
LAYERS = ("engine", "db", "storage", "services", "tasks", "flows", "web", "deployments")

# What each layer may import of the project (the floor is always allowed).
ALLOWED: dict[str, frozenset[str]] = {
    "floor": frozenset(),
    "engine": frozenset({"engine"}),
    "db": frozenset({"db"}),
    "storage": frozenset({"storage", "db"}),
    "services": frozenset({"services", "storage", "db", "engine"}),
    "tasks": frozenset({"tasks", "services", "storage", "db", "engine"}),
    "flows": frozenset({"flows", "tasks", "services", "storage", "db", "engine"}),
    "web": frozenset({"web", "services", "storage", "db", "engine"}),
    "deployments": frozenset({"deployments", "web", "flows", "tasks", "services", "storage",
                              "db", "engine"}),
}
# Outside packages a layer must not import: the engine is pure, the database layer knows no
# orchestration, storage and services run without Prefect.
FORBIDDEN_OUTSIDE: dict[str, frozenset[str]] = {
    "floor": frozenset({"prefect", "sqlalchemy", "alembic", "starlette", "av", "PIL"}),
    "engine": frozenset({"prefect", "sqlalchemy", "alembic", "psycopg2", "starlette"}),
    "db": frozenset({"prefect", "starlette", "av", "PIL"}),
    "storage": frozenset({"prefect", "starlette"}),
    "services": frozenset({"prefect", "starlette"}),
}
TOP_LEVEL_NAMES = frozenset(LAYERS)


def layer_of(path: Path) -> str:
    """Given a source file under the checkout, returns its layer ("floor" for reelflow/*.py)."""
    relative = path.relative_to(ROOT)
    return "floor" if relative.parts[0] == "reelflow" else relative.parts[0]


def imported_modules(source: str) -> Iterator[tuple[int, str]]:
    """Yields (line, absolute module name) of every import in ``source``."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module


def violations(layer: str, source: str) -> list[str]:
    """Given a layer and a module's source, returns one line per import against the rules."""
    found = []
    for line, module in imported_modules(source):
        parts = module.split(".")
        if parts[0] in TOP_LEVEL_NAMES:
            found.append(f"line {line}: {module} (import it as reelflow.{module})")
        elif parts[0] == "reelflow" and len(parts) > 1 and parts[1] not in FLOOR:
            if parts[1] not in ALLOWED[layer]:
                found.append(f"line {line}: {layer} must not import {module}")
        elif parts[0] in FORBIDDEN_OUTSIDE.get(layer, ()):
            found.append(f"line {line}: {layer} must not import {parts[0]}")
    return found


def sources() -> list[Path]:
    files = sorted((ROOT / "reelflow").glob("*.py"))
    for layer in LAYERS:
        files += sorted((ROOT / layer).rglob("*.py"))
    return files


@pytest.mark.parametrize("path", sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_module_imports_only_what_its_layer_may(path: Path) -> None:
    assert violations(layer_of(path), path.read_text("utf-8")) == []


def test_nothing_outside_the_command_line_imports_it() -> None:
    for path in sources():
        if layer_of(path) != "deployments":
            assert not any(module.startswith("reelflow.deployments")
                           for _, module in imported_modules(path.read_text("utf-8"))), path


def test_tests_benchmarks_and_docs_import_the_installed_names_too() -> None:
    for folder in ("tests", "bench", "docs"):
        for path in (ROOT / folder).rglob("*.py"):
            bare = [module for _, module in imported_modules(path.read_text("utf-8"))
                    if module.split(".")[0] in TOP_LEVEL_NAMES]
            assert bare == [], path


@pytest.mark.parametrize(("layer", "line", "expected"), [
    ("engine", "from reelflow.db.models import MediaAsset", "engine must not import"),
    ("engine", "import prefect", "engine must not import prefect"),
    ("engine", "def f():\n    from sqlalchemy import select\n", "engine must not import"),
    ("db", "from reelflow.engine.probe import probe", "db must not import"),
    ("db", "from reelflow.tasks.jobs import start_job", "db must not import"),
    ("storage", "from reelflow.services.jobs import mark_failed", "storage must not import"),
    ("services", "from prefect import task", "services must not import prefect"),
    ("tasks", "from reelflow.deployments.cli import main", "tasks must not import"),
    ("flows", "from reelflow.settings import Settings\nfrom reelflow.web.app import app",
     "flows must not import"),
    ("floor", "from reelflow.engine.script import Script", "floor must not import"),
    ("services", "from storage.layout import MediaLayout", "import it as reelflow.storage"),
])
def test_the_checker_reports_an_import_against_the_rules(layer: str, line: str,
                                                         expected: str) -> None:
    found = violations(layer, line)
    assert len(found) == 1 and expected in found[0]


def test_the_checker_lets_allowed_imports_through() -> None:
    allowed = ("from reelflow.errors import RenderFailed\nfrom reelflow.engine.probe import "
               "probe\nfrom reelflow.storage.layout import MediaLayout\nimport os\n")
    assert violations("services", allowed) == []
