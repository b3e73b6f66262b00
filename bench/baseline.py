"""The peer baseline, written the usual moviepy 2.2 way: ``python -m bench.baseline MANIFEST OUT``.

An ImageClip per scene carrying its narration, TextClip captions laid over it with
CompositeVideoClip, a zoom through a time-dependent ``resized``, concatenate_videoclips and
write_videofile with libx264 and AAC at their defaults. Captions use the same font, size and
colours as reelflow's, so the two outputs can be compared frame by frame.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from bench.inputs import SceneInput, Workload
from reelflow.engine.burned_captions import BOX_COLOUR, font_size
from reelflow.engine.fonts import installed_faces
from reelflow.engine.kenburns import ZOOM


def scene_clip(scene: SceneInput, workload: Workload) -> Any:
    """Returns one scene as a moviepy clip: its slide, narration, captions and zoom."""
    from moviepy import AudioFileClip, CompositeVideoClip, ImageClip, TextClip

    duration = scene.frames / workload.fps
    start = scene.start_frame / workload.fps
    clip = ImageClip(scene.slide, duration=duration)
    if workload.zoom:
        clip = CompositeVideoClip(
            [clip.resized(lambda t: 1 + ZOOM * t / duration).with_position("center")],
            size=(workload.width, workload.height))
    if workload.captions:
        font = str(installed_faces("regular")[0].path)
        size = font_size(workload.height)
        captions = []
        for text, begin, end in scene.cues:
            caption = TextClip(font=font, text=text, font_size=size, color="white",
                               bg_color=BOX_COLOUR, method="caption", text_align="center",
                               size=(round(workload.width * 0.8), None),
                               margin=(round(size * 0.6), round(size * 0.3)))
            top = workload.height - round(workload.height * 0.06) - caption.h
            captions.append(caption.with_start(begin - start).with_duration(end - begin)
                            .with_position(("center", top)))
        clip = CompositeVideoClip([clip, *captions])
    return clip.with_duration(duration).with_audio(AudioFileClip(scene.narration))


def render(workload: Workload, target: Path) -> None:
    """Renders ``workload`` to ``target`` the moviepy way."""
    from moviepy import concatenate_videoclips

    video = concatenate_videoclips([scene_clip(scene, workload) for scene in workload.scenes])
    video.write_videofile(str(target), fps=workload.fps, codec="libx264", audio_codec="aac",
                          logger=None)


if __name__ == "__main__":
    render(Workload.load(Path(sys.argv[1])), Path(sys.argv[2]))
