"""What the Prefect UI shows of a job: the run's name and tags, and its closing artifacts."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from prefect import task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.client.schemas.objects import State
from prefect.states import Failed

from reelflow.errors import ReelflowError
from reelflow.services.reports import job_detail
from reelflow.services.scripts import title_of
from reelflow.settings import Settings

ENGINE_ECHO = "Engine execution exited with unexpected exception"


def run_name() -> str:
    """Names a generate-video run when it starts, before its first log line: the video's
    title (the title parameter, else the script's own), so the logs, the runs list and the
    run page all use one name. A run whose script is missing or invalid is named so."""
    from prefect.runtime import flow_run

    parameters = flow_run.parameters
    try:
        settings = Settings.from_env()
    except ReelflowError:
        return "invalid settings"
    title = title_of(settings, parameters.get("script"), parameters.get("script_path"),
                     parameters.get("title"))
    return (title or "invalid script")[:120]


def refuse(message: str) -> State:
    """Returns the FAILED state that ends a run refused before its job exists (no script, an
    invalid one): ``message`` is the state's message and the only account of it.

    Why the filter: a served or pooled run's engine logs every failed result once more as
    "Engine execution exited with unexpected exception" with a traceback of Prefect's own
    frames; for a refusal that says nothing the state message does not.
    """
    logging.getLogger("prefect.flow_runs").addFilter(_EngineEcho(message))
    return Failed(message=message)


class _EngineEcho(logging.Filter):
    def __init__(self, message: str) -> None:
        super().__init__()
        self._message = message

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not (record.msg == ENGINE_ECHO and str(error) == self._message)


@task(name="tag-run")
def tag_run(job_id: uuid.UUID, session_id: str) -> None:
    """Tags the flow run with reelflow and its session (``session:<id>``)."""
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        run = client.read_flow_run(job_id)
        tags = sorted({*(run.tags or []), "reelflow", f"session:{session_id}"})
        client.update_flow_run(job_id, tags=tags)


def _size(size: int | None) -> str:
    return "-" if size is None else f"{size / 2**20:.2f} MB"


def publish_report(settings: Settings, job_id: uuid.UUID) -> None:
    """Publishes the job's video and resource usage (markdown) and its assets (table).

    A plain function, not a task: called from the flow, the artifacts belong to the flow run
    and show first on its Artifacts tab.
    """
    job = job_detail(settings, job_id)
    video: dict[str, Any] | None = job["video"]
    usage: dict[str, Any] = dict(job["resource_usage"] or {})
    lines = [f"# {video['title'] if video else 'Video'}", "", "| | |", "|---|---|"]
    for each in job["videos"]:
        lines += [f"| {each['format']} | `{each['url_path']}` ({_size(each['file_size'])}) |"]
    if video is not None:
        full = settings.public(video["url_path"])
        lines += [f"| watch | [{full}]({full}) |"] if full else []
        lines += [f"| duration | {video['duration']:.2f} s |",
                  f"| resolution | {video['resolution']} |"]
    lines += [f"| {item['kind']} | `{item['url_path']}` |" for item in job["files"]]
    lines += [f"| {key} | {value} |" for key, value in usage.items() if key != "stages"]
    for stage, seconds in (usage.get("stages") or {}).items():
        lines.append(f"| {stage} | {seconds} |")
    rows = [{"type": asset["asset_type"], "source": asset["source_type"],
             "scene": (asset["metadata"] or {}).get("scene"),
             "duration_s": None if asset["duration"] is None else round(asset["duration"], 3),
             "url_path": asset["url_path"]} for asset in job["assets"]]
    key = f"job-{job_id.hex[:20]}"
    create_markdown_artifact("\n".join(lines), key=f"{key}-video",
                             description="The rendered video and what it cost")
    create_table_artifact(rows, key=f"{key}-assets", description="Media assets of the job")
