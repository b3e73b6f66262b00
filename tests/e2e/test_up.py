"""``reelflow up`` as a user runs it: URLs printed, UI and deployments up, Ctrl-C stops all."""

from __future__ import annotations

import signal
import urllib.request
from pathlib import Path

import psutil

from tests.e2e.conftest import start_up
from tests.prefect_server import call, clean_env, wait_for


def test_up_serves_the_ui_and_both_deployments_and_ctrl_c_stops_everything(
        tmp_path: Path) -> None:
    env = clean_env()
    env["REELFLOW_HOME"] = str(tmp_path / "home")
    log = tmp_path / "up.log"
    up, port, web_port = start_up(env, log)
    api = f"http://127.0.0.1:{port}/api"
    try:
        printed = log.read_text()
        assert f"Prefect UI:   http://127.0.0.1:{port}" in printed
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30) as page:
            assert page.status == 200 and b"<html" in page.read().lower()
        assert f"Gallery:      http://127.0.0.1:{web_port}" in printed
        with urllib.request.urlopen(f"http://127.0.0.1:{web_port}/", timeout=30) as page:
            assert page.status == 200 and b'id="start-form"' in page.read()

        def deployed() -> bool:
            try:
                names = {d["name"] for d in call(api, "POST", "/deployments/filter", {})}
            except OSError:
                return False
            return {"generate-video", "cleanup-media"} <= names

        wait_for("both deployments", deployed, timeout=120)
        family = psutil.Process(up.pid).children(recursive=True)
    finally:
        up.send_signal(signal.SIGINT)
        code = up.wait(timeout=60)
    assert code == 0, log.read_text()[-2000:]
    assert "stopped." in log.read_text()
    wait_for("the server to exit", lambda: not any(p.is_running() and p.status() != "zombie"
                                                   for p in family), timeout=30)
