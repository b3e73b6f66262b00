"""Metadata verification: the probed file must match the plan and its database row."""

from __future__ import annotations

from collections.abc import Mapping

from reelflow.db.states import VideoStatus
from reelflow.engine.probe import Probe, probe
from reelflow.errors import VerificationFailed
from reelflow.services.compose import RenderPlan
from reelflow.services.runtime import database, layout, utcnow
from reelflow.settings import Settings
from reelflow.storage.accounting import count_new_file

AUDIO_TOLERANCE_SECONDS = 0.1


def mismatches(plan: RenderPlan, found: Probe, row: Mapping[str, object]) -> list[str]:
    """Returns what differs between the plan, the probed file and the video row (empty: none)."""
    frame = 1 / plan.fps
    problems = []
    if found.video_codec != "h264":
        problems.append(f"video codec is {found.video_codec}, expected h264")
    if found.resolution != plan.resolution:
        problems.append(f"resolution is {found.resolution}, expected {plan.resolution}")
    if abs(found.video_duration - plan.duration) > frame / 2:
        problems.append(f"video lasts {found.video_duration:.3f} s, planned {plan.duration:.3f} s")
    if found.frames and found.frames != plan.frames:
        problems.append(f"video has {found.frames} frames, planned {plan.frames}")
    if plan.has_audio and found.audio_codec != "aac":
        problems.append(f"audio codec is {found.audio_codec}, expected aac")
    if plan.has_audio and abs(found.audio_duration - plan.duration) > AUDIO_TOLERANCE_SECONDS:
        problems.append(f"audio lasts {found.audio_duration:.3f} s, video {plan.duration:.3f} s")
    if not plan.has_audio and found.audio_codec is not None:
        problems.append("the video has an audio track but audio was not asked for")
    if found.size <= 0:
        problems.append("the file is empty")
    for field, expected in (("resolution", found.resolution), ("format", found.format),
                            ("file_path", str(plan.path))):
        if row.get(field) != expected:
            problems.append(f"the row's {field} is {row.get(field)!r}, the file's {expected!r}")
    return problems


def verify(settings: Settings, plan: RenderPlan) -> dict[str, object]:
    """Probes the rendered file; on a match completes the video row with the probed facts.

    Raises VerificationFailed listing every mismatch.
    """
    found = probe(plan.path)
    with database(settings).unit_of_work() as uow:
        video = uow.videos.get(plan.video_id)
        row = {"resolution": video.resolution, "format": video.format,
               "file_path": video.file_path}
        problems = mismatches(plan, found, row)
        if problems:
            raise VerificationFailed("the rendered video does not match its plan: "
                                     + "; ".join(problems))
        if video.generation_status != VideoStatus.COMPLETED:
            # Counted in the transaction that completes it: only a verified video counts.
            count_new_file(uow, layout(settings), plan.path, found.size)
            video.complete(file_size=found.size, duration=found.video_duration, now=utcnow(),
                           file_exists=plan.path.is_file())
        uow.commit()
        return {
            "id": str(video.id), "file_path": video.file_path, "url_path": video.url_path,
            "title": video.title, "duration": round(found.video_duration, 3),
            "resolution": found.resolution, "file_size": found.size, "format": video.format,
        }

