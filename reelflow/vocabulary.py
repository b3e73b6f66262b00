"""The words every layer shares: option vocabularies and the resolution pattern, defined once.

The command line takes its choices from these (``typing.get_args``), the flow's run form shows
them as dropdowns, the engine validates against them and the database checks the same pattern.
"""

from __future__ import annotations

import re
from typing import Literal, get_args

Quality = Literal["draft", "standard", "high"]
Captions = Literal["soft", "burned", "off"]
Motion = Literal["none", "kenburns"]
SpeechEngineName = Literal["piper", "gtts"]
VideoFormat = Literal["mp4", "webm"]
CaptionPosition = Literal["top", "center", "bottom"]
# A scene's picture: cropped to fill the frame, or whole over a blurred copy of itself.
Fit = Literal["cover", "contain"]
# A scene clip's own sound: dropped, or mixed under the narration.
ClipAudio = Literal["mute", "mix"]
Transition = Literal["cut", "crossfade"]
# Where a job's per-scene tasks run: threads of the flow's process, or a Dask cluster.
TaskRunnerName = Literal["thread", "dask"]
# The run form's dropdown; any other even WIDTHxHEIGHT within the engine's limits works too.
Resolution = Literal["1280x720", "1920x1080", "854x480", "640x360", "1080x1920", "720x1280",
                     "1080x1080", "3840x2160"]

QUALITIES: tuple[Quality, ...] = get_args(Quality)
CAPTIONS: tuple[Captions, ...] = get_args(Captions)
MOTIONS: tuple[Motion, ...] = get_args(Motion)
SPEECH_ENGINES: tuple[SpeechEngineName, ...] = get_args(SpeechEngineName)
VIDEO_FORMATS: tuple[VideoFormat, ...] = get_args(VideoFormat)
CAPTION_POSITIONS: tuple[CaptionPosition, ...] = get_args(CaptionPosition)
TRANSITIONS: tuple[Transition, ...] = get_args(Transition)
TASK_RUNNERS: tuple[TaskRunnerName, ...] = get_args(TaskRunnerName)
RESOLUTIONS: tuple[Resolution, ...] = get_args(Resolution)
FITS: tuple[Fit, ...] = get_args(Fit)
CLIP_AUDIOS: tuple[ClipAudio, ...] = get_args(ClipAudio)

DEFAULT_QUALITY: Quality = "standard"
DEFAULT_CAPTIONS: Captions = "soft"
DEFAULT_MOTION: Motion = "none"
DEFAULT_SPEECH_ENGINE: SpeechEngineName = "piper"
DEFAULT_FORMATS: tuple[VideoFormat, ...] = ("mp4",)
DEFAULT_CAPTION_POSITION: CaptionPosition = "bottom"
DEFAULT_RESOLUTION: Resolution = "1280x720"
DEFAULT_FIT: Fit = "cover"
DEFAULT_CLIP_AUDIO: ClipAudio = "mute"
DEFAULT_TRANSITION: Transition = "cut"
# Seconds a crossfade takes, and the range a script may ask for.
DEFAULT_TRANSITION_SECONDS = 0.5
TRANSITION_SECONDS_RANGE = (0.1, 2.0)
# Background music's loudness between scenes, in dB relative to the narration's loudness
# (0: as loud as the voice), and the range a script may ask for.
DEFAULT_MUSIC_VOLUME = -12.0
MUSIC_VOLUME_RANGE = (-40.0, 0.0)
DEFAULT_TASK_RUNNER: TaskRunnerName = "thread"
DEFAULT_DASK_WORKERS = 2
# A BCP 47 tag, not a closed list: English narrates with the offline voice, others with gTTS.
DEFAULT_LANGUAGE = "en"
LANGUAGE_PATTERN = r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$"

# Why at most five digits a side: no frame is wider than 99,999 pixels, and the bound keeps
# int() away from a hostile 10,000-digit "resolution".
RESOLUTION_PATTERN = r"^[1-9][0-9]{0,4}x[1-9][0-9]{0,4}$"
_RESOLUTION = re.compile(RESOLUTION_PATTERN)


def parse_resolution(text: str) -> tuple[int, int] | None:
    """Given "WIDTHxHEIGHT", returns (width, height); None when ``text`` is not of that form."""
    if not isinstance(text, str) or not _RESOLUTION.match(text):
        return None
    width, height = text.split("x")
    return int(width), int(height)
