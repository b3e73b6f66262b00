"""Turning the database's errors into reelflow's, in one place.

A refusal (CHECK, NOT NULL, UNIQUE, FOREIGN KEY) becomes RecordInvalid; anything else that
SQLAlchemy or its driver raises (no server, a dropped connection, a read-only file, a garbage
URL) becomes DatabaseError. Nothing above db/ catches SQLAlchemy's exceptions.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import exc

from reelflow.errors import DatabaseError, RecordInvalid, ReelflowError


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


def translated(error: exc.SQLAlchemyError, doing: str = "") -> ReelflowError:
    """Given an error SQLAlchemy raised, returns the reelflow error to raise instead (chain it).

    ``doing`` names the action for the message, e.g. "opening sqlite:///x.db".
    """
    if isinstance(error, exc.IntegrityError):
        return RecordInvalid(f"the database refused the change: {error.orig}")
    if isinstance(error, exc.StatementError) and isinstance(error.orig, ReelflowError):
        return error.orig
    original = getattr(error, "orig", None) or error
    lines = str(original).strip().splitlines() or [type(original).__name__]
    where = f" while {doing}" if doing else ""
    return DatabaseError(f"the database failed{where}: {lines[0]}")
