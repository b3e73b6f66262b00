"""What the Prefect UI shows of a job: the run's name and tags, and its closing artifacts."""

from __future__ import annotations

import uuid
from typing import Any

from prefect import task
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from reelflow.services.reports import job_detail
from reelflow.settings import Settings


@task(name="label-run")
def label_run(job_id: uuid.UUID, title: str, session_id: str) -> None:
    """Names the flow run after the script's title and tags it with the session id."""
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        run = client.read_flow_run(job_id)
        tags = sorted({*(run.tags or []), "reelflow", f"session:{session_id}"})
        client.update_flow_run(job_id, name=title[:120], tags=tags)


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
