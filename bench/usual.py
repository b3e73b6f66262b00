"""The usual pipeline, as peer tools do it: ``python -m bench.usual SCRIPT.yaml OUTPUT.mp4``.

Piper narrates each scene in this process (the voice loaded once), Pillow draws each slide,
and moviepy makes the video: an ImageClip per scene lasting its narration plus a pause, its
narration as an AudioFileClip, ``concatenate_videoclips`` and ``write_videofile`` (libx264,
AAC, moviepy's defaults). Prints one JSON line with the time of each stage.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
import wave
from pathlib import Path

import yaml

from reelflow.engine.slides import Slide, render_slide
from reelflow.engine.speech.piper_voice import bundled_voice_paths


def render(script: Path, target: Path) -> dict[str, float]:
    """Renders the script to ``target``; returns seconds per stage."""
    from moviepy import AudioFileClip, ImageClip, concatenate_videoclips
    from piper import PiperVoice

    data = yaml.safe_load(script.read_text("utf-8"))
    width, height = (int(side) for side in data["settings"]["resolution"].split("x"))
    pause = float(data["settings"]["pause_seconds"])
    scenes = data["scenes"]
    stages: dict[str, float] = {}
    with tempfile.TemporaryDirectory(dir=target.parent) as scratch:
        folder = Path(scratch)
        clock = time.perf_counter()
        model, config = bundled_voice_paths()
        voice = PiperVoice.load(model, config_path=config)
        voices = []
        for n, scene in enumerate(scenes):
            wav = folder / f"scene-{n}.wav"
            with wave.open(str(wav), "wb") as out:
                voice.synthesize_wav(scene["narration"], out)
            voices.append(wav)
        stages["narration"] = time.perf_counter() - clock
        clock = time.perf_counter()
        slides = []
        for n, scene in enumerate(scenes):
            png = folder / f"scene-{n}.png"
            render_slide(Slide(title=data["title"], heading=scene["heading"],
                               body=scene["narration"], index=n + 1, count=len(scenes) + 1),
                         png, width, height)
            slides.append(png)
        stages["slides"] = time.perf_counter() - clock
        clock = time.perf_counter()
        clips = []
        for png, wav in zip(slides, voices, strict=True):
            audio = AudioFileClip(str(wav))
            clips.append(ImageClip(str(png)).with_duration(audio.duration + pause)
                         .with_audio(audio))
        video = concatenate_videoclips(clips)
        video.write_videofile(str(target), fps=24, codec="libx264", audio_codec="aac",
                              logger=None)
        stages["composition"] = time.perf_counter() - clock
    return stages


if __name__ == "__main__":
    print(json.dumps(render(Path(sys.argv[1]), Path(sys.argv[2]))))
