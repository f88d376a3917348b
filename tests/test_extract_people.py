"""Credits, source, headline and date of pages written the way other CMS skins and portals write
them, and the same record for the same page on every run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from scrapers.single_page import extract_record

ROOT = Path(__file__).resolve().parent.parent
PEOPLE = Path(__file__).parent / "fixtures" / "people"
EXPECTED = json.loads((PEOPLE / "expected.json").read_text("utf-8"))
FIELDS = ("title", "published_at", "source", "authors", "photographers", "editors",
          "responsible_editors", "section")

# Every fixture page of the suite, as a child process reads it: file → record, as JSON lines.
_DUMP = """
import json, sys
from pathlib import Path
from scrapers.single_page import extract_record
from pipelines.normalize import Unusable
for name in sys.argv[1:]:
    path = Path(name)
    body = path.read_bytes().replace(b"{base}", b"http://127.0.0.1:8000")
    try:
        record = extract_record(body, "http://127.0.0.1:8000/" + path.name)
    except Unusable as exc:
        record = {"unusable": str(exc)}
    print(json.dumps([name, record], ensure_ascii=False, sort_keys=True, default=str))
"""


def _corpus() -> list[str]:
    tests = Path(__file__).parent
    pages = [*(tests / "sites").rglob("*"), *(tests / "fixtures").rglob("*")]
    return sorted(str(page.relative_to(ROOT)) for page in pages
                  if page.suffix in {".html", ".htm", ".shtml"} and page.is_file())


def _records(seed: str, pages: list[str]) -> list[str]:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    proc = subprocess.run([sys.executable, "-c", _DUMP, *pages], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout.splitlines()


@pytest.mark.slow
def test_every_fixture_page_gives_the_same_record_under_any_hash_seed() -> None:
    pages = _corpus()
    assert len(pages) > 250
    first, second = _records("1", pages), _records("5", pages)
    assert len(first) == len(pages)
    differing = [a[:200] for a, b in zip(first, second, strict=True) if a != b]
    assert differing == []


def test_a_headline_printed_twice_is_read_at_its_first_place_on_every_run() -> None:
    # The copy of the headline under the body (a share box) has no time after it; the info line
    # under the first has. Which one the page is read from must not depend on the run.
    page = ("<html><head><title>高新区召开项目推进会_新闻中心</title>"
            "<meta name='PubDate' content='2019-12-10'></head><body>"
            "<div class='article-title'>高新区召开项目推进会</div>"
            "<div class='info'>发布时间：2019-12-10 07:57:40 来源：本网</div>"
            "<div class='content'><p>园区重点项目建设进展顺利，一季度完成投资超过预期，多个产业项目提前开工建设。</p>"
            "<p>下一步将继续优化营商环境，推动项目早投产、早见效。</p></div>"
            "<div class='share-title'>高新区召开项目推进会</div><div>2019-12-10</div></body></html>")
    script = ("import sys; from scrapers.single_page import extract_record; "
              "print(extract_record(sys.stdin.buffer.read(), 'http://x.cn/a.html')['published_at'])")
    seen = {subprocess.run([sys.executable, "-c", script], input=page.encode(), cwd=ROOT,
                           env={**os.environ, "PYTHONHASHSEED": str(seed)}, capture_output=True,
                           check=True).stdout.strip() for seed in range(1, 5)}
    assert seen == {b"2019-12-10T07:57:40+08:00"}


@pytest.mark.parametrize("page", sorted(EXPECTED))
def test_people_source_headline_and_time_are_what_a_reader_of_the_page_says(page: str) -> None:
    want = EXPECTED[page]
    got = extract_record((PEOPLE / page).read_bytes(), want["url"])
    wrong = {field: (want[field], got[field]) for field in FIELDS
             if field in want and want[field] != got[field]}
    assert wrong == {}


@pytest.mark.parametrize("page", sorted(EXPECTED))
def test_no_credit_is_left_in_the_body(page: str) -> None:
    got = extract_record((PEOPLE / page).read_bytes(), EXPECTED[page]["url"])
    # A caption keeps its picture credit (横琴口岸一景。冯晓阳 摄): it is the picture's, not a byline.
    body = "\n".join(line for line in got["body_text"].split("\n") if not line.endswith("摄"))
    assert not any(mark in body for mark in ("编辑", "责编", "执笔", "采写", "作者", "记者王明")), body
    people = [*got["authors"], *got["editors"], *got["responsible_editors"]]
    assert all(name not in body for name in people), (people, body)


URL = "http://www.example-zone.gov.cn/xwzx/202403/t20240305_100200.html"
TEXT = ("<p>园区重点项目建设进展顺利，一季度完成投资超过预期，多个产业项目提前开工建设。</p>"
        "<p>下一步将继续优化营商环境，推动项目早投产、早见效。</p>")


def record(headline: str, info: str, *, head: str = "", after: str = "",
           title: str = "园区项目建设提速_新闻中心_示范园区") -> dict[str, object]:
    page = (f"<html><head><title>{title}</title>{head}</head><body>"
            f"<div class='nav'><a href='/'>首页</a><a href='/news/'>新闻中心</a></div>"
            f"{headline}{info}<div class='article-content'>{TEXT}</div>{after}"
            f"<div class='foot'>版权所有 示范园区管委会</div></body></html>")
    return extract_record(page.encode(), URL)


H1 = "<h1>园区项目建设提速</h1>"


@pytest.mark.parametrize("head, info, published", [
    # the time under the headline beats a published_time meta that differs from it
    ('<meta property="article:published_time" content="2024-03-04T16:00:00+08:00">',
     "<div>2024-03-05 10:20</div>", "2024-03-05T10:20:00+08:00"),
    ('<meta name="PubDate" content="2024-03-05">',
     "<div class='info'>发布时间：2024-03-05 10:20:31 来源：本网</div>", "2024-03-05T10:20:31+08:00"),
    ('<meta name="firstpublishedtime" content="2024-03-05 08:00:00">',
     "<p><span>2024年03月05日 10:20</span><span>南方日报</span></p>", "2024-03-05T10:20:00+08:00"),
    ('<meta property="article:published_time" content="2024-03-05T00:00:00Z">',
     "<div>日期：2024-03-05&nbsp;&nbsp;&nbsp;10:20</div>", "2024-03-05T10:20:00+08:00"),
    # a meta that agrees to the minute lends its seconds; a visible day alone borrows the time
    ('<meta name="PubDate" content="2024-03-05 10:20:31">', "<div>2024-03-05 10:20</div>",
     "2024-03-05T10:20:31+08:00"),
    ('<meta name="PubDate" content="2024-03-05 10:20">', "<div>发布日期：2024-03-05</div>",
     "2024-03-05T10:20:00+08:00"),
    # a meta that writes the shown wall-clock time keeps its place: it also gives the zone
    ('<meta property="article:published_time" content="2024-04-14T13:11:00-04:00">',
     "<div>Apr 14, 2024 01:11 PM</div>", "2024-04-15T01:11:00+08:00"),
    ('<meta property="article:published_time" content="2024-04-14T00:00:00-04:00">',
     "<div>Apr 14, 2024 01:11 PM</div>", "2024-04-14T13:11:00+08:00"),
    # a meta with a time still wins over a shown day that names another one
    ('<meta name="PubDate" content="2024-03-04 18:00">', "<div>发布日期：2024-03-05</div>",
     "2024-03-04T18:00:00+08:00"),
])
def test_the_shown_time_is_the_publication_time(head: str, info: str, published: str) -> None:
    assert record(H1, info, head=head)["published_at"] == published


@pytest.mark.parametrize("info, source", [
    ("<div>发布时间：2024-03-05 10:20 来源于：金湾区发展和改革局</div>", "金湾区发展和改革局"),
    ("<div><span>来源于:</span><span>市科技局</span></div>", "市科技局"),
    ("<div class='newsInfo'>2024-03-05 10:20&nbsp;&nbsp;珠海特区报</div>", "珠海特区报"),
    ("<p><span class='date'>2024年03月06日 09:12</span> <a class='source'>南方+</a></p>", "南方+"),
    ("<div>2024-03-05 10:20 <span>深圳商报</span></div>", "深圳商报"),
    ("<div>新华社 2024-03-05 10:20</div>", "新华社"),
    ("<div><span>2024-03-05 10:20</span><span>|</span><span>中山日报</span></div>", "中山日报"),
    ("<div>作者：王明 2024-03-05 10:20 中国高新网</div>", "中国高新网"),
    ("<div>2024-03-05 10:20 新华社客户端</div>", "新华社客户端"),
    # labels the usual ones miss, a value in brackets
    ("<div><span>2024-03-05 10:20</span><span>来自：珠海+</span></div>", "珠海+"),
    ("<div>来源：【南方日报】 2024-03-05</div>", "南方日报"),
    # beside the date, but no source: a person, a weekday, a counter
    ("<div>宋雪梅 2024-03-05 10:20</div>", None),
    ("<div>2024-03-05 10:20 星期二</div>", None),
    ("<div>2024-03-05 10:20 阅读 356</div>", None),
])
def test_a_source_beside_the_date_needs_no_label(info: str, source: str | None) -> None:
    assert record(H1, info)["source"] == source


@pytest.mark.parametrize("headline, title, want", [
    ("<h1>园区项目建设提速</h1>", "新闻动态--示范园区官网", "园区项目建设提速"),
    ("<h5 class='news-tit'>园区项目建设提速</h5>", "工作动态 - 示范园区管委会门户网站", "园区项目建设提速"),
    ("<div class='article-title'>园区项目建设提速</div>", "园区新闻", "园区项目建设提速"),
    ("<td class='bt'>园区项目建设提速</td>", "示范园区 | 新闻中心", "园区项目建设提速"),
])
def test_the_shown_headline_beats_a_title_naming_the_column(headline: str, title: str,
                                                            want: str) -> None:
    assert record(headline, "<div>发布日期：2024-03-05</div>", title=title)["title"] == want


def test_a_headline_opening_the_content_block_leads_to_its_info_line() -> None:
    page = ("<html><head><title>工作动态 - 示范园区门户网站</title></head><body>"
            "<div class='news_wrap'><h5 class='tit'>园区项目建设提速</h5>"
            "<div class='time'>2024-04-02 16:45&nbsp;&nbsp;来源：开发区科技创新局</div>"
            f"<div class='cont'>{TEXT}</div></div></body></html>")
    got = extract_record(page.encode(), URL)
    assert (got["title"], got["published_at"], got["source"]) == (
        "园区项目建设提速", "2024-04-02T16:45:00+08:00", "开发区科技创新局")


@pytest.mark.parametrize("head, after, people", [
    # the portal, the site, an office in the author meta are nobody; a person is the author
    ('<meta name="author" content="网易">', "", {}),
    ('<meta property="article:author" content="新浪财经">', "", {}),
    ('<meta name="author" content="示范园区管委会">', "", {}),
    ('<meta name="author" content="李强_NN1234">', "", {"authors": ["李强"]}),
    # who made the site is no author
    ("", "<div class='site-info'>Proudly powered by WordPress</div>", {}),
    ("", "<footer>Copyright © 2023 园区观察 · Powered by WordPress · Theme by Jane Doe</footer>", {}),
    # credits under the body: the name on the next line, pipes and slashes, staff codes
    ("", "<div>责任编辑：</div><div>周强</div>", {"responsible_editors": ["周强"]}),
    ("", "<p class='editor'>责任编辑：<br>mengxy</p>", {"responsible_editors": ["mengxy"]}),
    ("", "<div class='editor'>编辑|苏芳&nbsp;&nbsp;责编|何宁</div>",
     {"editors": ["苏芳"], "responsible_editors": ["何宁"]}),
    ("", "<div>摄影/赵敏 编辑/孙丽</div>", {"photographers": ["赵敏"], "editors": ["孙丽"]}),
    ("", "<div class='post_author'>责任编辑：杨倩_NF4425</div>", {"responsible_editors": ["杨倩"]}),
    ("", "<div>文字：王明 图片：李华</div>", {"authors": ["王明"], "photographers": ["李华"]}),
    ("", "<p>执笔：陈晓</p>", {"authors": ["陈晓"]}),
    ("", "<div class='editor'>【责任编辑:王伟】</div>", {"responsible_editors": ["王伟"]}),
])
def test_credits_around_the_body_name_people_only(head: str, after: str,
                                                  people: dict[str, list[str]]) -> None:
    got = record(H1, "<div>发布日期：2024-03-05</div>", head=head, after=after)
    roles = ("authors", "photographers", "editors", "responsible_editors")
    assert {role: got[role] for role in roles if got[role]} == people


def test_a_credit_on_the_info_line_ends_where_the_date_begins() -> None:
    got = record(H1, "<div>作者：王明 2024-03-05 10:20 中国高新网</div>")
    assert (got["authors"], got["published_at"], got["source"]) == (
        ["王明"], "2024-03-05T10:20:00+08:00", "中国高新网")


@pytest.mark.parametrize("page_title, section", [
    ("园区项目建设提速_园区动态_示范园区", "园区动态"),
    ("园区项目建设提速 - 部门动态 - 某省人民政府门户网站", "部门动态"),
    ("园区项目建设提速|新闻中心|示范园区", "新闻中心"),
    # two parts name the site, not a column; a headline not first is no such title
    ("园区项目建设提速_示范园区", None),
    ("园区动态_园区项目建设提速_示范园区", None),
    ("园区项目建设提速_正文_示范园区", None),
])
def test_the_column_between_headline_and_site_in_the_title_is_the_section(
        page_title: str, section: str | None) -> None:
    assert record(H1, "<div>发布日期：2024-03-05</div>", title=page_title)["section"] == section
