"""A job may make several videos, one per format: an MP4 and a WebM of one script.

generated_videos.generation_job_id loses its UNIQUE constraint and gets an index instead;
(generation_job_id, format) is unique, and format is one of the formats reelflow writes.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Allow one video per (job, format); only mp4 and webm."""
    with op.batch_alter_table("generated_videos") as batch:
        batch.drop_constraint("uq_generated_videos_generation_job_id", type_="unique")
        batch.create_unique_constraint(
            "uq_generated_videos_job_format", ["generation_job_id", "format"]
        )
        batch.create_check_constraint(
            op.f("ck_generated_videos_format"), "format IN ('mp4', 'webm')"
        )
        batch.create_index("idx_generated_videos_job", ["generation_job_id"])


def downgrade() -> None:
    """Back to one video per job (fails while a job has two)."""
    with op.batch_alter_table("generated_videos") as batch:
        batch.drop_index("idx_generated_videos_job")
        batch.drop_constraint(op.f("ck_generated_videos_format"), type_="check")
        batch.drop_constraint("uq_generated_videos_job_format", type_="unique")
        batch.create_unique_constraint(
            "uq_generated_videos_generation_job_id", ["generation_job_id"]
        )
