"""Metadata verification: each probed file must match the plan and its database row."""

from __future__ import annotations

from collections.abc import Mapping

from reelflow.db.states import VideoStatus
from reelflow.engine.colour import BT709, STUDIO_RANGE
from reelflow.engine.probe import Probe, probe
from reelflow.errors import VerificationFailed
from reelflow.services.compose import PlannedVideo, RenderPlan
from reelflow.services.runtime import database, layout, utcnow
from reelflow.settings import Settings
from reelflow.storage.accounting import count_new_file

AUDIO_TOLERANCE_SECONDS = 0.1
# What each format's streams must be: video codec, audio codec, subtitle codec.
CODECS = {"mp4": ("h264", "aac", "mov_text"), "webm": ("vp9", "opus", "webvtt")}
COLOUR = (BT709, BT709, BT709, STUDIO_RANGE)


def mismatches(plan: RenderPlan, video: PlannedVideo, found: Probe,
               row: Mapping[str, object]) -> list[str]:
    """Returns what differs between the plan, the probed file and the video row (empty: none)."""
    frame = 1 / plan.fps
    video_codec, audio_codec, subtitle_codec = CODECS[video.format]
    problems = []
    if found.video_codec != video_codec:
        problems.append(f"video codec is {found.video_codec}, expected {video_codec}")
    if found.colour != COLOUR:
        problems.append(f"colour description is {found.colour}, expected {COLOUR} (BT.709)")
    if found.resolution != plan.resolution:
        problems.append(f"resolution is {found.resolution}, expected {plan.resolution}")
    if abs(found.video_duration - plan.duration) > frame / 2:
        problems.append(f"video lasts {found.video_duration:.3f} s, planned {plan.duration:.3f} s")
    if found.frames != plan.frames:
        problems.append(f"video has {found.frames} frames, planned {plan.frames}")
    if plan.has_audio and found.audio_codec != audio_codec:
        problems.append(f"audio codec is {found.audio_codec}, expected {audio_codec}")
    if plan.has_audio and abs(found.audio_duration - plan.duration) > AUDIO_TOLERANCE_SECONDS:
        problems.append(f"audio lasts {found.audio_duration:.3f} s, video {plan.duration:.3f} s")
    if not plan.has_audio and found.audio_codec is not None:
        problems.append("the video has an audio track but audio was not asked for")
    expected_subtitles = subtitle_codec if plan.subtitles else None
    if found.subtitle_codec != expected_subtitles:
        problems.append(f"subtitle track is {found.subtitle_codec}, expected {expected_subtitles}")
    if found.size <= 0:
        problems.append("the file is empty")
    for field, expected in (("resolution", found.resolution), ("format", found.format),
                            ("file_path", str(video.path))):
        if row.get(field) != expected:
            problems.append(f"the row's {field} is {row.get(field)!r}, the file's {expected!r}")
    return problems


def verify(settings: Settings, plan: RenderPlan) -> list[dict[str, object]]:
    """Probes every rendered file; when all match, completes their video rows with the probed
    facts and returns them, in the plan's order. Raises VerificationFailed listing every
    mismatch (and then completes none)."""
    found = {video.video_id: probe(video.path) for video in plan.videos}
    with database(settings).unit_of_work() as uow:
        rows = {video.video_id: uow.videos.get(video.video_id) for video in plan.videos}
        problems = [f"{video.path.name}: {problem}" for video in plan.videos
                    for problem in mismatches(plan, video, found[video.video_id], {
                        "resolution": rows[video.video_id].resolution,
                        "format": rows[video.video_id].format,
                        "file_path": rows[video.video_id].file_path})]
        if problems:
            raise VerificationFailed("the rendered video does not match its plan: "
                                     + "; ".join(problems))
        described = []
        for video in plan.videos:
            row, facts = rows[video.video_id], found[video.video_id]
            if row.generation_status != VideoStatus.COMPLETED:
                # Counted in the transaction that completes it: only a verified video counts.
                count_new_file(uow, layout(settings), video.path, facts.size)
                row.complete(file_size=facts.size, duration=facts.video_duration, now=utcnow(),
                             file_exists=video.path.is_file())
            described.append({
                "id": str(row.id), "file_path": row.file_path, "url_path": row.url_path,
                "title": row.title, "duration": round(facts.video_duration, 3),
                "resolution": facts.resolution, "file_size": facts.size, "format": row.format,
            })
        uow.commit()
        return described
