"""The validated script: a title, render settings and the scenes to narrate.

These models are the contract between parsing and the rest of the engine: once a ``Script``
exists, every value in it is within the limits below, so later stages never re-check input.
All models are frozen and reject unknown fields.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from reelflow.engine.readiness import foreign_to, undrawable, unspeakable
from reelflow.engine.speech.voices import is_english
from reelflow.vocabulary import (
    DEFAULT_CAPTION_POSITION,
    DEFAULT_CAPTIONS,
    DEFAULT_CLIP_AUDIO,
    DEFAULT_FIT,
    DEFAULT_FORMATS,
    DEFAULT_LANGUAGE,
    DEFAULT_MOTION,
    DEFAULT_MUSIC_VOLUME,
    DEFAULT_QUALITY,
    DEFAULT_RESOLUTION,
    DEFAULT_SPEECH_ENGINE,
    DEFAULT_TRANSITION,
    DEFAULT_TRANSITION_SECONDS,
    LANGUAGE_PATTERN,
    MUSIC_VOLUME_RANGE,
    SPEECH_ENGINES,
    TRANSITION_SECONDS_RANGE,
    VIDEO_FORMATS,
    CaptionPosition,
    Captions,
    ClipAudio,
    Fit,
    Motion,
    Quality,
    Transition,
    VideoFormat,
    parse_resolution,
)

MAX_SCRIPT_BYTES = 1_000_000
MAX_SCENES = 500
MAX_TITLE_CHARS = 256
MAX_HEADING_CHARS = 200
MAX_NARRATION_CHARS = 5000
MAX_IMAGE_HINT_CHARS = 1024
MAX_SCENE_SECONDS = 600.0
MIN_SIDE = 16
MAX_WIDTH = 7680
MAX_HEIGHT = 4320
_LANGUAGE = re.compile(LANGUAGE_PATTERN)
_WHITESPACE = re.compile(r"\s+")


def _shown(value: str, limit: int = 40) -> str:
    """The author's value for a message: quoted, and cut when it is long."""
    return repr(value if len(value) <= limit else value[:limit] + "...")


def _invalid(kind: str, reason: str) -> PydanticCustomError:
    # The reason travels as context, not as the template, so braces in user input are inert.
    return PydanticCustomError(kind, "{reason}", {"reason": reason})


def _known_once(field: str, names: list[Any], value: Any, choices: tuple[str, ...], noun: str,
                expected: str) -> list[str]:
    """Returns ``names`` when each is one of ``choices`` and none repeats; else raises the
    field's error naming the first unknown one, or the repetition."""
    for name in names:
        if name not in choices:
            raise _invalid(field, f"unknown {noun} {_shown(str(name))} in {_shown(str(value))}; "
                                  f"{expected}")
    if len(set(names)) != len(names):
        raise _invalid(field, f"{_shown(str(value))} names a {noun} twice; {expected}")
    return names


class RenderSettings(BaseModel):
    """How to render: frame size and rate, encoder quality, speech engines, pacing, and the
    look: captions as a subtitle track ("soft"), drawn into the picture ("burned", at the top,
    center or bottom) or none, and still slides or a slow Ken Burns zoom on every scene. Also
    which files to make: one video per format (MP4 and/or WebM), and which scene's first frame
    is the poster. ``fit`` and ``clip_audio`` are the defaults of the scenes' own: how a
    scene's picture fills the frame, and whether a scene clip's sound is heard.

    ``music`` names a sound file as a scene's ``image`` names a picture (a path, ``asset:<uuid>``
    or ``stock:<id or tag>``; resolved and checked by services/intake.py, not here), played
    ``music_volume`` dB relative to the narration's loudness between scenes and lower under
    speech. ``transition`` joins scenes with a cut or a crossfade of ``transition_seconds``.

    ``language`` (a BCP 47 tag) chooses the voice: English narrates with the offline Piper
    voice, any other language with gTTS unless ``tts`` is given; a chain that would let Piper's
    English voice read another language is refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    resolution: str = DEFAULT_RESOLUTION
    fps: int = Field(default=24, ge=1, le=60)
    quality: Quality = DEFAULT_QUALITY
    tts: str = DEFAULT_SPEECH_ENGINE
    speed: float = Field(default=1.0, ge=0.5, le=2.0, allow_inf_nan=False)
    pause_seconds: float = Field(default=0.6, ge=0.0, le=5.0, allow_inf_nan=False)
    include_audio: bool = True
    language: str = DEFAULT_LANGUAGE
    captions: Captions = DEFAULT_CAPTIONS
    motion: Motion = DEFAULT_MOTION
    formats: tuple[VideoFormat, ...] = DEFAULT_FORMATS
    caption_position: CaptionPosition = DEFAULT_CAPTION_POSITION
    poster_scene: int = Field(default=1, ge=1, le=MAX_SCENES)
    fit: Fit = DEFAULT_FIT
    clip_audio: ClipAudio = DEFAULT_CLIP_AUDIO
    music: str | None = Field(default=None, max_length=MAX_IMAGE_HINT_CHARS)
    music_volume: float = Field(default=DEFAULT_MUSIC_VOLUME, ge=MUSIC_VOLUME_RANGE[0],
                                le=MUSIC_VOLUME_RANGE[1], allow_inf_nan=False)
    transition: Transition = DEFAULT_TRANSITION
    transition_seconds: float = Field(default=DEFAULT_TRANSITION_SECONDS,
                                      ge=TRANSITION_SECONDS_RANGE[0],
                                      le=TRANSITION_SECONDS_RANGE[1], allow_inf_nan=False)

    @field_validator("music", mode="before")
    @classmethod
    def _check_music(cls, value: Any) -> Any:
        value = _optional_text(value)
        if isinstance(value, str) and "\x00" in value:
            raise _invalid("music", "music path contains a NUL character")
        return value

    @field_validator("formats", mode="before")
    @classmethod
    def _check_formats(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",")]  # "mp4, webm" on a form
        if not isinstance(value, (list, tuple)):
            return value  # pydantic names the wrong type
        names = [name.strip().lower() if isinstance(name, str) else name for name in value]
        expected = f"expected a list of {', '.join(VIDEO_FORMATS)}"
        if not names:
            raise _invalid("formats", f"no format given; {expected}")
        return tuple(_known_once("formats", names, value, VIDEO_FORMATS, "format", expected))

    @field_validator("resolution", mode="before")
    @classmethod
    def _check_resolution(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value  # pydantic's own str check names the wrong type
        text = value.strip()
        size = parse_resolution(text)
        if size is None:
            raise _invalid(
                "resolution",
                f"{_shown(value)} is not a resolution; expected WIDTHxHEIGHT, e.g. 1280x720",
            )
        width, height = size
        if not (MIN_SIDE <= width <= MAX_WIDTH and MIN_SIDE <= height <= MAX_HEIGHT):
            raise _invalid(
                "resolution",
                f"{_shown(value)} is out of range; expected WIDTHxHEIGHT with width "
                f"{MIN_SIDE}..{MAX_WIDTH} and height {MIN_SIDE}..{MAX_HEIGHT}",
            )
        if width % 2 or height % 2:
            # H.264 with yuv420p subsamples chroma 2x2, so odd sides cannot be encoded.
            raise _invalid(
                "resolution",
                f"{_shown(value)} has an odd side; expected WIDTHxHEIGHT with both numbers even",
            )
        return text

    @field_validator("tts", mode="before")
    @classmethod
    def _check_tts(cls, value: Any) -> Any:
        if isinstance(value, (list, tuple)) and all(isinstance(item, str) for item in value):
            value = ",".join(value)  # YAML authors may write the chain as a list
        if not isinstance(value, str):
            return value
        names = [name.strip().lower() for name in value.split(",")]
        expected = f"expected a comma-separated chain of {', '.join(SPEECH_ENGINES)}"
        if any(not name for name in names):
            raise _invalid("tts", f"{_shown(value)} has an empty engine name; {expected}")
        return ",".join(_known_once("tts", names, value, SPEECH_ENGINES, "speech engine",
                                    expected))

    @field_validator("captions", "motion", mode="before")
    @classmethod
    def _read_yaml_off(cls, value: Any, info: ValidationInfo) -> Any:
        # YAML 1.1 reads a bare `off` or `no` as false; the author meant the option's "off".
        if value is False:
            return "off" if info.field_name == "captions" else "none"
        return value

    @field_validator("language", mode="before")
    @classmethod
    def _check_language(cls, value: Any) -> Any:
        if isinstance(value, str) and not _LANGUAGE.match(value.strip()):
            raise _invalid("language",
                           f"{_shown(value)} is not a language tag such as 'en' or 'en-US'")
        return value.strip() if isinstance(value, str) else value

    @model_validator(mode="before")
    @classmethod
    def _voice_for_language(cls, data: Any) -> Any:
        # Only gTTS speaks other languages here; a script that names its engines keeps them
        # (and is checked below).
        if isinstance(data, dict) and "tts" not in data:
            language = data.get("language")
            if isinstance(language, str) and _LANGUAGE.match(language.strip()) \
                    and not is_english(language):
                return {**data, "tts": "gtts"}
        return data

    @model_validator(mode="after")
    def _check_voice(self) -> RenderSettings:
        reason = unspeakable(self.language, self.tts_chain)
        if reason is not None:
            raise _invalid("language", reason)
        return self

    @property
    def width(self) -> int:
        """The frame width in pixels."""
        return int(self.resolution.split("x")[0])

    @property
    def height(self) -> int:
        """The frame height in pixels."""
        return int(self.resolution.split("x")[1])

    @property
    def tts_chain(self) -> tuple[str, ...]:
        """The speech engines to try, in order; a failing engine falls back to the next."""
        return tuple(self.tts.split(","))


def _drawable(text: str | None) -> str | None:
    """Returns ``text`` when this machine can draw it; raises the field's error otherwise."""
    reason = undrawable(text) if text else None
    if reason is not None:
        raise _invalid("undrawable_text", reason)
    return text


def _optional_text(value: Any) -> Any:
    if isinstance(value, str):
        text = value.strip()
        return text or None
    return value


class Scene(BaseModel):
    """One narrated scene: optional heading, picture or clip, recorded voice, the narration,
    a duration hint.

    ``narration`` has its whitespace collapsed to single spaces: line breaks carry no meaning
    for speech. ``image``, ``clip`` and ``audio`` are references as the author wrote them: a
    path (relative paths are relative to the script's folder), ``stock:ID``, ``stock:TAG`` or
    ``asset:UUID``; they are not resolved or checked here (services/intake.py does). A scene
    shows an image or a clip, not both. ``audio`` is recorded narration spoken instead of
    synthesised speech (``narration`` is then its transcript, for captions and the slide).
    ``fit`` and ``clip_audio`` (None: the script's setting) say how the picture fills the
    frame and whether the clip's own sound is mixed under the narration. ``duration`` is a
    minimum in seconds: the scene lasts at least this long, longer if its narration needs it.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)

    heading: str | None = Field(default=None, max_length=MAX_HEADING_CHARS)
    narration: str = Field(max_length=MAX_NARRATION_CHARS)
    image: str | None = Field(default=None, max_length=MAX_IMAGE_HINT_CHARS)
    clip: str | None = Field(default=None, max_length=MAX_IMAGE_HINT_CHARS)
    audio: str | None = Field(default=None, max_length=MAX_IMAGE_HINT_CHARS)
    fit: Fit | None = None
    clip_audio: ClipAudio | None = None
    duration: float | None = Field(default=None, gt=0.0, le=MAX_SCENE_SECONDS, allow_inf_nan=False)

    @field_validator("heading", mode="before")
    @classmethod
    def _strip_heading(cls, value: Any) -> Any:
        return _optional_text(value)

    @field_validator("image", "clip", "audio", mode="before")
    @classmethod
    def _check_reference(cls, value: Any, info: ValidationInfo) -> Any:
        value = _optional_text(value)
        if isinstance(value, str) and "\x00" in value:
            raise _invalid(str(info.field_name),
                           f"{info.field_name} path contains a NUL character")
        return value

    @model_validator(mode="after")
    def _one_picture(self) -> Scene:
        if self.image is not None and self.clip is not None:
            raise _invalid("image", f"a scene shows an image or a clip, not both (image "
                                    f"{_shown(self.image)}, clip {_shown(self.clip)})")
        return self

    def fit_in(self, render: RenderSettings) -> Fit:
        """How this scene's picture fills the frame: its own ``fit``, else the script's."""
        return self.fit or render.fit

    def clip_audio_in(self, render: RenderSettings) -> ClipAudio:
        """Whether this scene's clip is heard: its own ``clip_audio``, else the script's."""
        return self.clip_audio or render.clip_audio

    @field_validator("narration", mode="before")
    @classmethod
    def _normalise_narration(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        text = _WHITESPACE.sub(" ", value).strip()
        if not text:
            raise _invalid("empty_narration", "must not be empty")
        if not any(char.isalnum() for char in text):
            # Punctuation alone gives a speech engine nothing to say: it would fail, and retry.
            raise _invalid("unspeakable_narration",
                           f"{text[:40]!r} has nothing to speak; write at least one word")
        return text

    @field_validator("heading", "narration")
    @classmethod
    def _check_drawable(cls, value: str | None) -> str | None:
        return _drawable(value)


class Script(BaseModel):
    """A whole script: its title, render settings and 1..MAX_SCENES scenes."""

    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)

    title: str = Field(max_length=MAX_TITLE_CHARS)
    settings: RenderSettings = RenderSettings()
    scenes: tuple[Scene, ...]

    @field_validator("title", mode="before")
    @classmethod
    def _strip_title(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        text = _WHITESPACE.sub(" ", value).strip()
        if not text:
            raise _invalid("empty_title", "must not be empty")
        return text

    @field_validator("title")
    @classmethod
    def _check_title_drawable(cls, value: str) -> str:
        return _drawable(value) or value

    @field_validator("scenes", mode="before")
    @classmethod
    def _check_scene_count(cls, value: Any) -> Any:
        # Counted before the items are validated, so a huge list fails fast and says its size.
        if isinstance(value, (list, tuple)):
            if not value:
                raise _invalid("no_scenes", "a script needs at least one scene with narration")
            if len(value) > MAX_SCENES:
                raise _invalid(
                    "too_many_scenes",
                    f"{len(value)} scenes; a script may have at most {MAX_SCENES}",
                )
        return value

    @model_validator(mode="after")
    def _check_poster_scene(self) -> Script:
        if self.settings.poster_scene > len(self.scenes):
            raise _invalid("poster_scene", f"settings.poster_scene: scene "
                           f"{self.settings.poster_scene} does not exist; the script has "
                           f"{len(self.scenes)} scene{'s' if len(self.scenes) != 1 else ''}")
        return self

    @model_validator(mode="after")
    def _check_narration_language(self) -> Script:
        for number, scene in enumerate(self.scenes, start=1):
            reason = foreign_to(self.settings.language, scene.narration)
            if reason is not None:
                raise _invalid("language", f"scene {number}'s narration is {reason}")
        return self

    @property
    def word_count(self) -> int:
        """The number of words spoken: the narration of every scene (headings not counted)."""
        return sum(len(scene.narration.split()) for scene in self.scenes)
