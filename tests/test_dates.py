"""Publication dates: the formats zone sites write, and which date is the publication."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipelines.dates import date_from_url, parse_datetime, pick_published
from pipelines.urls import AP_HEX_TIME

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
BEIJING_TIME = timezone(timedelta(hours=8))
NOW = datetime(2026, 6, 15, 12, 0, tzinfo=SHANGHAI)


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


ID_TIME = frozenset({AP_HEX_TIME})   # the url_rules of a site whose ids carry their creation time


def _hizh_url(created: datetime, path_day: str | None = "202512/23") -> str:
    """A hizh.cn article address whose id starts with the creation time in Unix seconds."""
    stamp = f"{int(created.timestamp()):08x}"
    folder = f"/a/{path_day}" if path_day else "/a"
    return f"https://pub-zhtb.hizh.cn{folder}/AP{stamp}e4b0c5a1b2c3d4e5.html"


@pytest.mark.parametrize("text, expected", [
    # Every format seen on the zone sites, read as Beijing time.
    ("2019-09-18 06:23", "2019-09-18T06:23:00+08:00"),
    ("时间  :  2026-06-04 10:13:50", "2026-06-04T10:13:50+08:00"),
    ("发布日期：2016-11-22", "2016-11-22T00:00:00+08:00"),
    ("发布时间:2026-03-03 14:10", "2026-03-03T14:10:00+08:00"),
    ("2019年09月06日 09:38", "2019-09-06T09:38:00+08:00"),
    ("2019年9月6日", "2019-09-06T00:00:00+08:00"),
    ("2019年09月27日", "2019-09-27T00:00:00+08:00"),
    ("2019 年 9 月 27 日 08:05", "2019-09-27T08:05:00+08:00"),
    ("2021-9-27", "2021-09-27T00:00:00+08:00"),
    ("2021/09/27", "2021-09-27T00:00:00+08:00"),
    ("2021.09.27", "2021-09-27T00:00:00+08:00"),
    ("18-03-08 23:16", "2018-03-08T23:16:00+08:00"),
    ("2007-08-20-23:59:59", "2007-08-20T23:59:59+08:00"),
    ("来源：珠海特区报 2019-09-18 06:23 浏览次数：12", "2019-09-18T06:23:00+08:00"),
    ("宋雪梅 2025-12-23 23:39", "2025-12-23T23:39:00+08:00"),
    ("2019-09-18\xa006:23", "2019-09-18T06:23:00+08:00"),
    # ISO 8601: the instant is kept and expressed in the site's zone.
    ("2022-06-10T08:30:00+08:00", "2022-06-10T08:30:00+08:00"),
    ("2022-06-10T00:30:00Z", "2022-06-10T08:30:00+08:00"),
    ("2022-06-09T20:30:00-04:00", "2022-06-10T08:30:00+08:00"),
    ("2022-06-10T08:30:00.123+0800", "2022-06-10T08:30:00+08:00"),
    ("2022-06-10 08:30 UTC+9", "2022-06-10T07:30:00+08:00"),
    ("2021-12-31T20:00:00Z", "2022-01-01T04:00:00+08:00"),
    # English, 12-hour clock.
    ("May 9, 2021", "2021-05-09T00:00:00+08:00"),
    ("9 May 2021", "2021-05-09T00:00:00+08:00"),
    ("Apr 14, 2024 01:11 AM", "2024-04-14T01:11:00+08:00"),
    ("June 10, 2022 at 3:05 pm", "2022-06-10T15:05:00+08:00"),
    ("Sept. 3rd, 2020", "2020-09-03T00:00:00+08:00"),
    ("Posted on December 1, 2020 12:00 p.m.", "2020-12-01T12:00:00+08:00"),
    ("Jan 1, 2020 12:30 AM", "2020-01-01T00:30:00+08:00"),
    ("June 10, 2022 at 3 pm", "2022-06-10T15:00:00+08:00"),
    # A republisher's header: the 0 is a comment count, not an hour.
    ("2022-06-10 0 By", "2022-06-10T00:00:00+08:00"),
    # Full-width digits and colons, Chinese clock words.
    ("２０２２－０６－１０ 10：30", "2022-06-10T10:30:00+08:00"),
    ("２０２２年６月１０日", "2022-06-10T00:00:00+08:00"),
    ("发布时间：２０２２／０６／１０　１０：３０：１５", "2022-06-10T10:30:15+08:00"),
    ("2019年9月6日 下午3:05", "2019-09-06T15:05:00+08:00"),
    ("2019年9月6日 上午10:30", "2019-09-06T10:30:00+08:00"),
    ("2019年9月6日 晚上8点", "2019-09-06T20:00:00+08:00"),
    ("2019年9月6日 10时30分", "2019-09-06T10:30:00+08:00"),
    ("2019年9月6日 凌晨12:15", "2019-09-06T00:15:00+08:00"),
    # An update is not the publication when the text also says when it was published.
    ("发布时间：2019-09-06 最后更新: 2019-09-07 15:14:21", "2019-09-06T00:00:00+08:00"),
    ("最后更新: 2019-09-07 15:14:21 发布时间：2019-09-06 10:00", "2019-09-06T10:00:00+08:00"),
    ("更新时间：2019-09-07 发表时间：2019-09-05", "2019-09-05T00:00:00+08:00"),
    ("Updated: June 11, 2022 Published: June 10, 2022", "2022-06-10T00:00:00+08:00"),
    ("Last modified 2022-06-11, posted 2022-06-10", "2022-06-10T00:00:00+08:00"),
    # ...but it is the only date there is.
    ("最后更新: 2019-09-07 15:14:21", "2019-09-07T15:14:21+08:00"),
    ("修改时间：2019-09-07", "2019-09-07T00:00:00+08:00"),
    # Up to a day ahead of now is clock skew; beyond is not a publication date.
    ("2026-06-16 11:00", "2026-06-16T11:00:00+08:00"),
    ("2026-06-16 12:30", None),
    ("2030-01-01", None),
    ("活动时间：2026-12-01 发布时间：2026-06-01", "2026-06-01T00:00:00+08:00"),
    # Impossible values and implausible years.
    ("2019-13-01", None),
    ("2019-02-30", None),
    ("2019-02-29", None),
    ("2020-02-29", "2020-02-29T00:00:00+08:00"),
    ("2019-09-18 25:00", None),
    ("2019-09-18 10:61", None),
    ("1985-06-01", None),
    ("1989年12月31日", None),
    ("2022-06-10T08:30:00+25:00", None),
    ("95-03-08 10:00", "1995-03-08T10:00:00+08:00"),
    ("45-03-08 10:00", None),
    ("18-13-08 10:00", None),
    # No year and no default year: nothing is guessed.
    ("发布时间：10-08 12:00", None),
    ("10月8日", None),
    # Not dates at all.
    ("", None),
    ("来源：本网", None),
    ("浏览次数：1234", None),
    ("第 3 页 共 12 页", None),
    ("电话：0756-3629999", None),
    ("版本 v1.2.3", None),
    ("12:30", None),
    ("2019", None),
    ("2019-09", None),
    ("May 2021", None),
])
def test_parse_datetime_formats(text: str, expected: str | None) -> None:
    assert _iso(parse_datetime(text, SHANGHAI, now=NOW)) == expected


@pytest.mark.parametrize("text, default_year, expected", [
    ("发布时间：10-08 12:00", 2019, "2019-10-08T12:00:00+08:00"),
    ("10-08", 2019, "2019-10-08T00:00:00+08:00"),
    ("[10-08]", 2019, "2019-10-08T00:00:00+08:00"),
    ("10/08 09:15", 2019, "2019-10-08T09:15:00+08:00"),
    ("10月8日", 2019, "2019-10-08T00:00:00+08:00"),
    ("发布于 10月8日 下午2:30", 2019, "2019-10-08T14:30:00+08:00"),
    ("02-29 08:00", 2020, "2020-02-29T08:00:00+08:00"),
    ("02-29 08:00", 2019, None),
    ("10-08 12:00", 2026, None),
    # A written year always wins over the default.
    ("2018-03-08", 2019, "2018-03-08T00:00:00+08:00"),
    # A bare day and month inside running text is too likely something else.
    ("4月7日，珠海高新区管委会与中电信息签署合作协议", 2022, None),
    ("共10-08人", 2019, None),
])
def test_missing_year_comes_from_default_year(text: str, default_year: int,
                                              expected: str | None) -> None:
    assert _iso(parse_datetime(text, SHANGHAI, default_year=default_year, now=NOW)) == expected


@pytest.mark.parametrize("text, zone, expected", [
    ("2022-06-10 08:30", NEW_YORK, "2022-06-10T08:30:00-04:00"),
    ("2022-01-10", NEW_YORK, "2022-01-10T00:00:00-05:00"),
    ("2022-06-10T08:30:00+08:00", NEW_YORK, "2022-06-09T20:30:00-04:00"),
    ("2022-06-10T08:30:00+08:00", UTC, "2022-06-10T00:30:00+00:00"),
])
def test_text_without_zone_is_in_the_site_zone(text: str, zone: timezone | ZoneInfo,
                                               expected: str) -> None:
    assert _iso(parse_datetime(text, zone, now=NOW)) == expected


@pytest.mark.parametrize("text, accepted", [
    ("2026-06-16 11:00", True),
    ("2026-06-16 13:00", False),
])
def test_naive_now_is_read_in_the_site_zone(text: str, accepted: bool) -> None:
    naive_now = datetime(2026, 6, 15, 12, 0)
    assert (parse_datetime(text, SHANGHAI, now=naive_now) is not None) is accepted


def test_default_now_is_the_real_clock() -> None:
    tomorrow_plus = datetime.now(SHANGHAI) + timedelta(days=2)
    assert parse_datetime(tomorrow_plus.strftime("%Y-%m-%d %H:%M"), SHANGHAI) is None
    assert parse_datetime("2019-09-18 06:23", SHANGHAI) is not None


@pytest.mark.parametrize("url, expected", [
    ("http://www.zhuhai-hitech.gov.cn/xxgk/201909/t20190918_1234567.shtml", date(2019, 9, 18)),
    ("https://example.com/2022/06/10/Proposed-investment-of-1-6-billion/", date(2022, 6, 10)),
    ("https://pub-zhtb.hizh.cn/a/202512/23/AP694ab8a1e4b0e5c0a1b2c3d4.html", date(2025, 12, 23)),
    ("http://www.example.gov.cn/art/2016/11/22/art_1621004_30332664.htm", date(2016, 11, 22)),
    ("http://www.news.cn/2022-06/10/c_1128729876.htm", date(2022, 6, 10)),
    ("http://www.example.cn/news/2022-06-10/123.html", date(2022, 6, 10)),
    ("http://www.example.cn/20220610/abc.html", date(2022, 6, 10)),
    ("http://www.example.cn/2019/13/40/20190918/a.html", date(2019, 9, 18)),
    ("http://www.zhuhai-hitech.gov.cn/gxxw/gxdt/content/post_3456789.html", None),
    ("http://www.example.cn/2099/01/01/a.html", None),
    ("http://www.example.cn/2019/02/30/a.html", None),
    ("http://www.example.cn/1985/06/01/a.html", None),
    ("http://www.example.cn/13800138000/a.html", None),
    ("http://2019.example.com/06/10/a.html", None),
    ("", None),
])
def test_date_from_url(url: str, expected: date | None) -> None:
    assert date_from_url(url) == expected


@pytest.mark.parametrize("created, expected", [
    (datetime(2025, 12, 23, 23, 39, tzinfo=BEIJING_TIME), date(2025, 12, 23)),
    # Late in the UTC day is already the next day in Zhuhai.
    (datetime(2025, 12, 23, 17, 0, tzinfo=UTC), date(2025, 12, 24)),
])
def test_hizh_id_carries_the_creation_time(created: datetime, expected: date) -> None:
    assert date_from_url(_hizh_url(created, path_day=None), SHANGHAI, rules=ID_TIME) == expected
    # Only a site whose file asks for it reads a date from an id.
    assert date_from_url(_hizh_url(created, path_day=None), SHANGHAI) is None


@pytest.mark.parametrize("url, expected", [
    ("http://x.cn/2026/06/16/a.html", date(2026, 6, 16)),        # a day after NOW: a time zone away
    ("http://x.cn/2026/06/17/a.html", None),
    ("http://x.cn/201909/t20190918_1.html", date(2019, 9, 18)),
])
def test_a_url_date_is_judged_by_the_clock_given(url: str, expected: date | None) -> None:
    assert date_from_url(url, SHANGHAI, now=NOW) == expected


HIZH_CREATED = datetime(2025, 12, 23, 23, 39, 5, tzinfo=BEIJING_TIME)


@pytest.mark.parametrize("candidates, list_date, url, expected", [
    # The most trusted full date wins.
    (["2019-09-18 06:23"], None, None, "2019-09-18T06:23:00+08:00"),
    (["2019-09-18 06:23", "2019-09-17 10:00"], None, None, "2019-09-18T06:23:00+08:00"),
    (["来源：本网", "2019-09-17 10:00"], None, None, "2019-09-17T10:00:00+08:00"),
    (["10-08 12:00", "2019-10-09"], None, None, "2019-10-09T00:00:00+08:00"),
    # A day without a time borrows the time written elsewhere for the same day.
    (["时间: 2019-09-18", "宋雪梅 2019-09-18 10:30"], None, None, "2019-09-18T10:30:00+08:00"),
    (["2019-09-18"], "2019-09-18 10:30", None, "2019-09-18T10:30:00+08:00"),
    (["2019-09-18"], "09-18 10:30", None, "2019-09-18T10:30:00+08:00"),
    (["2019-09-18", "2019-09-19 10:30"], "2019-09-17 08:00", None, "2019-09-18T00:00:00+08:00"),
    # Likewise a time without seconds borrows them from a source that agrees to the minute...
    (["2023-04-25 16:45", "时间  :  2023-04-25 16:45:12"], None, None, "2023-04-25T16:45:12+08:00"),
    (["2023-04-25 16:45"], "2023-04-25 16:45:12", None, "2023-04-25T16:45:12+08:00"),
    (["2022-06-10T00:45Z", "2022-06-10 08:45:30"], None, None, "2022-06-10T08:45:30+08:00"),
    (["2019年9月6日 晚上8点", "2019-09-06 20:15"], None, None, "2019-09-06T20:15:00+08:00"),
    (["2019-09-18", "2019-09-18 10:30", "2019-09-18 10:30:15"], None, None,
     "2019-09-18T10:30:15+08:00"),
    # ...and never from one that disagrees, nor over seconds the trusted source wrote itself.
    (["2023-04-25 16:45", "2023-04-25 16:46:12"], None, None, "2023-04-25T16:45:00+08:00"),
    (["2023-04-25 16:45", "2023-04-26 16:45:12"], None, None, "2023-04-25T16:45:00+08:00"),
    (["2023-04-25 16:45:00", "2023-04-25 16:45:12"], None, None, "2023-04-25T16:45:00+08:00"),
    (["2019-09-18", "2019-09-18 10:30", "2019-09-18 10:31:15"], None, None,
     "2019-09-18T10:30:00+08:00"),
    (["2023-04-25 16:45", "最后更新: 2023-04-25 16:45:12"], None, None,
     "2023-04-25T16:45:00+08:00"),
    # A missing year comes from the list date, then the URL, then the clock.
    (["发布时间：10-08 12:00"], "2019-10-08", None, "2019-10-08T12:00:00+08:00"),
    (["发布时间：10-08 12:00"], None, "http://x.gov.cn/201910/t20191008_1.html",
     "2019-10-08T12:00:00+08:00"),
    (["发布时间：10-08 12:00"], "2018-10-08", "http://x.gov.cn/201910/t20191008_1.html",
     "2018-10-08T12:00:00+08:00"),
    (["发布时间：01-02 12:00"], None, "http://x.cn/2019/12/30/a.html", "2020-01-02T12:00:00+08:00"),
    (["发布时间：12-30 12:00"], "2020-01-02", None, "2019-12-30T12:00:00+08:00"),
    (["发布时间：10-08 12:00"], None, None, "2025-10-08T12:00:00+08:00"),
    (["发布时间：06-15 09:00"], None, None, "2026-06-15T09:00:00+08:00"),
    (["02-29 08:00"], None, None, "2024-02-29T08:00:00+08:00"),
    (["发布于 10月8日"], "10-08 14:00", None, "2025-10-08T14:00:00+08:00"),
    # A future date is passed over for the next candidate.
    (["2030-01-01 10:00", "2019-09-18 10:00"], None, None, "2019-09-18T10:00:00+08:00"),
    (["2026-06-17 10:00"], "2026-06-14", None, "2026-06-14T00:00:00+08:00"),
    (["2030-01-01"], None, "http://x.cn/2099/01/01/a.html", None),
    # An update date only when nothing else says when the article appeared.
    (["最后更新: 2019-09-07 15:14:21", "2019-09-06"], None, None, "2019-09-06T00:00:00+08:00"),
    (["最后更新: 2019-09-07 15:14:21"], "2019-09-06", None, "2019-09-06T00:00:00+08:00"),
    (["最后更新: 2019-09-07 15:14:21"], None, "http://x.gov.cn/201909/t20190905_1.html",
     "2019-09-05T00:00:00+08:00"),
    (["最后更新: 2019-09-07 15:14:21"], None, None, "2019-09-07T15:14:21+08:00"),
    # The list page, then the URL, when the page itself has no date.
    (["来源：本网", ""], "2019-09-18", None, "2019-09-18T00:00:00+08:00"),
    (["2019-13-45"], "[2019-09-18]", None, "2019-09-18T00:00:00+08:00"),
    ([], "[09-18]", "http://x.cn/2019/09/18/a.html", "2019-09-18T00:00:00+08:00"),
    ([], "10-08", None, "2025-10-08T00:00:00+08:00"),
    ([], None, "https://example.com/2022/06/10/Proposed-investment/", "2022-06-10T00:00:00+08:00"),
    ([], "2022-06-10 09:00", "https://example.com/2022/06/10/a/", "2022-06-10T09:00:00+08:00"),
    ([], None, _hizh_url(HIZH_CREATED), "2025-12-23T00:00:00+08:00"),   # no url_rules: its day
    # The page beats its URL, even days apart: the URL may carry the day the draft was made.
    (["2019-09-30 10:00"], None, "http://x.gov.cn/201909/t20190918_1.html",
     "2019-09-30T10:00:00+08:00"),
    (["2022-06-10 0 By"], None, "https://example.com/2022/06/10/a/", "2022-06-10T00:00:00+08:00"),
    (["2022-06-10T00:30:00Z"], None, None, "2022-06-10T08:30:00+08:00"),
    ([], None, None, None),
    (["来源：本网"], "", "http://x.cn/content/post_1234567.html", None),
])
def test_pick_published(candidates: list[str], list_date: str | None, url: str | None,
                        expected: str | None) -> None:
    picked = pick_published(candidates, SHANGHAI, url=url, list_date=list_date, now=NOW)
    assert _iso(picked) == expected


@pytest.mark.parametrize("candidates, url, expected", [
    ([], _hizh_url(HIZH_CREATED), "2025-12-23T23:39:05+08:00"),
    (["宋雪梅 2025-12-23 23:50"], _hizh_url(HIZH_CREATED), "2025-12-23T23:50:00+08:00"),
    ([], _hizh_url(HIZH_CREATED, path_day=None), "2025-12-23T23:39:05+08:00"),
])
def test_a_site_whose_ids_carry_their_time_has_it_read(
        candidates: list[str], url: str, expected: str) -> None:
    picked = pick_published(candidates, SHANGHAI, url=url, now=NOW, url_rules=ID_TIME)
    assert _iso(picked) == expected


# --- properties -------------------------------------------------------------------------------

FRAGMENTS = [
    "2019", "2022", "1989", "20", "06", "10", "13", "29", "31", "0", "-", "/", ".", ":", "：",
    " ", "T", "Z", "+08:00", "-0500", "UTC+9", "年", "月", "日", "时", "分", "点", "上午", "下午",
    "凌晨", "AM", "pm", "May", "Sept.", "June", "at", ",", "发布时间：", "最后更新:", "Updated",
    "２０２２", "－", "１０", "\u3000", "[", "]",
]
date_like_text = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.text(alphabet="0123456789-/.: 年月日", max_size=10)),
    max_size=12,
).map("".join)
any_text = st.one_of(st.text(), date_like_text)
zones = st.sampled_from([SHANGHAI, NEW_YORK, UTC])
clocks = st.datetimes(min_value=datetime(1995, 1, 1), max_value=datetime(2040, 1, 1),
                      timezones=st.just(UTC))
default_years = st.none() | st.integers(min_value=1980, max_value=2045)
EXPLICIT_OFFSET = re.compile(r"[zZ]|[+-]\d|utc|gmt", re.IGNORECASE)


def _years_written(text: str) -> set[int]:
    """Every year the text could be read to spell out, four digits or two."""
    years: set[int] = set()
    for run in re.findall(r"\d+", text):
        for start in range(len(run)):
            if start + 4 <= len(run):
                years.add(int(run[start:start + 4]))
            if start + 2 <= len(run):
                years.update({2000 + int(run[start:start + 2]), 1900 + int(run[start:start + 2])})
    return years


@given(text=any_text, zone=zones, default_year=default_years, now=clocks)
def test_parse_datetime_is_total_aware_and_never_in_the_future(
        text: str, zone: ZoneInfo, default_year: int | None, now: datetime) -> None:
    moment = parse_datetime(text, zone, default_year=default_year, now=now)
    if moment is not None:
        assert moment.tzinfo is zone
        assert moment <= now + timedelta(days=1)


@given(text=any_text, zone=zones, default_year=default_years, now=clocks)
def test_parse_datetime_never_invents_a_year(
        text: str, zone: ZoneInfo, default_year: int | None, now: datetime) -> None:
    moment = parse_datetime(text, zone, default_year=default_year, now=now)
    if moment is not None:
        known = _years_written(text) | ({default_year} if default_year else set())
        # An explicit offset may carry the instant across New Year in the site's zone.
        slack = 1 if EXPLICIT_OFFSET.search(text) else 0
        assert any(abs(moment.year - year) <= slack for year in known)


@given(candidates=st.lists(any_text, max_size=4), list_date=st.none() | any_text,
       url=st.none() | st.text(), zone=zones, now=clocks)
def test_pick_published_is_total_aware_and_never_in_the_future(
        candidates: list[str], list_date: str | None, url: str | None, zone: ZoneInfo,
        now: datetime) -> None:
    moment = pick_published(candidates, zone, url=url, list_date=list_date, now=now)
    if moment is not None:
        assert moment.tzinfo is zone
        assert moment <= now + timedelta(days=1)


@given(url=st.text())
def test_date_from_url_is_total(url: str) -> None:
    day = date_from_url(url)
    assert day is None or date(1990, 1, 1) <= day <= date.today() + timedelta(days=1)
