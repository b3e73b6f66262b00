"""Default retention and access settings for each directory of the media root.

Pure data. The storage repository copies these into new MediaStorage rows; the cleanup flow reads
the rows, not these defaults, so an operator can change a policy in the database.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from reelflow.db.states import StorageType

JsonScalar = str | int | float | bool | None

# Why these ages: finished videos are the product and live a month; slides and narration are
# cheap to regenerate (and cached by content hash), so a week; temp holds half-written renders
# that are garbage after a day; stock is curated by hand and never expires.
DEFAULT_CLEANUP_POLICY: Mapping[StorageType, Mapping[str, JsonScalar]] = MappingProxyType(
    {
        StorageType.VIDEOS: MappingProxyType(
            {"max_age_days": 30, "max_size_mb": None, "preserve_completed_videos": True}
        ),
        StorageType.IMAGES: MappingProxyType(
            {"max_age_days": 7, "max_size_mb": None, "preserve_completed_videos": True}
        ),
        StorageType.AUDIO: MappingProxyType(
            {"max_age_days": 7, "max_size_mb": None, "preserve_completed_videos": True}
        ),
        StorageType.TEMP: MappingProxyType(
            {"max_age_days": 1, "max_size_mb": 2048, "preserve_completed_videos": True}
        ),
        StorageType.STOCK: MappingProxyType(
            {"max_age_days": None, "max_size_mb": None, "preserve_completed_videos": True}
        ),
    }
)

# Why: everything a finished video is made of may be shown publicly; temp holds unfinished
# renders and partial files, which nobody but an admin should read.
DEFAULT_ACCESS_PERMISSIONS: Mapping[StorageType, Mapping[str, bool]] = MappingProxyType(
    {
        storage_type: MappingProxyType(
            {
                "public_read": storage_type != StorageType.TEMP,
                "authenticated_read": storage_type != StorageType.TEMP,
                "admin_write": True,
            }
        )
        for storage_type in StorageType
    }
)

# Directory names under the media root, one per storage type.
STORAGE_DIRECTORY: Mapping[StorageType, str] = MappingProxyType(
    {storage_type: storage_type.value.lower() for storage_type in StorageType}
)


def default_cleanup_policy(storage_type: StorageType) -> dict[str, JsonScalar]:
    """Given a storage type, returns a fresh, mutable copy of its default cleanup policy."""
    return dict(DEFAULT_CLEANUP_POLICY[StorageType(storage_type)])


def default_access_permissions(storage_type: StorageType) -> dict[str, bool]:
    """Given a storage type, returns a fresh, mutable copy of its default access permissions."""
    return dict(DEFAULT_ACCESS_PERMISSIONS[StorageType(storage_type)])
