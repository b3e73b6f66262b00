"""``reelflow up`` as a user runs it: URLs printed, UI and deployments up, Ctrl-C stops all."""

from __future__ import annotations

import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import psutil

from tests.prefect_server import call, clean_env, free_port, wait_for

ROOT = Path(__file__).resolve().parents[2]
REELFLOW = Path(sys.executable).with_name("reelflow")


def test_up_serves_the_ui_and_both_deployments_and_ctrl_c_stops_everything(
        tmp_path: Path) -> None:
    port, web_port = free_port(), free_port()
    env = clean_env()
    env["REELFLOW_HOME"] = str(tmp_path / "home")
    log = tmp_path / "up.log"
    with open(log, "wb") as out:
        up = subprocess.Popen([str(REELFLOW), "up", "--port", str(port), "--web-port",
                               str(web_port)], env=env, cwd=ROOT, stdout=out,
                              stderr=subprocess.STDOUT)
    api = f"http://127.0.0.1:{port}/api"
    try:
        wait_for("the URLs", lambda: "Ctrl-C stops everything" in log.read_text(), timeout=240)
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
