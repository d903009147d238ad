"""parse_date: the common shapes (read without dateutil) give what dateutil gives."""

from __future__ import annotations

import warnings
from datetime import datetime

import pytest
from docclean.transforms.dates import parse_date, parse_page_date


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


# The HTML metadata path parsed its own way until it moved here (dateutil with a table of zone
# names, aware datetimes whose offset the caller dropped). On offsets and zone names the two
# agreed on the wall time; they disagreed on an ISO week date (this parser's `fromisoformat`
# reads it, dateutil did not) and on unknown zone names (this parser warned). The one parser
# follows this module on both: the week date is a full date, and a zone name is dropped quietly.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-02-03T23:30:00-05:00", datetime(2024, 2, 3, 23, 30)),
        ("2024-02-03T08:00:00Z", datetime(2024, 2, 3, 8, 0)),
        ("Feb 3, 2024", datetime(2024, 2, 3)),
        ("3 February 2024 10:00 CET", datetime(2024, 2, 3, 10, 0)),
        ("March 5, 2024 at 10:30 pm EST", datetime(2024, 3, 5, 22, 30)),
        ("Tue, 05 Mar 2024 22:30:00 GMT", datetime(2024, 3, 5, 22, 30)),
        ("2024-02-03T10:00:00+25:00", datetime(2024, 2, 3, 10, 0)),  # an impossible offset: still the wall time
        ("2024-W05-6", datetime(2024, 2, 3)),  # ISO week date: HTML metadata used to find none
    ],
)
def test_offsets_and_zone_names_keep_the_wall_time_quietly(text: str, expected: datetime) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no UnknownTimezoneWarning for "CET" or "EST"
        parsed = parse_date(text)
    assert parsed == expected
    assert parsed.tzinfo is None


@pytest.mark.parametrize(
    ("text", "offset", "date_only"),
    [
        ("2023-02-07T23:30:00-05:00", -300, False),
        ("2023-02-07T23:30:00Z", 0, False),
        ("2023-02-07T08:15:00+0530", 330, False),
        ("2023-02-07T23:30:00", None, False),
        ("2023-02-07", None, True),
        ("February 7, 2023", None, True),
        ("7 February 2023", None, True),
        ("Tue, 07 Feb 2023 10:00:00 +0100", 60, False),
        ("Tue, 07 Feb 2023 10:00:00 GMT", 0, False),
        ("07.02.2023", None, True),
        ("03-09-2026", None, True),  # a day alone: "-2026" is its year, not an offset of -20:26
        ("Feb 7, 2023 10:30 am", None, False),
        ("3 February 2024 10:00 CET", None, False),
    ],
)
def test_page_dates_keep_the_offset_and_say_when_only_a_day_was_given(
    text: str, offset: int | None, date_only: bool
) -> None:
    found = parse_page_date(text)
    assert found is not None
    assert (found.utc_offset, found.date_only) == (offset, date_only)
    assert found.at == parse_date(text)  # the same wall time as every other path


def test_midnight_given_as_a_time_is_not_date_only() -> None:
    found = parse_page_date("2023-02-07T00:00:00+01:00")
    assert found is not None and (found.at.hour, found.date_only, found.utc_offset) == (0, False, 60)
