"""Publish dates from bylines and metadata: the one place where strings become datetimes.

Every date is the page's own wall time, naive: the publish day is the one the page's readers see
(`warehouse/SCHEMA.md`, `published_at`). `parse_page_date` also keeps the numeric UTC offset the
page wrote and whether it wrote a time at all (`published_at_utc_offset`, `published_date_only`). Text bylines
(`transforms.boilerplate`), HTML metadata (`transforms.html_dates`) and input fields all parse
here, so the same string gives the same datetime whichever path it came by.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from dateutil import parser as date_parser


@dataclass(frozen=True, slots=True)
class PageDate:
    """A publish date as the page gave it: its wall time, its UTC offset when it said one (in
    minutes east of UTC), and whether only a day was given (then `at` is that day's midnight)."""

    at: datetime
    utc_offset: int | None = None
    date_only: bool = False


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
    found = parse_page_date(text, detail=False)
    return found.at if found is not None else None


# Two defaults that differ in every time field: a field the text does not give comes out
# different, which is how dateutil tells that only a day was written.
_SENTINEL_LATE = datetime(1, 1, 1, 13, 37, 59)


def parse_page_date(text: str, *, detail: bool = True) -> PageDate | None:
    """`parse_date`, also saying the UTC offset the text gave (minutes) and whether it had a time
    (`detail=False` skips the second dateutil parse that tells, for shapes other than the common
    ones; `date_only` is then False).

    >>> parse_page_date("2023-02-07T23:30:00-05:00")
    PageDate(at=datetime.datetime(2023, 2, 7, 23, 30), utc_offset=-300, date_only=False)
    >>> parse_page_date("2023-02-07")
    PageDate(at=datetime.datetime(2023, 2, 7, 0, 0), utc_offset=None, date_only=True)
    >>> parse_page_date("Tue, 7 Feb 2023 10:00:00 +0100").utc_offset
    60
    >>> parse_page_date("03-09-2026")
    PageDate(at=datetime.datetime(2026, 3, 9, 0, 0), utc_offset=None, date_only=True)
    """
    text = " ".join(text.replace(" at ", " ").split())
    if not text:
        return None
    found = _common_shape(text)
    if found is None:
        try:
            # The wall time is what is kept, so a zone name dateutil does not know ("CET") is
            # dropped like any other, without an UnknownTimezoneWarning; a numeric offset is kept.
            parsed = date_parser.parse(text, default=_SENTINEL, fuzzy=False, ignoretz=True)
            late = date_parser.parse(text, default=_SENTINEL_LATE, fuzzy=False, ignoretz=True) if detail else parsed
        except (ValueError, OverflowError, TypeError):
            return None
        date_only = late.hour != parsed.hour
        # A day alone has no offset: the "-2026" of "03-09-2026" is its year.
        found = PageDate(parsed, None if date_only else _numeric_offset(text), date_only=date_only)
    if found.at.year < _EARLIEST_YEAR or found.at.year > _LATEST_YEAR:
        return None
    return found


_OFFSET = re.compile(r"(?:\d|\s)(?:z|utc|gmt|([+-])(\d{2}):?(\d{2}))$", re.IGNORECASE)


def _numeric_offset(text: str) -> int | None:
    """Minutes east of UTC of a trailing "+01:00", "-0500", "Z", "UTC" or "GMT"; None otherwise."""
    m = _OFFSET.search(text)
    if not m:
        return None
    if not m[1]:
        return 0
    minutes = int(m[2]) * 60 + int(m[3])
    return -minutes if m[1] == "-" else minutes


def _common_shape(text: str) -> PageDate | None:
    """ISO 8601, "February 7, 2023" or "7 February 2023"; None for anything else."""
    if text[:4].isdigit() and len(text) >= 10 and text[4] == "-":
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
        except ValueError:
            return None
        offset = parsed.utcoffset()
        minutes = None if offset is None else int(offset.total_seconds() // 60)
        return PageDate(parsed.replace(tzinfo=None), minutes, date_only=len(text) == 10)
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
        return PageDate(datetime(int(year), number, int(day)), None, date_only=True)
    except ValueError:
        return None
