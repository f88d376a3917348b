"""decode_page: the text a reader sees, whatever the server or the page claims."""

from __future__ import annotations

import codecs

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scrapers.extract import decode_page, extract_article

TEXT = "珠海高新区与中电信息签约，王喆、陈镕、黄堃出席"  # 喆 镕 堃 are GBK, not GB2312


def html(charset_meta: str, body: str = TEXT) -> str:
    return f"<html><head>{charset_meta}<title>{body}</title></head><body><p>{body}</p></body></html>"


HTTP_EQUIV_GB2312 = '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">'


@pytest.mark.parametrize("body, content_type", [
    # GB page declared in <meta http-equiv> only, as old TRS sites do
    (html(HTTP_EQUIV_GB2312).encode("gb18030"), None),
    (html(HTTP_EQUIV_GB2312).encode("gb18030"), "text/html"),
    # the server says UTF-8, the page knows better
    (html(HTTP_EQUIV_GB2312).encode("gb18030"), "text/html; charset=utf-8"),
    # the server says GBK, the page says GB2312: either way GB18030 reads every character
    (html('<meta charset="GBK">').encode("gb18030"), "text/html; charset=gbk"),
    # no declaration anywhere, GB bytes
    (html("").encode("gb18030"), None),
    # UTF-8 without any declaration
    (html("").encode("utf-8"), None),
    # UTF-8 page served as GBK by a misconfigured server
    (html('<meta charset="utf-8">').encode("utf-8"), "text/html; charset=gbk"),
    # UTF-8 page whose template still declares gb2312
    (html(HTTP_EQUIV_GB2312).encode("utf-8"), None),
    # a server's default Latin-1 header over a GB page that declares nothing
    (html("").encode("gb18030"), "text/html; charset=ISO-8859-1"),
    # a BOM wins over every declaration
    (codecs.BOM_UTF8 + html(HTTP_EQUIV_GB2312).encode("utf-8"), "text/html; charset=gbk"),
    (html("").encode("utf-16"), "text/html; charset=gb2312"),
], ids=["meta-only", "header-without-charset", "mislabelled-utf8-header", "gbk-everywhere",
        "undeclared-gb", "undeclared-utf8", "utf8-served-as-gbk", "utf8-declared-gb2312",
        "undeclared-gb-latin1-header", "utf8-bom", "utf16-bom"])
def test_page_text_reads_correctly(body: bytes, content_type: str | None) -> None:
    text = decode_page(body, content_type)
    assert TEXT in text
    assert "\ufeff" not in text


@pytest.mark.parametrize("mojibake", ["锟斤拷", "Ã©", "\ufffd\ufffd", "鐝犳捣"])
def test_no_mojibake_when_a_gb_page_is_served_as_utf8(mojibake: str) -> None:
    body = html(HTTP_EQUIV_GB2312).encode("gb18030")
    assert mojibake not in decode_page(body, "text/html; charset=utf-8")


def test_a_broken_byte_costs_one_character_not_the_page() -> None:
    body = html(HTTP_EQUIV_GB2312).encode("gb18030")
    broken = body.replace("签约".encode("gb18030"), b"\xff\xff", 1)
    text = decode_page(broken, None)
    assert "珠海高新区与中电信息" in text
    assert text.count("\ufffd") <= 2


def test_unknown_declared_charset_is_ignored() -> None:
    body = html('<meta charset="x-no-such-charset">').encode("gb18030")
    assert TEXT in decode_page(body, "text/html; charset=also-unknown")


def test_extraction_reads_a_mislabelled_gb_page() -> None:
    page = html(HTTP_EQUIV_GB2312).encode("gb18030")
    item = extract_article(page, "http://127.0.0.1:8000/a.html",
                           content_type="text/html; charset=utf-8")
    assert item.title == TEXT


@given(st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), min_size=1,
               max_size=40))
def test_any_chinese_text_survives_gb18030_with_a_wrong_header(text: str) -> None:
    body = html(HTTP_EQUIV_GB2312, text).encode("gb18030")
    assert text in decode_page(body, "text/html; charset=utf-8")


def _with_stray_bytes(data: bytes, stray: bytes = b"\xff\xfe") -> bytes:
    """``data`` with ``stray`` put before its last ``</p>``: a slip of the template, not text."""
    cut = data.rindex(b"</p>")
    return data[:cut] + stray + data[cut:]


@pytest.mark.parametrize("meta, content_type, stray", [
    ("", None, b"\xff\xfe"),                                  # nothing declared
    ("", "text/html", b"\x80"),
    ('<meta charset="utf-8">', None, b"\xff"),                # declared, and slightly broken
    ("", "text/html; charset=utf-8", b"\xc3\x28\xa0\xa1"),    # a broken sequence, two bytes
    (HTTP_EQUIV_GB2312, None, b"\xff\xfe"),                   # an old template's declaration
])
def test_a_short_utf8_page_with_a_few_stray_bytes_stays_utf8(
        meta: str, content_type: str | None, stray: bytes) -> None:
    text = decode_page(_with_stray_bytes(html(meta).encode("utf-8"), stray), content_type)
    assert f"<title>{TEXT}</title>" in text
    assert text.count("\ufffd") <= len(stray)


@pytest.mark.parametrize("meta, content_type", [
    ("", None), (HTTP_EQUIV_GB2312, None), ("", "text/html; charset=gbk")])
def test_a_gb_page_with_a_few_stray_bytes_stays_gb(meta: str, content_type: str | None) -> None:
    text = decode_page(_with_stray_bytes(html(meta).encode("gb18030"), b"\xff"), content_type)
    assert f"<title>{TEXT}</title>" in text


def test_a_nul_byte_in_a_page_is_not_text() -> None:
    assert decode_page(html("").encode("utf-8").replace(b"<head>", b"<head>\0"), None) \
        == html("")


@pytest.mark.parametrize("body, problem", [
    (b"\0<html><body><p>ok</p></body></html>", None),          # one NUL before the page
    (b"<html>\0<body><p>ok</p></body></html>" * 20, None),   # one in every line
    (b"<html>" + bytes(range(32)) * 20, "not_html"),          # markup in a binary blob
])
def test_a_stray_nul_is_a_slip_and_many_are_binary(body: bytes, problem: str | None) -> None:
    from scrapers.extract import page_problem

    assert page_problem(body, "text/html") == problem
