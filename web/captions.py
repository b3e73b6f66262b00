"""Captions as WebVTT for the browser's ``<track>``: Chromium does not expose an MP4's
mov_text subtitle track (``video.textTracks.length`` is 0), so the server hands it WebVTT.

A ``.vtt`` file recorded beside the video is used as it is. Otherwise the video's first
subtitle stream is converted once with ffmpeg and kept in ``REELFLOW_HOME/cache/captions``,
outside the media root (so outside storage accounting), named after the video's id and
modification time so that a replaced video is converted again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reelflow.engine.ffmpeg import run_ffmpeg
from reelflow.engine.probe import probe
from reelflow.files import atomic_output
from reelflow.settings import Settings


def captions_cache(settings: Settings) -> Path:
    """Returns the folder of converted caption files."""
    return settings.home / "cache" / "captions"


def webvtt_for(settings: Settings, card: dict[str, Any]) -> Path | None:
    """Given a video's card (services/catalog.py), returns a WebVTT file of its captions, or
    None when it has none. Raises RenderFailed when ffmpeg cannot convert the track."""
    if card["captions_file"] and Path(card["captions_file"]).is_file():
        return Path(card["captions_file"])
    video = Path(card["file_path"])
    try:
        changed = video.stat().st_mtime_ns
    except FileNotFoundError:
        return None
    cached = captions_cache(settings) / f"{card['id']}-{changed:x}.vtt"
    if cached.is_file():
        return cached
    if probe(video).subtitle_streams == 0:
        return None
    with atomic_output(cached) as temp:
        run_ffmpeg(["-i", str(video), "-map", "0:s:0", "-c:s", "webvtt", "-f", "webvtt",
                    str(temp)], what="converting the captions to WebVTT")
    return cached
