"""SQLAlchemy models of the seed's four tables, plus ``scripts`` and ``video_assets``.

Columns, nullability, defaults and index names follow spec/data-model.md, except that durations
are floats (sub-second precision matters for audio/video sync) and a video points at the job
that produced it (one video per format: a job may make an MP4 and a WebM). Every rule the
database can check is a named CHECK constraint, so a row written by any client obeys the model;
the richer rules (file exists, metadata keys) live in ``db.validation`` and run in the methods
below before any attribute changes.

JSON columns are not mutation-tracked: assign a new dict instead of editing one in place.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from reelflow.db.column_types import EnumText, JSONType, UTCDateTime
from reelflow.db.policies import default_access_permissions, default_cleanup_policy
from reelflow.db.states import (
    TERMINAL_JOB_STATES,
    TERMINAL_VIDEO_STATES,
    AssetType,
    JobStatus,
    ScriptKind,
    SourceType,
    StorageType,
    VideoStatus,
    transition_job,
    transition_video,
)
from reelflow.db.validation import (
    FileExists,
    validate_access_permissions,
    validate_job,
    validate_progress,
    validate_storage,
    validate_timestamps,
    validate_video,
)
from reelflow.errors import InvalidTransition
from reelflow.vocabulary import VIDEO_FORMATS

# Why a convention: constraint names must be the same on SQLite and PostgreSQL so that
# migrations can name them, and errors mentioning them read the same on both.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

JsonDict = dict[str, Any]


def one_of(column: str, enum_class: type[StrEnum]) -> str:
    """Given a column and a StrEnum, returns the SQL condition "column IN (its values)"."""
    return f"{column} IN ({', '.join(repr(member.value) for member in enum_class)})"


class Base(DeclarativeBase):
    """Declarative base of every reelflow table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


video_assets = Table(
    "video_assets",
    Base.metadata,
    Column(
        "video_id", Uuid, ForeignKey("generated_videos.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("asset_id", Uuid, ForeignKey("media_assets.id", ondelete="CASCADE"), primary_key=True),
    Index("idx_video_assets_asset", "asset_id"),
)


class ScriptRecord(Base):
    """A script as the user gave it: the source of one or more jobs and videos.

    Named ...Record to keep it apart from ``engine.script.Script``, the parsed scene plan.
    """

    __tablename__ = "scripts"
    __table_args__ = (
        CheckConstraint(one_of("kind", ScriptKind), name="kind"),
        Index("idx_scripts_sha256", "sha256"),
        Index("idx_scripts_session", "session_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    title: Mapped[str] = mapped_column(String(256))
    kind: Mapped[ScriptKind] = mapped_column(EnumText(ScriptKind, 16))
    source_name: Mapped[str | None] = mapped_column(String(512))
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[str] = mapped_column(Text)
    session_id: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    jobs: Mapped[list[VideoGenerationJob]] = relationship(
        back_populates="script", cascade="all, delete-orphan", passive_deletes=True
    )
    videos: Mapped[list[GeneratedVideo]] = relationship(
        back_populates="script", cascade="all, delete-orphan", passive_deletes=True
    )

    @classmethod
    def from_text(
        cls,
        *,
        title: str,
        kind: ScriptKind,
        content: str,
        session_id: str,
        now: datetime,
        source_name: str | None = None,
        id: uuid.UUID | None = None,
    ) -> ScriptRecord:
        """Given a script's text and provenance, returns a new ScriptRecord with its sha256 set."""
        validate_timestamps("created_at", now, "created_at", None)
        return cls(
            id=id or uuid.uuid4(),
            title=title,
            kind=ScriptKind(kind),
            source_name=source_name,
            sha256=hashlib.sha256(content.encode("utf-8")).hexdigest(),
            content=content,
            session_id=session_id,
            created_at=now,
        )


class VideoGenerationJob(Base):
    """One run of the generation workflow; its id is the Prefect flow-run id."""

    __tablename__ = "video_generation_jobs"
    __table_args__ = (
        CheckConstraint(one_of("status", JobStatus), name="status"),
        CheckConstraint("progress_percentage BETWEEN 0 AND 100", name="progress_range"),
        CheckConstraint(
            "completed_at IS NULL OR completed_at >= started_at", name="completed_after_started"
        ),
        CheckConstraint("status <> 'FAILED' OR error_message IS NOT NULL", name="failed_has_error"),
        CheckConstraint(
            "status <> 'COMPLETED' OR resource_usage IS NOT NULL", name="completed_has_usage"
        ),
        Index("idx_video_jobs_session", "session_id"),
        Index("idx_video_jobs_status", "status"),
        Index("idx_video_jobs_script", "script_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    session_id: Mapped[str] = mapped_column(String(128))
    script_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("scripts.id", ondelete="CASCADE"))
    status: Mapped[JobStatus] = mapped_column(EnumText(JobStatus, 32))
    progress_percentage: Mapped[int | None] = mapped_column(
        Integer, default=0, server_default=text("0")
    )
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error_message: Mapped[str | None] = mapped_column(Text)
    resource_usage: Mapped[JsonDict | None] = mapped_column(JSONType)
    composition_settings: Mapped[JsonDict | None] = mapped_column(JSONType)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    script: Mapped[ScriptRecord] = relationship(back_populates="jobs")
    assets: Mapped[list[MediaAsset]] = relationship(
        back_populates="job", cascade="all, delete-orphan", passive_deletes=True
    )
    videos: Mapped[list[GeneratedVideo]] = relationship(back_populates="job", passive_deletes=True)

    @classmethod
    def start(
        cls,
        *,
        script_id: uuid.UUID,
        session_id: str,
        now: datetime,
        id: uuid.UUID | None = None,
        composition_settings: JsonDict | None = None,
    ) -> VideoGenerationJob:
        """Given a script and the start time, returns a PENDING job at 0 % (id: flow-run id)."""
        validate_timestamps("started_at", now, "completed_at", None)
        return cls(
            id=id or uuid.uuid4(),
            script_id=script_id,
            session_id=session_id,
            status=JobStatus.PENDING,
            progress_percentage=0,
            started_at=now,
            composition_settings=composition_settings,
        )

    @property
    def progress(self) -> int:
        """The progress in percent; a NULL in the database reads as 0."""
        return self.progress_percentage or 0

    @property
    def is_finished(self) -> bool:
        """Whether the job is COMPLETED or FAILED, after which nothing about it changes."""
        return self.status in TERMINAL_JOB_STATES

    def move_to(self, status: JobStatus, now: datetime) -> None:
        """Given a target status and the time, moves the job there; same status is a no-op.

        Entering a terminal status stamps completed_at. Raises InvalidTransition if the
        lifecycle forbids the move, RecordInvalid if the job would break a rule (e.g. FAILED
        needs an error message: use ``fail``; COMPLETED needs resource usage: use ``complete``).
        """
        if status == self.status:
            return
        target = transition_job(self.status, status)
        completed_at = now if target in TERMINAL_JOB_STATES else self.completed_at
        validate_job(
            target,
            self.progress,
            self.started_at,
            completed_at,
            self.error_message,
            self.resource_usage,
        )
        self.status, self.completed_at = target, completed_at

    def fail(self, message: str, now: datetime) -> None:
        """Given an error message and the time, marks the job FAILED.

        A job that already FAILED keeps its first message (a rerun of the failure hook is a
        no-op). Raises InvalidTransition for a COMPLETED job, RecordInvalid for a blank message.
        """
        if self.status == JobStatus.FAILED:
            return
        target = transition_job(self.status, JobStatus.FAILED)
        validate_job(target, self.progress, self.started_at, now, message, self.resource_usage)
        self.status, self.completed_at, self.error_message = target, now, message

    def complete(self, resource_usage: JsonDict, now: datetime) -> None:
        """Given the run's resource usage and the time, marks the job COMPLETED at 100 %.

        A job already COMPLETED is left as it is. Raises InvalidTransition unless the job is in
        VIDEO_COMPOSITION, RecordInvalid if resource_usage lacks a metric or one is negative.
        """
        if self.status == JobStatus.COMPLETED:
            return
        target = transition_job(self.status, JobStatus.COMPLETED)
        validate_job(target, 100, self.started_at, now, self.error_message, resource_usage)
        self.status, self.completed_at, self.progress_percentage = target, now, 100
        self.resource_usage = dict(resource_usage)

    def set_progress(self, progress: int) -> None:
        """Given a percentage, records it; raises RecordInvalid outside 0..100.

        Raises InvalidTransition if the job is finished and the value differs (a finished job's
        progress is final); setting the same value again is a no-op.
        """
        progress = validate_progress(progress)
        if progress == self.progress_percentage:
            return
        if self.is_finished:
            raise InvalidTransition(f"the job is {self.status}; its progress can no longer change")
        self.progress_percentage = progress


class MediaAsset(Base):
    """One image, narration, clip or overlay a job produced or used."""

    __tablename__ = "media_assets"
    __table_args__ = (
        CheckConstraint(one_of("asset_type", AssetType), name="asset_type"),
        CheckConstraint(one_of("source_type", SourceType), name="source_type"),
        CheckConstraint("duration IS NULL OR duration > 0", name="duration_positive"),
        CheckConstraint(
            "asset_type NOT IN ('AUDIO', 'VIDEO_CLIP') OR duration IS NOT NULL",
            name="timed_has_duration",
        ),
        UniqueConstraint("generation_job_id", "file_path", name="uq_media_assets_job_path"),
        Index("idx_media_assets_job", "generation_job_id"),
        Index("idx_media_assets_type", "asset_type"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    asset_type: Mapped[AssetType] = mapped_column(EnumText(AssetType, 16))
    file_path: Mapped[str] = mapped_column(String(512))
    url_path: Mapped[str] = mapped_column(String(256))
    duration: Mapped[float | None] = mapped_column(Float)
    # "metadata" is reserved on declarative classes; the column keeps the seed's name.
    asset_metadata: Mapped[JsonDict | None] = mapped_column("metadata", JSONType)
    source_type: Mapped[SourceType] = mapped_column(EnumText(SourceType, 16))
    creation_timestamp: Mapped[datetime] = mapped_column(UTCDateTime)
    generation_job_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("video_generation_jobs.id", ondelete="CASCADE")
    )

    job: Mapped[VideoGenerationJob] = relationship(back_populates="assets")
    videos: Mapped[list[GeneratedVideo]] = relationship(
        secondary=video_assets, back_populates="assets", passive_deletes=True
    )


class GeneratedVideo(Base):
    """A final video file of a job, with what was measured about it: one per format the job
    renders (an MP4 and a WebM of one script are two rows of one job)."""

    __tablename__ = "generated_videos"
    __table_args__ = (
        CheckConstraint(one_of("generation_status", VideoStatus), name="generation_status"),
        CheckConstraint(
            f"format IN ({', '.join(repr(name) for name in VIDEO_FORMATS)})", name="format"
        ),
        UniqueConstraint("generation_job_id", "format", name="uq_generated_videos_job_format"),
        Index("idx_generated_videos_job", "generation_job_id"),
        CheckConstraint("duration > 0", name="duration_positive"),
        CheckConstraint("file_size IS NULL OR file_size >= 0", name="file_size_non_negative"),
        CheckConstraint(
            "generation_status <> 'COMPLETED' OR (file_size IS NOT NULL AND file_size > 0)",
            name="completed_has_file_size",
        ),
        CheckConstraint(
            "completion_timestamp IS NULL OR completion_timestamp >= creation_timestamp",
            name="completed_after_created",
        ),
        Index("idx_generated_videos_session", "session_id"),
        Index("idx_generated_videos_script", "script_id"),
        Index("idx_generated_videos_status", "generation_status"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    file_path: Mapped[str] = mapped_column(String(512))
    url_path: Mapped[str] = mapped_column(String(256))
    title: Mapped[str] = mapped_column(String(256))
    duration: Mapped[float] = mapped_column(Float)
    resolution: Mapped[str] = mapped_column(String(16))
    file_size: Mapped[int | None] = mapped_column(BigInteger)
    format: Mapped[str] = mapped_column(String(16))
    creation_timestamp: Mapped[datetime] = mapped_column(UTCDateTime)
    completion_timestamp: Mapped[datetime | None] = mapped_column(UTCDateTime)
    generation_status: Mapped[VideoStatus] = mapped_column(EnumText(VideoStatus, 16))
    script_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("scripts.id", ondelete="CASCADE"))
    session_id: Mapped[str] = mapped_column(String(128))
    generation_job_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("video_generation_jobs.id", ondelete="SET NULL")
    )

    script: Mapped[ScriptRecord] = relationship(back_populates="videos")
    job: Mapped[VideoGenerationJob | None] = relationship(back_populates="videos")
    assets: Mapped[list[MediaAsset]] = relationship(
        secondary=video_assets, back_populates="videos", passive_deletes=True
    )

    @classmethod
    def plan(
        cls,
        *,
        job: VideoGenerationJob,
        file_path: str,
        url_path: str,
        title: str,
        duration: float,
        resolution: str,
        format: str,
        now: datetime,
        id: uuid.UUID | None = None,
    ) -> GeneratedVideo:
        """Given a job and the planned output, returns a PENDING video for that job.

        Raises RecordInvalid if the planned duration or resolution breaks a rule.
        """
        validate_video(VideoStatus.PENDING, file_path, duration, resolution, None, False)
        validate_timestamps("creation_timestamp", now, "completion_timestamp", None)
        return cls(
            id=id or uuid.uuid4(),
            file_path=file_path,
            url_path=url_path,
            title=title,
            duration=float(duration),
            resolution=resolution,
            format=format,
            creation_timestamp=now,
            generation_status=VideoStatus.PENDING,
            script_id=job.script_id,
            session_id=job.session_id,
            generation_job_id=job.id,
        )

    def move_to(self, status: VideoStatus, now: datetime) -> None:
        """Given a target status and the time, moves the video there; same status is a no-op.

        Entering a terminal status stamps completion_timestamp. Raises InvalidTransition if the
        lifecycle forbids the move, RecordInvalid if the video would break a rule (COMPLETED
        needs a file and its size: use ``complete``).
        """
        if status == self.generation_status:
            return
        target = transition_video(self.generation_status, status)
        ended = now if target in TERMINAL_VIDEO_STATES else self.completion_timestamp
        validate_timestamps(
            "creation_timestamp", self.creation_timestamp, "completion_timestamp", ended
        )
        validate_video(
            target, self.file_path, self.duration, self.resolution, self.file_size, os.path.isfile
        )
        self.generation_status, self.completion_timestamp = target, ended

    def complete(
        self,
        file_size: int,
        duration: float,
        now: datetime,
        file_exists: FileExists = os.path.isfile,
        resolution: str | None = None,
    ) -> None:
        """Given the measured file, marks the video COMPLETED; already COMPLETED is a no-op.

        Raises InvalidTransition unless GENERATING; RecordInvalid if the file does not exist
        (asked through ``file_exists``), its size is not positive or its duration not > 0.
        """
        if self.generation_status == VideoStatus.COMPLETED:
            return
        target = transition_video(self.generation_status, VideoStatus.COMPLETED)
        resolution = resolution or self.resolution
        validate_video(target, self.file_path, duration, resolution, file_size, file_exists)
        validate_timestamps(
            "creation_timestamp", self.creation_timestamp, "completion_timestamp", now
        )
        self.generation_status, self.completion_timestamp = target, now
        self.file_size, self.duration, self.resolution = file_size, float(duration), resolution

    def fail(self, now: datetime) -> None:
        """Given the time, marks the video FAILED; already FAILED is a no-op.

        Raises InvalidTransition for a COMPLETED video.
        """
        if self.generation_status == VideoStatus.FAILED:
            return
        target = transition_video(self.generation_status, VideoStatus.FAILED)
        validate_timestamps(
            "creation_timestamp", self.creation_timestamp, "completion_timestamp", now
        )
        self.generation_status, self.completion_timestamp = target, now


class MediaStorage(Base):
    """Usage counters and policies of one directory of the media root."""

    __tablename__ = "media_storage"
    __table_args__ = (
        CheckConstraint(one_of("storage_type", StorageType), name="storage_type"),
        CheckConstraint("total_size_bytes >= 0", name="total_size_non_negative"),
        CheckConstraint("file_count >= 0", name="file_count_non_negative"),
        # One row per directory kind, so concurrent ensure_defaults() cannot duplicate it.
        UniqueConstraint("storage_type", name="uq_media_storage_storage_type"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    directory_path: Mapped[str] = mapped_column(String(512))
    storage_type: Mapped[StorageType] = mapped_column(EnumText(StorageType, 16))
    total_size_bytes: Mapped[int | None] = mapped_column(
        BigInteger, default=0, server_default=text("0")
    )
    file_count: Mapped[int | None] = mapped_column(Integer, default=0, server_default=text("0"))
    last_cleanup: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cleanup_policy: Mapped[JsonDict | None] = mapped_column(JSONType)
    access_permissions: Mapped[JsonDict | None] = mapped_column(JSONType)

    @classmethod
    def for_type(cls, storage_type: StorageType, directory: Path) -> MediaStorage:
        """Given a storage type and its absolute directory, returns an empty record with the
        type's default policy and permissions; raises RecordInvalid if the path is relative."""
        policy = default_cleanup_policy(storage_type)
        permissions = default_access_permissions(storage_type)
        validate_storage(str(directory), 0, 0, policy)
        validate_access_permissions(permissions)
        return cls(
            id=uuid.uuid4(),
            directory_path=str(directory),
            storage_type=StorageType(storage_type),
            total_size_bytes=0,
            file_count=0,
            cleanup_policy=policy,
            access_permissions=permissions,
        )


class MediaRootIdentity(Base):
    """Whose media root this is: the id written in the marker file at the media root's top
    when this database first opened it. One row (``name`` is always "media_root").

    Why: cleanup deletes what no row of this database records; pointed at another
    installation's media root, it would delete that installation's videos. Every command that
    deletes compares the marker with this row first.
    """

    __tablename__ = "media_root_identity"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    marker_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    directory_path: Mapped[str] = mapped_column(String(512))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


# The name the brief and some callers use; ScriptRecord avoids a clash with engine.script.Script.
Script = ScriptRecord
