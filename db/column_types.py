"""Column types that make SQLite and PostgreSQL hand back the same Python values.

- ``UTCDateTime``: aware UTC datetimes in, aware UTC datetimes out, stored as naive UTC in a
  plain TIMESTAMP. Why naive storage: the seed's columns are ``TIMESTAMP`` (without time
  zone) and SQLite has no time zones at all; converting at the edge keeps both databases equal.
- ``EnumText``: a StrEnum stored as its value in a VARCHAR; the CHECK constraints in
  ``db.models`` close the value set in the database too.
- ``JSONType``: JSON, JSONB on PostgreSQL; Python None is SQL NULL (not JSON ``null``), so
  "resource_usage NOT NULL" checks mean what they say.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Generic, TypeVar

from sqlalchemy import JSON, DateTime, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

from reelflow.errors import RecordInvalid

E = TypeVar("E", bound=StrEnum)

JSONType: TypeEngine[Any] = JSON(none_as_null=True).with_variant(
    JSONB(none_as_null=True), "postgresql"
)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp column that accepts and returns only timezone-aware UTC datetimes."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Given an aware datetime, returns it as naive UTC; raises RecordInvalid if naive."""
        if value is None:
            return None
        if value.utcoffset() is None:
            raise RecordInvalid(
                f"naive datetime {value!r} given for a UTC timestamp column; "
                "pass an aware datetime such as datetime.now(UTC)"
            )
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Given the stored naive UTC value, returns it tagged as UTC."""
        return None if value is None else value.replace(tzinfo=UTC)


class EnumText(TypeDecorator[E], Generic[E]):
    """A VARCHAR column holding the values of one StrEnum, read back as enum members."""

    impl = String
    cache_ok = True

    def __init__(self, enum_class: type[E], length: int) -> None:
        super().__init__(length)
        self.enum_class = enum_class
        self.length = length

    def process_bind_param(self, value: E | str | None, dialect: Dialect) -> str | None:
        """Given a member or its value, returns the value; raises RecordInvalid for others."""
        if value is None:
            return None
        return self._member(value).value

    def process_result_value(self, value: str | None, dialect: Dialect) -> E | None:
        """Given a stored value, returns the enum member."""
        return None if value is None else self._member(value)

    def _member(self, value: str) -> E:
        try:
            return self.enum_class(value)
        except ValueError as error:
            allowed = ", ".join(self.enum_class)
            raise RecordInvalid(
                f"{value!r} is not a {self.enum_class.__name__} (one of {allowed})"
            ) from error
