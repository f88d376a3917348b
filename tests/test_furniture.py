"""What page furniture is: one table for the markup, one for the text, one for stored lines."""

from __future__ import annotations

import pytest

from pipelines.body import clean_body
from pipelines.furniture import block_kind, element_verdict, is_info_line, is_page_line

URL = "http://www.example.gov.cn/news/content/post_1.html"
TITLE = "高新区举办2022年人才招聘会"
ARTICLE = "6月10日，高新区在科技创新海岸举办人才招聘会，120家企业带来3000余个岗位，吸引求职者2000余人次。"


@pytest.mark.parametrize("tag, names, verdict", [
    ("nav", "", "always"),
    ("footer", "site-footer", "always"),
    ("form", "", "furniture"),
    ("aside", "", "furniture"),
    ("div", "bdshare_t bds_tools", "furniture"),   # a share bar, by a fragment of its class
    ("div", "share-bar", "furniture"),
    ("div", "info", "small"),                      # the info line, or a big info box
    ("div", "news-meta", "small"),
    ("div", "entry-meta", "furniture"),            # WordPress's, whatever it holds
    ("div", "zw-info", None),                      # the body itself (zw), not its info line
    ("div", "article-content", None),
    ("p", "", None),
])
def test_furniture_by_markup(tag: str, names: str, verdict: str | None) -> None:
    assert element_verdict(tag, names) == verdict


@pytest.mark.parametrize("text, link_share, kind", [
    ("分享到：微信 微博 QQ空间", 0.0, "furniture"),
    ("【打印本页】【关闭窗口】", 0.0, "furniture"),
    ("当前位置：首页 > 新闻中心", 0.6, "furniture"),
    ("相关阅读", 0.0, "related"),
    ("扫码关注高新区公众号", 0.0, "follow"),
    ("网友评论", 0.0, "tail"),
    ("主办单位：珠海高新区管委会 粤ICP备12345678号", 0.0, "tail"),
    ("附件：", 0.0, "attachment"),
    ("相关文章指出，高新区的发展得益于营商环境的持续优化。", 0.0, None),
    (ARTICLE, 0.0, None),
])
def test_furniture_by_text(text: str, link_share: float, kind: str | None) -> None:
    assert block_kind(text, link_share) == kind


def test_the_headline_and_info_line_are_furniture_only_in_the_body_s_head() -> None:
    info = "发布时间：2022-06-10 10:30 来源：本网"
    assert block_kind(TITLE, 0.0, title=TITLE) == "furniture"
    assert block_kind(TITLE, 0.0) is None  # without the page's headline nothing says so
    assert block_kind(info, 0.0, title=TITLE, in_head=True) == "furniture"
    assert block_kind(info, 0.0, title=TITLE, in_head=False) is None


@pytest.mark.parametrize("line, info", [
    ("发布时间：2022-06-10 10:30 来源：本网 浏览次数：88", True),
    ("2022-06-10 10:30", True),
    ("发布时间：2022年6月", True),
    ("来源：本网 点击：12", True),
    ("2022年6月10日，高新区召开安全生产工作会议。", False),
])
def test_info_lines(line: str, info: bool) -> None:
    assert is_info_line(line) is info


def test_the_body_cleaner_removes_the_headline_and_info_line_once_given_the_headline() -> None:
    page = (f"<div><h1>{TITLE}</h1><div class='sub'><span>发布时间：2022-06-10</span>"
            f"<span>来源：本网</span></div><p>{ARTICLE}</p>"
            "<p>发布时间：2022-06-10 来源：本网</p></div>")
    assert clean_body(page, URL, TITLE).paragraphs == [ARTICLE, "发布时间：2022-06-10 来源：本网"]
    assert clean_body(page, URL).paragraphs[0] == TITLE


@pytest.mark.parametrize("line, page", [
    ("来源：珠海特区报", True),
    ("责任编辑：王五", True),
    ("Editor: Lucy Chen", True),
    ("（记者 李明 通讯员 周楠）", True),
    ("分享到：微信", True),
    ("Share this", True),
    ("记者从高新区获悉，园区今年新增企业120家。", False),
    ("Print shops along the harbour reopened on Monday after a week of repairs.", False),
])
def test_lines_of_a_stored_body_about_the_page(line: str, page: bool) -> None:
    assert is_page_line(line) is page
