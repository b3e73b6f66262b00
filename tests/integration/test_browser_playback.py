"""The videos in a real browser: Debian's Chromium, driven headless by Playwright, plays the MP4
and the WebM, and a slide drawn from the playing video onto a canvas has its source's colours.

Two ways Chromium turns YUV into RGB are measured. Its GPU path (what a viewer with graphics
acceleration sees), run here on SwiftShader, Chromium's own software GPU: every channel must
match the source within 2.5 on average. Its no-GPU path (--disable-gpu) converts BT.709 with a
blue weight of 2.0 instead of 2.112 (measured: blue falls short by (Cb - 128) x 0.13 levels,
8 levels for a saturated blue), whatever the file says, so there red and green must match
within 2.5 and blue within 3; what that path proves is that the BT.709 matrix is applied at
all (BT.601 would put red off by about 5, as it was before).
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import Page, sync_playwright

from reelflow.engine.audio import NARRATION_RATE, join_padded
from reelflow.engine.captions import cues_for, write_srt, write_vtt
from reelflow.engine.compose import Shot, render_video
from reelflow.engine.slides import Slide, render_slide
from reelflow.engine.speech import SpeechChain
from reelflow.engine.speech.fake import FakeEngine
from reelflow.engine.timeline import plan_timeline

CHROMIUM = "/usr/bin/chromium"
COMMON = ["--headless", "--no-sandbox", "--disable-background-networking",
          "--autoplay-policy=no-user-gesture-required"]
MODES = {"gpu": [*COMMON, "--use-angle=swiftshader", "--enable-unsafe-swiftshader"],
         "no-gpu": [*COMMON, "--disable-gpu"]}
PATCHES = [(102, 32, 42), (200, 30, 30), (30, 200, 30), (30, 30, 200), (230, 180, 150),
           (250, 220, 40), (120, 60, 160), (20, 160, 170)]

GRAB = """async ([video, picture, second]) => {
  const v = document.createElement('video');
  v.muted = true; v.preload = 'auto'; v.src = video;
  await new Promise((ok, bad) => { v.onloadeddata = ok;
    v.onerror = () => bad(new Error('cannot play: ' + (v.error && v.error.message))); });
  v.currentTime = second; await new Promise(ok => { v.onseeked = ok; });
  const img = new Image(); img.src = picture; await img.decode();
  const w = v.videoWidth, h = v.videoHeight;
  const pixels = (source) => { const c = document.createElement('canvas');
    c.width = w; c.height = h; const g = c.getContext('2d', {willReadFrequently: true});
    g.drawImage(source, 0, 0, w, h); return g.getImageData(0, 0, w, h).data; };
  const a = pixels(v), b = pixels(img), sum = [0, 0, 0];
  for (let i = 0; i < a.length; i += 4) {
    for (let k = 0; k < 3; k++) sum[k] += Math.abs(a[i + k] - b[i + k]);
  }
  return {width: w, height: h, mean: sum.map(s => s / (a.length / 4))};
}"""

PLAY = """async ([video, captions]) => {
  const v = document.createElement('video'); v.src = video; v.preload = 'auto';
  const track = document.createElement('track');
  track.kind = 'captions'; track.src = captions; track.default = true; v.appendChild(track);
  document.body.appendChild(v);
  await new Promise((ok, bad) => { v.oncanplay = ok;
    v.onerror = () => bad(new Error('cannot play: ' + (v.error && v.error.message))); });
  await v.play();
  const start = v.currentTime;
  await new Promise(ok => setTimeout(ok, 1500));
  v.pause();
  await new Promise(ok => { if (track.readyState === 2) ok(); else track.onload = ok; });
  return {start, now: v.currentTime, duration: v.duration, width: v.videoWidth,
          audioBytes: v.webkitAudioDecodedByteCount, videoBytes: v.webkitVideoDecodedByteCount,
          cues: Array.from(track.track.cues).map(c => [c.startTime, c.endTime, c.text]),
          canPlay: v.canPlayType('video/webm; codecs="vp9, opus"')};
}"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """A folder served over HTTP on a free loopback port (canvas reads need one origin)."""
    folder = tmp_path_factory.mktemp("served")
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield folder, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _page(mode: str) -> Iterator[Page]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=MODES[mode])
        try:
            yield browser.new_page()
        finally:
            browser.close()


@pytest.fixture(scope="module", params=list(MODES))
def page(request: pytest.FixtureRequest, served: tuple[Path, str]) -> Iterator[Page]:
    for opened in _page(request.param):
        opened.goto(served[1] + "/")
        opened.mode = request.param  # type: ignore[attr-defined]
        yield opened


def _slide(path: Path, width: int, height: int) -> Path:
    """A slide as reelflow draws it, with a row of colour patches across its foot."""
    render_slide(Slide("True colour", "Every colour as drawn",
                       "Reds, greens, blues and skin tones must play as they were drawn.", 1, 1),
                 path, width, height)
    picture = Image.open(path).convert("RGB")
    draw = ImageDraw.Draw(picture)
    step = width // len(PATCHES)
    for n, colour in enumerate(PATCHES):
        draw.rectangle((n * step, int(height * 0.72), (n + 1) * step - 1, height - 1),
                       fill=colour)
    picture.save(path)
    return path


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)], ids=["720p", "1080p"])
def test_a_slide_played_in_chromium_has_the_colours_of_its_source(
        page: Page, served: tuple[Path, str], size: tuple[int, int]) -> None:
    folder, url = served
    width, height = size
    source = _slide(folder / f"slide-{height}.png", width, height)
    render_video([Shot(source, 24)], [folder / f"slide-{height}.mp4",
                                      folder / f"slide-{height}.webm"], fps=24)
    mode = page.mode  # type: ignore[attr-defined]
    limits = (2.5, 2.5, 2.5) if mode == "gpu" else (2.5, 2.5, 3.0)
    for fmt in ("mp4", "webm"):
        found = page.evaluate(GRAB, [f"{url}/slide-{height}.{fmt}?{mode}",
                                     f"{url}/{source.name}", 0.5])
        assert (found["width"], found["height"]) == size
        for channel, mean, limit in zip("RGB", found["mean"], limits, strict=True):
            assert mean <= limit, f"{fmt} {mode}: {channel} differs by {mean:.2f} on average"


def test_a_webm_plays_in_chromium_with_its_sound_and_its_caption_file(
        page: Page, served: tuple[Path, str], tmp_path: Path) -> None:
    folder, url = served
    chain = SpeechChain([FakeEngine()])
    texts = ["The first scene speaks.", "The second one too. And it ends here."]
    narrations = [chain.narrate(text, tmp_path / f"n{n}.wav") for n, text in enumerate(texts)]
    slots = plan_timeline([n.duration for n in narrations], fps=24, pause_seconds=0.5)
    audio = tmp_path / "all.wav"
    join_padded([(n.path, slot.samples(NARRATION_RATE))
                 for n, slot in zip(narrations, slots, strict=True)], audio)
    cues = cues_for([(slot.start, n.sentences) for n, slot in zip(narrations, slots, strict=True)])
    write_srt(cues, tmp_path / "captions.srt")
    mode = page.mode  # type: ignore[attr-defined]
    write_vtt(cues, folder / f"talk-{mode}.vtt")
    slides = [_slide(tmp_path / f"s{n}.png", 640, 360) for n in range(2)]
    render_video([Shot(slide, slot.frames) for slide, slot in zip(slides, slots, strict=True)],
                 folder / f"talk-{mode}.webm", fps=24, audio=audio,
                 subtitles=tmp_path / "captions.srt")
    played = page.evaluate(PLAY, [f"{url}/talk-{mode}.webm", f"{url}/talk-{mode}.vtt"])
    assert played["canPlay"] == "probably"
    assert played["width"] == 640
    assert played["now"] - played["start"] > 0.5, played  # it plays
    assert played["duration"] == pytest.approx(sum(s.frames for s in slots) / 24, abs=0.05)
    assert played["audioBytes"] > 0 and played["videoBytes"] > 0  # Opus and VP9 decoded
    assert [(round(a, 3), round(b, 3), text) for a, b, text in played["cues"]] == [
        (round(cue.start, 3), round(cue.end, 3), cue.text) for cue in cues]
