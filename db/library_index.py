"""The library's rows: stock items, the files people uploaded, and which videos use them.

A library asset is recorded once, by the ingest job that brought it in (services/library.py);
a video that shows or plays it does not copy it: the ``video_assets`` join table links the
two (the data model's "referenced by multiple GeneratedVideos"). Its use count is the number
of videos linked to it, and retention keeps a file while any video is (storage/retention.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from reelflow.db.models import GeneratedVideo, MediaAsset, VideoGenerationJob, video_assets
from reelflow.db.repositories import INGEST_KEY
from reelflow.db.states import AssetType, SourceType

LIBRARY_SOURCES = (SourceType.STOCK, SourceType.USER_UPLOADED)


class LibraryRepository:
    """Stock and uploaded assets, found by id, tag or path, and their links to videos."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, asset_id: uuid.UUID) -> MediaAsset | None:
        """Returns the library asset with this id (stock or uploaded), or None."""
        asset = self.session.get(MediaAsset, asset_id)
        return asset if asset is not None and asset.source_type in LIBRARY_SOURCES else None

    def stock_item(self, asset_id: uuid.UUID) -> MediaAsset | None:
        """Returns the item of the stock library with this id, or None (also for a job's
        own copy of a stock file)."""
        asset = self.get(asset_id)
        if asset is None or asset.source_type != SourceType.STOCK:
            return None
        return asset if INGEST_KEY in (asset.job.composition_settings or {}) else None

    def stock(self, asset_type: AssetType | None = None) -> list[MediaAsset]:
        """Returns the items of the stock library (of one type, if given) in the order they
        were added: oldest first, then by id, so that "the first" is the same answer every
        time. Only the rows that brought an item in (their ingest job's) count: a job's own
        copy of a stock file is recorded as STOCK too, and is not a library item."""
        query = (select(MediaAsset)
                 .join(VideoGenerationJob, MediaAsset.generation_job_id == VideoGenerationJob.id)
                 .where(MediaAsset.source_type == SourceType.STOCK,
                        VideoGenerationJob.composition_settings[INGEST_KEY].as_string()
                        .is_not(None)))
        if asset_type is not None:
            query = query.where(MediaAsset.asset_type == asset_type)
        return list(self.session.scalars(
            query.order_by(MediaAsset.creation_timestamp, MediaAsset.id)))

    def recording(self, file_path: str) -> MediaAsset | None:
        """Returns the oldest library asset whose file is ``file_path``, or None."""
        query = (select(MediaAsset)
                 .where(MediaAsset.file_path == file_path,
                        MediaAsset.source_type.in_(LIBRARY_SOURCES))
                 .order_by(MediaAsset.creation_timestamp, MediaAsset.id).limit(1))
        return self.session.scalars(query).first()

    def uses(self, asset_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, int]:
        """Returns how many videos use each of ``asset_ids`` (0 for none)."""
        counts = dict.fromkeys(asset_ids, 0)
        if counts:
            query = (select(video_assets.c.asset_id, func.count())
                     .where(video_assets.c.asset_id.in_(list(counts)))
                     .group_by(video_assets.c.asset_id))
            counts.update({row[0]: int(row[1]) for row in self.session.execute(query)})
        return counts

    def in_use(self) -> set[uuid.UUID]:
        """Returns the ids of every asset at least one video uses."""
        return set(self.session.scalars(select(video_assets.c.asset_id).distinct()))

    def link(self, asset_ids: Sequence[uuid.UUID], video_ids: Sequence[uuid.UUID]) -> int:
        """Records that each video uses each asset (a link already there stays one); returns
        how many links were added."""
        wanted = {(video, asset) for video in video_ids for asset in asset_ids}
        if not wanted:
            return 0
        present = {(row[0], row[1]) for row in self.session.execute(
            select(video_assets.c.video_id, video_assets.c.asset_id)
            .where(video_assets.c.video_id.in_(list(video_ids))))}
        new = sorted(wanted - present)
        if new:
            self.session.execute(insert(video_assets),
                                 [{"video_id": video, "asset_id": asset} for video, asset in new])
        return len(new)

    def videos_using(self, asset_id: uuid.UUID) -> list[GeneratedVideo]:
        """Returns the videos that use an asset."""
        query = (select(GeneratedVideo).join(video_assets,
                                             video_assets.c.video_id == GeneratedVideo.id)
                 .where(video_assets.c.asset_id == asset_id))
        return list(self.session.scalars(query))

    def unlink_asset(self, asset_id: uuid.UUID) -> None:
        """Removes every link of an asset (before its row goes)."""
        self.session.execute(delete(video_assets).where(video_assets.c.asset_id == asset_id))
