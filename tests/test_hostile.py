"""Hostile or odd pages, crawled through the zonenews command: each costs no content.

Escape sequences and other control characters never reach the archive; a page nested
10,000 deep, a UTF-8 page with a few stray bytes, a stray NUL byte and a refresh to
``javascript:`` keep the whole article."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import write_site, zonenews
from tests.gdsite import TWINS, GdArticle, GdColumn
from tests.siteserver import FixtureServer

PATTERN = r"/content/m?post_\d{7,8}\.html$"
CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _escapes(text: str, a: GdArticle) -> str:
    """Escape sequences in the title, source, section, credits, keywords, description and body."""
    red = f"\x1b[31m{html.escape(a.title)}\x1b[0m"
    text = text.replace(html.escape(a.title), red)
    text = text.replace(a.source, a.source[:1] + "\x07\x1b]0;owned\x07" + a.source[1:])
    text = text.replace("高新动态", "高新\x1b[2J动态")
    text = text.replace(a.author, f"\x1b[1m{a.author}\x9b0m")
    first = html.escape(a.paragraphs[0])
    text = text.replace(first, "&#27;[5m" + first[:3] + "\x00\x85" + first[3:] + "\x1b[0m", 1)
    return text.replace("</head>", '<meta name="keywords" content="集成\x1b[7m电路,人才">'
                                   '<meta name="description" content="摘要\x1bc文字"></head>')


def _deep(text: str, a: GdArticle) -> str:
    first = f'<p style="text-indent:2em">　　{html.escape(a.paragraphs[0])}</p>'
    return text.replace(first, first + "<div>" * 10_000).replace(
        "<div class=\"footer\">", "</div>" * 10_000 + "<div class=\"footer\">")


def _deep_spans(text: str, a: GdArticle) -> str:
    first = f'<p style="text-indent:2em">　　{html.escape(a.paragraphs[0])}</p>'
    return text.replace(first, "<div><span>" * 5_000 + first).replace(
        "<div class=\"footer\">", "</span></div>" * 5_000 + "<div class=\"footer\">")


def _javascript_refresh(text: str, a: GdArticle) -> str:
    return text.replace("<head>", '<head><meta http-equiv="refresh" '
                                  'content="0;url=javascript:location.replace(\'/\')">')


@dataclass(frozen=True)
class Hostile:
    name: str
    page: Callable[[str, GdArticle], str]
    encode: Callable[[str], bytes] = lambda text: text.encode("utf-8")
    content_type: str = "text/html; charset=utf-8"


HOSTILE = [
    Hostile("terminal escapes and controls in every field", _escapes),
    Hostile("a body nested 10,000 divs deep", _deep),
    Hostile("a body nested 5,000 div and span pairs deep", _deep_spans),
    Hostile("UTF-8 with a few stray bytes and no charset anywhere",
            lambda t, a: t.replace('<meta charset="utf-8">', "").replace("主办", "主\udcff办"),
            lambda t: t.encode("utf-8", "surrogateescape").replace(b"\xed\xb3\xbf", b"\xff\xfe"),
            "text/html"),
    Hostile("UTF-8 declared, with a stray byte", lambda t, a: t.replace("主办", "主\udcff办"),
            lambda t: t.encode("utf-8", "surrogateescape")),
    Hostile("a NUL byte early in the page", lambda t, a: t.replace("<head>", "<head>\x00")),
    Hostile("a meta refresh to javascript:", _javascript_refresh),
]


@dataclass
class HostileCrawl:
    code: int
    stderr: str
    run: dict[str, Any]
    stored: dict[str, dict[str, Any]]
    article_of: dict[str, GdArticle]
    server: FixtureServer
    db: str


@pytest.fixture(scope="module")
def hostile_crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileCrawl]:
    tmp = tmp_path_factory.mktemp("hostile")
    with FixtureServer() as server:
        column = GdColumn(server, per_page=len(HOSTILE) + 2)
        column.publish(len(HOSTILE) + 2)
        article_of = {}
        for case, article in zip(HOSTILE, column.articles, strict=False):
            text = server.pages[article.path].body.decode("utf-8")
            server.add(article.path, case.encode(case.page(text, article)), case.content_type)
            article_of[case.name] = article
        write_site(tmp / "sites", "hostile", [server.url("/gxxw/gxdt/index.html")], PATTERN, TWINS +
                   "obey_robots = false\ndelay = 0\n")
        db = f"sqlite:///{tmp / 'z.db'}"
        proc = zonenews("crawl", "hostile", db=db, sites=tmp / "sites", timeout=180)
        (run,) = json.loads(zonenews("runs", "--format", "json", db=db, check=True).stdout)
        stored = json.loads(zonenews("articles", "--limit", "0", "--format", "json", db=db,
                                     check=True).stdout)
        yield HostileCrawl(proc.returncode, proc.stderr, run, {a["url"]: a for a in stored},
                           article_of, server, db)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)


@pytest.mark.parametrize("case", HOSTILE, ids=[c.name for c in HOSTILE])
def test_a_hostile_page_keeps_its_whole_article(case: Hostile, hostile_crawl: HostileCrawl) -> None:
    article = hostile_crawl.article_of[case.name]
    row = hostile_crawl.stored.get(hostile_crawl.server.url(article.path))
    assert row is not None, hostile_crawl.run["details"]
    expected = article.expected("hostile zone")
    assert {k: row[k] for k in expected} == expected


def test_no_stored_field_holds_a_control_character(hostile_crawl: HostileCrawl) -> None:
    article = hostile_crawl.stored[hostile_crawl.server.url(
        hostile_crawl.article_of["terminal escapes and controls in every field"].path)]
    assert article["section"] == "高新动态"
    assert article["tags"] == ["集成电路", "人才"]
    assert article["summary"] == "摘要文字"
    for row in hostile_crawl.stored.values():
        for key, value in row.items():
            assert not any(CONTROLS.search(text) for text in _strings(value)), key
        assert "[31m" not in row["title"] and "[5m" not in row["body_text"]


def test_the_crawl_of_hostile_pages_succeeds_with_nothing_dropped(
        hostile_crawl: HostileCrawl) -> None:
    assert hostile_crawl.code == 0, hostile_crawl.stderr
    assert hostile_crawl.run["status"] == "succeeded"
    assert hostile_crawl.run["errors"] == 0 and hostile_crawl.run["details"]["errors"] == {}
    assert hostile_crawl.run["articles_new"] == len(HOSTILE) + 2

def test_zonenews_article_prints_no_escape_sequence(hostile_crawl: HostileCrawl) -> None:
    url = hostile_crawl.server.url(
        hostile_crawl.article_of["terminal escapes and controls in every field"].path)
    proc = zonenews("article", url, db=hostile_crawl.db, check=True)
    assert "\x1b" not in proc.stdout and "\x9b" not in proc.stdout
    assert hostile_crawl.article_of["terminal escapes and controls in every field"].title \
        in proc.stdout


@pytest.mark.parametrize("open_, close", [
    ("<div>", "</div>"),
    ("<div><span><font><section>", "</section></font></span></div>"),
    ("<font color=red>", ""),                       # never closed, as old templates leave it
    ("<table><tr><td>", "</td></tr></table>"),
    ("<blockquote class='q'>", "</blockquote>"),
])
def test_text_nested_past_the_parsers_limit_is_all_kept(open_: str, close: str) -> None:
    from scrapers.extract.document import parse, text_of

    words = [f"第{n}段文字" for n in range(6)]
    page = ("<html><body>" + words[0] + (open_ * 3000).join(["", words[1], ""]) + words[2]
            + open_ * 5000 + words[3] + close * 5000 + words[4] + close * 3000 + words[5]
            + "</body></html>")
    text = text_of(parse(page))
    assert [w for w in words if w in text] == words


def test_a_loopback_start_url_lets_no_link_reach_another_port(tmp_path: Path) -> None:
    with FixtureServer() as site, FixtureServer() as other:
        column = GdColumn(site, per_page=4)
        column.publish(4)
        hidden = GdColumn(other, per_page=2)
        hidden.publish(2)
        links = [site.url(a.path) for a in column.articles[:2]]
        links += [other.url(a.path) for a in hidden.articles]
        site.add("/mixed/index.html", "<ul>" + "".join(
            f'<li><a href="{u}">{n}号</a></li>' for n, u in enumerate(links)) + "</ul>")
        write_site(tmp_path / "sites", "loopback", [site.url("/mixed/index.html")], PATTERN, TWINS +
                   "obey_robots = false\ndelay = 0\n")
        db = f"sqlite:///{tmp_path / 'z.db'}"
        proc = zonenews("crawl", "loopback", db=db, sites=tmp_path / "sites", timeout=120)
        (run,) = json.loads(zonenews("runs", "--format", "json", db=db, check=True).stdout)

    assert proc.returncode == 0, proc.stderr
    assert run["articles_new"] == 2
    assert run["details"]["filtered"] == {"private_address": 2}
    assert other.hits[hidden.articles[0].path] == other.hits[hidden.articles[1].path] == 0
