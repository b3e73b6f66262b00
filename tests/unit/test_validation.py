"""The data model's validation rules, one test per rule, no database and no disk."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from reelflow.db.policies import (
    DEFAULT_ACCESS_PERMISSIONS,
    DEFAULT_CLEANUP_POLICY,
    STORAGE_DIRECTORY,
    default_cleanup_policy,
)
from reelflow.db.states import AssetType, JobStatus, StorageType, VideoStatus
from reelflow.db.validation import (
    ASSET_METADATA_KEYS,
    RESOURCE_USAGE_KEYS,
    validate_access_permissions,
    validate_asset,
    validate_cleanup_policy,
    validate_job,
    validate_progress,
    validate_resolution,
    validate_storage,
    validate_video,
)
from reelflow.errors import RecordInvalid

T0 = datetime(2025, 9, 25, 12, 0, tzinfo=UTC)
USAGE = {key: 1.5 for key in RESOURCE_USAGE_KEYS}
METADATA: dict[AssetType, dict[str, Any]] = {
    AssetType.IMAGE: {"dimensions": [1920, 1080], "format": "png", "generation_method": "pillow"},
    AssetType.AUDIO: {"sample_rate": 22050, "channels": 1, "codec": "pcm_s16le"},
    AssetType.VIDEO_CLIP: {"resolution": "1920x1080", "fps": 24, "codec": "h264"},
    AssetType.TEXT_OVERLAY: {"font": "DejaVuSans", "size": 48, "color": "#fff", "position": "b"},
}
POLICY = {"max_age_days": 7, "max_size_mb": None, "preserve_completed_videos": True}


def job(**changes: Any) -> None:
    fields: dict[str, Any] = {
        "status": JobStatus.MEDIA_GENERATION,
        "progress": 10,
        "started_at": T0,
        "completed_at": None,
        "error_message": None,
        "resource_usage": None,
    }
    validate_job(**{**fields, **changes})


def video(**changes: Any) -> None:
    fields: dict[str, Any] = {
        "status": VideoStatus.GENERATING,
        "file_path": "/media/videos/a.mp4",
        "duration": 12.5,
        "resolution": "1920x1080",
        "file_size": None,
        "file_exists": False,
    }
    validate_video(**{**fields, **changes})


# progress


@pytest.mark.parametrize("progress", [0, 1, 50, 100])
def test_progress_from_0_to_100_is_valid(progress: int) -> None:
    assert validate_progress(progress) == progress


@pytest.mark.parametrize("progress", [-1, 101, 1000])
def test_progress_outside_0_to_100_is_refused(progress: int) -> None:
    with pytest.raises(RecordInvalid, match="progress_percentage"):
        validate_progress(progress)


@pytest.mark.parametrize("progress", [50.5, "50", None, True])
def test_progress_must_be_an_integer(progress: object) -> None:
    with pytest.raises(RecordInvalid, match="progress_percentage"):
        validate_progress(progress)


# resolution


@pytest.mark.parametrize(
    ("text", "size"), [("1920x1080", (1920, 1080)), ("1x1", (1, 1)), ("720x1280", (720, 1280))]
)
def test_a_resolution_is_parsed_into_width_and_height(text: str, size: tuple[int, int]) -> None:
    assert validate_resolution(text) == size


@pytest.mark.parametrize(
    "text", ["1920X1080", "1920*1080", "0x1080", "1920x0", "01920x1080", " 1920x1080", "1920x", ""]
)
def test_a_resolution_not_shaped_like_width_x_height_is_refused(text: str) -> None:
    with pytest.raises(RecordInvalid, match="resolution"):
        validate_resolution(text)


# jobs


def test_a_running_job_without_end_time_is_valid() -> None:
    job()


def test_a_job_may_end_in_the_same_instant_it_started() -> None:
    job(status=JobStatus.FAILED, completed_at=T0, error_message="boom")


def test_a_job_cannot_complete_before_it_started() -> None:
    with pytest.raises(RecordInvalid, match="completed_at"):
        job(completed_at=T0 - timedelta(microseconds=1))


def test_job_timestamps_must_be_timezone_aware() -> None:
    with pytest.raises(RecordInvalid, match="started_at must be timezone-aware"):
        job(started_at=T0.replace(tzinfo=None))


def test_a_job_with_progress_over_100_is_refused() -> None:
    with pytest.raises(RecordInvalid, match="progress_percentage"):
        job(progress=101)


@pytest.mark.parametrize("message", [None, "", "   "])
def test_a_failed_job_needs_an_error_message(message: str | None) -> None:
    with pytest.raises(RecordInvalid, match="error_message"):
        job(status=JobStatus.FAILED, completed_at=T0, error_message=message)


def test_a_completed_job_needs_resource_usage() -> None:
    with pytest.raises(RecordInvalid, match="resource_usage is required"):
        job(status=JobStatus.COMPLETED, progress=100, completed_at=T0)


def test_a_completed_job_with_every_metric_is_valid() -> None:
    job(status=JobStatus.COMPLETED, progress=100, completed_at=T0, resource_usage=USAGE)


@pytest.mark.parametrize("key", RESOURCE_USAGE_KEYS)
def test_a_completed_job_needs_every_resource_metric(key: str) -> None:
    usage = {k: v for k, v in USAGE.items() if k != key}
    with pytest.raises(RecordInvalid, match=key):
        job(status=JobStatus.COMPLETED, completed_at=T0, resource_usage=usage)


@pytest.mark.parametrize("bad", [-0.1, "3", None, True, float("nan"), float("inf")])
def test_resource_metrics_must_be_non_negative_numbers(bad: object) -> None:
    with pytest.raises(RecordInvalid, match="peak_memory_mb"):
        job(
            status=JobStatus.COMPLETED,
            completed_at=T0,
            resource_usage={**USAGE, "peak_memory_mb": bad},
        )


def test_a_zero_resource_metric_is_valid() -> None:
    job(
        status=JobStatus.COMPLETED, completed_at=T0, resource_usage={**USAGE, "cpu_time_seconds": 0}
    )


# videos


def test_a_generating_video_needs_no_file_yet() -> None:
    video()


@pytest.mark.parametrize("duration", [0, -1.0, None, float("nan")])
def test_a_video_duration_must_be_positive(duration: object) -> None:
    with pytest.raises(RecordInvalid, match="duration"):
        video(duration=duration)


def test_a_video_duration_may_be_fractional() -> None:
    video(duration=0.04)


def test_a_video_resolution_must_be_width_x_height() -> None:
    with pytest.raises(RecordInvalid, match="resolution"):
        video(resolution="full-hd")


def test_a_video_file_size_cannot_be_negative() -> None:
    with pytest.raises(RecordInvalid, match="file_size"):
        video(file_size=-1)


def test_a_completed_video_needs_its_file_to_exist() -> None:
    with pytest.raises(RecordInvalid, match="must exist"):
        video(status=VideoStatus.COMPLETED, file_size=10, file_exists=lambda path: False)


@pytest.mark.parametrize("size", [None, 0])
def test_a_completed_video_needs_a_positive_file_size(size: int | None) -> None:
    with pytest.raises(RecordInvalid, match="file_size must be positive"):
        video(status=VideoStatus.COMPLETED, file_size=size, file_exists=True)


def test_a_completed_video_whose_file_exists_is_valid() -> None:
    asked: list[str] = []
    video(status=VideoStatus.COMPLETED, file_size=10, file_exists=lambda p: not asked.append(p))
    assert asked == ["/media/videos/a.mp4"]


# assets


@pytest.mark.parametrize("asset_type", list(AssetType))
def test_an_asset_with_its_types_metadata_is_valid(asset_type: AssetType) -> None:
    validate_asset(asset_type, "/m/a", 2.0, METADATA[asset_type], True)


@pytest.mark.parametrize("asset_type", [AssetType.AUDIO, AssetType.VIDEO_CLIP])
def test_timed_assets_need_a_duration(asset_type: AssetType) -> None:
    with pytest.raises(RecordInvalid, match=f"duration is required for {asset_type}"):
        validate_asset(asset_type, "/m/a", None, METADATA[asset_type], True)


@pytest.mark.parametrize("asset_type", [AssetType.IMAGE, AssetType.TEXT_OVERLAY])
def test_still_assets_need_no_duration(asset_type: AssetType) -> None:
    validate_asset(asset_type, "/m/a", None, METADATA[asset_type], True)


def test_an_asset_duration_must_be_positive() -> None:
    with pytest.raises(RecordInvalid, match="duration"):
        validate_asset(AssetType.AUDIO, "/m/a", 0, METADATA[AssetType.AUDIO], True)


@pytest.mark.parametrize(
    ("asset_type", "key"),
    [(asset_type, key) for asset_type, keys in ASSET_METADATA_KEYS.items() for key in keys],
)
def test_asset_metadata_must_hold_every_key_of_its_type(asset_type: AssetType, key: str) -> None:
    metadata = {k: v for k, v in METADATA[asset_type].items() if k != key}
    with pytest.raises(RecordInvalid, match=f"lacks {key}"):
        validate_asset(asset_type, "/m/a", 1.0, metadata, True)


def test_asset_metadata_may_hold_extra_keys() -> None:
    metadata = {**METADATA[AssetType.AUDIO], "fallback_engine": "piper"}
    validate_asset(AssetType.AUDIO, "/m/a", 1.0, metadata, True)


def test_an_asset_without_metadata_is_refused() -> None:
    with pytest.raises(RecordInvalid, match="metadata must be a mapping"):
        validate_asset(AssetType.IMAGE, "/m/a", None, None, True)


def test_an_asset_file_must_exist() -> None:
    with pytest.raises(RecordInvalid, match=r"'/m/gone\.png' of a IMAGE asset must exist"):
        validate_asset(
            AssetType.IMAGE, "/m/gone.png", None, METADATA[AssetType.IMAGE], lambda path: False
        )


# storage


def test_a_storage_record_with_absolute_path_and_zero_usage_is_valid() -> None:
    validate_storage("/srv/media/videos", 0, 0, POLICY)


def test_a_storage_directory_must_be_absolute() -> None:
    with pytest.raises(RecordInvalid, match="directory_path must be absolute"):
        validate_storage("media/videos", 0, 0, POLICY)


@pytest.mark.parametrize(("size", "count"), [(-1, 0), (0, -1), (1.5, 0), (True, 0)])
def test_storage_counters_must_be_non_negative_integers(size: object, count: object) -> None:
    with pytest.raises(RecordInvalid, match=r"total_size_bytes|file_count"):
        validate_storage("/srv", size, count, POLICY)  # type: ignore[arg-type]


@pytest.mark.parametrize("key", ["max_age_days", "max_size_mb"])
@pytest.mark.parametrize("bad", [0, -3, "7", True])
def test_retention_limits_must_be_positive_or_none(key: str, bad: object) -> None:
    with pytest.raises(RecordInvalid, match=key):
        validate_cleanup_policy({**POLICY, key: bad})


@pytest.mark.parametrize("key", ["max_age_days", "max_size_mb"])
def test_retention_limits_must_be_stated_even_when_unlimited(key: str) -> None:
    with pytest.raises(RecordInvalid, match=key):
        validate_cleanup_policy({k: v for k, v in POLICY.items() if k != key})


@pytest.mark.parametrize("bad", [None, "yes", 1])
def test_preserve_completed_videos_must_be_a_boolean(bad: object) -> None:
    with pytest.raises(RecordInvalid, match="preserve_completed_videos"):
        validate_cleanup_policy({**POLICY, "preserve_completed_videos": bad})


@pytest.mark.parametrize("key", ["public_read", "authenticated_read", "admin_write"])
def test_access_permissions_need_three_boolean_flags(key: str) -> None:
    permissions = {"public_read": True, "authenticated_read": True, "admin_write": True}
    with pytest.raises(RecordInvalid, match=key):
        validate_access_permissions({**permissions, key: "yes"})


# defaults


@pytest.mark.parametrize("storage_type", list(StorageType))
def test_every_storage_type_has_a_valid_default_policy_and_permissions(
    storage_type: StorageType,
) -> None:
    validate_cleanup_policy(DEFAULT_CLEANUP_POLICY[storage_type])
    validate_access_permissions(DEFAULT_ACCESS_PERMISSIONS[storage_type])
    assert DEFAULT_ACCESS_PERMISSIONS[storage_type]["admin_write"] is True


def test_finished_videos_are_public_and_temp_files_are_not() -> None:
    assert DEFAULT_ACCESS_PERMISSIONS[StorageType.VIDEOS]["public_read"] is True
    assert DEFAULT_ACCESS_PERMISSIONS[StorageType.TEMP]["public_read"] is False


def test_default_retention_keeps_videos_longest_and_stock_forever() -> None:
    ages = {t: DEFAULT_CLEANUP_POLICY[t]["max_age_days"] for t in StorageType}
    assert ages == {
        StorageType.VIDEOS: 30,
        StorageType.IMAGES: 7,
        StorageType.AUDIO: 7,
        StorageType.TEMP: 1,
        StorageType.STOCK: None,
    }
    assert DEFAULT_CLEANUP_POLICY[StorageType.VIDEOS]["preserve_completed_videos"] is True


def test_a_default_policy_copy_can_be_edited_without_changing_the_default() -> None:
    policy = default_cleanup_policy(StorageType.VIDEOS)
    policy["max_age_days"] = 1
    assert DEFAULT_CLEANUP_POLICY[StorageType.VIDEOS]["max_age_days"] == 30


def test_each_storage_type_has_its_own_directory_name() -> None:
    assert sorted(STORAGE_DIRECTORY.values()) == ["audio", "images", "stock", "temp", "videos"]
