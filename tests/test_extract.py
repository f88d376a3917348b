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
from tests.printed import printed

SITES = Path(__file__).parent / "sites"
BASE = "http://127.0.0.1:8000"

# Text of navigation, share bars, pagers and footers: never part of an article body.
CHROME = {
    "gd-zhuhai": ["分享到", "上一篇", "下一篇", "网站标识码", "当前位置", "浏览次数", "主办单位",
                  "相关新闻", "相关阅读", "【打印", "无障碍浏览"],
    "trs-gb": ["发布日期", "信息来源", "打印本页", "分享到", "网站标识码", "您现在的位置", "相关文章",
               "责任编辑：王喆", "上一篇", "热点专题"],
    "hanweb": ["发布日期", "发布时间", "打印本页", "分享到", "网站标识码", "当前位置", "浏览次数",
               "我要纠错", "字体"],
    "hizh": ["打开珠海+APP", "版权所有", "分享到", "阅读3.2万", "相关阅读", "打开APP"],
    "republisher": ["Sharethis", "LeaveaReply", "RecentPosts", "ProudlypoweredbyWordPress",
                    "Postedin", "Previouspost", "Related"],
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
    return printed(extract_article(page(family, path), BASE + path,
                                   content_type=served_type(family, path)))


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
    item = extracted(family, path)
    source = item["source"]
    if expected["source"] == site_file(family)["name"]:
        assert source in {"本网", expected["source"]}  # 来源：本网 names the site itself
    elif source is None and expected["source"] is not None:
        # printed only in the body's credit line, which the credits parser reads
        assert _text(expected["source"]) in _text(item["body_html"])
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
    seen = _text(item["body_html"] + " ".join(item["byline"]))
    for name in names:
        assert _text(name) in seen


def test_mobile_twin_reads_as_its_desktop_page() -> None:
    desktop = extracted("gd-zhuhai", "/gxxw/gxdt/content/post_3461203.html")
    mobile = extracted("gd-zhuhai", "/gxxw/gxdt/content/mpost_3461203.html")
    assert mobile["title"] == desktop["title"]
    assert mobile["published"][0][:10] == "2022-06-08"
    assert _text(desktop["body_html"]) == _text(mobile["body_html"])


# (family, list page, the list's article paths in order with the date beside each,
#  next list page or None on the last)
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
    ("trs-gb", "/xwzx/index.htm", [
        ("/202406/t20240618_123456.html", "2024-06-18"),
        ("/202406/t20240612_123301.html", "2024-06-12"),
        ("/202406/t20240605_122987.html", "2024-06-05"),
    ], "/xwzx/index_1.htm"),
    ("trs-gb", "/xwzx/index_1.htm", [
        ("/202405/t20240528_121450.html", "2024-05-28"),
        ("/202405/t20240521_120876.html", "2024-05-21"),
        ("/202405/t20240514_120132.html", "2024-05-14"),
    ], "/xwzx/index_2.htm"),
    ("trs-gb", "/xwzx/index_2.htm", [
        ("/202405/t20240507_119654.html", "2024-05-07"),
        ("/202404/t20240426_118230.html", "2024-04-26"),
        ("/202404/t20240418_117765.html", "2024-04-18"),
    ], None),
    ("hanweb", "/col/col1621004/index.html", [
        ("/art/2016/11/22/art_1621004_30332664.htm", "2016-11-22"),
        ("/art/2016/11/18/art_1621004_30329871.htm", "2016-11-18"),
        ("/xxgk/2016-11/08/content_30321096.htm", "2016-11-08"),
        ("/art/2016/11/15/art_1621004_30327402.htm", "2016-11-15"),
    ], "/col/col1621004/index_2.html"),
    ("hanweb", "/col/col1621004/index_2.html", [  # items inside a <script type="text/xml">
        ("/art/2016/11/10/art_1621004_30323515.htm", "2016-11-10"),
    ], None),
    ("hizh", "/gxq/index.html", [
        ("/a/202512/23/AP694aac90977c43dd21ff8384.html", "2025-12-23"),
        ("/a/202512/22/AP69490cc8ebd29f72f8dca98d.html", "2025-12-22"),
        ("/a/202512/19/AP69449b5cd5634961b23fef93.html", "2025-12-19"),
        ("/a/202512/16/AP694149fc3aa076d7e423d5a4.html", "2025-12-16"),
    ], None),
    ("republisher", "/", [
        ("/2022/06/10/Proposed-investment-of-1-6-billion-Zhuhai-first/", "2022-06-10"),
        ("/2022/06/08/Zhuhai-High-tech-Zone-held-a-promotion-meeting-of-key-projects/",
         "2022-06-08"),
        ("/2022/05/27/The-integrated-circuit-job-fair-provided-2300-posts/", "2022-05-27"),
    ], "/page/2/"),
    ("republisher", "/page/2/", [
        ("/2022/05/20/Zhuhai-High-tech-Zone-issued-new-measures-to-support-scientific-and-"
         "technological-innovation/", "2022-05-20"),
        ("/2022/05/13/A-5G-smart-park-was-put-into-use-in-the-High-tech-Zone/", "2022-05-13"),
    ], None),
]
LIST_IDS = [f"{family}{path}" for family, path, _, _ in LISTS]


def listed(family: str, path: str) -> Any:
    return extract_list(page(family, path), BASE + path, content_type=served_type(family, path))


def article_links(family: str, path: str) -> dict[str, tuple[str | None, str | None]]:
    """Article path → (title, date) as a spider reads them: first non-empty value per URL."""
    pattern = re.compile(site_file(family)["article_url_pattern"])
    found: dict[str, tuple[str | None, str | None]] = {}
    for link in listed(family, path).links:
        if pattern.search(link.url):
            title, date_text = found.get(urlsplit(link.url).path, (None, None))
            found[urlsplit(link.url).path] = (title or link.title, date_text or link.date_text)
    return found


@pytest.mark.parametrize("family, path, articles, next_path", LISTS, ids=LIST_IDS)
def test_list_yields_article_links_in_order_with_their_dates(
        family: str, path: str, articles: list[tuple[str, str]], next_path: str | None) -> None:
    found = article_links(family, path)
    assert list(found)[:len(articles)] == [p for p, _ in articles]  # sidebars may follow
    for article_path, day in articles:
        date_text = found[article_path][1]
        assert date_text is not None and _same_day(date_text, day)


@pytest.mark.parametrize("family, path, articles, next_path", LISTS, ids=LIST_IDS)
def test_list_links_carry_full_titles(family: str, path: str, articles: list[tuple[str, str]],
                                      next_path: str | None) -> None:
    found = article_links(family, path)
    expected = json.loads((SITES / family / "expected.json").read_text(encoding="utf-8"))
    for article_path, _ in articles:
        if article_path in expected:
            assert found[article_path][0] == expected[article_path]["title"]


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
    ("trs-gb", "/xwzx/index_1.htm", "工作动态"),            # breadcrumb ending in plain text
    ("hanweb", "/col/col1621004/index_2.html", "园区动态"),
    ("hizh", "/gxq/index.html", "高新区"),                   # <title> without the site name
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


def test_a_disclosure_table_gives_the_source_when_no_info_line_does() -> None:
    page = """<html><body><table class="xxgk">
      <tr><th>索引号：</th><td>11442000MB2C92547R/2024-00123</td><th>分类：</th><td>通知公告</td></tr>
      <tr><th>发布机构：</th><td>经济发展和科技信息局</td><th>成文日期：</th><td>2024-06-12</td></tr>
      <tr><th>信息来源：</th><td colspan="3">火炬开发区经科局</td></tr></table>
      <h1>关于组织申报2024年度科技创新专项资金项目的通知</h1>
      <div class="content"><p>各有关单位：为加快推进创新驱动发展战略，现就组织申报2024年度科技创新专项资金项目有关事项通知如下。</p>
      <p>一、申报对象为在区内注册、具有独立法人资格的企业和科研机构，申报截止时间为7月15日。</p></div>
      </body></html>""".encode()
    raw = printed(extract_article(page, "http://zone.example/content/post_2195120.html"))
    assert raw["source"] == "火炬开发区经科局"


def test_an_english_date_with_at_and_pm_keeps_its_time_and_a_category_is_not_an_author() -> None:
    page = b"""<html><body><h1 class="post-title">Robotics park topped out</h1>
      <p class="post-meta"><span class="tie-date">Aug 14, 2024 at 4:20 pm</span>
      <span class="post-meta-author">By </span>
      <span class="post-cats"><a href="/category/industry/" rel="category tag">Industry</a></span></p>
      <div class="entry"><p>On August 13th, the main structure of the robotics industrial park in the
      zone was topped out, one month ahead of schedule, with an investment of 1.8 billion yuan.</p>
      <p>Twelve robot enterprises have signed letters of intent to move in.</p></div></body></html>"""
    raw = printed(extract_article(page, "http://zone.example/2024/08/14/robotics-park/"))
    assert raw["published"][0] == "Aug 14, 2024 at 4:20 pm"
    assert raw["byline"] == []


def test_a_custom_english_portal_header_teaser_and_disclaimer() -> None:
    page = b"""<html><body>
      <div class="crumb">Current location: <a href="/">Home</a> &gt; <a href="/policy/">Policy
      Express</a> &gt; Text</div>
      <div class="detail-wrap"><h1 class="detail-tit">The zone opens 2024 innovation subsidies</h1>
      <div class="detail-meta"><div class="dm-l">Source: Zhuhai High-tech Zone Science and Technology
      Innovation Bureau | Author: Xu Lanlan | 2024-08-02 09:20:15</div></div>
      <div class="detail-summary"><b>[Abstract]</b> Recently, the bureau issued a notice on the
      declaration of 2024 technological innovation subsidy projects, up to 3 million yuan each...</div>
      <div class="detail-txt"><p>Recently, the bureau issued a notice on the declaration of 2024
      technological innovation subsidy projects, the maximum subsidy for a single enterprise is 3
      million yuan.</p><p>The declaration time is from August 5 to August 30, 2024, online.</p></div>
      <div class="detail-statement">Statement: Articles reprinted by this website are for conveying
      more information only and do not mean that this website agrees with their views, thank you.</div>
      </div></body></html>"""
    raw = printed(extract_article(page, "http://zone.example/content/2024-08/02/content_31188.htm"))
    assert raw["published"][0] == "2024-08-02 09:20:15"
    assert raw["source"] == "Zhuhai High-tech Zone Science and Technology Innovation Bureau"
    assert raw["section"] == "Policy Express"
    assert "[Abstract]" not in raw["body_html"] and "Statement" not in raw["body_html"]
    assert "maximum subsidy" in raw["body_html"]


@pytest.mark.parametrize("text", [
    # paragraphs as <section>s, as app editors write them
    "".join(f"<section><span>{p}</span></section>" for p in (
        "3月11日上午，珠海高新区集成电路设计产业园二期项目正式开工，总建筑面积约21万平方米。",
        "据介绍，二期项目将建设研发办公楼、中试验证平台、人才公寓及配套商业设施。")),
    # one text block whose lines are broken by <br>
    "3月11日上午，珠海高新区集成电路设计产业园二期项目正式开工，总建筑面积约21万平方米。<br>"
    "据介绍，二期项目将建设研发办公楼、中试验证平台、人才公寓及配套商业设施。<br>",
])
def test_a_share_page_body_is_its_text_block_not_the_column_tag_or_copyright_around_it(
        text: str) -> None:
    page = f"""<html><body><main class="share-main">
      <div class="chn-tag"><a href="/h5/col/1.html">高新区</a></div>
      <h1 class="share-title">珠海高新区集成电路设计产业园二期开工</h1>
      <div class="share-by"><span>姚昊</span><span>2026年03月12日 10:25</span></div>
      <div class="share-txt">{text}</div>
      <div class="share-copy">本稿件所含文字、图片和音视频资料，版权均属珠海传媒集团所有，未经授权不得转载。</div>
      </main></body></html>""".encode()
    raw = printed(extract_article(page, "http://zone.example/a/202603/12/AP69b2108875225cec7bbaaaf7.html"))
    assert "3月11日上午" in raw["body_html"]
    assert "高新区</a>" not in raw["body_html"] and "版权" not in raw["body_html"]


def test_a_share_page_time_without_its_year_is_read_beside_the_byline() -> None:
    page = """<html><body><h1 class="share-title">珠海高新区“春风行动”专场招聘会举行</h1>
      <div class="share-by"><span>周倩</span><span>03-11 16:40</span></div>
      <div class="share-txt"><p>3月11日，珠海高新区2026年“春风行动”暨高校毕业生专场招聘会举行，提供岗位超3000个。</p>
      <p>本次招聘会吸引了区内120余家企业参加。</p></div></body></html>""".encode()
    raw = printed(extract_article(page, "http://zone.example/a/202603/11/AP69b12484063ab7f5a60d2c39.html"))
    assert "03-11 16:40" in raw["published"]
    assert raw["byline"] == ["作者：周倩"]


def test_a_list_pages_title_names_its_column_without_page_number_or_site() -> None:
    page = """<html><head><title>高新区（第2页） - 珠海+</title></head><body><ul>
      <li><a href="/a/202603/02/AP69a4dc60a1ce366756505783.html">珠海高新区新增专精特新企业</a></li>
      </ul></body></html>""".encode()
    assert extract_list(page, "http://zone.example/h5/col/607d-2.html").section == "高新区"


@pytest.mark.parametrize("url, count, next_urls", [
    ("http://zone.example/zwdt/gxyw/index.html", 3, ["http://zone.example/zwdt/gxyw/index_2.html"]),
    ("http://zone.example/zwdt/gxyw/index_2.html", 3, ["http://zone.example/zwdt/gxyw/index_3.html"]),
    ("http://zone.example/zwdt/gxyw/index_3.html", 3, []),
])
def test_a_pager_drawn_by_script_from_a_page_count_variable(
        url: str, count: int, next_urls: list[str]) -> None:
    page = f"""<html><body><table><tr><td><a href="content/post_2662147.html">储能产业大会举行</a>
      </td></tr></table><div id="fyBox"></div><script>var pagesTotal = {count}; var pageCur = 1;
      document.getElementById('fyBox').innerHTML = build(pagesTotal, pageCur);</script>
      </body></html>""".encode()
    assert extract_list(page, url).next_urls == next_urls


@pytest.mark.parametrize("url, links, next_part", [
    ("http://zone.example/xwzx/yqdt/549871203.html", ["549871203_2.html"],
     "http://zone.example/xwzx/yqdt/549871203_2.html"),
    ("http://zone.example/xwzx/yqdt/549871203_2.html", ["549871203.html", "549871203_3.html"],
     "http://zone.example/xwzx/yqdt/549871203_3.html"),
    # TRS counts a split article's pages from zero
    ("http://zone.example/gzdt/202405/t20240527_4521650.shtml", ["t20240527_4521650_1.shtml"],
     "http://zone.example/gzdt/202405/t20240527_4521650_1.shtml"),
    # the next article of the column is not a part of this one
    ("http://zone.example/gxdt/content/post_2662147.html", ["post_2662148.html"], None),
    ("http://zone.example/xwzx/yqdt/549871203_2.html", ["549871203.html"], None),
])
def test_an_article_split_over_pages_names_its_next_part(
        url: str, links: list[str], next_part: str | None) -> None:
    anchors = "".join(f'<a href="{href}">{n}</a> ' for n, href in enumerate(links, 1))
    page = f"""<html><body><h1>硅基新材料产业发展政策解读</h1><div class="wz-con">
      <p>在支持项目落地方面，对新引进的固定资产投资5亿元以上的制造业项目给予补助。</p>
      </div><div class="wz-fenye">{anchors}</div></body></html>""".encode()
    assert extract_article(page, url).next_part == next_part
