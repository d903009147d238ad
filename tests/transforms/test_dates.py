"""parse_date: the common shapes (read without dateutil) give what dateutil gives."""

from __future__ import annotations

from datetime import datetime

import pytest

from transforms.dates import parse_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("February 7, 2023", datetime(2023, 2, 7)),
        ("Feb. 7, 2023", datetime(2023, 2, 7)),
        ("Sept 3, 2021", datetime(2021, 9, 3)),
        ("7 February 2023", datetime(2023, 2, 7)),
        ("31 Dec 1999", datetime(1999, 12, 31)),
        ("2023-02-07", datetime(2023, 2, 7)),
        ("2023-02-07T23:30:00-05:00", datetime(2023, 2, 7, 23, 30)),  # the page's wall time, offset dropped
        ("2023-02-07T10:30:00Z", datetime(2023, 2, 7, 10, 30)),
        ("3 March 2021, 10:00", datetime(2021, 3, 3, 10, 0)),  # another shape: dateutil
        ("Tuesday 7 February 2023 at 10:00", datetime(2023, 2, 7, 10, 0)),
    ],
)
def test_dates_parse(text: str, expected: datetime) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text", ["February 30, 2023", "2023-13-01", "Mayday 3, 2021", "sometime in 2023", "", "1066-10-14"]
)
def test_not_a_full_valid_date(text: str) -> None:
    assert parse_date(text) is None
