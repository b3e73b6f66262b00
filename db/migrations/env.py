"""Alembic environment of reelflow: runs the migrations in ``versions/``.

Given ``config.attributes["connection"]`` (what ``db.session.migrate`` passes), migrations run on
that connection inside its transaction; otherwise on a fresh engine for the ``sqlalchemy.url``
main option. Offline mode (``--sql``) renders the SQL for that URL's dialect.
"""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy.engine import Connection

from reelflow.db.column_types import EnumText, UTCDateTime
from reelflow.db.models import Base

config = context.config
target_metadata = Base.metadata


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Render the project's column types as the plain types they store.

    Why: a migration is a snapshot of the schema and must not import today's models.
    """
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    if type_ == "type" and isinstance(obj, EnumText):
        return f"sa.String(length={obj.length})"
    return False


def run_migrations(connection: Connection) -> None:
    """Run the pending migrations on ``connection``."""
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # Why: SQLite cannot ALTER most things; batch mode rebuilds the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        render_item=render_item,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    """Run against the connection given by the caller, or one opened from the URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        run_migrations(connection)
        return
    from reelflow.db.session import create_db_engine  # here, so db.session may import this package

    engine = create_db_engine(config.get_main_option("sqlalchemy.url") or "")
    try:
        with engine.connect() as connection:
            run_migrations(connection)
    finally:
        engine.dispose()


def run_offline() -> None:
    """Emit the migrations as SQL for the configured URL instead of running them."""
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
