"""Where the body starts and ends: page noise stays out, short articles stay in.

The pages under tests/fixtures/body imitate the CMS skins zone sites run (NFCMS,
TRS, Hanweb, UCAP, WordPress, news portals), each carrying the noise a reader
skips; tests/english holds English news pages in the markup of common sites.
Each page's expected body was written by reading the page.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from pipelines.body import clean_body
from pipelines.normalize import Unusable, normalize
from pipelines.record import PageCopy, RawCopy
from scrapers.article_pages import ArticlePages
from scrapers.extract import extract_article
from scrapers.single_page import reread_record
from scrapers.sites import parse_site

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT / "tests" / "fixtures" / "body"
ENGLISH = ROOT / "tests" / "english"
EXPECTED = json.loads((PAGES / "expected.json").read_text("utf-8"))
URL = "http://127.0.0.1:8000/news/content/post_{}.html"
ARTICLE = "<p>园区今年新增市场主体5000余户，同比增长12%，新增高新技术企业210家。</p>"
ARTICLE_TEXT = "园区今年新增市场主体5000余户，同比增长12%，新增高新技术企业210家。"


def record_of(page: bytes, name: str = "1") -> dict[str, object]:
    raw = extract_article(page, URL.format(name))
    raw.site, raw.timezone = "test", "Asia/Shanghai"
    record = normalize(raw)
    return {"paragraphs": record.body_text.split("\n"), "text": record.body_text,
            "html": record.body_html}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_body_starts_and_ends_where_the_article_does(name: str) -> None:
    got = record_of((PAGES / name).read_bytes(), name)
    assert got["paragraphs"] == EXPECTED[name]["body"]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_no_page_noise_in_the_body_text_or_html(name: str) -> None:
    got = record_of((PAGES / name).read_bytes(), name)
    found = [noise for noise in EXPECTED[name]["noise"]
             if noise in str(got["text"]) or noise in str(got["html"])]
    assert found == []


def test_every_noise_kind_is_shown_on_several_skins() -> None:
    """Each kind of noise appears on pages of at least two different skins."""
    kinds = {"promo": ("点击进入", "返回", "更多精彩"), "follow": ("关注", "二维码"),
             "disclaimer": ("声明",), "comments": ("评论",), "related": ("相关", "推荐阅读"),
             "share": ("分享",), "footer": ("ICP", "版权所有", "Copyright")}
    for kind, words in kinds.items():
        pages = [name for name, expected in EXPECTED.items()
                 if any(word in noise for noise in expected["noise"] for word in words)]
        assert len(pages) >= 2, kind


@pytest.mark.parametrize("name", ["one-paragraph-disclaimer.html", "gazette-notice.html",
                                  "brief-sidebar-comments.html"])
def test_a_one_paragraph_article_is_an_article(name: str) -> None:
    got = record_of((PAGES / name).read_bytes(), name)
    assert len(got["paragraphs"]) == 1 and got["paragraphs"] == EXPECTED[name]["body"]


@pytest.mark.parametrize("page", [
    pytest.param("<h1>关于停水的通知</h1><div>发布日期：2024-03-01</div>"
                 "<div class='content'><p>因管网维修，3月2日园区停水一天。</p></div>", id="div-content"),
    pytest.param("<table><tr><td><b>关于停水的通知</b></td></tr><tr><td>2024-03-01</td></tr>"
                 "<tr><td>因管网维修，3月2日园区停水一天。</td></tr></table>", id="table-cell"),
    pytest.param("<div class='title'>关于停水的通知</div><div class='art'>"
                 "因管网维修，3月2日园区停水一天。<br></div>", id="bare-text"),
])
def test_a_one_sentence_notice_is_kept_on_any_markup(page: str) -> None:
    html = (f"<html><head><title>关于停水的通知_某园区</title></head><body>"
            f"<div class='nav'><a href='/'>首页</a> <a href='/tzgg/'>通知公告</a></div>{page}"
            f"<div><p>主办单位：某园区管理委员会，地址：高新大道88号，电话：0756-1234567，"
            f"邮编：519000，网站标识码：4404000044，粤ICP备2021000000号。</p></div></body></html>")
    assert record_of(html.encode())["paragraphs"] == ["因管网维修，3月2日园区停水一天。"]


def test_a_page_of_navigation_only_is_not_an_article() -> None:
    with pytest.raises(Unusable, match="no_body"):
        record_of((PAGES / "nav-only.html").read_bytes())


def test_a_disclaimer_is_never_the_body_of_a_short_article() -> None:
    page = ("<html><head><title>通告</title></head><body><h1>关于临时停电的通告</h1>"
            "<div class='a'><p>4月10日9时至12时，创新大道沿线企业停电。</p></div>"
            "<div class='b'><p>免责声明：本站部分信息来源于互联网，仅供参考，不代表本站立场。如有侵权请联系我们删除，"
            "我们将在第一时间予以处理，使用前务请仔细核实，风险自负。</p></div></body></html>")
    assert record_of(page.encode())["paragraphs"] == ["4月10日9时至12时，创新大道沿线企业停电。"]


# --- each rule on fragments of varied markup -------------------------------------------------

@pytest.mark.parametrize("noise", [
    pytest.param('<p><a href="/zt/1/">点击进入“营商环境”专题&gt;&gt;</a></p>', id="topic-link"),
    pytest.param('<p style="text-align:right"><a href="/">返回高新区首页&gt;&gt;</a></p>', id="home-link"),
    pytest.param("<div>更多精彩内容，请点击进入园区官网》》</div>", id="more-text"),
    pytest.param('<p><a href="/">返回搜狐，查看更多</a></p>', id="portal-back"),
    pytest.param('<p><a href="/x">阅读原文</a></p>', id="read-original"),
    pytest.param('<p><strong>Read more:</strong> <a href="/x">Bridge repairs to close lanes</a></p>',
                 id="read-more-en"),
])
def test_promo_links_are_not_the_article(noise: str) -> None:
    assert clean_body(f"<div>{ARTICLE}{noise}</div>", URL.format(1)).paragraphs == [ARTICLE_TEXT]


@pytest.mark.parametrize("noise", [
    pytest.param('<p style="text-align:center"><img src="/u/2024/a1b2c3.jpg"></p>'
                 "<p>扫码关注“高新发布”微信公众号</p>", id="qr-then-line"),
    pytest.param("<section><p>长按识别二维码关注我们</p></section>", id="long-press"),
    pytest.param("<p>欢迎关注园区官方微信</p>", id="welcome"),
    pytest.param("<div class='gzh'><img src='/wx.jpg'><p>微信公众号：gxq_fabu</p></div>",
                 id="account-box"),
])
def test_wechat_follow_blocks_and_their_qr_code_go(noise: str) -> None:
    body = clean_body(f"<div>{ARTICLE}{noise}</div>", URL.format(1))
    assert body.paragraphs == [ARTICLE_TEXT] and body.images == []


def test_a_follow_call_above_the_text_goes_too() -> None:
    body = clean_body(f"<div><p>点击上方蓝字关注我们</p>{ARTICLE}</div>", URL.format(1))
    assert body.paragraphs == [ARTICLE_TEXT]


@pytest.mark.parametrize("noise", [
    pytest.param("<p>特别声明：本网转载文章仅为传播更多信息之目的，不代表本网观点。</p>", id="special"),
    pytest.param("<div>【免责声明】本文仅代表作者个人观点，与本站无关，请读者仅作参考。</div>", id="bracketed"),
    pytest.param("<p>版权声明：本文为原创，转载请注明出处。</p>", id="copyright-notice"),
    pytest.param("<p>文章内容来源于网络，如有侵权请联系删除。</p>", id="takedown"),
    pytest.param("<p>Disclaimer: The views expressed are the author's own.</p>", id="english"),
])
def test_disclaimers_are_not_the_article(noise: str) -> None:
    assert clean_body(f"<div>{ARTICLE}{noise}</div>", URL.format(1)).paragraphs == [ARTICLE_TEXT]


@pytest.mark.parametrize("noise", [
    pytest.param("<h3>网友评论</h3><p>这个项目很好，希望早日建成投产，带动周边发展，增加就业岗位。</p>",
                 id="heading-then-comment"),
    pytest.param("<div>已有3条评论</div><p>支持园区发展，点赞。</p>", id="count"),
    pytest.param("<h2>Leave a Reply</h2><p>Great article, thanks for writing it up.</p>", id="english"),
    pytest.param("<h2>9 Responses</h2><p>I disagree with the council on this one.</p>", id="responses"),
])
def test_a_comment_box_ends_the_article(noise: str) -> None:
    assert clean_body(f"<div>{ARTICLE}{noise}</div>", URL.format(1)).paragraphs == [ARTICLE_TEXT]


@pytest.mark.parametrize("noise", [
    pytest.param("<p>主办单位：某某高新区管委会　技术支持：某某信息公司</p>", id="host-and-support"),
    pytest.param("<p>版权所有：某某高新区 粤ICP备12345678号</p>", id="icp"),
    pytest.param("<div>网站标识码：4406000075 粤公网安备 44060402000123号</div>", id="gov-ids"),
])
def test_the_site_footer_ends_the_article(noise: str) -> None:
    assert clean_body(f"<div>{ARTICLE}{noise}<p>地址：高新大道88号</p></div>",
                      URL.format(1)).paragraphs == [ARTICLE_TEXT]


@pytest.mark.parametrize("noise", [
    pytest.param("<p><strong>相关阅读：</strong></p><ul><li><a href='/1.html'>园区发布人才新政</a> "
                 "2024-01-10</li></ul>", id="strong-label-list"),
    pytest.param("<div class='tuijian'><h3>推荐阅读</h3><ul><li><a href='/1'>园区发布人才新政</a></li>"
                 "</ul></div>", id="recommended"),
    pytest.param("<aside class='inline-newsletter'><p>Sign up for The Download</p>"
                 "<p>Get the most important news in your inbox every weekday.</p></aside>",
                 id="newsletter-aside"),
    pytest.param("<aside><blockquote>“Young companies told us the hardest thing was finding labs.”"
                 "</blockquote></aside>", id="pull-quote-aside"),
])
def test_related_lists_and_boxes_are_not_the_article(noise: str) -> None:
    assert clean_body(f"<div>{ARTICLE}{noise}</div>", URL.format(1)).paragraphs == [ARTICLE_TEXT]


@pytest.mark.parametrize("paragraph", [
    "市民可通过关注“高新发布”微信公众号，在线预约办理居住证等32项业务，无需再到窗口排队。",
    "记者关注到，园区今年已有三家企业发布声明，宣布将研发中心迁入科学城。",
    "法院审理认为，被告未经许可使用原告作品，构成侵权，判决赔偿经济损失10万元。",
    "Three responses to the survey said the new bus routes were too slow.",
    "Read the full report on the council's website, officials said, adding that hearings begin in May.",
    "See also the council's report on the plan.",
    "声明指出，公司将继续履行合同义务，保障用户合法权益。",
    "Disclaimers on the labels were found to be misleading, the regulator said.",
    "更多详情可拨打园区服务热线咨询。",
])
def test_paragraphs_that_only_mention_noise_words_are_kept(paragraph: str) -> None:
    assert clean_body(f"<div>{ARTICLE}<p>{paragraph}</p></div>", URL.format(1)).paragraphs == [
        ARTICLE_TEXT, paragraph]


# --- English pages ---------------------------------------------------------------------------

_TOKEN = re.compile(r"\w+")


def _shingles(text: str) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN.findall(text)
    return Counter(tuple(tokens[i:i + 4]) for i in range(max(1, len(tokens) - 3)))


def _precision_recall(expected: str, got: str) -> tuple[float, float]:
    true, pred = _shingles(expected), _shingles(got)
    hits = sum((true & pred).values())
    return hits / max(sum(pred.values()), 1), hits / max(sum(true.values()), 1)


def test_english_pages_read_as_the_article_benchmark_scores_them() -> None:
    """Body F1 over 4-token shingles, as the article-extraction benchmark computes it."""
    scores = {}
    for path in sorted(ENGLISH.glob("*.html")):
        expected = json.loads(path.with_suffix(".json").read_text("utf-8"))["body"]
        try:
            got = "\n".join(record_of(path.read_bytes(), path.stem)["paragraphs"])  # type: ignore[arg-type]
        except Unusable:
            got = ""
        scores[path.stem] = _precision_recall(expected, got)
    assert len(scores) >= 50
    precision = sum(p for p, _ in scores.values()) / len(scores)
    recall = sum(r for _, r in scores.values()) / len(scores)
    assert 2 * precision * recall / (precision + recall) >= 0.97
    # No page's stored body is another block or half the article.
    assert [page for page, (p, r) in scores.items() if r < 0.9 or p < 0.5] == []


def test_the_english_corpus_is_varied() -> None:
    skins = Counter(json.loads(path.read_text("utf-8"))["skin"] for path in ENGLISH.glob("*.json"))
    assert len(skins) >= 18 and max(skins.values()) <= 8


_BODIES = """
import json, sys
from pathlib import Path
from scrapers.extract import extract_article
from pipelines.normalize import Unusable, normalize
out = {}
for path in sorted([*Path("tests/english").glob("*.html"), *Path("tests/fixtures/body").glob("*.html")]):
    raw = extract_article(path.read_bytes(), "http://127.0.0.1:8000/" + path.name)
    raw.site, raw.timezone = "t", "Asia/Shanghai"
    try:
        out[str(path)] = normalize(raw).body_html
    except Unusable as exc:
        out[str(path)] = str(exc)
print(json.dumps(out, ensure_ascii=False, sort_keys=True))
"""


@pytest.mark.slow
def test_bodies_are_the_same_under_any_hash_seed() -> None:
    runs = []
    for seed in ("1", "5"):
        proc = subprocess.run([sys.executable, "-c", _BODIES], cwd=ROOT, capture_output=True,
                              text=True, timeout=240, env={**os.environ, "PYTHONHASHSEED": seed})
        assert proc.returncode == 0, proc.stderr
        runs.append(proc.stdout)
    assert runs[0] == runs[1] and len(json.loads(runs[0])) >= 50


@pytest.mark.slow
def test_the_english_bench_prints_zonenews_beside_trafilatura() -> None:
    proc = subprocess.run([sys.executable, "bench/english.py"], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    rows = {line.split("  ")[0]: line.split() for line in proc.stdout.splitlines()}
    assert "52 pages" in proc.stdout
    assert float(rows["zonenews"][1]) >= 0.97
    assert 0 < float(rows["trafilatura 2.3"][2]) <= 1


HEADLINE = "高新区举办2024年春季人才招聘会"
_NO_HEADLINE_PAGES = {
    # The body repeats the headline the page prints nowhere else: no <title>, no <h1>, no meta.
    "plain": (f"<html><body><div class='content'><p>{HEADLINE}</p>{ARTICLE}"
              "<p>招聘会吸引了来自全国的求职者两千余人参加，现场达成意向三百余份。</p></div></body></html>"),
    "bold headline line": (f"<html><body><div class='article'><p><strong>{HEADLINE}</strong></p>"
                           f"{ARTICLE}<p>下一步，园区将继续做好人才服务工作，持续优化营商环境。</p></div>"
                           "</body></html>"),
    "centred div": (f"<html><body><div id='zoom'><div align='center'>{HEADLINE}</div>{ARTICLE}"
                    "<p>活动由高新区人力资源和社会保障局主办，共设展位一百二十个。</p></div></body></html>"),
}


@pytest.mark.parametrize("page", sorted(_NO_HEADLINE_PAGES))
def test_a_page_without_a_headline_loses_the_list_s_title_from_its_body(page: str) -> None:
    """A crawl knows the title the list linked the page with; the body does not repeat it."""
    copy = PageCopy(URL.format(page.replace(" ", "-")),
                    _NO_HEADLINE_PAGES[page].encode("utf-8"), "text/html; charset=utf-8")
    alone = ArticlePages(copy, None, copy.url)
    listed = ArticlePages(copy, None, copy.url, headline=HEADLINE)
    assert alone.raw.body is not None and listed.raw.body is not None
    assert alone.raw.body.paragraphs[0] == HEADLINE      # nothing on the page says it is one
    assert listed.raw.body.paragraphs[0] == ARTICLE_TEXT
    assert HEADLINE not in listed.raw.body.html


@pytest.mark.parametrize("page", sorted(_NO_HEADLINE_PAGES))
def test_reading_a_kept_page_again_drops_the_list_s_title_as_the_crawl_did(page: str) -> None:
    """Re-extraction reads the list's title from the kept context, so the body it gives is
    the crawl's, not one that starts with the headline again."""
    url = URL.format(page.replace(" ", "-"))
    copy = PageCopy(url, _NO_HEADLINE_PAGES[page].encode("utf-8"), "text/html; charset=utf-8")
    site = parse_site({"key": "demo", "name": "Demo", "start_urls": [URL.format("index")],
                       "article_url_pattern": r"/post_"})
    record = reread_record(RawCopy((copy,), {"list_title": HEADLINE}), url, site)
    assert record.body_text.split("\n")[0] == ARTICLE_TEXT
    assert record.title == HEADLINE
