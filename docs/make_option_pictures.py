"""Renders the pictures of docs/options.md with reelflow's own engine, so they can be retaken.

Every picture is a frame decoded from a small video that the real engine rendered (slides,
burned captions, zoom, x264 or VP9), or, for soft captions, that video playing in headless
Chromium with its WebVTT captions as the gallery's player shows them. The videos are silent:
the pictures show the look, and the narration (whose measured timing places the captions in a
real job) is replaced by a fixed time per scene, its sentences timed by their length.

Run from the checkout: .venv/bin/python docs/make_option_pictures.py
Needs the fonts of the README's set-up and, for the soft-caption picture, Debian's chromium.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageDraw

from reelflow.engine.burned_captions import spans_for
from reelflow.engine.captions import cues_for, write_srt, write_vtt
from reelflow.engine.compose import Shot, render_video
from reelflow.engine.poster import frame_at, write_poster
from reelflow.engine.probe import probe
from reelflow.engine.slides import Slide, render_slide
from reelflow.engine.speech.base import Sentence, split_sentences, spread_by_length
from reelflow.engine.timeline import plan_timeline
from reelflow.vocabulary import CaptionPosition, Fit, Motion

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "options"
FPS = 12
SECONDS = 3.0  # each scene
TITLE = "Offline narration"
SCENE = ("A local voice", "Everything runs on your own machine. No text leaves it, and nothing "
         "is downloaded while a video renders.")


def _slides(work: Path, title: str, scenes: Sequence[tuple[str | None, str]], size: tuple[int, int],
            language: str = "", background: Path | None = None, fit: Fit = "cover",
            ) -> list[Path]:
    paths = []
    for index, (heading, body) in enumerate(scenes):
        path = work / f"slide-{index}.png"
        render_slide(Slide(title, heading, body, index, len(scenes), background, language,
                           fit=fit), path, *size)
        paths.append(path)
    return paths


def _render(work: Path, name: str, slides: Sequence[Path], narrations: Sequence[str], *,
            captions: str = "off", position: CaptionPosition = "bottom", motion: Motion = "none",
            language: str = "", formats: Sequence[str] = ("mp4",),
            clip: Path | None = None) -> list[Path]:
    """Renders the slides as one video per format; captions "burned" or "soft" (a WebVTT
    file beside the videos) from each scene's sentences."""
    slots = plan_timeline([SECONDS] * len(slides), fps=FPS, pause_seconds=0.0)
    cues = cues_for([(slot.start, _sentences(text)) for slot, text in zip(slots, narrations,
                                                                          strict=True)])
    shots = [Shot(slide, slot.frames, spans_for(cues, slot.start_frame, slot.frames, FPS)
                  if captions == "burned" else (), motion, language, clip)
             for slide, slot in zip(slides, slots, strict=True)]
    targets = [work / f"{name}.{fmt}" for fmt in formats]
    size = Image.open(slides[0]).size
    track = work / f"{name}.srt" if captions == "soft" else None
    if track is not None:
        write_srt(cues, track)
        write_vtt(cues, work / f"{name}.vtt")
    render_video(shots, targets, fps=FPS, quality="high", size=size, subtitles=track,
                 caption_position=position)
    return targets


def _sentences(text: str) -> list[Sentence]:
    clock, sentences = 0.0, []
    for sentence, seconds in spread_by_length(split_sentences(text), SECONDS):
        sentences.append(Sentence(sentence, clock, clock + seconds))
        clock += seconds
    return sentences


def _grab(video: Path, frame: int, name: str) -> Path:
    target = OUT / f"{name}.png"
    Image.fromarray(frame_at(video, frame)).save(target, optimize=True)
    return target


def _picture(path: Path, size: tuple[int, int]) -> Path:
    """A picture made here, to show a scene's own image behind its slide."""
    image = Image.linear_gradient("L").rotate(60, expand=True).resize(size).convert("RGB")
    tinted = Image.merge("RGB", [image.getchannel(0).point(lambda v: 40 + v // 2),
                                 image.getchannel(0).point(lambda v: 120 + v // 3),
                                 image.getchannel(0).point(lambda v: 90)])
    draw = ImageDraw.Draw(tinted)
    for n in range(6):
        x, y = size[0] * (0.15 + 0.14 * n), size[1] * (0.7 - 0.08 * (n % 3))
        draw.ellipse((x - 40, y - 40, x + 40, y + 40), fill=(250, 200 - 20 * n, 80))
    tinted.save(path)
    return path


def _clip(path: Path, size: tuple[int, int], seconds: float = 2.0) -> Path:
    """A clip made here, to show a scene playing the user's own video: a sun crossing a sky,
    at 4:3 (covering a 16:9 frame crops its top and bottom)."""
    import av
    import numpy as np

    sky = Image.open(_picture(path.with_suffix(".png"), size)).convert("RGB")
    with av.open(str(path), "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=FPS)
        stream.width, stream.height, stream.pix_fmt = size[0], size[1], "yuv420p"
        for n in range(round(seconds * FPS)):
            frame = sky.copy()
            x = size[0] * (0.1 + 0.8 * n / (seconds * FPS))
            ImageDraw.Draw(frame).ellipse((x - 50, 40, x + 50, 140), fill=(255, 240, 120))
            picture = av.VideoFrame.from_ndarray(np.asarray(frame), format="rgb24")
            picture.pts = n
            container.mux(stream.encode(picture))
        container.mux(stream.encode(None))
    return path


def _soft_captions(video: Path, vtt: Path, seconds: float, name: str,
                   size: tuple[int, int]) -> Path | None:
    """Screenshots ``video`` paused at ``seconds`` in headless Chromium, its captions on."""
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        print(f"skipped {name}: no /usr/bin/chromium")
        return None
    from playwright.sync_api import sync_playwright

    page_file = video.with_suffix(".html")
    width, height = size
    page_file.write_text(
        f"<html><body style='margin:0;background:#000'><video id=v width={width} "
        f"height={height} muted src='{video.name}'><track default kind=captions srclang=en "
        f"src='{vtt.name}'></video></body></html>")
    target = OUT / f"{name}.png"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(chromium),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--allow-file-access-from-files"])
        page = browser.new_page(viewport={"width": width, "height": height})
        page.goto(page_file.as_uri())
        page.wait_for_function("document.getElementById('v').readyState >= 2")
        page.evaluate(f"""() => new Promise(done => {{
            const v = document.getElementById('v');
            v.textTracks[0].mode = 'showing';
            v.addEventListener('seeked', () => setTimeout(done, 300), {{once: true}});
            v.currentTime = {seconds};
        }})""")
        page.screenshot(path=str(target))
        browser.close()
    return target


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    size = (640, 360)
    work = Path(tempfile.mkdtemp(prefix="reelflow-options-"))
    try:
        narration = [SCENE[1]]
        slides = _slides(work, TITLE, [SCENE], size)
        still = _render(work, "still", slides, narration, captions="soft", formats=("mp4", "webm"))
        _grab(still[0], 6, "motion-none")
        _grab(still[1], 6, "format-webm")
        write_poster(still[0], 0, OUT / "poster.jpg")
        for video in still:
            found = probe(video)
            print(f"{video.name}: {found.video_codec}, {found.width}x{found.height}, "
                  f"{found.frames} frames, subtitles {found.subtitle_codec}")
        _soft_captions(still[0], work / "still.vtt", SECONDS * 0.75, "captions-soft", size)
        for position in ("top", "center", "bottom"):
            video = _render(work, f"burned-{position}", slides, narration, captions="burned",
                            position=position)[0]
            _grab(video, round(SECONDS * FPS * 0.75), f"captions-burned-{position}")
        zoom = _render(work, "zoom", slides, narration, motion="kenburns")[0]
        _grab(zoom, 0, "motion-kenburns-first")
        _grab(zoom, round(SECONDS * FPS) - 1, "motion-kenburns-last")
        picture = _picture(work / "picture.png", size)
        behind = _slides(work, TITLE, [SCENE], size, background=picture)
        _grab(_render(work, "image", behind, narration)[0], 0, "scene-image")
        portrait = _picture(work / "portrait.png", (270, 480))
        for fit in ("cover", "contain"):
            fitted = _slides(work, TITLE, [SCENE], size, background=portrait, fit=fit)
            _grab(_render(work, f"fit-{fit}", fitted, narration)[0], 0, f"fit-{fit}")
        clip = _clip(work / "sun.mp4", (480, 360))
        _grab(_render(work, "clip", slides, narration, clip=clip)[0], round(SECONDS * FPS / 2),
              "scene-clip")
        tall = _slides(work, TITLE, [SCENE], (360, 640))
        _grab(_render(work, "vertical", tall, narration, captions="burned")[0],
              round(SECONDS * FPS * 0.75), "vertical-burned")
        for language, title, heading, body in LANGUAGES:
            scenes = [(None, body), (heading, body)]
            slides = _slides(work, title, scenes, size, language)
            video = _render(work, language, slides, [body, body], captions="burned",
                            language=language)[0]
            _grab(video, 2, f"language-{language}-title")
            _grab(video, round(SECONDS * FPS * 1.75), f"language-{language}-slide")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for path in sorted(OUT.iterdir()):
        print(f"{path.relative_to(ROOT)}: {path.stat().st_size // 1024} KB")


LANGUAGES = [
    ("ja", "オフラインの動画", "ローカルの声",
     "すべてが自分のコンピューターで動きます。文章は外に出ず、描画中に何もダウンロードしません。"),
    ("ar", "فيديو بلا إنترنت", "صوت محلي",
     "كل شيء يعمل على جهازك. لا يغادر النص جهازك، ولا يُنزَّل شيء أثناء إنشاء الفيديو."),
    ("he", "וידאו ללא רשת", "קול מקומי",
     "הכול רץ על המחשב שלך. הטקסט לא יוצא ממנו, ושום דבר לא יורד בזמן היצירה."),
    ("el", "Βίντεο χωρίς δίκτυο", "Τοπική φωνή",
     "Όλα τρέχουν στον υπολογιστή σας. Το κείμενο δεν φεύγει από αυτόν."),  # noqa: RUF001
]

if __name__ == "__main__":
    main()
