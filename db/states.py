"""The job and video lifecycles as data, and the one function per lifecycle that moves them.

Pure code: no SQLAlchemy, Prefect or file-system import. The enums double as the closed value
sets of the database's enum-like columns (see ``db.models``), so a value added here must be added
to a migration as well.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import TypeVar

from reelflow.errors import InvalidTransition


class JobStatus(StrEnum):
    """Where a video generation job is in its workflow."""

    PENDING = "PENDING"
    MEDIA_GENERATION = "MEDIA_GENERATION"
    VIDEO_COMPOSITION = "VIDEO_COMPOSITION"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"


class VideoStatus(StrEnum):
    """Where a generated video file is in its life."""

    PENDING = "PENDING"
    GENERATING = "GENERATING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"


class AssetType(StrEnum):
    """What kind of media a media asset is."""

    IMAGE = "IMAGE"
    AUDIO = "AUDIO"
    VIDEO_CLIP = "VIDEO_CLIP"
    TEXT_OVERLAY = "TEXT_OVERLAY"


class SourceType(StrEnum):
    """Where a media asset came from."""

    GENERATED = "GENERATED"
    STOCK = "STOCK"
    USER_UPLOADED = "USER_UPLOADED"


class StorageType(StrEnum):
    """Which directory of the media root a storage record accounts for."""

    VIDEOS = "VIDEOS"
    IMAGES = "IMAGES"
    AUDIO = "AUDIO"
    TEMP = "TEMP"
    STOCK = "STOCK"


class ScriptKind(StrEnum):
    """How a script reached reelflow: typed inline or uploaded as a file."""

    INLINE = "INLINE"
    UPLOADED = "UPLOADED"


_S = TypeVar("_S", bound=StrEnum)

JOB_TRANSITIONS: Mapping[JobStatus, frozenset[JobStatus]] = MappingProxyType(
    {
        JobStatus.PENDING: frozenset({JobStatus.MEDIA_GENERATION, JobStatus.FAILED}),
        JobStatus.MEDIA_GENERATION: frozenset({JobStatus.VIDEO_COMPOSITION, JobStatus.FAILED}),
        JobStatus.VIDEO_COMPOSITION: frozenset({JobStatus.COMPLETED, JobStatus.FAILED}),
        JobStatus.COMPLETED: frozenset(),
        JobStatus.FAILED: frozenset(),
    }
)

VIDEO_TRANSITIONS: Mapping[VideoStatus, frozenset[VideoStatus]] = MappingProxyType(
    {
        VideoStatus.PENDING: frozenset({VideoStatus.GENERATING, VideoStatus.FAILED}),
        VideoStatus.GENERATING: frozenset({VideoStatus.COMPLETED, VideoStatus.FAILED}),
        VideoStatus.COMPLETED: frozenset(),
        VideoStatus.FAILED: frozenset(),
    }
)

TERMINAL_JOB_STATES: frozenset[JobStatus] = frozenset(
    state for state, targets in JOB_TRANSITIONS.items() if not targets
)
TERMINAL_VIDEO_STATES: frozenset[VideoStatus] = frozenset(
    state for state, targets in VIDEO_TRANSITIONS.items() if not targets
)


def transition_job(current: JobStatus, target: JobStatus) -> JobStatus:
    """Given a job's current status and a wanted one, returns the status the job moves to.

    Moving to the same non-terminal status is allowed and returns it unchanged, so a rerun of
    a task that is still in progress does not fail. Terminal statuses are final: leaving them,
    or "moving" from one to itself, raises InvalidTransition. Callers that want a rerun of a
    finished step to be a no-op check "already in target" before calling (the models do).
    Raises InvalidTransition naming both statuses for any move the table does not allow.
    """
    return _transition("job", JOB_TRANSITIONS, JobStatus(current), JobStatus(target))


def transition_video(current: VideoStatus, target: VideoStatus) -> VideoStatus:
    """Given a video's current status and a wanted one, returns the status the video moves to.

    Same contract as ``transition_job``: same non-terminal status is a no-op, terminal
    statuses are final; raises InvalidTransition naming both statuses otherwise.
    """
    return _transition("video", VIDEO_TRANSITIONS, VideoStatus(current), VideoStatus(target))


def _transition(what: str, table: Mapping[_S, frozenset[_S]], current: _S, target: _S) -> _S:
    if current == target and table[current]:
        return current
    if target not in table[current]:
        if not table[current]:
            reason = f"{current} is terminal"
        else:
            allowed = ", ".join(sorted(table[current]))
            reason = f"allowed from {current}: {allowed}"
        raise InvalidTransition(f"a {what} cannot move from {current} to {target} ({reason})")
    return target
