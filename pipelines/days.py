"""Dates as people type them (``--since``, ``--until``, ``?since=``), read one way for the command
line and the web alike."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# Dates a query may name: wide enough for any archive, narrow enough that a day added or a shift
# to UTC stays within what Python and the databases can hold.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)


class BadDate(ValueError):
    """A date no filter can take; ``str()`` is the one line the user sees."""


def parse_day(value: str, tz: str, *, end: bool = False) -> datetime:
    """A date (``YYYY-MM-DD``) or moment (``YYYY-MM-DDTHH:MM``, with or without an offset), in
    ``tz`` unless it names its own offset. With ``end`` a bare date means the end of that day,
    so that "until the 31st" includes the 31st."""
    try:
        if len(value) <= 10:
            moment = datetime.combine(date.fromisoformat(value), time(), ZoneInfo(tz))
        else:
            moment = datetime.fromisoformat(value)
    except ValueError:
        raise BadDate(f"{value[:40]!r} is not a date (YYYY-MM-DD or YYYY-MM-DDTHH:MM)") from None
    if not FIRST_DAY <= moment.date() <= LAST_DAY:
        raise BadDate(f"{value[:40]!r} is out of range (from {FIRST_DAY} to {LAST_DAY})")
    moment = moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(tz))
    return moment + timedelta(days=1) if end and len(value) <= 10 else moment
