"""Turning the database's refusals into reelflow's RecordInvalid, in one place."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import exc

from engine.errors import RecordInvalid, ReelflowError


@contextmanager
def database_refusals_as_record_invalid() -> Iterator[None]:
    """Run the block; re-raise what the database refused as RecordInvalid, original chained.

    An IntegrityError (CHECK, NOT NULL, UNIQUE, FOREIGN KEY) becomes RecordInvalid naming the
    database's message. A reelflow error raised while binding a value (e.g. a naive datetime,
    an unknown enum value) is unwrapped from SQLAlchemy's StatementError and re-raised as is.
    """
    try:
        yield
    except exc.IntegrityError as error:
        raise RecordInvalid(f"the database refused the change: {error.orig}") from error
    except exc.StatementError as error:
        if isinstance(error.orig, ReelflowError):
            raise error.orig from error
        raise
