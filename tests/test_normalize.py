"""RawArticle → article record: what a reader sees on the page, cleaned, with credits and the
publication time parsed, and pages that are not articles refused with a reason."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from pipelines.language import detect_language
from pipelines.normalize import Unusable, byline_credits, normalize
from pipelines.raw_article import (
    CreditCandidate,
    CreditPlace,
    DateCandidate,
    DateOrigin,
    RawArticle,
)

SEED = (Path(__file__).parent / "fixtures/seed/000_d713aaca8bbf0266.txt").read_text("utf-8")
NOW = datetime(2026, 6, 15, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def raw(body_html: str, **fields: object) -> RawArticle:
    """A page's fields; ``published`` and ``byline`` as the info line prints them, in that order."""
    item = RawArticle(url="http://www.zone.gov.cn/news/content/post_1234567.html", site="demo",
                      site_name="演示高新区", timezone="Asia/Shanghai", language=None,
                      title="高新区项目签约", body_html=body_html, tags=[])
    update(item, {"published": ["2022-06-10 10:30"], "byline": [], **fields})
    return item


def update(item: RawArticle, fields: dict[str, Any]) -> None:
    for name, value in fields.items():
        if name == "published":
            item.published = [DateCandidate(str(text), DateOrigin.INFO_LINE) for text in value]
        elif name == "byline":
            item.credits = [CreditCandidate(str(line), CreditPlace.INFO_LINE) for line in value]
        else:
            setattr(item, name, value)


def test_credit_lines_leave_the_body_and_fill_the_people() -> None:
    rec = normalize(raw("<div><p>　　高新区与企业签约。</p><p>项目总投资16亿元。</p>"
                        "<p>文/宋雪梅 图/吴长福</p><p>责任编辑：杨倩_NF4425</p></div>"), now=NOW)
    assert rec.body_text == "高新区与企业签约。\n项目总投资16亿元。"
    assert (rec.authors, rec.photographers, rec.responsible_editors) == (
        ["宋雪梅"], ["吴长福"], ["杨倩"])
    assert "宋雪梅" not in rec.body_html and "高新区与企业签约。" in rec.body_html
    assert rec.published_at == datetime(2022, 6, 10, 10, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert rec.language == "zh"


def test_the_seed_article_as_on_its_origin_page() -> None:
    lines = SEED.splitlines()
    title, paragraph = lines[0], lines[-1]
    rec = normalize(raw(f'<div class="entry-content"><p>{paragraph}</p></div>', title=title,
                        published=["2022-06-10 0 By"], url="http://blog.example.com/2022/06/10/x/"),
                    now=NOW)
    assert rec.title == "Proposed investment of 1.6 billion!Zhuhai first"
    assert rec.published_at is not None and rec.published_at.date().isoformat() == "2022-06-10"
    assert rec.authors == ["Song Xuemei"]
    assert rec.photographers == ["wu Changfu"]
    assert rec.editors == ["Yang Ziwei"]
    assert rec.responsible_editors == ["Hu Jieting"]
    assert rec.source is not None and "Zhuhai High-tech Zone" in rec.source
    assert rec.language == "en"
    assert rec.body_text.endswith("Zhuhai and even the Greater Bay Area.")
    assert "Hu Jieting" not in rec.body_html and "/editor" not in rec.body_text


@pytest.mark.parametrize("source, stored", [
    ("本网", "演示高新区"), ("来源：本网", "演示高新区"), ("珠海特区报", "珠海特区报"),
    ("信息来源：广州日报", "广州日报"), (None, None),
])
def test_source_this_site_names_the_site(source: str | None, stored: str | None) -> None:
    assert normalize(raw("<p>正文内容。</p>", source=source), now=NOW).source == stored


def test_the_headline_and_info_line_at_the_top_of_the_content_are_not_body() -> None:
    rec = normalize(raw("<div><p>高新区项目签约</p><p>发布时间：2022-06-10 10:30 来源：本网 浏览次数：88</p>"
                        "<p>2022年6月10日，高新区召开会议。</p></div>"), now=NOW)
    assert rec.body_text == "2022年6月10日，高新区召开会议。"


def test_the_list_title_stands_in_for_a_missing_headline() -> None:
    assert normalize(raw("<p>正文。</p>", title=None, list_title="列表标题"), now=NOW).title == "列表标题"


@pytest.mark.parametrize("fields, reason", [
    ({"title": None, "list_title": None}, "no_title"),
    ({"body_html": "<div><script>x()</script><p>文/宋雪梅</p></div>"}, "no_body"),
    ({"body_html": ""}, "no_body"),
])
def test_a_page_that_is_not_an_article_is_refused_with_its_reason(
        fields: dict[str, object], reason: str) -> None:
    item = raw("<p>正文。</p>")
    update(item, fields)
    with pytest.raises(Unusable, match=reason):
        normalize(item, now=NOW)


@pytest.mark.parametrize("line, authors", [
    ("By Lucy Chen", ("Lucy Chen",)),
    ("作者：宋雪梅", ("宋雪梅",)),
    ("宋雪梅", ("宋雪梅",)),
    ("By admin", ()),
    ("By", ()),
    ("责任编辑：系统管理员", ()),
    ("Posted on May 1, 2022", ()),
])
def test_bylines_outside_the_body(line: str, authors: tuple[str, ...]) -> None:
    assert byline_credits(line).authors == authors


def test_a_meta_author_who_is_the_responsible_editor_is_not_the_author() -> None:
    rec = normalize(raw("<p>正文。</p>", byline=["责任编辑：王洁", "王洁"]), now=NOW)
    assert rec.authors == [] and rec.responsible_editors == ["王洁"]


@pytest.mark.parametrize("text, hint, language", [
    ("高新区与企业签约，项目总投资16亿元。", None, "zh"),
    ("Zhuhai High-tech Zone signed a framework agreement with CLP.", None, "en"),
    ("高新区与CLP Information签约，项目落地珠海。", None, "zh"),
    ("", "en-US", "en"),
    ("12345", None, None),
])
def test_language_is_read_from_the_script(text: str, hint: str | None, language: str | None) -> None:
    assert detect_language(text, hint) == language


def test_a_caption_goes_with_its_picture_and_credits_the_photographer() -> None:
    rec = normalize(raw(
        '<div><div class="wp-caption"><img src="/a.jpg"><p class="wp-caption-text">'
        "高新区企业生产车间。李明 摄</p></div><p>近日，省工业和信息化厅公布了专精特新企业名单。</p>"
        "<figure><img src='/b.jpg'><figcaption>签约现场</figcaption></figure>"
        "<p>高新区新增38家企业入选。</p></div>"), now=NOW)
    assert rec.body_text == "近日，省工业和信息化厅公布了专精特新企业名单。\n高新区新增38家企业入选。"
    assert [i["caption"] for i in rec.images] == ["高新区企业生产车间。李明 摄", "签约现场"]
    assert "<figcaption>签约现场</figcaption>" in rec.body_html
    assert rec.photographers == ["李明"]


def test_a_byline_naming_the_articles_editor_does_not_make_them_its_author() -> None:
    rec = normalize(raw("<div><p>（珠海特区报记者 刘伟 通讯员 高新宣）</p>"
                        "<p>3月11日上午，珠海高新区集成电路设计产业园二期项目正式开工。</p>"
                        "<p>【编辑：姚昊　责编：汤诗瑶、丁涛】</p></div>",
                        byline=["作者：姚昊"]), now=NOW)
    assert rec.authors == ["刘伟", "高新宣"]
    assert rec.editors == ["姚昊"]


CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@pytest.mark.parametrize("dirt", ["\x1b[31m", "\x1b]0;owned\x07", "\x9b2J", "\x00", "\x07\x08",
                                  "\x1bc", "\x85", "\x7f"])
def test_control_characters_leave_every_stored_text_field(dirt: str) -> None:
    def d(text: str) -> str:
        return text[:1] + dirt + text[1:]

    rec = normalize(raw(
        f"<div><p>{d('近日，高新区与企业签约。')}</p><p>项目总投资16亿元。</p>"
        f"<figure><img src='/b.jpg'><figcaption>{d('签约现场')}</figcaption></figure>"
        f"<p>{d('文/宋雪梅')}　编辑：{d('李明')}</p></div>",
        title=d("高新区项目签约"), source=d("珠海特区报"), section=d("高新动态"),
        tags=[d("集成电路"), "人才"], summary=d("高新区与企业签约"), byline=[d("周楠")]), now=NOW)
    assert rec.title == "高新区项目签约"
    assert rec.body_text == "近日，高新区与企业签约。\n项目总投资16亿元。"
    assert (rec.source, rec.section, rec.summary) == ("珠海特区报", "高新动态", "高新区与企业签约")
    assert rec.tags == ["集成电路", "人才"]
    assert rec.images[0]["caption"] == "签约现场"
    assert "宋雪梅" in rec.authors and rec.editors == ["李明"]
    assert dirt not in rec.body_html and "[31m" not in rec.body_html
    assert not CONTROLS.search(rec.body_html)


def test_control_characters_written_as_entities_leave_the_text_too() -> None:
    rec = normalize(raw("<div><p>&#27;[31m近日，高新区与企业签约。&#27;[0m</p></div>",
                        title="高新区项目签约&#7;"), now=NOW)
    assert rec.body_text == "近日，高新区与企业签约。"


def test_lines_and_tabs_stay() -> None:
    rec = normalize(raw("<div><pre>一\t二\r\n三</pre><p>四</p></div>"), now=NOW)
    assert "\x0d" not in rec.body_text and "四" in rec.body_text
