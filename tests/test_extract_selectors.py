"""Site-file selectors: they override detection for their own field only."""

from __future__ import annotations

import pytest

from scrapers.extract import extract_article, extract_list, validate_selector
from tests.printed import printed

URL = "http://127.0.0.1:8000/news/content/post_1234567.html"
PAGE = """<html><head><title>门户首页_示范园区</title></head><body>
<div class="banner"><h1>示范园区管委会</h1></div>
<div class="art">
  <div class="hd"><span class="tt">园区新一代信息技术产业园开工</span></div>
  <div class="sub">园区新闻 | 刊发于 2023-08-01 09:30 | 稿源 示范园区报 | 撰稿 张明</div>
  <div class="bd"><p>8月1日，园区新一代信息技术产业园正式开工建设，总投资约20亿元，规划建设研发楼与标准厂房。</p>
  <p>项目建成后预计可引进企业80家，年产值超过50亿元，带动就业3000余人。</p></div>
  <div class="fx">分享到：微信 微博</div>
</div>
<div class="col" data-name="产业动态"></div>
</body></html>""".encode()


@pytest.mark.parametrize("selectors, field, expected", [
    ({"title": "span.tt"}, "title", "园区新一代信息技术产业园开工"),
    ({"title": "//div[@class='hd']/span"}, "title", "园区新一代信息技术产业园开工"),
    ({"title": "(//span)[1]/text()"}, "title", "园区新一代信息技术产业园开工"),
    ({"title": "span.tt::text"}, "title", "园区新一代信息技术产业园开工"),
    ({"source": "//div[@class='sub']/text()"}, "source",
     "园区新闻 | 刊发于 2023-08-01 09:30 | 稿源 示范园区报 | 撰稿 张明"),
    ({"section": "div.col::attr(data-name)"}, "section", "产业动态"),
    ({"section": "//div[@class='col']/@data-name"}, "section", "产业动态"),
    ({"summary": "div.bd p"}, "summary",
     "8月1日，园区新一代信息技术产业园正式开工建设，总投资约20亿元，规划建设研发楼与标准厂房。 "
     "项目建成后预计可引进企业80家，年产值超过50亿元，带动就业3000余人。"),
])
def test_selector_sets_its_field(selectors: dict[str, str], field: str, expected: str) -> None:
    assert printed(extract_article(PAGE, URL, selectors=selectors))[field] == expected


@pytest.mark.parametrize("selectors, field, expected", [
    ({"published_at": "div.sub"}, "published", ["园区新闻 | 刊发于 2023-08-01 09:30 | 稿源 示范园区报 | "
                                                "撰稿 张明"]),
    ({"authors": "//div[@class='sub']"}, "byline", ["园区新闻 | 刊发于 2023-08-01 09:30 | 稿源 示范园区报 | "
                                                     "撰稿 张明"]),
    ({"tags": "div.col::attr(data-name)"}, "tags", ["产业动态"]),
])
def test_selector_comes_first_in_list_fields(selectors: dict[str, str], field: str,
                                             expected: list[str]) -> None:
    assert printed(extract_article(PAGE, URL, selectors=selectors))[field][:len(expected)] == expected


def test_body_selector_gives_the_selected_markup() -> None:
    item = extract_article(PAGE, URL, selectors={"body": "div.bd"})
    assert item.body_html.startswith('<div class="bd"><p>8月1日')
    assert "分享到" not in item.body_html


def test_body_selector_with_several_matches_joins_them_in_order() -> None:
    item = extract_article(PAGE, URL, selectors={"body": "div.bd > p"})
    assert item.body_html.startswith("<p>8月1日")
    assert item.body_html.endswith("带动就业3000余人。</p>")


def test_a_selector_overrides_its_field_only() -> None:
    detected = printed(extract_article(PAGE, URL))
    overridden = printed(extract_article(PAGE, URL, selectors={"title": "span.tt"}))
    for field in ("published", "body_html", "summary", "tags"):
        assert overridden[field] == detected[field]


@pytest.mark.parametrize("selectors", [
    {"title": "h2.no-such-title"},
    {"title": "//h2[@id='missing']"},
    {"body": "div.no-body"},
])
def test_a_selector_matching_nothing_falls_back_to_detection(selectors: dict[str, str]) -> None:
    assert extract_article(PAGE, URL, selectors=selectors) == extract_article(PAGE, URL)


@pytest.mark.parametrize("field, expr", [
    ("title", "div["),
    ("title", "//div["),
    ("body", "(//div"),
    ("published_at", "//div[@class='x']/no-such-function()"),
    ("authors", "p::nonsense"),
    ("next_page", "a:has-text(下一页)"),
    ("links", ""),
    ("headline", "h1"),  # not a selector field
])
def test_an_invalid_selector_is_refused_naming_its_field(field: str, expr: str) -> None:
    with pytest.raises(ValueError, match=field):
        validate_selector(field, expr)
    with pytest.raises(ValueError, match=field):
        extract_article(PAGE, URL, selectors={field: expr})


@pytest.mark.parametrize("field, expr", [
    ("title", "h1.title"),
    ("title", "//h1[contains(@class, 'title')]"),
    ("published_at", "(//span[@class='date'])[1]/text()"),
    ("next_page", "a.next::attr(href)"),
    ("links", "ul.list li > a"),
])
def test_valid_selectors_pass(field: str, expr: str) -> None:
    validate_selector(field, expr)


LIST_URL = "http://127.0.0.1:8000/news/index.html"
LIST = """<html><head><title>园区新闻</title></head><body>
<ul class="hot"><li><a href="content/post_1000001.html">热点：园区年度报告</a></li></ul>
<ul class="news">
  <li><a href="content/post_1234567.html">产业园开工</a><i>2023-08-01</i></li>
  <li><a href="content/post_1234566.html">招聘会举行</a><i>2023-07-28</i></li>
</ul>
<div class="pg"><a href="index_1.html">上一页</a><a id="go" href="list_p3.html">跳转</a></div>
</body></html>""".encode()


def test_links_selector_keeps_only_links_inside_it() -> None:
    page = extract_list(LIST, LIST_URL, selectors={"links": "ul.news"})
    assert [link.url for link in page.links] == [
        "http://127.0.0.1:8000/news/content/post_1234567.html",
        "http://127.0.0.1:8000/news/content/post_1234566.html",
    ]
    assert [link.date_text for link in page.links] == ["2023-08-01", "2023-07-28"]


@pytest.mark.parametrize("expr", ["#go", "//a[@id='go']/@href", "a#go::attr(href)"])
def test_next_page_selector_comes_first(expr: str) -> None:
    page = extract_list(LIST, LIST_URL, selectors={"next_page": expr})
    assert page.next_urls[0] == "http://127.0.0.1:8000/news/list_p3.html"
