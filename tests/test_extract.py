"""Extraction on the fixture sites: every article and list page reads as a person reads it."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from scrapers.extract import extract_article, extract_list

SITES = Path(__file__).parent / "sites"
BASE = "http://127.0.0.1:8000"

# Text of navigation, share bars, pagers and footers: never part of an article body.
CHROME = {
    "gd-zhuhai": ["分享到", "上一篇", "下一篇", "网站标识码", "当前位置", "浏览次数", "主办单位",
                  "相关新闻", "相关阅读", "【打印", "无障碍浏览"],
}


def site_file(family: str) -> dict[str, Any]:
    return tomllib.loads((SITES / family / "site.toml").read_text(encoding="utf-8"))


def page(family: str, path: str) -> bytes:
    """The bytes the test server sends for ``path``, ``{base}`` filled in."""
    local = SITES / family / path.lstrip("/")
    if path.endswith("/"):
        local = local / "index.html"
    return local.read_bytes().replace(b"{base}", BASE.encode())


def served_type(family: str, path: str) -> str | None:
    headers = SITES / family / "_headers.json"
    if not headers.exists():
        return None
    mapping: dict[str, str] = json.loads(headers.read_text(encoding="utf-8"))
    return mapping.get(path)


def article_cases() -> list[Any]:
    cases = []
    for family in sorted(CHROME):
        expected = json.loads((SITES / family / "expected.json").read_text(encoding="utf-8"))
        for path, record in expected.items():
            cases.append(pytest.param(family, path, record, id=f"{family}{path}"))
    return cases


def extracted(family: str, path: str) -> Any:
    return extract_article(page(family, path), BASE + path,
                           content_type=served_type(family, path))


ARTICLES = article_cases()


@pytest.mark.parametrize("family, path, expected", ARTICLES)
def test_title_is_the_headline_without_site_name(family: str, path: str,
                                                 expected: dict[str, Any]) -> None:
    assert extracted(family, path)["title"] == expected["title"]


@pytest.mark.parametrize("family, path, expected", ARTICLES)
def test_most_trusted_date_string_carries_the_publication_date(
        family: str, path: str, expected: dict[str, Any]) -> None:
    published = extracted(family, path)["published"]
    day = expected["published_at"][:10]
    assert published, "no date string found"
    assert _same_day(published[0], day), published


@pytest.mark.parametrize("family, path, expected", ARTICLES)
def test_source_is_the_label_value(family: str, path: str, expected: dict[str, Any]) -> None:
    source = extracted(family, path)["source"]
    if expected["source"] == site_file(family)["name"]:
        assert source in {"本网", expected["source"]}  # 来源：本网 names the site itself
    else:
        assert source == expected["source"]


@pytest.mark.parametrize("family, path, expected", ARTICLES)
def test_section_is_the_column(family: str, path: str, expected: dict[str, Any]) -> None:
    assert extracted(family, path)["section"] == expected["section"]


@pytest.mark.parametrize("family, path, expected", ARTICLES)
def test_body_holds_the_whole_text_and_no_page_chrome(family: str, path: str,
                                                      expected: dict[str, Any]) -> None:
    body = _text(extracted(family, path)["body_html"])
    assert _text(expected["body_starts"]) in body
    assert _text(expected["body_ends"]) in body
    assert not body.startswith(_text(expected["title"]))  # the title block stays out
    for chrome in CHROME[family]:
        assert chrome not in body


@pytest.mark.parametrize("family, path, expected", ARTICLES)
def test_credit_lines_outside_the_body_reach_the_byline(family: str, path: str,
                                                        expected: dict[str, Any]) -> None:
    item = extracted(family, path)
    names = [*expected["authors"], *expected["editors"], *expected["responsible_editors"],
             *expected["photographers"]]
    seen = _text(item["body_html"]) + " ".join(item["byline"])
    for name in names:
        assert name in seen


def test_mobile_twin_reads_as_its_desktop_page() -> None:
    desktop = extracted("gd-zhuhai", "/gxxw/gxdt/content/post_3461203.html")
    mobile = extracted("gd-zhuhai", "/gxxw/gxdt/content/mpost_3461203.html")
    assert mobile["title"] == desktop["title"]
    assert mobile["published"][0][:10] == "2022-06-08"
    assert _text(desktop["body_html"]) == _text(mobile["body_html"])


# (family, list page, article paths with the date beside each, next list page or None)
LISTS = [
    ("gd-zhuhai", "/gxxw/gxdt/index.html", [
        ("/gxxw/gxdt/content/post_3456789.html", "2022-06-10"),
        ("/gxxw/gxdt/content/post_3461203.html", "2022-06-08"),
        ("/gxxw/gxdt/content/mpost_3461203.html", "2022-06-08"),
        ("/gxxw/gxdt/content/post_3470562.html", "2022-06-02"),
        ("/gxxw/gxdt/content/post_3478233.html", "2022-05-27"),
        ("/gxxw/gxdt/content/post_3489017.html", "2022-05-20"),
    ], "/gxxw/gxdt/index_2.html"),
    ("gd-zhuhai", "/gxxw/gxdt/index_2.html", [
        ("/gxxw/gxdt/content/post_3495540.html", "2022-05-13"),
        ("/gxxw/gxdt/content/post_3501876.html", "2022-05-06"),
        ("/gxxw/gxdt/content/post_3512298.html", "2022-04-28"),
        ("/gxxw/gxdt/content/post_3520471.html", "2022-04-21"),
    ], "/gxxw/gxdt/index_3.html"),
    ("gd-zhuhai", "/gxxw/gxdt/index_3.html", [
        ("/gxxw/gxdt/content/post_3533905.html", "2022-04-14"),
        ("/gxxw/gxdt/content/post_3541162.html", "2022-04-07"),
        ("/gxxw/gxdt/content/post_3550318.html", "2022-03-31"),
        ("/gxxw/gxdt/content/post_3561027.html", "2022-03-24"),
    ], None),
]
LIST_IDS = [f"{family}{path}" for family, path, _, _ in LISTS]


def listed(family: str, path: str) -> Any:
    return extract_list(page(family, path), BASE + path, content_type=served_type(family, path))


@pytest.mark.parametrize("family, path, articles, next_path", LISTS, ids=LIST_IDS)
def test_list_yields_article_links_in_order_with_their_dates(
        family: str, path: str, articles: list[tuple[str, str]], next_path: str | None) -> None:
    pattern = re.compile(site_file(family)["article_url_pattern"])
    found = [(urlsplit(link.url).path, link.date_text) for link in listed(family, path).links
             if pattern.search(link.url)]
    assert [p for p, _ in found] == [p for p, _ in articles]
    for (_, date_text), (_, day) in zip(found, articles, strict=True):
        assert date_text is not None and _same_day(date_text, day)


@pytest.mark.parametrize("family, path, articles, next_path", LISTS, ids=LIST_IDS)
def test_list_links_carry_full_titles(family: str, path: str, articles: list[tuple[str, str]],
                                      next_path: str | None) -> None:
    titles = {urlsplit(link.url).path: link.title for link in listed(family, path).links}
    expected = json.loads((SITES / family / "expected.json").read_text(encoding="utf-8"))
    for article_path, _ in articles:
        if article_path in expected:
            assert titles[article_path] == expected[article_path]["title"]


@pytest.mark.parametrize("family, path, articles, next_path", LISTS, ids=LIST_IDS)
def test_list_next_page_is_the_following_page_and_none_on_the_last(
        family: str, path: str, articles: list[tuple[str, str]], next_path: str | None) -> None:
    next_urls = listed(family, path).next_urls
    if next_path is None:
        assert next_urls == []
    else:
        assert next_urls[0] == BASE + next_path
        assert BASE + path not in next_urls


@pytest.mark.parametrize("family, path, section", [
    ("gd-zhuhai", "/gxxw/gxdt/index.html", "高新动态"),
    ("gd-zhuhai", "/gxxw/gxdt/index_2.html", "高新动态"),  # no ColumnName meta: breadcrumb
])
def test_list_section_is_the_column_name(family: str, path: str, section: str) -> None:
    assert listed(family, path).section == section


def _same_day(text: str, day: str) -> bool:
    """Whether a raw date string names ``day`` (YYYY-MM-DD), however it is printed."""
    year, month, date = (int(part) for part in day.split("-"))
    numbers = [int(n) for n in re.findall(r"\d+", text)]
    months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    named = re.search(r"([A-Za-z]{3})[a-z]*\.?\s+(\d{1,2}),?\s+(\d{4})", text)
    if named and named.group(1).lower() in months:
        return (int(named.group(3)), months.index(named.group(1).lower()) + 1,
                int(named.group(2))) == (year, month, date)
    return numbers[:3] == [year, month, date]


def _text(html: str) -> str:
    """Visible text with tags, entities of space and white space removed, for containment."""
    text = re.sub(r"<[^>]+>", "", html).replace("&nbsp;", "")
    return re.sub(r"[\s\u3000\xa0]+", "", text)
