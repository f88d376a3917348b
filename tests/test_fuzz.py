"""Malformed pages never crash the page path: a table of pages broken the ways zone sites break
them, and a bounded fuzz run over mutated fixture pages (bench/fuzz_extract.py runs it longer).
A page may be refused with a reason; it must never raise, and what it keeps stays sanitised."""

from __future__ import annotations

import random
from functools import cache
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.fuzz_extract import Page, check, corpus, mutate

URL = "http://www.zhuhai-hitech.gov.cn/gxxw/gxdt/content/post_3489017.html"
ARTICLE = ("<html><head><title>高新区项目签约落地_珠海高新区</title></head><body>"
           "<div class='zw-title'>高新区项目签约落地</div><div class='zw-info'>时间：2024-03-05 10:20"
           "　来源：本网</div><div class='zw'>{body}</div></body></html>")
PARAGRAPH = "<p>高新区管委会与多家企业签署战略合作框架协议，共同推进集成电路产业链建设。</p>"


def article(body: str) -> bytes:
    return ARTICLE.format(body=PARAGRAPH + body + PARAGRAPH).encode("utf-8")


def row(name: str, body: bytes, content_type: str = "text/html; charset=utf-8") -> Any:
    return pytest.param(body, content_type, id=name)


MALFORMED = [
    row("a link with an unclosed IPv6 host", article('<a href="http://[::1/x.html">链接</a>')),
    row("a relative-looking link with an unclosed IPv6 host",
        article('<a href="http://[::1/./x.html">链接</a>')),
    row("a link with a port that is not a number",
        article('<a href="http://www.gd.gov.cn:80a/x.html">链接</a>')),
    row("a link whose host changes under NFKC (a full-width colon)",
        article('<a href="http://www.gd.gov.cn\uff1a80/./x.html">链接</a>')),
    row("a protocol-relative link whose host changes under NFKC",
        article('<a href="//www.gd.gov.cn\uff03/x.html">链接</a>')),
    row("a base href with an unclosed IPv6 host",
        article("").replace(b"<head>", b"<head><base href='http://[zz'>")),
    row("a next-page link with an unclosed IPv6 host",
        article('<div class="page"><a class="next" href="http://[zz/index_2.html">下一页</a></div>')),
    row("a meta refresh to an unclosed IPv6 host",
        article("").replace(b"<head>", b'<head><meta http-equiv="refresh" content="0;url=http://[::1/">')),
    row("NUL and control bytes inside the article body", article("<p>正文\x00第二\x01段\x1f。</p>")),
    row("a control character after a share block that is dropped",
        article('<div class="share">分享到：微信</div>\x0c后文。')),
    row("a noncharacter after a share block that is dropped",
        article('<div class="share">分享到：微信</div>\ufffe后文。')),
    row("a control character in the text before a share block that is dropped",
        article('<span>甲</span>\x0c前文<div class="share">分享到：微信</div>后文。')),
    row("a control character opening the text of a block whose share box is dropped",
        article('<div>\x0c前文<div class="share">分享到：微信</div>后文。</div>')),
    row("an unpaired surrogate and a NUL escaped as entities", article("<p>&#xD800;正文&#0;。</p>")),
    row("entities beyond Unicode", article("<p>&#x110000;&#99999999999;正文。</p>")),
    row("5000 nested divs", article("<div>" * 5000 + "<p>深处的正文。</p>")),
    row("a table nested 500 deep", article("<table><tr><td>" * 500 + "正文")),
    row("cut off in the middle of a tag", article("")[:300]),
    row("only a byte-order mark", b"\xef\xbb\xbf"),
    row("UTF-16 without a BOM, labelled UTF-8", article("").decode().encode("utf-16-le")),
    row("GB18030 labelled UTF-16", article("").decode().encode("gb18030"),
        "text/html; charset=utf-16"),
    row("a charset nobody knows", article(""), "text/html; charset=x-zone-unknown"),
    row("a script, an iframe and event handlers in the body",
        article('<script>alert(1)</script><iframe src="http://x.cn"></iframe>'
                '<p onclick="alert(1)">点击<img src="javascript:alert(1)" onerror="alert(1)"></p>'
                '<a href="javascript:alert(1)">链接</a>')),
    row("a title of ten thousand characters",
        article("").replace(b"<title>", b"<title>" + b"x" * 10000)),
    row("a date of 30 February at 25:61", article("").replace(b"2024-03-05 10:20", b"2024-02-30 25:61")),
]


@pytest.mark.parametrize("body, content_type", MALFORMED)
def test_a_malformed_page_is_extracted_or_refused_never_raises(body: bytes,
                                                               content_type: str) -> None:
    check(Page("malformed", URL, body, content_type))


@cache
def pages() -> list[Page]:
    return corpus()


@settings(max_examples=300, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(index=st.integers(min_value=0), rng=st.randoms(use_true_random=False))
def test_a_mutated_fixture_page_never_makes_the_page_path_raise(index: int,
                                                                 rng: random.Random) -> None:
    corpus_pages = pages()
    check(mutate(corpus_pages[index % len(corpus_pages)], rng))


def test_the_fuzz_corpus_holds_every_fixture_family() -> None:
    families = {page.name.split("/", 1)[0] for page in pages()}
    assert {"gd-zhuhai", "hanweb", "hizh", "trs-gb", "generated"} <= families
