"""Small repositories over one Session: the only place that writes SQL for the models.

They never commit; the unit of work does. Reads that miss raise NotFound, so callers do not
check for None unless the absence is a normal answer (``find_by_sha256``, ``get_for_job``).
"""

from __future__ import annotations

import builtins
import os
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import case, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from reelflow.db.integrity import database_refusals_as_record_invalid
from reelflow.db.models import (
    GeneratedVideo,
    MediaAsset,
    MediaRootIdentity,
    MediaStorage,
    ScriptRecord,
    VideoGenerationJob,
)
from reelflow.db.policies import STORAGE_DIRECTORY
from reelflow.db.states import (
    TERMINAL_JOB_STATES,
    AssetType,
    SourceType,
    StorageType,
    VideoStatus,
)
from reelflow.db.validation import (
    PERMISSION_KEYS,
    POLICY_KEYS,
    FileExists,
    validate_access_permissions,
    validate_asset,
    validate_cleanup_policy,
    validate_counters,
)
from reelflow.errors import NotFound, RecordInvalid, StorageError

IDENTITY_NAME = "media_root"

# composition_settings key that marks a job recording an upload rather than a render.
INGEST_KEY = "ingest"


def _insert(session: Session) -> Any:
    """The dialect's INSERT, which offers ON CONFLICT on both SQLite and PostgreSQL."""
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


class ScriptRepository:
    """Scripts as the users gave them."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, script: ScriptRecord) -> None:
        """Given a new script, stages it for insertion."""
        self.session.add(script)

    def get(self, script_id: uuid.UUID) -> ScriptRecord:
        """Given an id, returns its script; raises NotFound."""
        script = self.session.get(ScriptRecord, script_id)
        if script is None:
            raise NotFound(f"no script with id {script_id}")
        return script

    def find_by_sha256(self, sha256: str, session_id: str) -> ScriptRecord | None:
        """Given a content hash and a user session, returns that session's newest script with
        the same text, or None (so an upload repeated within a session is stored once)."""
        query = (
            select(ScriptRecord)
            .where(ScriptRecord.sha256 == sha256, ScriptRecord.session_id == session_id)
            .order_by(ScriptRecord.created_at.desc())
            .limit(1)
        )
        return self.session.scalars(query).first()


class JobRepository:
    """Video generation jobs."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, job: VideoGenerationJob) -> None:
        """Given a new job, stages it for insertion."""
        self.session.add(job)

    def find(self, job_id: uuid.UUID, *, for_update: bool = False) -> VideoGenerationJob | None:
        """Given an id, returns its job, or None if there is none (e.g. before a rerun's start).

        With ``for_update`` the job is freshly read and locked until the transaction ends:
        SELECT ... FOR UPDATE on PostgreSQL, so two workers cannot both move one job. SQLite has
        no row locks, but reelflow's SQLite transactions already hold the write lock (BEGIN
        IMMEDIATE), which serialises writers just the same.
        """
        if not for_update:
            return self.session.get(VideoGenerationJob, job_id)
        lock = self.session.get_bind().dialect.name == "postgresql"
        return self.session.get(
            VideoGenerationJob, job_id, with_for_update=lock, populate_existing=True
        )

    def get(self, job_id: uuid.UUID) -> VideoGenerationJob:
        """Given an id, returns its job; raises NotFound."""
        job = self.find(job_id)
        if job is None:
            raise NotFound(f"no video generation job with id {job_id}")
        return job

    def get_for_update(self, job_id: uuid.UUID) -> VideoGenerationJob:
        """Given an id, returns its job freshly read and locked (see ``find``); raises
        NotFound."""
        job = self.find(job_id, for_update=True)
        if job is None:
            raise NotFound(f"no video generation job with id {job_id}")
        return job

    def list(
        self, session_id: str | None = None, limit: int = 50, *, include_ingest: bool = False
    ) -> builtins.list[VideoGenerationJob]:
        """Returns up to ``limit`` jobs, newest first, of one user session if given.

        Ingest jobs (the record of an upload: ``composition_settings.ingest`` set) are left out
        unless ``include_ingest``.
        """
        query = select(VideoGenerationJob).order_by(
            VideoGenerationJob.started_at.desc(), VideoGenerationJob.id
        )
        if session_id is not None:
            query = query.where(VideoGenerationJob.session_id == session_id)
        if not include_ingest:
            query = query.where(
                VideoGenerationJob.composition_settings[INGEST_KEY].as_string().is_(None))
        return builtins.list(self.session.scalars(query.limit(limit)))

    def unfinished(self) -> builtins.list[VideoGenerationJob]:
        """Returns every job not yet COMPLETED or FAILED, oldest first."""
        query = (
            select(VideoGenerationJob)
            .where(VideoGenerationJob.status.not_in(list(TERMINAL_JOB_STATES)))
            .order_by(VideoGenerationJob.started_at)
        )
        return builtins.list(self.session.scalars(query))


class AssetRepository:
    """Media assets, one row per (job, file)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def upsert(
        self,
        job_id: uuid.UUID,
        file_path: str,
        *,
        asset_type: AssetType,
        url_path: str,
        source_type: SourceType,
        asset_metadata: dict[str, Any],
        duration: float | None = None,
        creation_timestamp: datetime | None = None,
        file_exists: FileExists = os.path.exists,
        id: uuid.UUID | None = None,
    ) -> MediaAsset:
        """Given a job, a file and its description (MediaAsset's attribute names), returns the
        job's one asset row for that file, inserted or updated in place.

        Keyed on (job, file_path), atomically (INSERT ... ON CONFLICT), so a retried task, or two
        racing ones, never leave two rows for one file; a rerun keeps the first row's id and
        creation_timestamp (default: now); ``id`` names a new row (default: a random id).
        Raises RecordInvalid if the asset breaks a rule (file missing, asked through
        ``file_exists``; duration; metadata keys) or the job does not exist.
        """
        asset_type, source_type = AssetType(asset_type), SourceType(source_type)
        validate_asset(asset_type, file_path, duration, asset_metadata, file_exists)
        changes: dict[str, Any] = {
            "asset_type": asset_type,
            "url_path": url_path,
            "source_type": source_type,
            "asset_metadata": dict(asset_metadata),
            "duration": None if duration is None else float(duration),
        }
        insert = _insert(self.session)
        statement = insert(MediaAsset).values(
            id=id or uuid.uuid4(),
            generation_job_id=job_id,
            file_path=file_path,
            creation_timestamp=creation_timestamp or datetime.now(UTC),
            **changes,
        )
        # ON CONFLICT speaks column names; "asset_metadata" is stored in the column "metadata".
        columns = [MediaAsset.__mapper__.columns[attr].name for attr in changes]
        statement = statement.on_conflict_do_update(
            index_elements=["generation_job_id", "file_path"],
            set_={name: statement.excluded[name] for name in columns},
        ).returning(MediaAsset)
        with database_refusals_as_record_invalid():
            asset: MediaAsset = self.session.scalars(
                statement, execution_options={"populate_existing": True}
            ).one()
        return asset

    def for_job(self, job_id: uuid.UUID) -> builtins.list[MediaAsset]:
        """Given a job id, returns its assets, oldest first."""
        query = (
            select(MediaAsset)
            .where(MediaAsset.generation_job_id == job_id)
            .order_by(MediaAsset.creation_timestamp, MediaAsset.file_path)
        )
        return builtins.list(self.session.scalars(query))


class VideoRepository:
    """Generated videos."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, video: GeneratedVideo) -> None:
        """Given a new video, stages it for insertion."""
        self.session.add(video)

    def get(self, video_id: uuid.UUID) -> GeneratedVideo:
        """Given an id, returns its video; raises NotFound."""
        video = self.session.get(GeneratedVideo, video_id)
        if video is None:
            raise NotFound(f"no generated video with id {video_id}")
        return video

    def for_job(self, job_id: uuid.UUID) -> builtins.list[GeneratedVideo]:
        """Given a job id, returns the videos that job produces (one per format), in the order
        they were planned; empty when it has none yet."""
        query = (
            select(GeneratedVideo)
            .where(GeneratedVideo.generation_job_id == job_id)
            .order_by(GeneratedVideo.creation_timestamp, GeneratedVideo.format)
        )
        return builtins.list(self.session.scalars(query))

    def get_for_job(
        self, job_id: uuid.UUID, video_format: str | None = None
    ) -> GeneratedVideo | None:
        """Given a job id, returns its video of ``video_format`` (default: its first video),
        or None if it has none yet."""
        videos = self.for_job(job_id)
        if video_format is not None:
            videos = [video for video in videos if video.format == video_format]
        return videos[0] if videos else None

    def completed(
        self, session_id: str | None = None, limit: int = 50
    ) -> builtins.list[GeneratedVideo]:
        """Returns up to ``limit`` COMPLETED videos, newest first, of one session if given."""
        query = (
            select(GeneratedVideo)
            .where(GeneratedVideo.generation_status == VideoStatus.COMPLETED)
            .order_by(GeneratedVideo.completion_timestamp.desc(), GeneratedVideo.id)
        )
        if session_id is not None:
            query = query.where(GeneratedVideo.session_id == session_id)
        return builtins.list(self.session.scalars(query.limit(limit)))


class StorageRepository:
    """Media storage records: one per storage type."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def ensure_defaults(self, root: Path) -> builtins.list[MediaStorage]:
        """Given the media root, returns one record per storage type, creating missing ones.

        A new record points at ``root/<videos|images|audio|temp|stock>`` (absolute, directory
        created) with the type's default policy and permissions. Existing records are returned
        as they are, even if they point elsewhere: an operator may have moved a directory.
        Safe to run concurrently (INSERT ... ON CONFLICT DO NOTHING). Raises StorageError
        naming the folder when one cannot be created.
        """
        root = Path(root).expanduser().resolve()
        insert = _insert(self.session)
        for storage_type in StorageType:
            directory = root / STORAGE_DIRECTORY[storage_type]
            try:
                directory.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StorageError(f"cannot create the storage folder {directory}: "
                                   f"{exc.strerror or exc}") from exc
            record = MediaStorage.for_type(storage_type, directory)
            values = {
                attr: getattr(record, attr)
                for attr in (
                    "id",
                    "directory_path",
                    "storage_type",
                    "total_size_bytes",
                    "file_count",
                    "cleanup_policy",
                    "access_permissions",
                )
            }
            statement = (
                insert(MediaStorage)
                .values(**values)
                .on_conflict_do_nothing(index_elements=[MediaStorage.__table__.c.storage_type])
            )
            with database_refusals_as_record_invalid():
                self.session.execute(statement)
        return self.all()

    def identity(self) -> MediaRootIdentity | None:
        """Returns the recorded identity of this database's media root, or None."""
        return self.session.get(MediaRootIdentity, IDENTITY_NAME)

    def record_identity(self, marker_id: uuid.UUID, root: Path, now: datetime) -> bool:
        """Records the media root's identity unless one is recorded; returns whether this call
        recorded it. Concurrent callers queue on the row's key; one wins."""
        insert = _insert(self.session)
        statement = insert(MediaRootIdentity).values(
            name=IDENTITY_NAME, marker_id=marker_id, directory_path=str(root), created_at=now,
        ).on_conflict_do_nothing(index_elements=["name"])
        with database_refusals_as_record_invalid():
            result = self.session.execute(statement)
        return bool(getattr(result, "rowcount", 0))

    def all(self) -> builtins.list[MediaStorage]:
        """Returns every storage record, in StorageType order."""
        order = case(
            {t.value: i for i, t in enumerate(StorageType)}, value=MediaStorage.storage_type
        )
        return builtins.list(self.session.scalars(select(MediaStorage).order_by(order)))

    def get(self, storage_type: StorageType) -> MediaStorage:
        """Given a storage type, returns its record; raises NotFound (run ensure_defaults)."""
        query = select(MediaStorage).where(MediaStorage.storage_type == StorageType(storage_type))
        record = self.session.scalars(query).one_or_none()
        if record is None:
            raise NotFound(f"no media storage record for {storage_type}")
        return record

    def lock(self, *storage_types: StorageType) -> None:
        """Locks the records of the given storage types (every type when none is given) until
        the transaction ends; raises NotFound if one is missing.

        Everything that changes what a folder holds and its counters together (recording a
        file, deleting one, a rescan) takes this lock first, so a rescan never counts a file
        twice. PostgreSQL: SELECT ... FOR UPDATE, rows always taken in the same order, so two
        lockers cannot deadlock. SQLite: the select starts the unit of work's BEGIN IMMEDIATE, which
        holds the database's one write lock.
        """
        wanted = sorted({StorageType(t) for t in storage_types} or set(StorageType))
        query = (
            select(MediaStorage.storage_type)
            .where(MediaStorage.storage_type.in_(wanted))
            .order_by(MediaStorage.id)
        )
        if self.session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update()
        found = set(self.session.scalars(query))
        missing = [t for t in wanted if t not in found]
        if missing:
            raise NotFound(f"no media storage record for {', '.join(missing)}")

    def update_settings(
        self,
        storage_type: StorageType,
        *,
        cleanup_policy: dict[str, Any] | None = None,
        access_permissions: dict[str, Any] | None = None,
    ) -> MediaStorage:
        """Given a storage type and new values for some policy or permission keys, merges them
        into the record's settings and returns it.

        Raises RecordInvalid naming the key if the merged settings break a rule (unknown key,
        wrong type, non-positive limit), NotFound if there is no record.
        """
        record = self.get(storage_type)
        if cleanup_policy:
            policy = {**(record.cleanup_policy or {}), **cleanup_policy}
            _refuse_unknown("cleanup_policy", policy, POLICY_KEYS)
            validate_cleanup_policy(policy)
            record.cleanup_policy = policy
        if access_permissions:
            permissions = {**(record.access_permissions or {}), **access_permissions}
            _refuse_unknown("access_permissions", permissions, PERMISSION_KEYS)
            validate_access_permissions(permissions)
            record.access_permissions = permissions
        return record

    def add_usage(
        self, storage_type: StorageType, bytes_delta: int, files_delta: int
    ) -> tuple[int, int]:
        """Given a storage type and changes in bytes and files (negative when deleting),
        applies them in one SQL UPDATE and returns the new (total_size_bytes, file_count).

        Atomic, so concurrent writers never lose an update. A counter never drops below zero:
        a delete of a file that was never counted clamps at 0 rather than failing the delete
        (re-accounting with ``set_usage`` repairs the totals). Raises NotFound.
        """
        statement = (
            update(MediaStorage)
            .where(MediaStorage.storage_type == StorageType(storage_type))
            .values(
                total_size_bytes=_clamped_sum(MediaStorage.total_size_bytes, bytes_delta),
                file_count=_clamped_sum(MediaStorage.file_count, files_delta),
            )
            .returning(MediaStorage.total_size_bytes, MediaStorage.file_count)
            .execution_options(synchronize_session="fetch")
        )
        row = self.session.execute(statement).one_or_none()
        if row is None:
            raise NotFound(f"no media storage record for {storage_type}")
        return int(row[0] or 0), int(row[1] or 0)

    def set_usage(
        self,
        storage_type: StorageType,
        total_size_bytes: int,
        file_count: int,
        cleaned_at: datetime | None = None,
    ) -> MediaStorage:
        """Given measured totals (and the time of a cleanup, if one ran), overwrites the
        record's counters and returns it; raises RecordInvalid if negative, NotFound."""
        record = self.get(storage_type)
        validate_counters(total_size_bytes, file_count)
        record.total_size_bytes, record.file_count = total_size_bytes, file_count
        if cleaned_at is not None:
            record.last_cleanup = cleaned_at
        return record


def _refuse_unknown(field: str, values: dict[str, Any], known: tuple[str, ...]) -> None:
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise RecordInvalid(
            f"{field} has no key {', '.join(unknown)}; known keys: {', '.join(known)}"
        )


def _clamped_sum(column: Any, delta: int) -> Any:
    total = func.coalesce(column, 0) + delta
    return case((total < 0, 0), else_=total)
