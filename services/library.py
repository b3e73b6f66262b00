"""Files people bring: an upload (or a stock item) becomes a MediaAsset that scripts can use.

The seed makes every asset belong to a generation job, so each ingested file is recorded by
an *ingest job*: a VideoGenerationJob created COMPLETED at once, with
``composition_settings.ingest`` naming where the file came from, a minimal ScriptRecord it
references, and the one asset. Job lists leave ingest jobs out (``JobRepository.list``).

Accounting stays exact because the file enters the media root in the transaction that records
and counts it, under its storage type's lock: before that it waits in ``staging_folder``,
outside the media root, where no rescan counts it.
"""

from __future__ import annotations

import errno
import shutil
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reelflow.db.models import ScriptRecord, VideoGenerationJob
from reelflow.db.repositories import INGEST_KEY
from reelflow.db.states import AssetType, JobStatus, ScriptKind, SourceType, StorageType
from reelflow.engine.sniff import MediaKind, sniff
from reelflow.errors import InvalidMedia
from reelflow.files import atomic_output, publish
from reelflow.services.runtime import database, layout, utcnow
from reelflow.settings import Settings
from reelflow.storage.accounting import record_asset

STORAGE_OF: Mapping[MediaKind, StorageType] = {
    "image": StorageType.IMAGES, "audio": StorageType.AUDIO, "video": StorageType.VIDEOS}
ASSET_TYPE_OF: Mapping[MediaKind, AssetType] = {
    "image": AssetType.IMAGE, "audio": AssetType.AUDIO, "video": AssetType.VIDEO_CLIP}
STALE_STAGING_SECONDS = 86_400.0


@dataclass(frozen=True)
class Ingested:
    """The asset an ingested file became, and the ingest job that records it."""

    asset_id: uuid.UUID
    job_id: uuid.UUID
    kind: MediaKind
    asset_type: AssetType
    file_path: str
    url_path: str
    size: int
    duration: float | None
    metadata: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {"asset_id": str(self.asset_id), "job_id": str(self.job_id), "kind": self.kind,
                "asset_type": str(self.asset_type), "file_path": self.file_path,
                "url_path": self.url_path, "file_size": self.size, "duration": self.duration,
                "metadata": self.metadata}


def staging_folder(settings: Settings) -> Path:
    """Returns the folder where incoming files wait before they are ingested (outside the
    media root, so no counter sees them), after removing leftovers older than a day."""
    folder = settings.home / "staging"
    folder.mkdir(parents=True, exist_ok=True)
    cutoff = time.time() - STALE_STAGING_SECONDS
    for leftover in folder.iterdir():
        try:
            if leftover.is_file() and leftover.stat().st_mtime < cutoff:
                leftover.unlink()
        except FileNotFoundError:
            continue
    return folder


def ingest(settings: Settings, source: Path, *, original_name: str, session_id: str,
           source_type: SourceType = SourceType.USER_UPLOADED, expect: MediaKind | None = None,
           folder: Callable[[StorageType], Path] | None = None, keep_source: bool = False,
           metadata: Mapping[str, Any] | None = None,
           authorize: Callable[[StorageType], None] | None = None) -> Ingested:
    """Given a file, records it as an asset of a new, COMPLETED ingest job; returns the asset.

    The kind comes from the content (``engine.sniff``); the file is stored as
    ``<folder(kind)>/<asset id><extension>`` (default folder: ``MediaLayout.uploads``),
    moved there unless ``keep_source``, and counted in storage in the same transaction.
    ``authorize`` is asked about the storage type the content showed before anything is
    written (it raises to refuse). Raises InvalidMedia when the file is not an accepted
    image, audio or video (or not the ``expect``ed kind), RecordInvalid or DatabaseError when
    it cannot be recorded (the file is then not left in the media root).
    """
    found = sniff(source)
    if expect is not None and found.kind != expect:
        raise InvalidMedia(f"expected {'an' if expect == 'image' else 'a'} {expect} file, "
                           f"got {'an' if found.kind == 'image' else 'a'} {found.kind} file")
    media = layout(settings)
    storage = STORAGE_OF[found.kind]
    if authorize is not None:
        authorize(storage)
    asset_id, now = uuid.uuid4(), utcnow()
    final = (folder or media.uploads)(storage) / f"{asset_id}{found.extension}"
    final.parent.mkdir(parents=True, exist_ok=True)
    origin = "upload" if source_type == SourceType.USER_UPLOADED else str(source_type).lower()
    script = ScriptRecord.from_text(
        title=original_name[:256] or "upload", kind=ScriptKind.UPLOADED, session_id=session_id,
        content=f"{origin}: {original_name}\n", source_name=original_name[:512] or None,
        now=now)
    job = VideoGenerationJob.start(script_id=script.id, session_id=session_id, now=now,
                                   composition_settings={INGEST_KEY: origin,
                                                         "kind": found.kind,
                                                         "original_name": original_name,
                                                         "asset_id": str(asset_id)})
    with database(settings).unit_of_work() as uow:
        uow.storage.lock(storage)
        _place(source, final, keep_source)
        try:
            uow.scripts.add(script)
            uow.jobs.add(job)
            job.move_to(JobStatus.MEDIA_GENERATION, now)
            job.move_to(JobStatus.VIDEO_COMPOSITION, now)
            uow.flush()
            described = {**found.metadata, **(metadata or {}), "original_name": original_name}
            asset = record_asset(uow, media, job.id, final, asset_type=ASSET_TYPE_OF[found.kind],
                                 url_path=media.url_path(final), source_type=source_type,
                                 asset_metadata=described, duration=found.duration,
                                 creation_timestamp=now, asset_id=asset_id)
            size = final.stat().st_size
            job.complete({"generation_time_seconds": 0.0, "peak_memory_mb": 0.0,
                          "cpu_time_seconds": 0.0,
                          "disk_space_used_mb": round(size / 2**20, 3)}, now)
            uow.commit()
        except BaseException:
            final.unlink(missing_ok=True)
            raise
    return Ingested(asset.id, job.id, found.kind, asset.asset_type, str(final),
                    asset.url_path, size, found.duration, dict(asset.asset_metadata or {}))


def _place(source: Path, final: Path, keep_source: bool) -> None:
    """Puts ``source`` at ``final``: renamed when it may be moved and the two share a file
    system, else copied through a partial file beside ``final``."""
    if not keep_source:
        try:
            publish(source, final)
            return
        except OSError as exc:
            if exc.errno != errno.EXDEV:
                raise
    with atomic_output(final) as temp:
        shutil.copyfile(source, temp)
    if not keep_source:
        source.unlink(missing_ok=True)
