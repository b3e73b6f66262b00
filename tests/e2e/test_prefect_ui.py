"""The Prefect UI as people use it, in Debian's headless Chromium, on `reelflow up --port N`
at a port other than Prefect's 4200: the UI calls its own API, the run form starts on its
defaults, refuses an empty script, and a run started from it shows its progress moving."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Page, sync_playwright

from tests.e2e.conftest import REELFLOW, ROOT
from tests.prefect_server import call, clean_env, free_port, wait_for

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
# Twelve zooming scenes: long enough (well over ten seconds) to watch the progress move on a
# page reloaded about once a second, now that a served run starts and narrates at once.
SCRIPT = "---\nmotion: kenburns\n---\n# Watched from the browser\n\n" + "\n\n".join(
    f"## Part {n}\nThis is part {n}, spoken at some length so that the render lasts long "
    "enough to be watched from the run page." for n in range(1, 13))


@dataclass
class Up:
    base: str
    api: str

    def deployment_id(self, name: str) -> str:
        return str(call(self.api, "GET", f"/deployments/name/{name}/{name}")["id"])

    def runs_of(self, name: str) -> list[dict[str, Any]]:
        return list(call(self.api, "POST", "/flow_runs/filter", {
            "deployments": {"id": {"any_": [self.deployment_id(name)]}},
            "sort": "EXPECTED_START_TIME_DESC"}))


@pytest.fixture(scope="module")
def up(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Up]:
    home = tmp_path_factory.mktemp("ui")
    port = free_port()
    assert port != 4200
    env = {**clean_env(), "REELFLOW_HOME": str(home), "PREFECT_RUNNER_POLL_FREQUENCY": "1"}
    log = home / "up.log"
    with open(log, "wb") as out:
        process = subprocess.Popen([str(REELFLOW), "up", "--port", str(port)], env=env,
                                   cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    started = Up(f"http://127.0.0.1:{port}", f"http://127.0.0.1:{port}/api")
    try:
        wait_for("reelflow up", lambda: "Ctrl-C stops everything" in log.read_text(),
                 timeout=240)

        def deployed() -> bool:
            names = {d["name"] for d in call(started.api, "POST", "/deployments/filter", {})}
            return {"generate-video", "cleanup-media"} <= names

        wait_for("both deployments", deployed, timeout=120)
        yield started
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Page]:
    opened = browser.new_page(viewport={"width": 1440, "height": 1000})
    yield opened
    opened.close()


def test_the_ui_is_told_its_own_api_and_lists_both_deployments(up: Up, page: Page) -> None:
    with urllib.request.urlopen(f"{up.base}/ui-settings", timeout=30) as reply:
        settings = json.loads(reply.read())
    assert settings["api_url"] == up.api
    page.goto(up.base)  # the address `reelflow up` prints
    page.get_by_role("link", name="Deployments").first.click()
    page.get_by_text("cleanup-media").first.wait_for(timeout=60_000)
    page.get_by_text("generate-video").first.wait_for(timeout=60_000)
    assert "Can't connect" not in page.inner_text("body")
    assert "/v2/deployments" in page.url  # Prefect's default UI, where people land


def _open_form(up: Up, page: Page) -> None:
    page.goto(f"{up.base}/v2/deployments/deployment/{up.deployment_id('generate-video')}/run")
    page.get_by_label("Select resolution").wait_for(timeout=60_000)


def test_the_run_form_starts_on_every_default_with_no_none_toggles(up: Up, page: Page) -> None:
    _open_form(up, page)
    chosen = {name: page.get_by_label(f"Select {name}").inner_text().strip()
              for name in ("resolution", "quality_preset", "captions", "motion")}
    assert chosen == {"resolution": "1280x720", "quality_preset": "standard",
                      "captions": "soft", "motion": "none"}
    boxes = [box.input_value() for box in page.locator("textarea").all()]
    # script, script_path, title, custom_resolution, tts, session_id, language, music
    assert boxes == ["", "", "", "", "piper", "default", "en", ""]
    assert page.get_by_role("switch").first.get_attribute("aria-checked") == "true"
    assert 'Property is type "None"' not in page.inner_text("body")


def test_an_empty_script_is_refused_before_a_run_exists(up: Up, page: Page) -> None:
    before = len(up.runs_of("generate-video"))
    _open_form(up, page)
    page.get_by_role("button", name="Submit").click()
    page.get_by_text("Validation failed for field 'script'").wait_for(timeout=30_000)
    assert "/run" in page.url
    assert len(up.runs_of("generate-video")) == before


def _progress_seen(page: Page) -> str | None:
    found = re.search(r"\b(\d{1,3})% - [a-z][^\n]*", page.inner_text("body"))
    return found.group(0) if found else None


def test_a_run_started_from_the_form_completes_and_its_page_shows_progress_moving(
        up: Up, page: Page) -> None:
    _open_form(up, page)
    page.locator("textarea").first.fill(SCRIPT)
    box = page.locator("textarea").first.bounding_box()
    assert box is not None and box["height"] > 100  # the script box grows with the script
    page.get_by_role("button", name="Submit").click()
    page.wait_for_url("**tab=Runs", timeout=90_000)  # the UI waits for the API; slow under load
    run = wait_for("the run", lambda: next(iter(up.runs_of("generate-video")), None))
    page.goto(f"{up.base}/v2/runs/flow-run/{run['id']}?tab=Artifacts")
    seen: list[str] = []
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        text = _progress_seen(page)
        if text and (not seen or seen[-1] != text):
            seen.append(text)
        if text == "100% - completed":
            break
        page.reload()
        page.get_by_text("Artifacts").first.wait_for(timeout=30_000)
    state = call(up.api, "GET", f"/flow_runs/{run['id']}")["state"]["type"]
    assert state == "COMPLETED", seen
    assert seen[-1] == "100% - completed"
    figures = [int(text.split("%")[0]) for text in seen]
    assert len([f for f in figures if 0 < f < 100]) >= 2, seen  # watched it move
    assert figures == sorted(figures), seen
    print(f"progress seen on the run page: {seen}")
    page.get_by_text("Watched from the browser").first.wait_for(timeout=30_000)  # its name
