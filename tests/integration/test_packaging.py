"""reelflow installs as one package, so another project's folders cannot shadow it.

Prefect starts a flow run with the worker's working directory first on ``sys.path``; a folder
there named ``flows`` or ``db``, or a ``tasks.py``, would win over a top-level package of the
same name. Installed as ``reelflow.flows``, ``reelflow.db``, ... ours cannot be shadowed, and
we shadow nobody's ``db`` in site-packages either.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DECOYS = ("flows/__init__.py", "tasks.py", "db/__init__.py", "engine/__init__.py",
          "storage.py", "services/__init__.py", "deployments/__init__.py", "settings.py")


def _plant_decoys(folder: Path) -> None:
    for name in DECOYS:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("raise ImportError('a decoy of another project was imported')\n")


def _python(code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True,
                          text=True, timeout=120, check=False)


def test_another_projects_folders_in_the_working_directory_do_not_shadow_reelflow(
        tmp_path: Path) -> None:
    _plant_decoys(tmp_path)
    shadowed = _python("import tasks", tmp_path)
    assert "a decoy of another project" in shadowed.stderr  # the hazard is real here
    loaded = _python("import reelflow.flows.generate_video, reelflow.flows.cleanup_media, "
                     "reelflow.deployments.cli, reelflow.services.jobs; "
                     "import reelflow.db.models as m; print(m.__file__)", tmp_path)
    assert loaded.returncode == 0, loaded.stderr
    assert Path(loaded.stdout.strip()).resolve().is_relative_to(ROOT)


def test_the_wheel_holds_one_top_level_package_with_its_data(tmp_path: Path) -> None:
    # Built from a copy: setuptools writes a build/ folder into the tree it builds.
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, symlinks=True, ignore=shutil.ignore_patterns(
        ".venv", ".git", "reelflow-data", "build", "*.egg-info", "__pycache__", "docs"))
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet",
                            "-w", str(tmp_path), str(source)], capture_output=True, text=True,
                           timeout=600, check=False)
    assert built.returncode == 0, built.stderr
    wheel = next(tmp_path.glob("reelflow-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/")[0] for name in names}
    assert tops == {"reelflow", next(t for t in tops if t.endswith(".dist-info"))}
    for wanted in ("reelflow/prefect.yaml", "reelflow/errors.py",
                   "reelflow/flows/generate_video.py", "reelflow/db/migrations/env.py",
                   "reelflow/engine/h264.py"):
        assert wanted in names, wanted
    assert any(n.startswith("reelflow/db/migrations/versions/0001") for n in names)
    assert not any("/tests/" in n or n.startswith("tests/") for n in names)
