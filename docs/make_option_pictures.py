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

import av
import numpy as np
from PIL import Image, ImageDraw

from reelflow.engine.audio import NARRATION_RATE, join_padded
from reelflow.engine.burned_captions import spans_for
from reelflow.engine.captions import cues_for, write_srt, write_vtt
from reelflow.engine.compose import Shot, render_video
from reelflow.engine.ffmpeg import run_ffmpeg
from reelflow.engine.music import mix_music, speech_spans
from reelflow.engine.poster import frame_at, write_poster
from reelflow.engine.probe import probe
from reelflow.engine.slides import Slide, render_slide
from reelflow.engine.speech import SpeechChain
from reelflow.engine.speech.base import Sentence, split_sentences, spread_by_length
from reelflow.engine.speech.fake import FakeEngine
from reelflow.engine.timeline import plan_timeline, total_seconds
from reelflow.engine.transitions import crossfade_frames, with_transitions
from reelflow.vocabulary import CaptionPosition, Fit, Motion, Transition

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "options"
FPS = 12
SECONDS = 3.0  # each scene
TRANSITION_SECONDS = 0.5
TITLE = "Offline narration"
SCENE = ("A local voice", "Everything runs on your own machine. No text leaves it, and nothing "
         "is downloaded while a video renders.")
SECOND = ("Any script", "Markdown, plain text, YAML or JSON: one clear error when it is wrong.")


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
            transition: Transition = "cut", clip: Path | None = None) -> list[Path]:
    """Renders the slides as one video per format; captions "burned" or "soft" (a WebVTT
    file beside the videos) from each scene's sentences."""
    slots = plan_timeline([SECONDS] * len(slides), fps=FPS, pause_seconds=0.0)
    cues = cues_for([(slot.start, _sentences(text)) for slot, text in zip(slots, narrations,
                                                                          strict=True)])
    shots = [Shot(slide, slot.frames, spans_for(cues, slot.start_frame, slot.frames, FPS)
                  if captions == "burned" else (), motion, language, clip=clip)
             for slide, slot in zip(slides, slots, strict=True)]
    targets = [work / f"{name}.{fmt}" for fmt in formats]
    size = Image.open(slides[0]).size
    track = work / f"{name}.srt" if captions == "soft" else None
    if track is not None:
        write_srt(cues, track)
        write_vtt(cues, work / f"{name}.vtt")
    pieces = with_transitions(shots, crossfade_frames(transition, TRANSITION_SECONDS, FPS))
    render_video(pieces, targets, fps=FPS, quality="high", size=size, subtitles=track,
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


def _music_levels(work: Path, name: str) -> Path:
    """Renders three narrated scenes with music under them and draws the level of each, as
    measured in the finished MP4: the narration is a 220 Hz tone (a stand-in voice) and the
    music a 1800 Hz one, so each can be measured apart."""
    chain = SpeechChain([FakeEngine()])
    texts = ["x" * 30, "y" * 45, "z" * 25]
    narrations = [chain.narrate(text, work / f"voice-{n}.wav") for n, text in enumerate(texts)]
    slots = plan_timeline([n.duration for n in narrations], fps=FPS, pause_seconds=1.2)
    voice = work / "voice.wav"
    join_padded([(n.path, s.samples(NARRATION_RATE)) for n, s in zip(narrations, slots,
                                                                      strict=True)], voice)
    song = work / "music.flac"
    run_ffmpeg(["-f", "lavfi", "-i", "sine=frequency=1800:sample_rate=44100:duration=4",
                "-ac", "2", "-c:a", "flac", str(song)], what="making music")
    mix = work / "mix.wav"
    mix_music(voice, song, speech_spans(slots, [n.duration for n in narrations]),
              total_seconds(slots), -12.0, mix)
    slide = _slides(work, TITLE, [SCENE], (320, 180))[0]
    video = work / f"{name}.mp4"
    render_video([Shot(slide, slot.frames) for slot in slots], video, fps=FPS, audio=mix)
    with av.open(str(video)) as container:
        stream = container.streams.audio[0]
        rate = stream.codec_context.sample_rate
        pcm = np.concatenate([f.to_ndarray().reshape(stream.codec_context.channels, -1)
                              for f in container.decode(stream)], axis=1).mean(axis=0)
    width, height, step = 640, 220, 0.05
    window = round(0.1 * rate)
    times = np.arange(0, len(pcm) / rate - 0.1, step)

    def level(start: float, hertz: float) -> float:
        piece = pcm[round(start * rate):round(start * rate) + window] * np.hanning(window)
        spectrum = np.abs(np.fft.rfft(piece))
        centre = round(hertz * window / rate)
        return float(20 * np.log10(spectrum[centre - 2:centre + 3].max() / window + 1e-9))

    picture = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(picture)
    span, top, floor = times[-1] + 0.1, -10.0, -70.0

    def x(seconds: float) -> float:
        return 40 + (width - 50) * seconds / span

    def y(decibels: float) -> float:
        return 10 + (height - 40) * (top - max(floor, decibels)) / (top - floor)

    for start, end in speech_spans(slots, [n.duration for n in narrations]):
        draw.rectangle((x(start), 10, x(end), height - 30), fill=(236, 236, 236))
    for decibels in range(-10, -71, -20):
        draw.text((2, y(decibels) - 6), f"{decibels} dB", fill="grey")
    for hertz, colour in ((220.0, (220, 120, 30)), (1800.0, (30, 90, 200))):
        points = [(x(t + 0.05), y(level(t, hertz))) for t in times]
        draw.line(points, fill=colour, width=2)
    draw.text((40, height - 24), "grey: someone speaks   orange: narration   blue: music   "
              f"(0 to {span:.1f} s, measured in the MP4)", fill="black")
    target = OUT / f"{name}.png"
    picture.save(target, optimize=True)
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
        two = _slides(work, TITLE, [SCENE, SECOND], size)
        faded = _render(work, "crossfade", two, [SCENE[1], SECOND[1]],
                        transition="crossfade")[0]
        cut = round(SECONDS * FPS)
        fade = crossfade_frames("crossfade", TRANSITION_SECONDS, FPS)
        _grab(faded, cut - fade - 1, "transition-before")
        _grab(faded, cut - (fade + 1) // 2, "transition-middle")
        _grab(faded, cut, "transition-after")
        _music_levels(work, "music-levels")
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
