"""web/ranges.py: every shape of Range header against a 1,000-byte file."""

from __future__ import annotations

import pytest

from reelflow.web.ranges import MAX_RANGES, Parts, Unsatisfiable, Whole, parse_range

SIZE = 1000


@pytest.mark.parametrize(("header", "expected"), [
    (None, Whole()),
    ("bytes=0-0", Parts(((0, 0),))),
    ("bytes=0-99", Parts(((0, 99),))),
    ("bytes=500-", Parts(((500, 999),))),
    ("bytes=-100", Parts(((900, 999),))),
    ("bytes=-5000", Parts(((0, 999),))),
    ("bytes=990-5000", Parts(((990, 999),))),
    ("bytes=999-999", Parts(((999, 999),))),
    ("BYTES = 0-9", Parts(((0, 9),))),
    ("Bytes=0-9", Parts(((0, 9),))),
    ("bytes=1000-", Unsatisfiable()),
    ("bytes=1000-1001", Unsatisfiable()),
    ("bytes=-0", Unsatisfiable()),
    ("bytes=5000-6000,7000-", Unsatisfiable()),
    ("bytes=0-9,20-29", Parts(((0, 9), (20, 29)))),
    ("bytes=20-29, 0-9", Parts(((0, 9), (20, 29)))),
    ("bytes=0-9,10-19", Parts(((0, 19),))),
    ("bytes=0-50,25-75", Parts(((0, 75),))),
    ("bytes=0-9,2000-", Parts(((0, 9),))),
    ("bytes=9-0", Whole()),
    ("bytes=abc", Whole()),
    ("bytes=-", Whole()),
    ("bytes=", Whole()),
    ("bytes=0-9,", Whole()),
    ("bytes=0-9;x", Whole()),
    ("items=0-9", Whole()),
    ("bytes=+1-2", Whole()),
    ("bytes=\u0660-\u0669", Whole()),  # Arabic-Indic digits
    ("bytes=0-99999999999999999999", Whole()),
    ("bytes=" + ",".join(f"{n * 10}-{n * 10 + 1}" for n in range(MAX_RANGES + 1)), Whole()),
    ("bytes=" + "0" * 600 + "-1", Whole()),
])
def test_a_range_header_becomes_the_whole_file_some_parts_or_unsatisfiable(
        header: str | None, expected: object) -> None:
    assert parse_range(header, SIZE) == expected


def test_an_empty_file_satisfies_no_range() -> None:
    assert parse_range("bytes=0-", 0) == Unsatisfiable()
    assert parse_range("bytes=-10", 0) == Unsatisfiable()
