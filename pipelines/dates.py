"""Publication dates from the loose date texts of zone news pages, their list pages and URLs."""

from __future__ import annotations

import calendar
import re
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo

from pipelines.urls import AP_HEX_TIME

__all__ = ["PRINTED_DATE", "date_from_url", "parse_datetime", "pick_published"]

EARLIEST_YEAR = 1990
# Clocks and time zones disagree a little; anything later than this is a typo or a scheduled event.
FUTURE_GRACE = timedelta(days=1)

_PRINTED_MONTHS = (r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?")
# Any printed date: 2022-06-10 10:30:00, 2019年09月06日 09:38, 2007-08-20-23:59:59,
# 18-03-08 23:16, May 9, 2021, 10 May 2021, Apr 14, 2024 01:11 AM.
PRINTED_DATE = re.compile(
    r"(?<!\d)(?:"
    r"(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}(?:\s*日)?"
    r"|\d{2}-\d{2}-\d{2}(?=\s+\d{1,2}:\d{2})"
    r"|" + _PRINTED_MONTHS + r"\s+\d{1,2},?\s+(?:19|20)\d{2}"
    r"|\d{1,2}\s+" + _PRINTED_MONTHS + r",?\s+(?:19|20)\d{2}"
    r")(?:[\s,]*(?:(?:at|@)\s*)?[-T]?\s*\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AaPp]\.?[Mm]\.?)?)?(?!\d)",
)
# Full-width ASCII (２０２２－０６－１０, 10：30) and the ideographic space, folded to ASCII once.
_FOLD = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}

_MONTH = (r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
          r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)(?![a-z])\.?")
_MONTHS = {name: number for number, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}

# Whatever may follow a date: a time (24 h, 12 h, 时/分), then an explicit UTC offset.
# Whitespace is matched by single runs so that no text makes the engine backtrack badly.
_TIME = r"""
(?:
  (?: T | -(?=\d{1,2}:\d) | [\s,]*(?:(?:at|@)\s*)? )
  (?:(?P<half1>上午|下午|晚上|傍晚|早上|凌晨|中午)\s*)?
  (?P<hour>\d{1,2})
  (?: :(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,]\d+)?)?
    | \s*[时点](?:\s*(?P<minute_cn>\d{1,2})\s*分(?:\s*(?P<second_cn>\d{1,2})\s*秒)?)?
    | (?=\s*[ap]\.?m(?![a-z]))
  )
  (?:\s*(?P<half2>[ap])\.?m\.?(?![a-z]))?
  (?P<offset> \s?(?:z(?![a-z]) | [+-]\d{2}:?\d{2}(?!\d))
            | \s*(?:utc|gmt)\s*[+-]\d{1,2}(?::?\d{2})?(?!\d) )?
)?
"""

_FLAGS = re.IGNORECASE | re.VERBOSE
# Dated forms, one regex each; all share the groups year/yy, month or mon, day and the time.
_DATE_FORMS = tuple(re.compile(pattern + _TIME, _FLAGS) for pattern in (
    # 2019-09-18, 2021/09/27, 2021.09.27, 2007-08-20-23:59:59, ISO 8601
    r"(?<![\d.])(?P<year>\d{4})(?P<sep>[-/.])(?P<month>\d{1,2})(?P=sep)(?P<day>\d{1,2})(?!\d)",
    # 2019年09月06日, 2019年9月6日
    r"(?<!\d)(?P<year>\d{4})\s*年\s*(?P<month>\d{1,2})\s*月\s*(?P<day>\d{1,2})(?:\s*[日号]|(?!\d))",
    # May 9, 2021 · Apr 14, 2024 01:11 AM · June 10, 2022 at 3:05 pm
    r"(?<![a-z])" + _MONTH
    + r"\s*(?P<day>\d{1,2})(?:st|nd|rd|th)?(?!\d)[\s,]*(?P<year>\d{4})(?!\d)",
    # 9 May 2021
    r"(?<!\d)(?P<day>\d{1,2})(?:st|nd|rd|th)?\s*(?:of\s+)?" + _MONTH
    + r"[\s,]*(?P<year>\d{4})(?!\d)",
    # 18-03-08 23:16 (two-digit year)
    r"(?<![\d./-])(?P<yy>\d{2})-(?P<month>\d{1,2})-(?P<day>\d{1,2})(?!\d)",
    # 10-08 12:00 (no year)
    r"(?<![\d./-])(?P<month>\d{1,2})[-/](?P<day>\d{1,2})(?![\d/-])",
    # 10月8日 (no year)
    r"(?<![\d年])(?P<month>\d{1,2})\s*月\s*(?P<day>\d{1,2})\s*[日号]",
))

# The last label before a date says what the date is.
_LABEL = re.compile(
    r"(?P<update>(?:最后)?(?:更新|修改|修订)(?:时间|日期|于)?|last[\s-]*(?:updated|modified)"
    r"|updated|modified|revised)"
    r"|(?P<publish>发布|发表|发稿|刊发|时间|日期|published|posted|date)",
    re.IGNORECASE,
)
# A yearless date is only trusted beside a time, after a label, or standing alone.
_NEAR_LABEL = 16
_BRACKETS = " \t\r\n[]()【】<>"

_URL_DATES = tuple(re.compile(pattern) for pattern in (
    r"/t(?P<year>\d{4})(?P<month>\d{2})(?P<day>\d{2})_",          # TRS: /201909/t20190918_1.shtml
    r"/(?P<year>\d{4})/(?P<month>\d{1,2})/(?P<day>\d{1,2})(?:/|$)",  # /2022/06/10/, /art/2016/1/2/
    r"/(?P<year>\d{4})(?P<month>\d{2})/(?P<day>\d{2})(?:/|$)",     # /a/202512/23/
    r"/(?P<year>\d{4})-(?P<month>\d{2})/(?P<day>\d{2})(?:/|$)",    # /2022-06/10/
    r"/(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})(?:/|$)",    # /2022-06-10/
    r"/(?P<year>\d{4})(?P<month>\d{2})(?P<day>\d{2})(?:/|$)",      # /20220610/
))
_DIGIT = re.compile(r"\d")
_URL_ORIGIN = re.compile(r"^[a-z][a-z0-9+.-]*://[^/?#]*", re.IGNORECASE)
_AP_HEX_ID = re.compile(r"/AP(?P<seconds>[0-9a-f]{8})[0-9a-f]{16}(?![0-9a-f])", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class _Found:
    """One date written in a text, not yet checked against the calendar or the clock."""

    year: int | None
    month: int
    day: int
    clock: tuple[int, int, int] | None
    offset: timedelta | None
    update: bool
    # How much of the clock was written: 0 none, 1 the hour, 2 the minute, 3 the second.
    precision: int


def parse_datetime(text: str, tz: tzinfo, *, default_year: int | None = None,
                   now: datetime | None = None) -> datetime | None:
    """First publication date/time found in `text`, timezone-aware in `tz`; None when none.

    Dates labelled as updates are read only when the text holds no other usable date. Impossible
    values and dates more than a day after `now` are passed over. A date written without a year
    takes `default_year`; without one it is not read, because a guessed year is worse than none.
    """
    limit = _aware(now, tz) + FUTURE_GRACE
    for found in _publication_first(_scan(text, limit.year)):
        moment = _resolve(found, tz, found.year if found.year is not None else default_year)
        if moment is not None and moment <= limit:
            return moment
    return None


def date_from_url(url: str, tz: tzinfo = UTC, *, now: datetime | None = None,
                  rules: Collection[str] = ()) -> date | None:
    """Date carried by a URL: t20190918_, /2022/06/10/, /202512/23/, /art/2016/11/22/… ; None
    when none or later than a day after `now`.

    Path dates come first; then, for a site whose url_rules name ``ap-hex-time``, the creation
    stamp of an ``AP<8 hex>`` id, read as a day in `tz`, the site's time zone.
    """
    path = _URL_ORIGIN.sub("", url).split("?", 1)[0].split("#", 1)[0]
    latest = _aware(now, tz).date() + FUTURE_GRACE
    for pattern in _URL_DATES:
        for match in pattern.finditer(path):
            day = _valid_date(int(match["year"]), int(match["month"]), int(match["day"]))
            if day is not None and day <= latest:
                return day
    created = _id_created(path) if AP_HEX_TIME in rules else None
    if created is not None and created.astimezone(tz).date() <= latest:
        return created.astimezone(tz).date()
    return None


def pick_published(candidates: Sequence[str], tz: tzinfo, *, url: str | None = None,
                   list_date: str | None = None, now: datetime | None = None,
                   url_rules: Collection[str] = ()) -> datetime | None:
    """The publication time of an article, from raw date strings ordered most-trusted first (meta
    PubDate, the info line, the byline…), the date text on the list page, and the URL.

    Order of trust: the first candidate with a full date; then a candidate without a year, which
    takes the year nearest to the list date, else to the URL date, else the latest year that is
    not in the future; then the list date; then the URL; and only then a date labelled as an
    update. A page's own date wins over its URL even when they are days apart, because many CMSs
    put the day the draft was created into the URL. A date without a time borrows the time of
    another candidate or of the list date written for the same day; likewise a time without
    seconds (or minutes) borrows them from another candidate that agrees to the minute (hour).
    `url_rules` are the site's (``pipelines.urls.URL_RULES``): what its URLs may say of the date.
    """
    current = _aware(now, tz)
    limit = current + FUTURE_GRACE
    found = [_scan(text, limit.year) for text in candidates]
    listed = _scan(list_date, limit.year) if list_date else []
    url_day = date_from_url(url, tz, now=current, rules=url_rules) if url else None
    timed = [item for item in (*(f for fs in found for f in fs), *listed)
             if item.precision and not item.update]

    def settle(item: _Found, reference: date | None) -> datetime | None:
        for year in _years_for(item, reference, current):
            moment = _resolve(item, tz, year)
            if moment is not None and moment <= limit:
                return _borrow_time(moment, item.precision, timed, tz, limit)
        return None

    list_day = next((moment.date() for item in listed if item.year is not None and not item.update
                     if (moment := settle(item, url_day)) is not None), None)
    reference = list_day or url_day
    published = [item for items in found for item in items if not item.update]
    updated = [item for items in found for item in items if item.update]

    def in_trust_order() -> Iterator[datetime | None]:
        yield from (settle(item, reference) for item in published if item.year is not None)
        yield from (settle(item, reference) for item in published if item.year is None)
        yield from (settle(item, url_day) for item in listed if not item.update)
        if url:
            yield _from_url(url, url_day, tz, timed, limit, url_rules)
        yield from (settle(item, reference) for item in updated if item.year is not None)
        yield from (settle(item, reference) for item in updated if item.year is None)

    return next((moment for moment in in_trust_order() if moment is not None), None)


def _aware(now: datetime | None, tz: tzinfo) -> datetime:
    """The reference clock in `tz`; a naive `now` is taken to be written in `tz` already."""
    if now is None:
        return datetime.now(tz)
    return now.replace(tzinfo=tz) if now.tzinfo is None else now.astimezone(tz)


def _scan(text: str, this_year: int) -> list[_Found]:
    """Every date written in `text`, in reading order, each marked as an update or not."""
    text = text.translate(_FOLD)
    if _DIGIT.search(text) is None:
        return []
    matches = sorted((m for form in _DATE_FORMS for m in form.finditer(text)),
                     key=lambda m: (m.start(), -m.end()))
    dates: list[_Found] = []
    last_end = 0
    for match in matches:
        if match.start() < last_end or not _stands_as_date(match, text):
            continue
        found = _found(match, this_year, update=_is_update(text, last_end, match.start()))
        if found is not None:
            dates.append(found)
            last_end = match.end()
    return dates


def _is_update(text: str, start: int, end: int) -> bool:
    """Whether the last label between the previous date and this one announces an update."""
    labels = [label.lastgroup for label in _LABEL.finditer(text, start, end)]
    return bool(labels) and labels[-1] == "update"


def _stands_as_date(match: re.Match[str], text: str) -> bool:
    """A yearless day-month is too easily something else unless its context says it is a date."""
    if "year" in match.re.groupindex or "yy" in match.re.groupindex or match["hour"] is not None:
        return True
    if _LABEL.search(text, max(0, match.start() - _NEAR_LABEL), match.start()):
        return True
    return text.strip(_BRACKETS) == match.group().strip(_BRACKETS)


def _found(match: re.Match[str], this_year: int, *, update: bool) -> _Found | None:
    groups = match.groupdict()
    if groups.get("year"):
        year: int | None = int(groups["year"])
    elif groups.get("yy"):
        year = _century(int(groups["yy"]), this_year)
        if year is None:
            return None
    else:
        year = None
    month = _MONTHS[groups["mon"][:3].lower()] if groups.get("mon") else int(groups["month"])
    offset = _offset(groups["offset"]) if groups["offset"] else None
    if groups["offset"] and offset is None:
        return None
    return _Found(year, month, int(groups["day"]), _clock(groups), offset, update,
                  _precision(groups))


def _century(yy: int, this_year: int) -> int | None:
    """`18` is 2018; `95` is 1995; `45` is neither plausible nor past."""
    if 2000 + yy <= this_year:
        return 2000 + yy
    return 1900 + yy if 1900 + yy >= EARLIEST_YEAR else None


def _clock(groups: dict[str, str | None]) -> tuple[int, int, int] | None:
    if groups["hour"] is None:
        return None
    hour = int(groups["hour"])
    minute = int(groups["minute"] or groups["minute_cn"] or 0)
    second = int(groups["second"] or groups["second_cn"] or 0)
    half = (groups["half1"] or groups["half2"] or "").lower()
    if half in ("p", "下午", "晚上", "傍晚") and hour < 12:
        hour += 12
    elif half == "中午" and hour < 11:
        hour += 12
    elif half in ("a", "凌晨") and hour == 12:
        hour = 0
    return hour, minute, second


def _precision(groups: dict[str, str | None]) -> int:
    """How many of hour, minute and second the text wrote (`8点` is 1, `16:45` is 2)."""
    if groups["hour"] is None:
        return 0
    if not (groups["minute"] or groups["minute_cn"]):
        return 1
    return 3 if groups["second"] or groups["second_cn"] else 2


def _offset(text: str) -> timedelta | None:
    """`Z`, `+08:00`, `+0800`, `UTC+8`; None for offsets no clock on earth uses."""
    text = text.strip().upper().removeprefix("UTC").removeprefix("GMT").strip()
    if text == "Z":
        return timedelta(0)
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = (int(digits[:-2]), int(digits[-2:])) if len(digits) > 2 else (int(digits), 0)
    if hours > 14 or minutes >= 60:
        return None
    return sign * timedelta(hours=hours, minutes=minutes)


def _resolve(found: _Found, tz: tzinfo, year: int | None) -> datetime | None:
    """The instant `found` names in `tz`, given its year; None when the calendar says no."""
    if year is None:
        return None
    day = _valid_date(year, found.month, found.day)
    if day is None:
        return None
    hour, minute, second = found.clock or (0, 0, 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    if found.offset is None:
        return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=tz)
    written = datetime(day.year, day.month, day.day, hour, minute, second,
                       tzinfo=timezone(found.offset))
    return written.astimezone(tz)


def _valid_date(year: int, month: int, day: int) -> date | None:
    if year < EARLIEST_YEAR or not 1 <= month <= 12:
        return None
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        return None
    return date(year, month, day)


def _publication_first(dates: list[_Found]) -> Iterator[_Found]:
    yield from (found for found in dates if not found.update)
    yield from (found for found in dates if found.update)


def _years_for(found: _Found, reference: date | None, now: datetime) -> Iterator[int]:
    """Years to try for a date: its own; else the one nearest the reference date (10-08 beside a
    URL of 2019-12-30 is 2019-10-08, 01-02 beside it is 2020-01-02); else the latest so far."""
    if found.year is not None:
        yield found.year
    elif reference is not None:
        yield from sorted((reference.year - 1, reference.year, reference.year + 1),
                          key=lambda year: _distance(year, found, reference))
    else:
        # Eight years back reaches the previous 29 February even across 2100.
        yield from range(now.year, now.year - 9, -1)


def _distance(year: int, found: _Found, reference: date) -> int:
    day = _valid_date(year, found.month, found.day)
    return abs((day - reference).days) if day is not None else 1 << 30


def _borrow_time(moment: datetime, precision: int, timed: list[_Found], tz: tzinfo,
                 limit: datetime) -> datetime:
    """`moment` made as precise as the sources that agree with it: a bare day takes the time
    another source wrote for that day, `16:45` takes the seconds of a `16:45:12` written
    elsewhere. A donor that disagrees in what `moment` does say lends nothing."""
    for donor in timed:
        if donor.precision <= precision:
            continue
        lent = _resolve(donor, tz, donor.year if donor.year is not None else moment.year)
        if lent is not None and lent <= limit and _truncate(lent, precision) == _truncate(
                moment, precision):
            moment, precision = lent, donor.precision
    return moment


def _truncate(moment: datetime, precision: int) -> tuple[int, ...]:
    """The calendar day and the first `precision` clock fields of `moment`."""
    clock = (moment.hour, moment.minute, moment.second)
    return (moment.year, moment.month, moment.day, *clock[:precision])


def _from_url(url: str, url_day: date | None, tz: tzinfo, timed: list[_Found],
              limit: datetime, rules: Collection[str]) -> datetime | None:
    """Last resort before update dates: the id's creation stamp where the site's rules read
    one, else the URL's day."""
    created = _id_created(url) if AP_HEX_TIME in rules else None
    if created is not None and created <= limit:
        return created.astimezone(tz)
    if url_day is None:
        return None
    moment = datetime(url_day.year, url_day.month, url_day.day, tzinfo=tz)
    return _borrow_time(moment, 0, timed, tz, limit) if moment <= limit else None


def _id_created(path: str) -> datetime | None:
    match = _AP_HEX_ID.search(path)
    if match is None:
        return None
    created = datetime.fromtimestamp(int(match["seconds"], 16), UTC)
    return created if created.year >= EARLIEST_YEAR else None
