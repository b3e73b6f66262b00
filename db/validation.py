"""The data model's validation rules as pure functions.

Each function takes plain values and either returns quietly (or returns the parsed value) or
raises RecordInvalid with a message that names the offending field. Nothing here touches the
database; the only outside question, "does this file exist?", is asked through a callable the
caller passes in, so the rules stay testable without a disk.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import PurePath
from typing import TypeGuard

from reelflow.db.states import AssetType, JobStatus, VideoStatus
from reelflow.errors import RecordInvalid
from reelflow.vocabulary import parse_resolution

FileExists = Callable[[str], bool] | bool

RESOURCE_USAGE_KEYS: tuple[str, ...] = (
    "generation_time_seconds",
    "peak_memory_mb",
    "disk_space_used_mb",
    "cpu_time_seconds",
)

ASSET_METADATA_KEYS: Mapping[AssetType, tuple[str, ...]] = {
    AssetType.IMAGE: ("dimensions", "format", "generation_method"),
    AssetType.AUDIO: ("sample_rate", "channels", "codec"),
    AssetType.VIDEO_CLIP: ("resolution", "fps", "codec"),
    AssetType.TEXT_OVERLAY: ("font", "size", "color", "position"),
}

# The seed types duration as "positive"; durations without one make no sense for these.
TIMED_ASSET_TYPES: frozenset[AssetType] = frozenset({AssetType.AUDIO, AssetType.VIDEO_CLIP})

# The keys of MediaStorage.cleanup_policy and .access_permissions.
POLICY_KEYS: tuple[str, ...] = ("max_age_days", "max_size_mb", "preserve_completed_videos")
PERMISSION_KEYS: tuple[str, ...] = ("public_read", "authenticated_read", "admin_write")



def is_number(value: object) -> TypeGuard[int | float]:
    """Given any value, returns whether it is a finite int or float (bool is not a number)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return math.isfinite(value)


def validate_progress(progress: object) -> int:
    """Given a progress value, returns it as an int in 0..100; raises RecordInvalid otherwise."""
    if isinstance(progress, bool) or not isinstance(progress, int):
        raise RecordInvalid(f"progress_percentage must be an integer, got {progress!r}")
    if not 0 <= progress <= 100:
        raise RecordInvalid(f"progress_percentage must be between 0 and 100, got {progress}")
    return progress


def validate_resolution(resolution: str) -> tuple[int, int]:
    """Given "WIDTHxHEIGHT" (e.g. "1920x1080"), returns (width, height); raises RecordInvalid."""
    size = parse_resolution(resolution)
    if size is None:
        raise RecordInvalid(f"resolution must look like WIDTHxHEIGHT, got {resolution!r}")
    return size


def validate_duration(field: str, duration: object) -> float:
    """Given a duration in seconds, returns it as a float if positive; raises RecordInvalid."""
    if not is_number(duration) or duration <= 0:
        raise RecordInvalid(f"{field} must be a positive number of seconds, got {duration!r}")
    return float(duration)


def validate_timestamps(
    start_field: str, start: datetime, end_field: str, end: datetime | None
) -> None:
    """Given a start and an optional end, raises RecordInvalid if either is naive or end < start.

    Equal timestamps are allowed: a fast step can start and end within one clock tick.
    """
    for field, value in ((start_field, start), (end_field, end)):
        if value is not None and value.utcoffset() is None:
            raise RecordInvalid(f"{field} must be timezone-aware, got naive {value!r}")
    if end is not None and end < start:
        raise RecordInvalid(f"{end_field} ({end}) must not be before {start_field} ({start})")


def validate_job(
    status: JobStatus,
    progress: int,
    started_at: datetime,
    completed_at: datetime | None,
    error_message: str | None,
    resource_usage: Mapping[str, object] | None,
) -> None:
    """Given a job's fields, returns None if they obey the job rules; raises RecordInvalid.

    Rules: progress 0..100; completed_at not before started_at; a FAILED job has a non-blank
    error_message; a COMPLETED job has resource_usage with every RESOURCE_USAGE_KEYS entry a
    non-negative number.
    """
    validate_progress(progress)
    validate_timestamps("started_at", started_at, "completed_at", completed_at)
    if status == JobStatus.FAILED and (error_message is None or not error_message.strip()):
        raise RecordInvalid("error_message is required when a job is FAILED")
    if status == JobStatus.COMPLETED:
        if resource_usage is None:
            raise RecordInvalid("resource_usage is required when a job is COMPLETED")
        validate_resource_usage(resource_usage)


def validate_resource_usage(resource_usage: Mapping[str, object]) -> None:
    """Given resource usage metrics, raises RecordInvalid unless every metric is there and >= 0."""
    if not isinstance(resource_usage, Mapping):
        raise RecordInvalid(f"resource_usage must be a mapping, got {resource_usage!r}")
    for key in RESOURCE_USAGE_KEYS:
        value = resource_usage.get(key)
        if not is_number(value) or value < 0:
            raise RecordInvalid(
                f"resource_usage.{key} must be a non-negative number, got {value!r}"
            )


def validate_video(
    status: VideoStatus,
    file_path: str,
    duration: float,
    resolution: str,
    file_size: int | None,
    file_exists: FileExists,
) -> None:
    """Given a video's fields, returns None if they obey the video rules; raises RecordInvalid.

    Rules: duration > 0; resolution is WIDTHxHEIGHT; file_size, when known, is >= 0; when the
    video is COMPLETED its file exists (``file_exists`` is asked only then) and file_size > 0.
    """
    validate_duration("duration", duration)
    validate_resolution(resolution)
    if file_size is not None and (isinstance(file_size, bool) or file_size < 0):
        raise RecordInvalid(f"file_size must be non-negative, got {file_size!r}")
    if status == VideoStatus.COMPLETED:
        if file_size is None or file_size <= 0:
            raise RecordInvalid(f"file_size must be positive when COMPLETED, got {file_size!r}")
        if not _exists(file_exists, file_path):
            raise RecordInvalid(f"file_path {file_path!r} must exist when a video is COMPLETED")


def validate_asset(
    asset_type: AssetType,
    file_path: str,
    duration: float | None,
    metadata: Mapping[str, object] | None,
    file_exists: FileExists,
) -> None:
    """Given a media asset's fields, returns None if they obey the asset rules.

    Raises RecordInvalid.

    Rules: the file exists; AUDIO and VIDEO_CLIP have a duration; any duration is > 0; metadata
    holds at least the keys ASSET_METADATA_KEYS lists for the asset type (extra keys are fine,
    e.g. which speech engine a fallback used).
    """
    asset_type = AssetType(asset_type)
    if duration is not None:
        validate_duration("duration", duration)
    elif asset_type in TIMED_ASSET_TYPES:
        raise RecordInvalid(f"duration is required for {asset_type} assets")
    if not isinstance(metadata, Mapping):
        raise RecordInvalid(f"metadata must be a mapping for {asset_type} assets, got {metadata!r}")
    missing = [key for key in ASSET_METADATA_KEYS[asset_type] if key not in metadata]
    if missing:
        raise RecordInvalid(f"metadata of a {asset_type} asset lacks {', '.join(missing)}")
    if not _exists(file_exists, file_path):
        raise RecordInvalid(f"file_path {file_path!r} of a {asset_type} asset must exist")


def validate_storage(
    directory_path: str,
    total_size_bytes: int,
    file_count: int,
    cleanup_policy: Mapping[str, object],
) -> None:
    """Given a storage record's fields, returns None if they obey the rules; raises RecordInvalid.

    Rules: directory_path is absolute; the counters are non-negative integers; cleanup_policy
    holds max_age_days and max_size_mb (each a positive number or None) and a boolean
    preserve_completed_videos. Whether the directory exists is the repository's business.
    """
    if not PurePath(directory_path).is_absolute():
        raise RecordInvalid(f"directory_path must be absolute, got {directory_path!r}")
    validate_counters(total_size_bytes, file_count)
    validate_cleanup_policy(cleanup_policy)


def validate_counters(total_size_bytes: int, file_count: int) -> None:
    """Given a storage record's usage counters, raises RecordInvalid unless both are ints >= 0."""
    for field, value in (("total_size_bytes", total_size_bytes), ("file_count", file_count)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise RecordInvalid(f"{field} must be a non-negative integer, got {value!r}")


def validate_cleanup_policy(policy: Mapping[str, object]) -> None:
    """Given a cleanup policy, raises RecordInvalid unless its retention settings are valid."""
    if not isinstance(policy, Mapping):
        raise RecordInvalid(f"cleanup_policy must be a mapping, got {policy!r}")
    for key in ("max_age_days", "max_size_mb"):
        if key not in policy:
            raise RecordInvalid(f"cleanup_policy.{key} is required (None means no limit)")
        value = policy[key]
        if value is not None and (not is_number(value) or value <= 0):
            raise RecordInvalid(f"cleanup_policy.{key} must be positive or None, got {value!r}")
    if not isinstance(policy.get("preserve_completed_videos"), bool):
        raise RecordInvalid("cleanup_policy.preserve_completed_videos must be true or false")


def validate_access_permissions(permissions: Mapping[str, object]) -> None:
    """Given access permissions, raises RecordInvalid unless each of the three flags is a bool."""
    if not isinstance(permissions, Mapping):
        raise RecordInvalid(f"access_permissions must be a mapping, got {permissions!r}")
    for key in PERMISSION_KEYS:
        if not isinstance(permissions.get(key), bool):
            raise RecordInvalid(f"access_permissions.{key} must be true or false")


def _exists(file_exists: FileExists, file_path: str) -> bool:
    return file_exists if isinstance(file_exists, bool) else file_exists(file_path)
