"""Initial schema: scripts, jobs, media assets, generated videos, media storage.

The seed's four tables (spec/data-model.md) with its columns, defaults and seven indexes, plus
``scripts`` and ``video_assets``. Durations are floats, not the seed's INTEGER: sub-second
precision keeps narration and pictures in sync. Written by hand with plain types, so this file
never changes when the models do; tests/integration/test_db_schema.py proves it matches them.

Revision ID: 0001
Revises:
Create Date: 2025-09-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")


def check(name: str, condition: str) -> sa.CheckConstraint:
    """A CHECK constraint with a fixed name (``op.f``: not run through a naming convention)."""
    return sa.CheckConstraint(condition, name=op.f(name))


def upgrade() -> None:
    """Create every table, constraint and index of the initial schema."""
    op.create_table(
        "scripts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=256), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("source_name", sa.String(length=512), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("session_id", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scripts")),
        check("ck_scripts_kind", "kind IN ('INLINE', 'UPLOADED')"),
    )
    op.create_index("idx_scripts_sha256", "scripts", ["sha256"])
    op.create_index("idx_scripts_session", "scripts", ["session_id"])

    op.create_table(
        "media_storage",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("directory_path", sa.String(length=512), nullable=False),
        sa.Column("storage_type", sa.String(length=16), nullable=False),
        sa.Column("total_size_bytes", sa.BigInteger(), server_default=sa.text("0"), nullable=True),
        sa.Column("file_count", sa.Integer(), server_default=sa.text("0"), nullable=True),
        sa.Column("last_cleanup", sa.DateTime(), nullable=True),
        sa.Column("cleanup_policy", JSON, nullable=True),
        sa.Column("access_permissions", JSON, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_media_storage")),
        sa.UniqueConstraint("storage_type", name=op.f("uq_media_storage_storage_type")),
        check(
            "ck_media_storage_storage_type",
            "storage_type IN ('VIDEOS', 'IMAGES', 'AUDIO', 'TEMP', 'STOCK')",
        ),
        check("ck_media_storage_total_size_non_negative", "total_size_bytes >= 0"),
        check("ck_media_storage_file_count_non_negative", "file_count >= 0"),
    )

    op.create_table(
        "video_generation_jobs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("session_id", sa.String(length=128), nullable=False),
        sa.Column("script_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("progress_percentage", sa.Integer(), server_default=sa.text("0"), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("completed_at", sa.DateTime(), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("resource_usage", JSON, nullable=True),
        sa.Column("composition_settings", JSON, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_video_generation_jobs")),
        sa.ForeignKeyConstraint(
            ["script_id"],
            ["scripts.id"],
            name=op.f("fk_video_generation_jobs_script_id_scripts"),
            ondelete="CASCADE",
        ),
        check(
            "ck_video_generation_jobs_status",
            "status IN ('PENDING', 'MEDIA_GENERATION', 'VIDEO_COMPOSITION', 'COMPLETED', 'FAILED')",
        ),
        check("ck_video_generation_jobs_progress_range", "progress_percentage BETWEEN 0 AND 100"),
        check(
            "ck_video_generation_jobs_completed_after_started",
            "completed_at IS NULL OR completed_at >= started_at",
        ),
        check(
            "ck_video_generation_jobs_failed_has_error",
            "status <> 'FAILED' OR error_message IS NOT NULL",
        ),
        check(
            "ck_video_generation_jobs_completed_has_usage",
            "status <> 'COMPLETED' OR resource_usage IS NOT NULL",
        ),
    )
    op.create_index("idx_video_jobs_session", "video_generation_jobs", ["session_id"])
    op.create_index("idx_video_jobs_status", "video_generation_jobs", ["status"])
    op.create_index("idx_video_jobs_script", "video_generation_jobs", ["script_id"])

    op.create_table(
        "generated_videos",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("file_path", sa.String(length=512), nullable=False),
        sa.Column("url_path", sa.String(length=256), nullable=False),
        sa.Column("title", sa.String(length=256), nullable=False),
        sa.Column("duration", sa.Float(), nullable=False),
        sa.Column("resolution", sa.String(length=16), nullable=False),
        sa.Column("file_size", sa.BigInteger(), nullable=True),
        sa.Column("format", sa.String(length=16), nullable=False),
        sa.Column("creation_timestamp", sa.DateTime(), nullable=False),
        sa.Column("completion_timestamp", sa.DateTime(), nullable=True),
        sa.Column("generation_status", sa.String(length=16), nullable=False),
        sa.Column("script_id", sa.Uuid(), nullable=False),
        sa.Column("session_id", sa.String(length=128), nullable=False),
        sa.Column("generation_job_id", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_generated_videos")),
        sa.ForeignKeyConstraint(
            ["script_id"],
            ["scripts.id"],
            name=op.f("fk_generated_videos_script_id_scripts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["generation_job_id"],
            ["video_generation_jobs.id"],
            name=op.f("fk_generated_videos_generation_job_id_video_generation_jobs"),
            ondelete="SET NULL",
        ),
        sa.UniqueConstraint(
            "generation_job_id", name=op.f("uq_generated_videos_generation_job_id")
        ),
        check(
            "ck_generated_videos_generation_status",
            "generation_status IN ('PENDING', 'GENERATING', 'COMPLETED', 'FAILED')",
        ),
        check("ck_generated_videos_duration_positive", "duration > 0"),
        check("ck_generated_videos_file_size_non_negative", "file_size IS NULL OR file_size >= 0"),
        check(
            "ck_generated_videos_completed_has_file_size",
            "generation_status <> 'COMPLETED' OR (file_size IS NOT NULL AND file_size > 0)",
        ),
        check(
            "ck_generated_videos_completed_after_created",
            "completion_timestamp IS NULL OR completion_timestamp >= creation_timestamp",
        ),
    )
    op.create_index("idx_generated_videos_session", "generated_videos", ["session_id"])
    op.create_index("idx_generated_videos_script", "generated_videos", ["script_id"])
    op.create_index("idx_generated_videos_status", "generated_videos", ["generation_status"])

    op.create_table(
        "media_assets",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("asset_type", sa.String(length=16), nullable=False),
        sa.Column("file_path", sa.String(length=512), nullable=False),
        sa.Column("url_path", sa.String(length=256), nullable=False),
        sa.Column("duration", sa.Float(), nullable=True),
        sa.Column("metadata", JSON, nullable=True),
        sa.Column("source_type", sa.String(length=16), nullable=False),
        sa.Column("creation_timestamp", sa.DateTime(), nullable=False),
        sa.Column("generation_job_id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_media_assets")),
        sa.ForeignKeyConstraint(
            ["generation_job_id"],
            ["video_generation_jobs.id"],
            name=op.f("fk_media_assets_generation_job_id_video_generation_jobs"),
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint(
            "generation_job_id", "file_path", name=op.f("uq_media_assets_job_path")
        ),
        check(
            "ck_media_assets_asset_type",
            "asset_type IN ('IMAGE', 'AUDIO', 'VIDEO_CLIP', 'TEXT_OVERLAY')",
        ),
        check(
            "ck_media_assets_source_type",
            "source_type IN ('GENERATED', 'STOCK', 'USER_UPLOADED')",
        ),
        check("ck_media_assets_duration_positive", "duration IS NULL OR duration > 0"),
        check(
            "ck_media_assets_timed_has_duration",
            "asset_type NOT IN ('AUDIO', 'VIDEO_CLIP') OR duration IS NOT NULL",
        ),
    )
    op.create_index("idx_media_assets_job", "media_assets", ["generation_job_id"])
    op.create_index("idx_media_assets_type", "media_assets", ["asset_type"])

    op.create_table(
        "video_assets",
        sa.Column("video_id", sa.Uuid(), nullable=False),
        sa.Column("asset_id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("video_id", "asset_id", name=op.f("pk_video_assets")),
        sa.ForeignKeyConstraint(
            ["video_id"],
            ["generated_videos.id"],
            name=op.f("fk_video_assets_video_id_generated_videos"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["media_assets.id"],
            name=op.f("fk_video_assets_asset_id_media_assets"),
            ondelete="CASCADE",
        ),
    )
    op.create_index("idx_video_assets_asset", "video_assets", ["asset_id"])


def downgrade() -> None:
    """Drop everything ``upgrade`` created, children first."""
    for table in (
        "video_assets",
        "media_assets",
        "generated_videos",
        "video_generation_jobs",
        "media_storage",
        "scripts",
    ):
        op.drop_table(table)
