"""``reelflow render`` beside a running ``reelflow up`` runs against up's Prefect server."""

from __future__ import annotations

import json
import os
import signal
import urllib.request
from pathlib import Path

from reelflow.deployments.running_server import FILE_NAME, find, public_url
from reelflow.settings import Settings
from tests.e2e.conftest import run, start_up
from tests.prefect_server import call, clean_env


def test_render_beside_up_shows_its_run_in_ups_server_and_starts_no_server_of_its_own(
        tmp_path: Path) -> None:
    env = {**clean_env(), "REELFLOW_HOME": str(tmp_path / "home")}
    up, port, web_port = start_up(env, tmp_path / "up.log")
    try:
        assert (tmp_path / "home" / FILE_NAME).is_file()
        done = run(["render", "-", "--json", "--resolution", "320x180", "--quality", "draft"],
                   env, stdin=b"# Beside up\n\nOne scene, rendered against up's server.\n")
        assert done.returncode == 0, done.stderr
        job_id = json.loads(done.stdout)["job_id"]
        flow_run = call(f"http://127.0.0.1:{port}/api", "GET", f"/flow_runs/{job_id}")
        assert flow_run["state"]["type"] == "COMPLETED"
        # No temporary server was started in this data directory for the render.
        assert not (tmp_path / "home" / "prefect" / "temporary-server.log").exists()
        # The user is sent to where up's web server plays the video, and it does.
        plain = run(["render", "-", "--resolution", "320x180", "--quality", "draft"], env,
                    stdin=b"# Watch it\n\nOne scene to watch in up's gallery.\n")
        assert plain.returncode == 0, plain.stderr
        watch = plain.stdout.strip().splitlines()[-1]
        address = f"http://127.0.0.1:{web_port}/media/videos/"
        assert watch.startswith(f"watch: {address}") and watch.endswith(".mp4"), watch
        with urllib.request.urlopen(watch.removeprefix("watch: "), timeout=30) as video:
            assert video.status == 200 and video.headers["Content-Type"] == "video/mp4"
    finally:
        up.send_signal(signal.SIGINT)
        up.wait(timeout=120)
    assert not (tmp_path / "home" / FILE_NAME).exists()


def test_a_file_left_by_a_killed_up_is_ignored(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, database_url="sqlite://", media_root=tmp_path / "m")
    dead = os.fork()
    if dead == 0:
        os._exit(0)
    os.waitpid(dead, 0)
    (tmp_path / FILE_NAME).write_text(json.dumps({"api_url": "http://127.0.0.1:9/api",
                                                  "pid": dead,
                                                  "public_url": "http://127.0.0.1:9"}))
    assert find(settings) is None and public_url(settings) is None
    (tmp_path / FILE_NAME).write_text(json.dumps({"api_url": "http://127.0.0.1:9/api",
                                                  "pid": os.getpid(),
                                                  "public_url": "http://127.0.0.1:9"}))
    assert find(settings) is None  # alive, but nothing answers there
    assert public_url(settings) == "http://127.0.0.1:9"
    (tmp_path / FILE_NAME).write_text("not json")
    assert find(settings) is None
