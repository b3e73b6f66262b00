"""The generate-video flow: one flow run is one VideoGenerationJob, and its id is the job's id."""

from __future__ import annotations

import time
import uuid
from typing import Annotated, Any, Literal

from prefect import flow
from prefect.runtime import flow_run
from pydantic import Field

from db.states import JobStatus
from deployments.settings import Settings
from engine.parsing import parse_script
from engine.usage import ResourceMeter
from tasks.accounting import account_storage
from tasks.compose import compose_video
from tasks.jobs import Progress, complete_job, enter_stage, fail_job, start_job
from tasks.media import draw_slide, narrate_scene
from tasks.scripts import read_source, store_script
from tasks.verify import verify_video

Quality = Literal["draft", "standard", "high"]


@flow(name="generate-video", log_prints=True)
def generate_video(
    script: Annotated[str | None, Field(
        description="The script's text: Markdown (# Title, ## scenes), plain paragraphs, "
                    "YAML or JSON. Leave empty when script_path is given.")] = None,
    script_path: Annotated[str | None, Field(
        description="Path of a script file on the worker, instead of script.")] = None,
    title: Annotated[str | None, Field(
        description="Video title; default: the script's # Title.")] = None,
    resolution: Annotated[str | None, Field(
        description="WIDTHxHEIGHT, e.g. 1280x720 or 1920x1080; default: the script's, "
                    "else 1280x720.", pattern=r"^[1-9][0-9]*x[1-9][0-9]*$")] = None,
    quality_preset: Annotated[Quality | None, Field(
        description="draft (fastest), standard or high (smallest artefacts); default: "
                    "standard.")] = None,
    tts: Annotated[str | None, Field(
        description="Speech engine chain, first that works wins: piper (offline), gtts "
                    "(network), or gtts,piper; default: piper.")] = None,
    session_id: Annotated[str, Field(
        description="User session the job belongs to.", max_length=128)] = "default",
    include_audio: Annotated[bool | None, Field(
        description="Put the narration in the video; default: yes.")] = None,
) -> dict[str, Any]:
    """Renders a script into a verified MP4 and records it; returns the job as the CLI prints it.

    Raises InvalidScript at once for a bad script; any later failure marks the job FAILED with
    its message before the run fails.
    """
    settings = Settings.from_env()
    job_id = uuid.UUID(flow_run.get_id() or str(uuid.uuid4()))
    source, source_name, kind, script_dir = read_source(script, script_path)
    overrides = {key: value for key, value in {
        "title": title, "resolution": resolution, "quality": quality_preset, "tts": tts,
        "include_audio": include_audio}.items() if value is not None}
    parsed = parse_script(source, source_name=source_name, overrides=overrides)
    render = parsed.settings
    script_id = store_script(settings, parsed, source, source_name, kind, session_id)
    start_job(settings, job_id, script_id, session_id, {
        "target_resolution": render.resolution, "target_duration": None,
        "quality_preset": render.quality, "include_audio": render.include_audio,
        "fps": render.fps, "tts": render.tts, "scenes": len(parsed.scenes)})
    meter = ResourceMeter().start()
    stages: dict[str, float] = {}
    try:
        progress = Progress(settings, job_id)
        clock = time.perf_counter()
        enter_stage(settings, job_id, JobStatus.MEDIA_GENERATION)
        count = len(parsed.scenes)
        voices = [narrate_scene.submit(settings, job_id, i, scene, render)
                  for i, scene in enumerate(parsed.scenes)]
        slides = [draw_slide.submit(settings, job_id, i, count, parsed.title, scene, render,
                                    script_dir) for i, scene in enumerate(parsed.scenes)]
        narrations = []
        for done, future in enumerate(voices, start=1):
            narrations.append(future.result())
            progress.report(5 + 55 * done / count)
        images = [future.result() for future in slides]
        stages["media_generation_seconds"] = round(time.perf_counter() - clock, 3)
        clock = time.perf_counter()
        enter_stage(settings, job_id, JobStatus.VIDEO_COMPOSITION)
        plan = compose_video(settings, job_id, script_id, session_id, parsed.title,
                             parsed.scenes, narrations, images, render)
        stages["composition_seconds"] = round(time.perf_counter() - clock, 3)
        progress.report(85)
        clock = time.perf_counter()
        video = verify_video(settings, plan)
        stages["verification_seconds"] = round(time.perf_counter() - clock, 3)
        progress.report(95)
        account_storage(settings)
        meter.stop()
        usage = complete_job(settings, job_id, {**meter.usage(), "stages": stages,
                                                "frames": plan.frames,
                                                "scenes": count})
    except BaseException as exc:
        meter.stop()
        fail_job(settings, job_id, _describe(exc))
        raise
    return {"job_id": str(job_id), "status": JobStatus.COMPLETED.value, "video": video,
            "resource_usage": usage}


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
