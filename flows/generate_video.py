"""The generate-video flow: one flow run is one VideoGenerationJob, and its id is the job's id."""

from __future__ import annotations

import time
import uuid
from typing import Annotated, Any

from prefect import flow
from prefect.exceptions import TerminationSignal
from prefect.runtime import flow_run
from pydantic import Field

from reelflow.db.states import JobStatus
from reelflow.engine.usage import ResourceMeter
from reelflow.services.heartbeat import JobHeartbeat
from reelflow.services.intake import accept
from reelflow.services.jobs import describe_failure
from reelflow.services.scripts import read_source, stored_text
from reelflow.settings import Settings
from reelflow.tasks.accounting import account_storage
from reelflow.tasks.compose import compose_video
from reelflow.tasks.hooks import job_cancelled, job_crashed, job_failed
from reelflow.tasks.jobs import Progress, complete_job, enter_stage, fail_job, start_job
from reelflow.tasks.media import draw_slide, narrate_scene
from reelflow.tasks.run_info import label_run, publish_report
from reelflow.tasks.scripts import store_script
from reelflow.tasks.verify import verify_video
from reelflow.vocabulary import RESOLUTION_PATTERN, Captions, Motion, Quality, Resolution


@flow(name="generate-video", on_failure=[job_failed], on_crashed=[job_crashed],
      on_cancellation=[job_cancelled])
def generate_video(
    script: Annotated[str | None, Field(json_schema_extra={"format": "text"})] = None,
    script_path: str | None = None,
    title: Annotated[str | None, Field(max_length=256)] = None,
    resolution: Resolution | None = None,
    custom_resolution: Annotated[str | None, Field(pattern=RESOLUTION_PATTERN)] = None,
    quality_preset: Quality | None = None,
    tts: str | None = None,
    session_id: Annotated[str, Field(min_length=1, max_length=128)] = "default",
    include_audio: bool | None = None,
    captions: Captions | None = None,
    motion: Motion | None = None,
) -> dict[str, Any]:
    """Renders a script into a verified MP4 and records it; returns the job as the CLI prints it.

    Raises InvalidScript at once for a bad script; any later failure marks the job FAILED with
    its message before the run fails. A cancelled or killed run is failed by the hooks, or by
    the reconciler when no hook could run. (Prefect shows the Args below in the run form.)

    Args:
        script: The script's text: Markdown (# Title, then ## sections as scenes), plain
            paragraphs, YAML or JSON. Leave empty when script_path is given.
        script_path: Instead of script, the path of a script file on the worker, inside
            one of the folders the operator allowed (REELFLOW_SCRIPT_DIRS; none by default).
        title: Video title. Default: the script's # Title.
        resolution: Frame size. Default: the script's setting, else 1280x720 (720p).
        custom_resolution: Any other WIDTHxHEIGHT (even numbers), e.g. 1000x562; overrides
            resolution.
        quality_preset: draft (fastest), standard or high (best picture). Default: the
            script's setting, else standard.
        tts: Speech engine chain; the first that works speaks: piper (offline, the default),
            gtts (needs the network), or gtts,piper.
        session_id: The user session the job is filed under (also a tag of the run).
        include_audio: Put the narration in the video. Default: yes.
        captions: soft (a subtitle track the player can switch on), burned (drawn into the
            picture) or off. Default: the script's setting, else soft.
        motion: none (still slides) or kenburns (a slow zoom on every scene). Default: the
            script's setting, else none.
    """
    settings = Settings.from_env()
    job_id = uuid.UUID(flow_run.get_id() or str(uuid.uuid4()))
    source, source_name, kind, folder = read_source(settings, script, script_path)
    overrides = {key: value for key, value in {
        "title": title, "resolution": custom_resolution or resolution,
        "quality": quality_preset, "tts": tts, "include_audio": include_audio,
        "captions": captions, "motion": motion}.items()
        if value is not None}
    # Everything the script names is resolved and checked here, before the job exists.
    accepted = accept(settings, source, source_name=source_name, script_folder=folder,
                      overrides=overrides)
    parsed = accepted.script
    render = parsed.settings
    label_run(job_id, parsed.title, session_id)
    script_id = store_script(settings, parsed.title, stored_text(source), source_name, kind,
                             session_id)
    start_job(settings, job_id, script_id, session_id, {
        "target_resolution": render.resolution, "target_duration": None,
        "quality_preset": render.quality, "include_audio": render.include_audio,
        "captions": render.captions, "motion": render.motion,
        "fps": render.fps, "tts": render.tts, "scenes": len(parsed.scenes)})
    meter = ResourceMeter().start()
    stages: dict[str, float] = {}
    try:
        with JobHeartbeat(settings, job_id, settings.heartbeat_seconds):
            progress = Progress(settings, job_id)
            clock = time.perf_counter()
            enter_stage(settings, job_id, JobStatus.MEDIA_GENERATION)
            count = len(parsed.scenes)
            voices = [narrate_scene.submit(settings, job_id, n, scene, render)
                      for n, scene in enumerate(parsed.scenes, start=1)]
            slides = [draw_slide.submit(settings, job_id, n, count, parsed.title, scene, render,
                                        image)
                      for n, (scene, image) in enumerate(zip(parsed.scenes, accepted.images,
                                                             strict=True), start=1)]
            narrations = []
            for done, future in enumerate(voices, start=1):
                narrations.append(future.result())
                progress.report(5 + 55 * done / count)
            images = [future.result() for future in slides]
            stages["media_generation_seconds"] = round(time.perf_counter() - clock, 3)
            clock = time.perf_counter()
            enter_stage(settings, job_id, JobStatus.VIDEO_COMPOSITION)
            plan = compose_video(settings, job_id, parsed.title, parsed.scenes, narrations,
                                 images, render)
            stages["composition_seconds"] = round(time.perf_counter() - clock, 3)
            progress.report(85)
            clock = time.perf_counter()
            video = verify_video(settings, plan)
            stages["verification_seconds"] = round(time.perf_counter() - clock, 3)
            progress.report(95)
            account_storage(settings, job_id)
            meter.stop()
            usage = complete_job(settings, job_id, {**meter.usage(), "stages": stages,
                                                    "frames": plan.frames, "scenes": count})
            progress.report(100)
    except TerminationSignal:
        # Cancelled or stopped by its worker: the cancellation or crash hook says which.
        meter.stop()
        raise
    except BaseException as exc:
        meter.stop()
        fail_job(settings, job_id, describe_failure(exc, settings.media_root))
        raise
    publish_report(settings, job_id)
    return {"job_id": str(job_id), "status": JobStatus.COMPLETED.value, "video": video,
            "resource_usage": usage}

