"""Canonical article URLs: one article, one URL, however a page links to it — a table of the forms
zone pages use, and properties that hold for any URL (idempotence, twins, parameter order).
Mobile twins are folded only for a site whose file asks for it (``url_rules``)."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from pipelines.urls import MPOST_TWIN, canonical_url, on_domains, rules_seen
from scrapers.sites import load_catalog

CANONICAL = "http://www.zhuhai-hitech.gov.cn/gxxw/gxdt/content/post_3489017.html"
TWINS = frozenset({MPOST_TWIN})


@pytest.mark.parametrize("variant", [
    CANONICAL,
    "HTTP://WWW.ZHUHAI-HITECH.GOV.CN/gxxw/gxdt/content/post_3489017.html",
    "http://www.zhuhai-hitech.gov.cn:80/gxxw/gxdt/content/post_3489017.html",
    "http://www.zhuhai-hitech.gov.cn/gxxw/gxdt/content/post_3489017.html#comments",
    "http://www.zhuhai-hitech.gov.cn/gxxw/gxdt/content/mpost_3489017.html",
    "http://www.zhuhai-hitech.gov.cn/gxxw/gxdt/content/post_3489017.html?utm_source=wechat",
    "http://www.zhuhai-hitech.gov.cn/gxxw/gxdt/content/post_3489017.html?from=timeline&isappinstalled=0",
    "http://www.zhuhai-hitech.gov.cn/gxxw/gxdt/content/post_3489017.html?spm=a.b.c",
    "  http://www.zhuhai-hitech.gov.cn/gxxw/gxdt/content/post_3489017.html\n",
    "http://editor:secret@www.zhuhai-hitech.gov.cn/gxxw/gxdt/content/post_3489017.html",
])
def test_every_form_of_a_link_gives_the_one_stored_url(variant: str) -> None:
    rules = load_catalog().get("zhuhai-hitech").url_rules   # the built-in site's file
    assert canonical_url(variant, rules) == CANONICAL


@pytest.mark.parametrize("url, canonical", [
    ("https://hizh.cn:443/a.html", "https://hizh.cn/a.html"),
    ("https://hizh.cn:8443/a.html", "https://hizh.cn:8443/a.html"),
    ("http://hizh.cn:443/a.html", "http://hizh.cn:443/a.html"),           # 443 is not http's port
    ("http://a.cn/art?id=7&cat=2", "http://a.cn/art?cat=2&id=7"),       # parameter order
    ("http://a.cn/art?id=7&UTM_Medium=x", "http://a.cn/art?id=7"),
    ("http://a.cn/art?fromid=7", "http://a.cn/art?fromid=7"),           # only whole tracking names
    ("http://a.cn", "http://a.cn/"),
    # One percent-encoding: UTF-8, upper-case hex, unreserved characters plain.
    ("http://a.cn/新闻/详情.html", "http://a.cn/%E6%96%B0%E9%97%BB/%E8%AF%A6%E6%83%85.html"),
    ("http://a.cn/%e6%96%b0%e9%97%bb/a.html", "http://a.cn/%E6%96%B0%E9%97%BB/a.html"),
    ("http://a.cn/%7Eold/a%2Db.html", "http://a.cn/~old/a-b.html"),
    ("http://a.cn/art?t=高新区&id=7", "http://a.cn/art?id=7&t=%E9%AB%98%E6%96%B0%E5%8C%BA"),
    ("http://a.cn/art?t=%e9%ab%98", "http://a.cn/art?t=%E9%AB%98"),
    # Encoded delimiters stay encoded: decoded they would make another URL.
    ("http://a.cn/a%23b.html", "http://a.cn/a%23b.html"),
    ("http://a.cn/a%25b.html", "http://a.cn/a%25b.html"),
    ("http://a.cn/art?q=a%26b", "http://a.cn/art?q=a%26b"),
    # Mobile twins stay apart unless the site's url_rules say they are one article.
    ("http://a.cn/content/mpost_1.shtml", "http://a.cn/content/mpost_1.shtml"),
])
def test_a_url_is_canonical_as_the_table_says(url: str, canonical: str) -> None:
    assert canonical_url(url) == canonical


@pytest.mark.parametrize("url, canonical", [
    ("http://a.cn/content/mpost_1.shtml", "http://a.cn/content/post_1.shtml"),
    ("http://a.cn/content/mpost_1.html/x", "http://a.cn/content/mpost_1.html/x"),
    ("http://a.cn/content/xmpost_1.html", "http://a.cn/content/xmpost_1.html"),
    ("HTTP://A.CN:80/content/mpost_1.html#top", "http://a.cn/content/post_1.html"),
])
def test_a_site_that_asks_for_it_folds_mobile_twins(url: str, canonical: str) -> None:
    assert canonical_url(url, TWINS) == canonical


# ---------------------------------------------------------------- properties

hosts = st.one_of(
    st.from_regex(r"[a-z][a-z0-9-]{0,10}(\.[a-z][a-z0-9-]{0,10}){1,3}", fullmatch=True),
    st.from_regex(r"[A-Z][A-Za-z0-9]{0,8}\.(gov|com)\.CN", fullmatch=True),
    st.ip_addresses(v=4).map(str),
)
segments = st.text(alphabet=st.characters(categories=("L", "N"), include_characters="-_.%~"),
                   max_size=12)
params = st.lists(st.tuples(
    st.sampled_from(["id", "cat", "page", "utm_source", "spm", "from", "x"]),
    st.text(alphabet=st.characters(categories=("L", "N"), include_characters="+%= "),
            max_size=8)), max_size=4)


@st.composite
def http_urls(draw: st.DrawFn) -> str:
    scheme = draw(st.sampled_from(["http", "https", "HTTP"]))
    host = draw(hosts)
    port = draw(st.one_of(st.none(), st.sampled_from([80, 443, 8080]), st.integers(1, 65535)))
    path = "/".join(draw(st.lists(segments, max_size=4)))
    if draw(st.booleans()):
        path += f"/content/{draw(st.sampled_from(['post', 'mpost']))}_{draw(st.integers(1, 10**8))}.html"
    query = "&".join(f"{k}={v}" for k, v in draw(params))
    fragment = draw(st.one_of(st.none(), segments))
    url = f"{scheme}://{host}{f':{port}' if port else ''}/{path}"
    url += f"?{query}" if query else ""
    return url + (f"#{fragment}" if fragment is not None else "")


@given(http_urls())
@example("http://a.cn/p?%zz=1&a")
@example("http://a.cn/a b/c?q=x y")
def test_canonicalising_twice_changes_nothing(url: str) -> None:
    once = canonical_url(url)
    assert canonical_url(once) == once
    folded = canonical_url(url, TWINS)
    assert canonical_url(folded, TWINS) == canonical_url(folded) == folded


@given(host=hosts, post_id=st.integers(1, 10**9), ext=st.sampled_from([".html", ".htm", ".shtml"]))
def test_a_mobile_twin_is_its_desktop_post(host: str, post_id: int, ext: str) -> None:
    desktop = canonical_url(f"http://{host}/gxxw/content/post_{post_id}{ext}", TWINS)
    assert canonical_url(f"http://{host}/gxxw/content/mpost_{post_id}{ext}", TWINS) == desktop
    assert canonical_url(f"http://{host}/gxxw/content/mpost_{post_id}{ext}") != desktop


@pytest.mark.parametrize("links, rules", [
    (["http://a.cn/c/content/post_1.html", "http://a.cn/c/content/mpost_2.html"], [MPOST_TWIN]),
    (["http://a.cn/c/content/post_1.html", "http://a.cn/c/content/post_2.html"], []),
    (["http://a.cn/c/content/mpost_1.html/x", "http://a.cn/c/mpost_list.html"], []),
    (["http://a.cn/a/202512/23/AP694aac90977c43dd21ff8384.html"], []),
])
def test_a_column_linking_mobile_twins_gets_the_rule_written_for_it(
        links: list[str], rules: list[str]) -> None:
    assert rules_seen(links) == rules

@given(url=http_urls())
@example("http://a.a/?id= ")
def test_a_percent_encoded_and_a_raw_url_are_one_url(url: str) -> None:
    # Spaces around a link are not part of it (browsers strip them too); a %20 inside is.
    raw = url.partition("#")[0].strip()
    encoded = quote(raw, safe="/:?&=[]@+%~")
    lower_hex = re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), encoded)
    assert canonical_url(encoded) == canonical_url(lower_hex) == canonical_url(raw)


@given(url=http_urls(), data=st.data())
def test_parameter_order_fragments_and_tracking_never_make_a_second_url(
        url: str, data: st.DataObject) -> None:
    base, _, _fragment = url.partition("#")
    path, _, query = base.partition("?")
    pairs = [p for p in query.split("&") if p]
    shuffled = data.draw(st.permutations(pairs))
    tracking = data.draw(st.sampled_from(["utm_campaign=zone", "spm=1.2", "isappinstalled=0"]))
    variant = f"{path}?{'&'.join([*shuffled, tracking])}#top"
    assert canonical_url(variant) == canonical_url(url)


@given(st.text(max_size=80))
@example("http://www.zone.gov.cn:80a/content/post_1234567.html")
@example("http://[::1/")
def test_canonicalising_any_text_never_raises(text: str) -> None:
    canonical_url(text)


@given(st.ip_addresses(v=6).map(str), st.integers(1, 65535))
def test_an_ipv6_host_keeps_its_brackets(host: str, port: int) -> None:
    url = canonical_url(f"http://[{host}]:{port}/news/index.html")
    assert canonical_url(url) == url and url.startswith("http://[")


# ---------------------------------------------------------------- the site's domains

@pytest.mark.parametrize("url, on_site", [
    ("http://www.zhuhai-hitech.gov.cn/a.html", True),
    ("http://zhuhai-hitech.gov.cn/a.html", True),
    ("http://m.zhuhai-hitech.gov.cn/a.html", True),
    ("http://WWW.ZHUHAI-HITECH.GOV.CN/a.html", True),
    ("http://www.zhuhai-hitech.gov.cn:8080/a.html", True),
    ("http://evilzhuhai-hitech.gov.cn/a.html", False),
    ("http://zhuhai-hitech.gov.cn.evil.example/a.html", False),
    ("http://www.gd.gov.cn/a.html", False),
    ("javascript:void(0)", False),
    ("mailto:office@zhuhai-hitech.gov.cn", False),
])
def test_a_url_is_on_the_site_only_on_its_domains_or_their_subdomains(url: str, on_site: bool) -> None:
    assert on_domains(url, frozenset({"zhuhai-hitech.gov.cn"})) is on_site
