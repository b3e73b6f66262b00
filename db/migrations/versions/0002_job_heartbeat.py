"""Jobs get a heartbeat: the last time a live worker said it was still running the job.

The reconciler fails a job whose heartbeat is older than its timeout, which catches workers
killed without a chance to run any hook.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add video_generation_jobs.heartbeat_at (nullable UTC timestamp)."""
    with op.batch_alter_table("video_generation_jobs") as batch:
        batch.add_column(sa.Column("heartbeat_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    """Drop video_generation_jobs.heartbeat_at."""
    with op.batch_alter_table("video_generation_jobs") as batch:
        batch.drop_column("heartbeat_at")
