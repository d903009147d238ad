"""Publish dates from bylines and metadata."""

from __future__ import annotations

from datetime import UTC, datetime

from dateutil import parser as date_parser

# A date missing its day or month must not silently borrow today's: parse against a sentinel.
_SENTINEL = datetime(1, 1, 1)
_EARLIEST_YEAR, _LATEST_YEAR = 1900, 2100


def parse_date(text: str) -> datetime | None:
    """Parse a byline or metadata date to a naive UTC datetime; None if it is not a full date.

    >>> parse_date("February 7, 2023")
    datetime.datetime(2023, 2, 7, 0, 0)
    >>> parse_date("2023-02-07T10:30:00+02:00")
    datetime.datetime(2023, 2, 7, 8, 30)
    >>> parse_date("sometime in 2023") is None
    True
    """
    text = " ".join(text.replace(" at ", " ").split())
    if not text:
        return None
    try:
        parsed = date_parser.parse(text, default=_SENTINEL, fuzzy=False)
    except (ValueError, OverflowError, TypeError):
        return None
    if parsed.year < _EARLIEST_YEAR or parsed.year > _LATEST_YEAR:
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed
