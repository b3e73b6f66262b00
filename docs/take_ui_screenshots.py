"""Takes the Prefect UI screenshots in docs/: a completed generate-video run and its artifacts.

Run from the checkout: .venv/bin/python docs/take_ui_screenshots.py
Needs Debian's chromium (/usr/bin/chromium) and the playwright package (no browser download).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> None:
    from playwright.sync_api import sync_playwright

    home = Path(tempfile.mkdtemp(prefix="reelflow-ui-"))
    port = _port()
    env = {**os.environ, "PREFECT_HOME": str(home / "prefect"), "REELFLOW_HOME": str(home),
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "PREFECT_API_URL": f"http://127.0.0.1:{port}/api"}
    server = subprocess.Popen([sys.executable, "-m", "prefect", "server", "start", "--host",
                               "127.0.0.1", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        reelflow = Path(sys.executable).with_name("reelflow")
        for _ in range(240):
            probe = subprocess.run(["curl", "-sf", f"http://127.0.0.1:{port}/api/health"],
                                   capture_output=True, check=False)
            if probe.returncode == 0:
                break
            time.sleep(0.5)
        done = subprocess.run([str(reelflow), "render", "examples/welcome.md", "--json",
                               "--session", "docs"], env=env, cwd=ROOT, capture_output=True,
                              text=True, check=True)
        job_id = __import__("json").loads(done.stdout)["job_id"]
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                                 args=CHROMIUM_FLAGS)
            page = browser.new_page(viewport={"width": 1440, "height": 1000})
            page.goto(f"http://127.0.0.1:{port}/runs/flow-run/{job_id}")
            page.wait_for_timeout(6000)
            page.screenshot(path=str(ROOT / "docs" / "prefect-ui-run.png"))
            page.set_viewport_size({"width": 1440, "height": 1500})
            page.get_by_text("Artifacts", exact=True).first.click()
            page.wait_for_timeout(3000)
            page.screenshot(path=str(ROOT / "docs" / "prefect-ui-artifacts.png"))
            page.get_by_text(f"job-{job_id.replace('-', '')[:20]}-video").first.click()
            page.wait_for_timeout(3000)
            page.screenshot(path=str(ROOT / "docs" / "prefect-ui-video-artifact.png"))
            browser.close()
        print(f"job {job_id}: docs/prefect-ui-*.png")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
