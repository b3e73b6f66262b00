"""The gallery in a real browser: `reelflow up` (Prefect, the served deployments and the web
server), headless Chromium (Debian's, driven by Playwright), a job started from the form and
followed to COMPLETED, its video played, sought and captioned.

Screenshots land in the test's folder; with REELFLOW_DOCS_SCREENSHOTS=1 they are also copied
to docs/, where the README shows them.
"""

from __future__ import annotations

import os
import shutil
import signal
from pathlib import Path
from typing import Any

from tests.e2e.conftest import ROOT, start_up
from tests.prefect_server import call, clean_env, wait_for

ADMIN = "gallery-admin-token-0123456789"
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         "--autoplay-policy=no-user-gesture-required"]
SCRIPT = "\n\n".join(["# A walk through the gallery"] + [
    f"## Part {n}\nThis is part {n} of a short video made from the gallery's form, "
    "spoken by the offline voice." for n in range(1, 5)])


def test_a_job_started_in_the_gallery_completes_with_live_progress_and_plays(
        tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Debian's chromium is needed: apt-get install chromium"
    env = {**clean_env(), "REELFLOW_HOME": str(tmp_path / "home"),
           "REELFLOW_ADMIN_TOKENS": ADMIN, "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    log = tmp_path / "up.log"
    up, port, web_port = start_up(env, log)
    api = f"http://127.0.0.1:{port}/api"
    gallery = f"http://127.0.0.1:{web_port}"
    try:
        assert f"Gallery:      {gallery}" in log.read_text()
        wait_for("the deployment", lambda: _deployed(api), timeout=120)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                                 args=FLAGS)
            try:
                page = browser.new_page(viewport={"width": 1360, "height": 900})
                _drive(page, gallery, api, tmp_path)
            finally:
                browser.close()
    finally:
        up.send_signal(signal.SIGINT)
        up.wait(timeout=60)
    assert "stopped." in log.read_text()


def _deployed(api: str) -> bool:
    try:
        return bool(call(api, "GET", "/deployments/name/generate-video/generate-video"))
    except OSError:
        return False


def until(page: Any, predicate: str, timeout: float = 30.0) -> None:
    """Waits until a JavaScript predicate holds in the page. (Playwright's wait_for_function
    evaluates its string with eval, which the gallery's Content-Security-Policy forbids.)"""
    wait_for(predicate, lambda: page.evaluate(predicate), timeout=timeout)


def _drive(page: Any, gallery: str, api: str, shots: Path) -> None:
    page.goto(f"{gallery}/?session=e2e")
    page.fill("#token", ADMIN)
    page.dispatch_event("#token", "change")
    page.fill("#script", SCRIPT)
    page.select_option("#resolution", "640x360")
    assert page.input_value("#captions") == "soft"
    page.click("#start-button")
    until(page, "() => document.querySelector('#start-message').textContent"
                ".startsWith('Started job')")
    job_id = page.text_content("#start-message").split()[2].rstrip(".")
    item = f'#job-list li[data-job="{job_id}"]'
    seen: list[tuple[str, str]] = []

    def progress() -> bool:
        if page.query_selector(item) is None:
            return False
        state = (page.text_content(f"{item} .status") or "",
                 page.text_content(f"{item} .percent") or "")
        if not seen or seen[-1] != state:
            seen.append(state)
            if state[0] == "VIDEO_COMPOSITION" or (state[0] == "MEDIA_GENERATION"
                                                    and len(seen) == 3):
                page.screenshot(path=str(shots / "gallery-progress.png"))
        return state[0] in ("COMPLETED", "FAILED")

    wait_for("the job to end in the page", progress, timeout=600)
    assert seen[-1] == ("COMPLETED", "100%"), seen
    moving = [percent for status, percent in seen if status not in ("COMPLETED", "FAILED")]
    assert any(percent not in ("0%", "100%") for percent in moving), seen
    prefect_link = page.get_attribute(f"{item} a", "href")
    assert prefect_link == f"{api.removesuffix('/api')}/runs/flow-run/{job_id}"

    video = f'article[data-job-id="{job_id}"] video'
    page.wait_for_selector(video, timeout=30_000)
    until(page, f"() => document.querySelector('{video}').readyState >= 1")
    page.screenshot(path=str(shots / "gallery.png"), full_page=True)
    duration = page.eval_on_selector(video, "v => v.duration")
    assert duration > 5
    started = page.eval_on_selector(video, "v => { v.muted = true; return v.play()"
                                           ".then(() => true) }")
    assert started
    until(page, f"() => document.querySelector('{video}').currentTime > 0.5")
    middle = duration / 2
    page.eval_on_selector(video, f"v => new Promise(done => {{ v.addEventListener('seeked', "
                                 f"done, {{once: true}}); v.currentTime = {middle}; }})")
    after_seek = page.eval_on_selector(video, "v => v.currentTime")
    assert middle - 0.5 <= after_seek <= middle + 1.5
    until(page, f"() => document.querySelector('{video}').currentTime > {middle + 0.3}")
    tracks = page.eval_on_selector(video, "v => [v.textTracks.length, v.textTracks[0].mode, "
                                          "v.textTracks[0].cues ? v.textTracks[0].cues.length "
                                          ": 0]")
    assert tracks[0] == 1 and tracks[1] == "showing" and tracks[2] >= 4, tracks
    page.eval_on_selector(video, "v => v.pause()")
    page.locator(f'article[data-job-id="{job_id}"]').screenshot(
        path=str(shots / "gallery-player.png"))
    for name in ("gallery.png", "gallery-progress.png", "gallery-player.png"):
        assert (shots / name).stat().st_size > 10_000, name
        if os.environ.get("REELFLOW_DOCS_SCREENSHOTS") == "1":
            shutil.copyfile(shots / name, ROOT / "docs" / name)
