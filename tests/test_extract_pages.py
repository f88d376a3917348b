"""Field rules on small pages: info lines, metas, pagination, bodies, bad input."""

from __future__ import annotations

import pytest

from scrapers.extract import extract_article, extract_list
from tests.printed import printed

URL = "http://127.0.0.1:8000/news/content/post_7654321.html"
BODY = ("<p>园区重点项目建设进展顺利，一季度完成投资超过预期，多个产业项目提前开工建设。</p>"
        "<p>下一步将继续优化营商环境，推动项目早投产、早见效。</p>")


def article(info: str, *, head: str = "", after: str = "") -> dict[str, object]:
    page = (f"<html><head><title>园区项目建设提速_示范园区</title>{head}</head><body>"
            f"<div class='nav'><a href='/'>首页</a><a href='/news/'>新闻</a></div>"
            f"<h1>园区项目建设提速</h1>{info}<div class='zw'>{BODY}</div>{after}"
            f"<div class='foot'>版权所有 示范园区管委会</div></body></html>")
    return printed(extract_article(page.encode(), URL))


@pytest.mark.parametrize("info, published", [
    ("<div>时间  :  2022-06-10 10:30:00 来源  :  广州日报</div>", ["时间 : 2022-06-10 10:30:00"]),
    ("<div>发布日期：2016-11-22 &nbsp; 信息来源：市科技局</div>", ["发布日期：2016-11-22"]),
    ("<p>发布时间:2026-03-03 14:10 | 浏览次数：35</p>", ["发布时间:2026-03-03 14:10"]),
    ("<div><span>2019年09月06日 09:38</span><span>来源：本网</span></div>", ["2019年09月06日 09:38"]),
    ("<div>发布时间：10-08 12:00</div>", ["发布时间：10-08 12:00"]),  # no year: the parser decides
    ("<div>2007-08-20-23:59:59</div>", ["2007-08-20-23:59:59"]),
    ("<div class='meta'>May 9, 2021 · 3 min read</div>", ["May 9, 2021"]),
    ("<div>Apr 14, 2024 01:11 AM</div>", ["Apr 14, 2024 01:11 AM"]),
    # an update is kept, labelled, after the publication date
    ("<div>最后更新: 2019-09-07 15:14:21 发布日期：2019-09-05</div>",
     ["发布日期：2019-09-05", "最后更新: 2019-09-07 15:14:21"]),
    # another kind of date on the info line is not a publication date
    ("<div>报名截止时间：2022-07-01 发布日期：2022-06-10</div>", ["发布日期：2022-06-10"]),
])
def test_info_line_dates_are_kept_raw_in_trust_order(info: str, published: list[str]) -> None:
    assert article(info)["published"] == published


def test_meta_dates_come_before_the_info_line() -> None:
    head = ('<meta name="PubDate" content="2022-06-10 10:30">'
            '<meta property="article:published_time" content="2022-06-10T10:30:00+08:00">')
    assert article("<div>发布日期：2022-06-10</div>", head=head)["published"] == [
        "2022-06-10 10:30", "2022-06-10T10:30:00+08:00", "发布日期：2022-06-10"]


def test_dates_in_related_lists_and_footers_are_not_publication_dates() -> None:
    after = "<div class='related'><ul><li><a href='/a.html'>旧闻</a><span>2020-01-01</span></li></ul></div>"
    assert article("<div>发布日期：2022-06-10</div>", after=after)["published"] == [
        "发布日期：2022-06-10"]


@pytest.mark.parametrize("info, source", [
    ("<div>时间  :  2022-06-10 10:30:00   来源  :  广州日报</div>", "广州日报"),
    ("<div>发布日期：2016-11-22 &nbsp;&nbsp; 信息来源：市科技局 &nbsp;&nbsp; 【字体：大 中 小】</div>",
     "市科技局"),
    ("<div><span>来源：</span><span>本网</span><a>【打印】</a></div>", "本网"),
    ("<div>来源：珠海特区报 作者：张三 编辑：李四</div>", "珠海特区报"),
    ("<div>文章来源: 南方日报 | 浏览: 20</div>", "南方日报"),
    ("<div>2022-06-10</div>", None),
])
def test_source_is_the_value_without_its_label(info: str, source: str | None) -> None:
    assert article(info)["source"] == source


def test_content_source_meta_wins_over_the_info_line() -> None:
    head = '<meta name="ContentSource" content="珠海特区报">'
    assert article("<div>来源：本网</div>", head=head)["source"] == "珠海特区报"


@pytest.mark.parametrize("info, after, byline", [
    ("<div>来源：珠海特区报 作者：张三 编辑：李四</div>", "", ["作者：张三", "编辑：李四"]),
    ("<div>2022-06-10</div>", "<div class='zrbj'>（责任编辑：王五）</div>", ["责任编辑：王五"]),
    # hizh.cn: a bare name, then the time
    ("<div><span>宋雪梅</span><span>2025-12-23 23:39</span></div>", "", ["作者：宋雪梅"]),
    ("<div>宋雪梅 吴长福 2025-12-23 23:39</div>", "", ["作者：宋雪梅 吴长福"]),
    # a source, not a person, before the time
    ("<div>珠海特区报 2025-12-23 23:39</div>", "", []),
    # a blog header line without and with an author
    ("<div>2022-06-10 0 By</div>", "", []),
    ("<div>2022-06-10 0 By <a href='/author/jd/'>Jane Doe</a></div>", "", ["By Jane Doe"]),
    ("<div>Posted on June 10, 2022 by admin</div>", "", []),
])
def test_credit_texts_outside_the_body_reach_the_byline(info: str, after: str,
                                                        byline: list[str]) -> None:
    assert article(info, after=after)["byline"] == byline


def test_meta_author_joins_the_byline() -> None:
    assert article("<div>2022-06-10</div>", head='<meta name="author" content="李明">')[
        "byline"] == ["李明"]


@pytest.mark.parametrize("head, info, section", [
    ('<meta name="ColumnName" content="高新动态">', "", "高新动态"),
    ("", "<div class='crumbs'>当前位置：<a>首页</a> &gt; <a>高新新闻</a> &gt; <a>高新动态</a></div>",
     "高新动态"),
    ("", "<div>您的位置：首页 &gt;&gt; 园区动态 &gt;&gt; 正文</div>", "园区动态"),
    ("", "<div class='position'><a>首页</a><img src='/arrow.gif'><a>媒体看台</a></div>", "媒体看台"),
    ("", "<div class='crumb'><a>首页</a> &gt; <a>新闻</a> &gt; <span>高新动态</span></div>", "高新动态"),
    ("", "<div>当前位置：首页 &gt; 园区项目建设提速</div>", None),  # the headline is no column
    ("", "", None),
])
def test_section_is_the_column_name(head: str, info: str, section: str | None) -> None:
    assert article(info, head=head)["section"] == section


@pytest.mark.parametrize("head, language", [
    ("", None),
    ('<meta property="og:locale" content="zh_CN">', "zh_CN"),
    ('<meta http-equiv="content-language" content="zh-CN">', "zh-CN"),
])
def test_page_language_comes_from_the_page(head: str, language: str | None) -> None:
    assert article("", head=head)["page_language"] == language


def test_html_lang_is_the_page_language() -> None:
    page = f"<html lang='en-US'><body><h1>Zone news</h1><div>{BODY}</div></body></html>"
    assert extract_article(page.encode(), URL).page_language == "en-US"


@pytest.mark.parametrize("keywords, tags", [
    ("珠海高新区,高新动态", ["珠海高新区", "高新动态"]),
    ("珠海高新区，招商；签约、集成电路", ["珠海高新区", "招商", "签约", "集成电路"]),
    ("珠海 高新区 招商", ["珠海", "高新区", "招商"]),
    ("high-tech zone, Zhuhai", ["high-tech zone", "Zhuhai"]),
])
def test_keywords_become_tags(keywords: str, tags: list[str]) -> None:
    assert article("", head=f'<meta name="keywords" content="{keywords}">')["tags"] == tags


@pytest.mark.parametrize("head, title", [
    ('<meta name="ArticleTitle" content="园区项目建设提速">', "园区项目建设提速"),
    ('<meta property="og:title" content="园区项目建设提速 - 示范园区">', "园区项目建设提速"),
    ('<script type="application/ld+json">{"@context": "https://schema.org",'
     ' "@type": "NewsArticle", "headline": "园区项目建设提速", "datePublished": "2022-06-10"}'
     "</script>", "园区项目建设提速"),
    ("", "园区项目建设提速"),
])
def test_title_never_carries_the_site_name(head: str, title: str) -> None:
    assert article("", head=head)["title"] == title


def test_json_ld_article_feeds_date_and_author() -> None:
    head = ('<script type="application/ld+json">{"@graph": [{"@type": "WebSite", "name": "x"},'
            ' {"@type": ["NewsArticle"], "datePublished": "2022-06-10T10:30:00+08:00",'
            ' "author": [{"@type": "Person", "name": "Jane Doe"}]}]}</script>')
    item = article("", head=head)
    assert item["published"] == ["2022-06-10T10:30:00+08:00"]
    assert item["byline"] == ["Jane Doe"]


@pytest.mark.parametrize("title_page, expected", [
    ("标题_珠海高新区", "标题"),
    ("标题 - 珠海市人民政府", "标题"),
    ("Title | Blog", "Title"),
    ("标题_高新动态_珠海高新区", "标题"),
    ("奋进新征程——园区高质量发展纪实", "奋进新征程——园区高质量发展纪实"),
    ("Covid-19 rules eased - Zone Daily News", "Covid-19 rules eased"),
    ("标题-珠海市人民政府", "标题"),
    ("粤港澳-大湾区合作", "粤港澳-大湾区合作"),
    ("2022年1-5月经济运行情况_统计局", "2022年1-5月经济运行情况"),
])
def test_site_suffix_is_cut_from_page_titles(title_page: str, expected: str) -> None:
    page = f"<html><head><title>{title_page}</title></head><body><div>{BODY}</div></body></html>"
    assert extract_article(page.encode(), URL).title == expected


SITE = "南宁高新技术产业开发区管理委员会"
HEADLINE = "南宁高新区数字经济产业园新入驻企业30家"
INFO = "<div class='attr'>2023年11月15日 09:38 来源：南宁日报</div>"


def shaped(head: str, above: str) -> str:
    """A page: chrome with the site's name, whatever sits above the body, the body."""
    return (f"<html><head>{head}</head><body><div class='banner'><img alt='{SITE}'></div>"
            "<ul class='menu'><li><a href='/'>首页</a></li><li><a href='/xwzx/'>新闻中心</a></li>"
            "</ul><div class='position'>当前位置：<a href='/'>首页</a> &gt; "
            f"<a href='/xwzx/'>工作动态</a></div><div class='article'>{above}"
            f"<div class='TRS_Editor'>{BODY}</div></div>"
            f"<div class='footer'>主办：{SITE}</div></body></html>")


@pytest.mark.parametrize("head, above, expected", [
    # <title> is only the site's name: the headline shown above the body wins, whatever its markup
    (f"<title>{SITE}</title>", f"<div class='article-title'>{HEADLINE}</div>{INFO}", HEADLINE),
    (f"<title>{SITE}</title>", f"<h1>{HEADLINE}</h1>{INFO}", HEADLINE),
    (f"<title>{SITE}</title>", f"<h2><span>{HEADLINE}</span></h2>{INFO}", HEADLINE),
    (f"<title>{SITE}</title>", f"<table><tr><td class='biaoti'>{HEADLINE}</td></tr></table>{INFO}",
     HEADLINE),
    (f"<title>{SITE}</title>", f"<div class='title'><h3>{HEADLINE}</h3></div>{INFO}", HEADLINE),
    ("<title>南宁高新区</title>", "<h1>南宁高新区召开安全生产工作专题会议</h1>",
     "南宁高新区召开安全生产工作专题会议"),
    ("<title>Zone Daily News</title>",
     "<h1 class='entry-title'>Women's Day! The zone held a variety of activities</h1>",
     "Women's Day! The zone held a variety of activities"),
    # ...as is a <title> equal to the name the page declares for its site
    ("<title>南宁高新区新闻</title><meta name='SiteName' content='南宁高新区新闻'>",
     "<h2>南宁高新区新闻发布会</h2>", "南宁高新区新闻发布会"),
    ("<title>南宁高新区</title><meta property='og:site_name' content='南宁高新区'>",
     f"<div class='title'>{HEADLINE}</div>", HEADLINE),
    # the headline, not the column name above it nor the subtitle or the kicker beside it
    (f"<title>{SITE}</title>",
     f"<div class='lm-title'>南宁高新区工作动态</div><div class='title'>{HEADLINE}</div>"
     f"<div class='subtitle'>园区入驻企业总数达到268家，集聚效应进一步显现</div>{INFO}", HEADLINE),
    (f"<title>{SITE}</title>",
     f"<h2 class='yt'>数字经济加速集聚</h2><h2>{HEADLINE}</h2><h2 class='fbt'>入驻企业达268家</h2>",
     HEADLINE),
    # a <title> that is the headline keeps it, whatever else is printed above the body
    (f"<title>{HEADLINE}</title>", "<h2 class='column-title'>南宁高新区工作动态</h2>"
     f"<p><strong>{HEADLINE}</strong></p>{INFO}", HEADLINE),
    (f"<title>{HEADLINE}</title>", "<h2>工作动态</h2>", HEADLINE),
    (f"<title>{HEADLINE}</title>",
     "<h3><a href='/a.html'>南宁高新区召开安全生产工作专题会议</a></h3>", HEADLINE),
    (f"<title>{HEADLINE}_{SITE}</title>", f"<h1>{HEADLINE}</h1>", HEADLINE),
    # ...and one worded a little differently from the shown headline keeps its own wording
    ("<title>高新区一季度工业增加值同比增长6.8%</title>",
     "<h1>佛山高新区一季度规上工业增加值同比增长6.8%</h1>", "高新区一季度工业增加值同比增长6.8%"),
])
def test_a_title_naming_only_the_site_loses_to_the_shown_headline(
        head: str, above: str, expected: str) -> None:
    assert extract_article(shaped(head, above).encode(), URL).title == expected


def test_headline_without_heading_markup_is_the_line_above_the_date() -> None:
    page = ("<html><head><title>某某经开区</title></head><body><table>"
            "<tr><td><a href='/'>首页</a></td></tr>"
            "<tr><td style='font-size:20px'>经开区新增一批专精特新企业</td></tr>"
            "<tr><td>发布时间:2019年09月06日 09:38  来源:经开区经发局</td></tr>"
            f"<tr><td>{BODY}</td></tr></table></body></html>")
    item = extract_article(page.encode(), URL)
    assert item.title == "经开区新增一批专精特新企业"
    assert item.source == "经开区经发局"


@pytest.mark.parametrize("container", [
    "<div class='TRS_Editor'>{}</div>", "<div class='TRS_UEDITOR TRS_WEB'>{}</div>",
    "<div id='UCAP-CONTENT'>{}</div>", "<div class='zw'>{}</div>",
    "<div class='news_cont_d_wrap'>{}</div>", "<div id='zoom'>{}</div>",
    "<div class='article-content'>{}</div>", "<div class='artContent'>{}</div>",
    "<div class='entry-content'>{}</div>",
    "<section class='story-body'>{}</section>",  # no known skin: text density
    "<td>{}</td>",
])
def test_body_is_the_content_container(container: str) -> None:
    page = (f"<html><body><div class='menu'><a href='/a'>导航一</a><a href='/b'>导航二</a></div>"
            f"<h1>园区项目建设提速</h1><table><tr>{container.format(BODY)}</tr></table>"
            "<ul class='list'><li><a href='/x'>相关新闻：园区召开安全生产会议</a></li></ul>"
            "</body></html>")
    body = extract_article(page.encode(), URL).body_html
    assert "园区重点项目建设进展顺利" in body and "推动项目早投产" in body
    assert "导航" not in body and "相关新闻" not in body


def test_hanweb_markers_bound_the_body() -> None:
    page = ("<html><body><div id='zoom'><p>标题在这里</p><meta name='ContentStart'>"
            f"{BODY}<meta name='ContentEnd'><p>【打印本页】</p></div></body></html>")
    body = extract_article(page.encode(), URL).body_html
    assert body.startswith("<p>园区重点项目") and body.endswith("早见效。</p>")


def test_boilerplate_inside_the_container_is_cut_but_credits_stay() -> None:
    page = ("<html><body><div class='article-content'><h1>园区项目建设提速</h1>"
            "<div class='info'>发布时间：2022-06-10 来源：本网</div>"
            f"{BODY}<p>（责任编辑：王五）</p>"
            "<div class='share'>分享到：微信 微博</div><div class='page'>上一篇 下一篇</div>"
            "</div></body></html>")
    body = extract_article(page.encode(), URL).body_html
    assert "（责任编辑：王五）" in body and "园区重点项目" in body
    for cut in ("园区项目建设提速</h1>", "发布时间", "分享到", "上一篇"):
        assert cut not in body


@pytest.mark.parametrize("body", [b"", b"\x00\xff\xfe garbage", b"<html>", b"not html at all",
                                  b"<?xml version='1.0' encoding='gbk'?><html><body>x</body></html>",
                                  "<p>\ud800</p>".encode("utf-8", "surrogatepass")])
def test_bad_pages_never_raise(body: bytes) -> None:
    item = extract_article(body, URL)
    assert item.url == URL
    assert isinstance(item.published, list) and isinstance(item.body_html, str)
    page = extract_list(body, URL)
    assert page.next_urls == [] or all(u.startswith("http") for u in page.next_urls)


LIST_URL = "http://127.0.0.1:8000/news/index.html"


def pager(markup: str, url: str = LIST_URL) -> list[str]:
    page = f"<html><head>{markup if '<link' in markup else ''}</head><body>{markup}</body></html>"
    return extract_list(page.encode(), url).next_urls


@pytest.mark.parametrize("markup, url, expected", [
    ('<link rel="next" href="index_2.html">', LIST_URL, ["/news/index_2.html"]),
    ('<a rel="next" href="/news/index_2.html">›</a>', LIST_URL, ["/news/index_2.html"]),
    ('<a href="index_2.html">下一页</a>', LIST_URL, ["/news/index_2.html"]),
    ('<a href="list_3.htm">[下页]</a>', LIST_URL, ["/news/list_3.htm"]),
    ('<a href="?page=2">Next »</a>', LIST_URL, ["/news/index.html?page=2"]),
    ('<a class="next" href="index_4.html">&gt;</a>', "http://127.0.0.1:8000/news/index_3.html",
     ["/news/index_4.html"]),
    ('<a href="/page/3/">Older posts</a>', "http://127.0.0.1:8000/page/2/", ["/page/3/"]),
    # page links only: the one after this page
    ('<a href="index.html">1</a> <a href="index_2.html">2</a> <a href="index_3.html">3</a>',
     "http://127.0.0.1:8000/news/index_2.html", ["/news/index_3.html"]),
    # the pager is drawn by script, but the 尾页 link tells how many pages there are
    ('<a class="last" href="index_5.html">尾页</a>', LIST_URL, ["/news/index_2.html"]),
    ('<span>共 3 页</span>', "http://127.0.0.1:8000/news/index_2.html", ["/news/index_3.html"]),
    # the last page
    ('<span>第 3/3 页</span><a href="index_3.html">下一页</a>',
     "http://127.0.0.1:8000/news/index_3.html", []),
    ('<a href="index_3.html">下一页</a>', "http://127.0.0.1:8000/news/index_3.html", []),
    ('<a href="javascript:void(0)">下一页</a>', LIST_URL, []),
    ('<a href="#">下一页</a>', LIST_URL, []),
    ('<a href="index_2.html">上一页</a> <a href="/news/content/post_1.html">下一篇</a>',
     "http://127.0.0.1:8000/news/index_3.html", []),
    ("", LIST_URL, []),
])
def test_next_list_page(markup: str, url: str, expected: list[str]) -> None:
    assert [u.removeprefix("http://127.0.0.1:8000") for u in pager(markup, url)][:1] == expected


@pytest.mark.parametrize("script, url, expected", [
    ('createPageHTML(3, 0, "index", "htm");', "http://h/a/index.htm", ["http://h/a/index_1.htm"]),
    ('createPageHTML(3, 1, "index", "htm");', "http://h/a/index_1.htm",
     ["http://h/a/index_2.htm"]),
    ('createPageHTML(3, 2, "index", "htm");', "http://h/a/index_2.htm", []),
    ('var countPage = 7//共多少页\nvar currentPage = 4;\n'
     'createPageHTML(countPage, currentPage, "index", "shtml");', "http://h/a/index_4.shtml",
     ["http://h/a/index_5.shtml"]),
    ("createPageHTML('page_div', 5, 0, 'index', 'html', 90);", "http://h/a/",
     ["http://h/a/index_1.html"]),
    ('function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt) {}\n'
     'createPageHTML(2, 0, "index", "htm");', "http://h/a/index.htm", ["http://h/a/index_1.htm"]),
    ('createPageHTML(1, 0, "index", "htm");', "http://h/a/index.htm", []),
    # the Guangdong shape names its element first and counts from one: page 2 is index_2
    ("createPageHTML('page_div',3,1,'index','html',45);", "http://h/a/index.html",
     ["http://h/a/index_2.html"]),
    ("createPageHTML('page_div',3,2,'index','html',45);", "http://h/a/index_2.html",
     ["http://h/a/index_3.html"]),
    ("createPageHTML('page_div',3,3,'index','html',45);", "http://h/a/index_3.html", []),
])
def test_script_pagers_trs_from_zero_guangdong_from_one(script: str, url: str,
                                                        expected: list[str]) -> None:
    page = f"<html><body><div class='page'><script>{script}</script></div></body></html>"
    assert extract_list(page.encode(), url).next_urls[:1] == expected


@pytest.mark.parametrize("item, title, date_text", [
    ('<li><a href="content/post_1.html" title="完整标题">完整...</a><span>2022-06-10</span></li>',
     "完整标题", "2022-06-10"),
    ('<li><span class="date">[2022-06-10]</span><a href="content/post_1.html">标题</a></li>',
     "标题", "[2022-06-10]"),
    ('<tr><td><a href="content/post_1.html">标题</a></td><td>2022年06月10日</td></tr>',
     "标题", "2022年06月10日"),
    ('<li><a href="content/post_1.html"><h3>标题</h3><p>宋雪梅 2025-12-23 23:39</p></a></li>',
     "标题", "宋雪梅 2025-12-23 23:39"),
    ('<li><a href="content/post_1.html"><span>标题</span><em>2022-06-10</em></a></li>',
     "标题", "2022-06-10"),
    ('<li><a href="content/post_1.html">标题</a></li>', "标题", None),
    # a date in an item that links elsewhere too is not this link's date
    ('<li><a href="content/post_1.html">标题</a><a href="content/post_2.html">另一篇</a>'
     '<span>2022-06-10</span></li>', "标题", None),
])
def test_list_link_title_and_date(item: str, title: str, date_text: str | None) -> None:
    table = "table" if item.startswith("<tr") else "ul"
    page = f"<html><body><{table}>{item}</{table}></body></html>"
    link = next(link for link in extract_list(page.encode(), LIST_URL).links
                if link.url.endswith("post_1.html"))
    assert (link.url, link.title, link.date_text) == (
        "http://127.0.0.1:8000/news/content/post_1.html", title, date_text)


def test_list_links_are_absolute_in_document_order_without_fragments() -> None:
    page = ('<html><head><base href="http://127.0.0.1:8000/news/"></head><body>'
            '<a href="a.html#top">A</a><a href="/b.html">B</a><a href="javascript:;">C</a>'
            '<a href="mailto:x@y.z">D</a><a href="http://other.example/c.html">E</a></body></html>')
    assert [link.url for link in extract_list(page.encode(), LIST_URL).links] == [
        "http://127.0.0.1:8000/news/a.html", "http://127.0.0.1:8000/b.html",
        "http://other.example/c.html"]
