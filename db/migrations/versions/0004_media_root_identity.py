"""The media root's identity: the id in its marker file, recorded in the database.

Commands that delete compare the media root's marker with this row first, so a database is
never used to clean another installation's media root.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create media_root_identity (one row: the marker id and where the root was)."""
    op.create_table(
        "media_root_identity",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("marker_id", sa.Uuid(), nullable=False),
        sa.Column("directory_path", sa.String(length=512), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_media_root_identity")),
    )


def downgrade() -> None:
    """Drop media_root_identity."""
    op.drop_table("media_root_identity")
