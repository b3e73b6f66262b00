"""Takes the Prefect UI screenshots in docs/ the way a person gets there: `reelflow up` on a
free port, the Custom run form filled with examples/welcome.md, the run page while the job
renders (its progress) and once it completed, and the video artifact.

Run from the checkout: .venv/bin/python docs/take_ui_screenshots.py
Needs Debian's chromium (/usr/bin/chromium) and the playwright package (no browser download).
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]
# The example, with zooming scenes so that the render lasts long enough to catch mid-way.
SCRIPT = "---\nmotion: kenburns\n---\n" + (ROOT / "examples" / "welcome.md").read_text()


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _call(api: str, method: str, path: str, body: Any = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{api}{path}", data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as reply:
        return json.loads(reply.read())


def _state(api: str, run: str) -> str:
    return str(_call(api, "GET", f"/flow_runs/{run}")["state"]["type"])


def _wait(what: str, check: Any, timeout: float = 240) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = check()
        except OSError:
            value = None
        if value:
            return value
        time.sleep(0.5)
    raise SystemExit(f"timed out waiting for {what}")


def main() -> None:
    from playwright.sync_api import sync_playwright

    home = Path(tempfile.mkdtemp(prefix="reelflow-ui-"))
    port = _port()
    base, api = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{port}/api"
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("PREFECT_", "REELFLOW_"))}
    env.update({"REELFLOW_HOME": str(home), "PREFECT_RUNNER_POLL_FREQUENCY": "1"})
    log = open(home / "up.log", "wb")  # noqa: SIM115 - `up` writes to it for its whole life
    up = subprocess.Popen([Path(sys.executable).with_name("reelflow"), "up", "--port",
                           str(port)], env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        deployment = _wait("the deployment", lambda: _call(
            api, "GET", "/deployments/name/generate-video/generate-video")["id"])
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                                 args=CHROMIUM_FLAGS)
            page = browser.new_page(viewport={"width": 1440, "height": 1000})
            page.goto(f"{base}/v2/deployments/deployment/{deployment}/run")
            page.get_by_label("Select resolution").wait_for(timeout=60_000)
            page.locator("textarea").first.fill(SCRIPT)
            page.get_by_text("Parameters").first.click()  # out of the box: no focus ring
            page.screenshot(path=str(DOCS / "prefect-ui-form.png"), full_page=True)
            page.get_by_role("button", name="Submit").click()
            page.wait_for_url("**tab=Runs", timeout=30_000)
            run = _wait("the run", lambda: _call(api, "POST", "/flow_runs/filter", {
                "deployments": {"id": {"any_": [deployment]}}})[0]["id"])
            page.goto(f"{base}/v2/runs/flow-run/{run}?tab=Artifacts")
            caught = False
            while _state(api, run) not in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED"):
                found = re.search(r"\b(\d{1,3})% - ", page.inner_text("body"))
                if found and 60 < int(found.group(1)) < 85 and not caught:
                    page.wait_for_timeout(1500)  # let the timeline draw
                    page.screenshot(path=str(DOCS / "prefect-ui-progress.png"))
                    caught = True
                page.reload()
                page.get_by_text("Artifacts").first.wait_for(timeout=30_000)
                page.wait_for_timeout(500)
            if _state(api, run) != "COMPLETED":
                raise SystemExit(f"the run ended {_state(api, run)}")
            page.reload()
            page.get_by_text("MARKDOWN").first.wait_for(timeout=30_000)
            page.wait_for_timeout(2000)
            page.screenshot(path=str(DOCS / "prefect-ui-run.png"))
            page.get_by_text(f"job-{run.replace('-', '')[:20]}-video").first.click()
            page.wait_for_timeout(3000)
            page.screenshot(path=str(DOCS / "prefect-ui-video-artifact.png"))
            browser.close()
        print(f"run {run}: docs/prefect-ui-{{form,progress,run,video-artifact}}.png"
              + ("" if caught else " (the render was too quick to catch mid-way)"))
    finally:
        up.send_signal(signal.SIGINT)
        up.wait(timeout=60)


if __name__ == "__main__":
    main()
