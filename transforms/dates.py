"""Publish dates from bylines and metadata: the one place where strings become datetimes.

Every date is the page's own wall time, naive, its offset or zone name dropped: the publish day
is the one the page's readers see (`warehouse/SCHEMA.md`, `published_at`). Text bylines
(`transforms.boilerplate`), HTML metadata (`transforms.html_dates`) and input fields all parse
here, so the same string gives the same datetime whichever path it came by.
"""

from __future__ import annotations

import re
from datetime import datetime

from dateutil import parser as date_parser

# A date missing its day or month must not silently borrow today's: parse against a sentinel.
_SENTINEL = datetime(1, 1, 1)
_EARLIEST_YEAR, _LATEST_YEAR = 1900, 2100
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
            ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
            ("october", "oct"), ("november", "nov"), ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}  # fmt: skip
# The two shapes bylines use most, read without dateutil (which costs ~0.2 ms a call).
_MONTH_DAY_YEAR = re.compile(r"([A-Za-z]+)\.? (\d{1,2}), (\d{4})")
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2}) ([A-Za-z]+)\.? (\d{4})")


def parse_date(text: str) -> datetime | None:
    """Parse a byline or metadata date to a naive datetime; None if it is not a full date.

    A time with an offset or a zone name ("-05:00", "Z", "CET", "EST") keeps its local wall
    time and drops the zone: the publish day is the one the page shows.

    >>> parse_date("February 7, 2023")
    datetime.datetime(2023, 2, 7, 0, 0)
    >>> parse_date("2023-02-07T23:30:00-05:00")
    datetime.datetime(2023, 2, 7, 23, 30)
    >>> parse_date("3 February 2024 10:00 CET")
    datetime.datetime(2024, 2, 3, 10, 0)
    >>> parse_date("sometime in 2023") is None
    True
    """
    text = " ".join(text.replace(" at ", " ").split())
    if not text:
        return None
    parsed = _common_shape(text)
    if parsed is None:
        try:
            # ignoretz: the wall time is what is kept, so a zone name dateutil does not know
            # ("CET") is dropped like any other, without an UnknownTimezoneWarning.
            parsed = date_parser.parse(text, default=_SENTINEL, fuzzy=False, ignoretz=True)
        except (ValueError, OverflowError, TypeError):
            return None
    if parsed.year < _EARLIEST_YEAR or parsed.year > _LATEST_YEAR:
        return None
    return parsed.replace(tzinfo=None)


def _common_shape(text: str) -> datetime | None:
    """ISO 8601, "February 7, 2023" or "7 February 2023"; None for anything else."""
    if text[:4].isdigit() and len(text) >= 10 and text[4] == "-":
        try:
            return datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
        except ValueError:
            return None
    if m := _MONTH_DAY_YEAR.fullmatch(text):
        month, day, year = m[1], m[2], m[3]
    elif m := _DAY_MONTH_YEAR.fullmatch(text):
        day, month, year = m[1], m[2], m[3]
    else:
        return None
    number = _MONTHS.get(month.lower())
    if number is None:
        return None
    try:
        return datetime(int(year), number, int(day))
    except ValueError:
        return None
