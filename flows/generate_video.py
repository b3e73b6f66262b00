"""The generate-video flow: one flow run is one VideoGenerationJob, and its id is the job's id."""

from __future__ import annotations

import time
import uuid
from contextlib import ExitStack
from typing import Annotated, Any

from prefect import flow
from prefect.client.schemas.objects import State
from prefect.exceptions import TerminationSignal
from prefect.runtime import flow_run
from pydantic import Field

from reelflow.db.states import JobStatus
from reelflow.engine.script import MAX_SCENES
from reelflow.engine.usage import ResourceMeter
from reelflow.errors import InvalidScript
from reelflow.flows.runners import SettingsTaskRunner
from reelflow.flows.scenes import SceneProgress, SceneRuns, submit_scenes
from reelflow.services.heartbeat import JobHeartbeat
from reelflow.services.intake import accept
from reelflow.services.jobs import describe_failure
from reelflow.services.reports import job_files
from reelflow.services.scripts import overrides, read_source, stored_text
from reelflow.services.shots import encoder_for
from reelflow.services.soundtrack import SoundtrackWriter
from reelflow.settings import Settings
from reelflow.tasks.accounting import account_storage
from reelflow.tasks.compose import join_video, plan_videos
from reelflow.tasks.hooks import job_cancelled, job_crashed, job_failed
from reelflow.tasks.jobs import Progress, complete_job, enter_stage, fail_job, start_job
from reelflow.tasks.media import bring_music, link_library
from reelflow.tasks.render_slot import RENDER_LIMIT, render_slot
from reelflow.tasks.run_info import publish_report, refuse, run_name, tag_run
from reelflow.tasks.scripts import store_script
from reelflow.tasks.verify import verify_video
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
    RESOLUTION_PATTERN,
    TRANSITION_SECONDS_RANGE,
    CaptionPosition,
    Captions,
    ClipAudio,
    Fit,
    Motion,
    Quality,
    Resolution,
    Transition,
    VideoFormat,
)


@flow(name="generate-video", flow_run_name=run_name, task_runner=SettingsTaskRunner(),
      on_failure=[job_failed], on_crashed=[job_crashed], on_cancellation=[job_cancelled])
def generate_video(
    # minLength in the schema only: the API and the run form refuse an empty script before a
    # run exists, while a call that gives script_path instead still validates in Python.
    script: Annotated[str, Field(json_schema_extra={"format": "text", "minLength": 1})] = "",
    script_path: str = "",
    title: Annotated[str, Field(max_length=256)] = "",
    resolution: Resolution = DEFAULT_RESOLUTION,
    custom_resolution: Annotated[str, Field(pattern=f"^$|{RESOLUTION_PATTERN}")] = "",
    quality_preset: Quality = DEFAULT_QUALITY,
    tts: Annotated[str, Field(max_length=64)] = DEFAULT_SPEECH_ENGINE,
    session_id: Annotated[str, Field(min_length=1, max_length=128)] = "default",
    include_audio: bool = True,
    captions: Captions = DEFAULT_CAPTIONS,
    motion: Motion = DEFAULT_MOTION,
    formats: list[VideoFormat] = list(DEFAULT_FORMATS),  # noqa: B006 - the form needs a list
    caption_position: CaptionPosition = DEFAULT_CAPTION_POSITION,
    poster_scene: Annotated[int, Field(ge=1, le=MAX_SCENES)] = 1,
    language: Annotated[str, Field(max_length=35, pattern=LANGUAGE_PATTERN)] = DEFAULT_LANGUAGE,
    fit: Fit = DEFAULT_FIT,
    clip_audio: ClipAudio = DEFAULT_CLIP_AUDIO,
    music: Annotated[str, Field(max_length=1024)] = "",
    music_volume: Annotated[float, Field(ge=MUSIC_VOLUME_RANGE[0],
                                         le=MUSIC_VOLUME_RANGE[1])] = DEFAULT_MUSIC_VOLUME,
    transition: Transition = DEFAULT_TRANSITION,
    transition_seconds: Annotated[float, Field(
        ge=TRANSITION_SECONDS_RANGE[0], le=TRANSITION_SECONDS_RANGE[1])
    ] = DEFAULT_TRANSITION_SECONDS,
) -> dict[str, Any] | State:
    """Renders a script into verified videos and records them; returns the job as the CLI
    prints it.

    A run with no script or an invalid one ends FAILED at once with one message (the state's),
    before any job exists. Any later failure marks the job FAILED with its message before the
    run fails. A cancelled or killed run is failed by the hooks, or by the reconciler when no
    hook could run. Settings the script states itself win over a parameter left at its
    default. (Prefect shows the Args below in the run form.)

    Args:
        script: The script's text: Markdown (# Title, then ## sections as scenes), plain
            paragraphs, YAML or JSON. Required (over the API, script_path may replace it).
        script_path: API only, instead of script: the path of a script file on the worker,
            inside one of the folders the operator allowed (REELFLOW_SCRIPT_DIRS; none by
            default). The run form always sends script.
        title: Video title. Empty: the script's # Title.
        resolution: Frame size (the script's own setting wins over the default).
        custom_resolution: Any other WIDTHxHEIGHT (even numbers), e.g. 1000x562; overrides
            resolution.
        quality_preset: draft (fastest), standard or high (best picture); the script's own
            setting wins over the default.
        tts: Speech engine chain; the first that works speaks: piper (offline), gtts (needs
            the network), or gtts,piper.
        session_id: The user session the job is filed under (also a tag of the run).
        include_audio: Put the narration in the video.
        captions: soft (a subtitle track the player can switch on), burned (drawn into the
            picture) or off; the script's own setting wins over the default.
        motion: none (still slides) or kenburns (a slow zoom on every scene); the script's
            own setting wins over the default.
        formats: The videos to make, one file each: mp4 (H.264/AAC), webm (VP9/Opus), or
            both; the script's own setting wins over the default.
        caption_position: Where burned-in captions sit: top, center or bottom of the
            title-safe area; the script's own setting wins over the default.
        poster_scene: The scene (from 1) whose first frame is each video's JPEG poster; the
            script's own setting wins over the default.
        language: The script's language, a tag such as en, fr, ja, zh-TW, ar or he: English
            narrates offline with Piper, any other language with gtts (needs the network);
            the script's own setting wins over the default.
        fit: How a scene's own picture fills the frame: cover (cropped to fill) or contain
            (whole, centred on a blurred copy of itself); a scene's own fit, then the
            script's setting, win over the default.
        clip_audio: A scene clip's own sound: mute, or mix (under the narration); a scene's
            own clip_audio, then the script's setting, win over the default.
        music: Background music: a sound file in the media root's uploads or stock folders
            (e.g. audio/uploads/theme.mp3), asset:<uuid> or stock:<id or tag>; looped or
            trimmed to the video, lowered while someone speaks. Empty: the script's own, or
            none.
        music_volume: The music's loudness between scenes in dB relative to the narration's
            (-40 to 0); 12 dB lower still under speech.
        transition: How scenes follow each other: cut, or crossfade (the next scene fades in
            over the end of the one before, fully shown when its narration starts).
        transition_seconds: How long a crossfade lasts, 0.1 to 2 seconds.
    """
    settings = Settings.from_env()
    job_id = uuid.UUID(flow_run.get_id() or str(uuid.uuid4()))
    try:
        source, source_name, kind, folder = read_source(settings, script, script_path)
        # Everything the script names is resolved and checked here, before the job exists.
        accepted = accept(settings, source, source_name=source_name, script_folder=folder,
                          overrides=overrides(
            title=title, resolution=resolution, custom_resolution=custom_resolution,
            quality_preset=quality_preset, tts=tts, include_audio=include_audio, captions=captions,
            motion=motion, formats=formats, caption_position=caption_position,
            poster_scene=poster_scene, language=language, music=music,
            music_volume=music_volume, transition=transition,
            transition_seconds=transition_seconds, fit=fit, clip_audio=clip_audio))
    except InvalidScript as exc:
        # Returned, not raised: the run ends FAILED with this one message and no traceback.
        return refuse(f"invalid script: {exc}")
    parsed = accepted.script
    render = parsed.settings
    tag_run(job_id, session_id)
    script_id = store_script(settings, parsed.title, stored_text(source), source_name, kind,
                             session_id)
    start_job(settings, job_id, script_id, session_id, {
        "target_resolution": render.resolution, "target_duration": None,
        "quality_preset": render.quality, "include_audio": render.include_audio,
        "captions": render.captions, "motion": render.motion,
        "formats": list(render.formats), "caption_position": render.caption_position,
        "poster_scene": render.poster_scene, "fps": render.fps, "tts": render.tts,
        "language": render.language, "music": render.music,
        "music_volume": render.music_volume, "transition": render.transition,
        "transition_seconds": render.transition_seconds, "fit": render.fit,
        "clip_audio": render.clip_audio,
        "scenes": len(parsed.scenes)})
    meter = ResourceMeter().start()
    stages: dict[str, float] = {}
    runs: SceneRuns | None = None
    soundtrack: SoundtrackWriter | None = None
    try:
        with JobHeartbeat(settings, job_id, settings.heartbeat_seconds), ExitStack() as held:
            progress = Progress(settings, job_id)
            clock = time.perf_counter()
            # The pool-wide bound on renders: waiting here, the job is PENDING and beating.
            held.enter_context(render_slot(lambda slots, _taken: progress.report(
                1, f"waiting for a render slot ({slots} taken: Prefect limit {RENDER_LIMIT})")))
            stages["render_slot_wait_seconds"] = round(time.perf_counter() - clock, 3)
            clock = time.perf_counter()
            enter_stage(settings, job_id, JobStatus.MEDIA_GENERATION)
            count = len(parsed.scenes)
            encoder = encoder_for(render, count)
            # Shots encode as soon as their narration and slide exist, during this stage.
            tune = bring_music.submit(settings.without_tokens(), job_id, accepted.music) \
                if accepted.music else None
            runs = submit_scenes(settings, job_id, parsed.title, parsed.scenes,
                                 accepted.images, render, encoder, tune,
                                 sounds=accepted.sounds, clips=accepted.clips)
            minimums = [scene.duration for scene in parsed.scenes]
            if runs.sound is None:  # no music or clip sound to mix: encoded as it is spoken
                soundtrack = SoundtrackWriter(settings, job_id, minimums, render)
            scenes = SceneProgress(runs, progress, soundtrack)
            narrations, _ = scenes.media()
            stages["media_generation_seconds"] = round(time.perf_counter() - clock, 3)
            clock = time.perf_counter()
            enter_stage(settings, job_id, JobStatus.VIDEO_COMPOSITION)
            planned = plan_videos(settings, job_id, parsed.title, narrations, minimums, render)
            pieces, sound = scenes.shots()
            plan = join_video(settings, job_id, parsed.title, narrations, minimums, planned,
                              pieces, sound, render, encoder)
            if accepted.library_assets:  # used in place, never copied: the videos link them
                link_library(settings, job_id, accepted.library_assets)
            stages["composition_seconds"] = round(time.perf_counter() - clock, 3)
            progress.report(88, "video joined and muxed")
            clock = time.perf_counter()
            videos = verify_video(settings, plan)
            stages["verification_seconds"] = round(time.perf_counter() - clock, 3)
            progress.report(95, "video verified")
            account_storage(settings, job_id)
            meter.stop()
            usage = complete_job(settings, job_id, {
                **meter.usage(), "stages": stages, "frames": plan.frames, "scenes": count,
                "shots_encoded_during_media_generation": scenes.shots_before_media})
            progress.report(100, "completed")
    except TerminationSignal:
        # Cancelled or stopped by its worker: the cancellation or crash hook says which.
        meter.stop()
        if soundtrack is not None:
            soundtrack.abandon()
        raise
    except BaseException as exc:
        meter.stop()
        if soundtrack is not None:
            soundtrack.abandon()
        if runs is not None:
            runs.settle()  # no task may write into the job's folders once they are cleaned
        fail_job(settings, job_id, describe_failure(exc, settings.media_root))
        raise
    publish_report(settings, job_id)
    return {"job_id": str(job_id), "status": JobStatus.COMPLETED.value, "video": videos[0],
            "videos": videos, "files": job_files(settings, job_id), "resource_usage": usage}

