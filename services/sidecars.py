"""The files beside a job's videos: a JPEG poster per video and the captions as SRT and WebVTT.

Each is a MediaAsset of the job, counted in storage when recorded: the poster an IMAGE, each
caption file a TEXT_OVERLAY whose metadata says how reelflow draws the captions (font, size,
colour, position). They live in videos/, beside the videos, and retention keeps them as long
as their job's videos (storage/retention.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from pathlib import Path

from reelflow.db.states import AssetType, SourceType
from reelflow.engine.burned_captions import BOX_COLOUR, TEXT_COLOUR, font_size
from reelflow.engine.captions import Cue, write_srt, write_vtt
from reelflow.engine.fonts import font_name
from reelflow.engine.poster import write_poster
from reelflow.engine.script import RenderSettings
from reelflow.services.media import record_file
from reelflow.services.runtime import layout
from reelflow.settings import Settings
from reelflow.storage.layout import CAPTION_EXTENSIONS

CAPTION_WRITERS = dict(zip(CAPTION_EXTENSIONS, (write_srt, write_vtt), strict=True))


def _hex(colour: tuple[int, ...]) -> str:
    return "#" + "".join(f"{channel:02x}" for channel in colour)


def write_caption_files(settings: Settings, job_id: uuid.UUID, title: str,
                        cues: Sequence[Cue], render: RenderSettings) -> list[Path]:
    """Writes the job's captions beside its videos as SubRip and WebVTT and records them;
    returns their paths. Nothing is written when captions are off."""
    if render.captions == "off":
        return []
    media = layout(settings)
    spoken = " ".join(cue.text for cue in cues)
    style = {"font": font_name("regular", spoken, render.language),
             "size": font_size(render.height), "color": _hex(TEXT_COLOUR[:3]),
             "background": _hex(BOX_COLOUR),
             "position": render.caption_position, "captions": render.captions,
             "language": render.language, "cues": len(cues)}
    written = []
    for extension, write in CAPTION_WRITERS.items():
        target = media.caption_file(job_id, title, extension)
        write(cues, target)
        record_file(settings, job_id, target, AssetType.TEXT_OVERLAY, SourceType.GENERATED,
                    None, {**style, "format": extension})
        written.append(target)
    return written


def write_posters(settings: Settings, job_id: uuid.UUID, videos: Sequence[Path],
                  frame: int, scene: int) -> list[Path]:
    """Saves frame ``frame`` (the first of scene ``scene``, from 1) of each video as its JPEG
    poster and records it; returns their paths. Raises RenderFailed."""
    media = layout(settings)
    posters = []
    for video in videos:
        target = media.poster(video)
        metadata = write_poster(video, frame, target)
        record_file(settings, job_id, target, AssetType.IMAGE, SourceType.GENERATED, None,
                    {**metadata, "generation_method": f"first frame of scene {scene}",
                     "role": "poster", "scene": scene, "video": video.name})
        posters.append(target)
    return posters
