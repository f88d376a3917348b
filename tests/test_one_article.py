"""One article, one record, however it is reached: a URL written raw or percent-encoded names
one article in a crawl, in `zonenews article` and in `zonenews extract`; and `zonenews extract`
reads a split article as a crawl stores it, later parts included."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.conftest import write_site, zonenews
from tests.siteserver import FixtureServer

SITES = Path(__file__).parent / "sites"
BASE = "obey_robots = false\ndelay = 0\n"
RAW_PATH = "/news/content/园区新闻_1.html"
ENCODED_PATH = quote(RAW_PATH)                                   # %E5%9B%AD…, as a browser sends it
LOWER_PATH = "".join(c.lower() if c in "ABCDEF" else c for c in ENCODED_PATH)   # %e5%9b%ad…


def article_page(title: str, paragraph: str) -> str:
    return (f"<html><head><title>{title}</title></head><body><h1>{title}</h1>"
            f"<div>发布时间：2024-05-06 10:00</div><div id='zoom'><p>{paragraph}</p></div>"
            "</body></html>")


@pytest.fixture
def encoded_site(server: FixtureServer, tmp_path: Path) -> Path:
    """A column that links one article by its raw address and by its lower-case percent-encoded
    one; the server answers both, as a real one decodes them."""
    page = article_page("高新区园区新闻发布", "园区今年新增企业一百二十家，产值同比增长百分之十五。" * 3)
    for path in (ENCODED_PATH, LOWER_PATH):
        server.add(path, page)
    server.add("/news/content/post_2.html",
               article_page("高新区召开企业座谈会", "座谈会上，二十家企业代表就用地与人才问题发言。" * 3))
    server.add("/news/index.html", "<html><body><ul>"
               f"<li><a href='{RAW_PATH}'>高新区园区新闻发布</a><span>2024-05-06</span></li>"
               f"<li><a href='{LOWER_PATH}'>高新区园区新闻发布</a><span>2024-05-06</span></li>"
               "<li><a href='/news/content/post_2.html'>高新区召开企业座谈会</a>"
               "<span>2024-05-06</span></li></ul></body></html>")
    sites = tmp_path / "sites"
    write_site(sites, "encoded", [server.url("/news/index.html")],
               r"/content/[^/]+_\d+\.html$", BASE)
    return sites


def test_a_raw_and_a_percent_encoded_url_are_one_article_everywhere(
        encoded_site: Path, server: FixtureServer, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'z.db'}"
    zonenews("crawl", "encoded", db=db, sites=encoded_site, check=True)
    rows = json.loads(zonenews("articles", "--limit", "0", "--format", "json", db=db,
                               check=True).stdout)
    assert sorted(r["url"] for r in rows) == sorted(
        [server.url(ENCODED_PATH), server.url("/news/content/post_2.html")])
    assert server.hits[ENCODED_PATH] + server.hits[LOWER_PATH] == 1   # fetched once

    (stored,) = [r for r in rows if r["url"] == server.url(ENCODED_PATH)]
    for form in (RAW_PATH, ENCODED_PATH, LOWER_PATH):
        shown = zonenews("article", server.url(form), "--format", "json", db=db, check=True)
        assert json.loads(shown.stdout)["id"] == stored["id"], form

    saved = tmp_path / "saved.html"
    saved.write_bytes(server.pages[ENCODED_PATH].body)
    for form in (RAW_PATH, ENCODED_PATH, LOWER_PATH):
        extracted = zonenews("extract", str(saved), "--url", server.url(form), "--format",
                             "json", check=True)
        record = json.loads(extracted.stdout)
        assert record["url"] == stored["url"], form
        assert record["content_hash"] == stored["content_hash"]


@pytest.mark.parametrize("family, split_path", [
    ("ucap-e", "/xwzx/yqdt/549871203.html"),
    ("split", "/news/content/post_1001.html"),
])
def test_extract_gives_the_record_a_crawl_stores_for_a_split_article(
        family: str, split_path: str, server: FixtureServer, tmp_path: Path) -> None:
    sites = tmp_path / "sites"
    if family == "split":
        _three_part_article(server)
        write_site(sites, family, [server.url("/news/index.html")], r"/content/post_\d+\.html$",
                   BASE)
    else:
        server.load_dir(SITES / family)
        sites.mkdir()
        text = (SITES / family / "site.toml").read_text("utf-8").replace("{base}", server.base)
        (sites / f"{family}.toml").write_text(text + "\n" + BASE, "utf-8")
    db = f"sqlite:///{tmp_path / 'z.db'}"
    zonenews("crawl", family, db=db, sites=sites, check=True)
    stored = json.loads(zonenews("article", server.url(split_path), "--format", "json", db=db,
                                 check=True).stdout)
    extracted = json.loads(zonenews("extract", server.url(split_path), "--site", family,
                                    "--format", "json", sites=sites, check=True).stdout)

    same = ("url", "title", "published_at", "source", "authors", "photographers", "editors",
            "responsible_editors", "body_text", "images", "content_hash")
    assert {k: extracted[k] for k in same} == {k: stored[k] for k in same}
    assert stored["body_text"].count("\n") >= 1    # more than the first page's paragraph


def _three_part_article(server: FixtureServer) -> None:
    """An article over three pages, each linking the next (and the last one back to the first)."""
    server.add("/news/index.html", "<html><body><ul><li><a href='/news/content/post_1001.html'>"
               "高新区发布产业政策解读</a><span>2024-05-06</span></li></ul></body></html>")
    parts = ["本次政策围绕集成电路与生物医药两大产业，提出了十项具体措施。",
             "第二部分说明了申报流程，企业可于六月底前通过园区服务平台提交材料。",
             "第三部分列出了联系方式，园区经济发展局负责解释。"]
    names = ["post_1001.html", "post_1001_2.html", "post_1001_3.html"]
    for n, (name, text) in enumerate(zip(names, parts, strict=True)):
        pager = "".join(f'<a href="{other}">{k + 1}</a> ' for k, other in enumerate(names))
        following = f'<a href="{names[n + 1]}">下一页</a>' if n + 1 < len(names) else ""
        server.add(f"/news/content/{name}",
                   "<html><head><title>高新区发布产业政策解读</title></head><body>"
                   "<h1>高新区发布产业政策解读</h1><div>发布时间：2024-05-06 10:00 "
                   f"作者：李明</div><div id='zoom'><p>{text * 3}</p></div>"
                   f"<div class='pager'>{pager}{following}</div></body></html>")
