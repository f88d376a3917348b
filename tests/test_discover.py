"""`zonenews sites add` and `sites check`: the column's article links told from the furniture,
a pattern that finds them and nothing else, and a crawl from that file alone that stores every
article of the family; a site file that no longer fits its pages says what and exits 1."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest

from scrapers.discover import derive_pattern, is_headline, propose_key
from tests.conftest import write_site, zonenews
from tests.gdsite import TWINS, GdColumn
from tests.newfamilies import asp_column, webplus_column
from tests.siteserver import FixtureServer

SITES = Path(__file__).parent / "sites"


@pytest.mark.parametrize("urls, matches, refuses", [
    (["http://h/gxxw/gxdt/content/post_3461203.html", "http://h/gxxw/gxdt/content/post_99.html"],
     ["http://h/gxxw/gxdt/content/post_1234567.html"],
     ["http://h/gxxw/mtkt/content/post_1234567.html", "http://h/gxxw/gxdt/index_2.html"]),
    (["http://h/xwzx/gzdt/202206/t20220610_123.html", "http://h/xwzx/gzdt/202205/t20220501_9.html"],
     ["http://h/xwzx/gzdt/202312/t20231224_55555.html"], ["http://h/xwzx/tzgg/202312/t2023_5.html"]),
    (["http://h/2022/06/10/Zone-signs-projects/", "http://h/2022/05/13/A-5G-park-opens/"],
     ["http://h/2024/01/02/Another-story/"], ["http://h/category/policy/", "http://h/about/"]),
    (["http://h/a/202411/28/AP674835845ae482d0321affd2.html",
      "http://h/a/202411/26/AP67451cdcabeb97b999584c85.html"],
     ["http://h/a/202501/02/AP6732cca8532baa58ec388fc4.html"], ["http://h/a/list.html"]),
    # Two shapes in one column, and a mobile twin: each kept, nothing wider.
    (["http://h/art/2016/11/22/art_1621004_30332664.htm", "http://h/xxgk/2016-11/08/content_3.htm"],
     ["http://h/art/2017/1/2/art_1621004_1.htm", "http://h/xxgk/2017-01/02/content_4.htm"],
     ["http://h/col/col1621004/index.html"]),
    (["http://h/c/content/post_1.html", "http://h/c/content/mpost_2.html"],
     ["http://h/c/content/post_3.html", "http://h/c/content/mpost_3.html"],
     ["http://h/c/content/xpost_3.html"]),
])
def test_the_pattern_matches_the_articles_and_not_the_furniture(
        urls: list[str], matches: list[str], refuses: list[str]) -> None:
    pattern = re.compile(derive_pattern(urls))
    assert all(pattern.search(u) for u in urls + matches)
    assert not [u for u in refuses if pattern.search(u)]


@pytest.mark.parametrize("title, headline", [
    ("高新区召开重点项目现场会", True), ("首页", False), ("更多>>", False),
    ("Zhuhai High-tech Zone signs projects", True), ("Investment", False), (None, False),
])
def test_a_headline_is_told_from_a_menu_word(title: str | None, headline: bool) -> None:
    assert is_headline(title) is headline


def test_a_key_comes_from_the_host_and_avoids_taken_ones() -> None:
    assert propose_key("http://www.zhuhai-hitech.gov.cn/gxxw/gxdt/") == "zhuhai-hitech"
    assert propose_key("https://www.ndhtz.gov.cn/x/", ["ndhtz"]) == "ndhtz-2"


# Three unlike families of zone-pages.md: the Guangdong cluster (a sub-column in the list),
# Hanweb (two URL shapes in one column), an English republisher (WordPress slugs, a dated
# sidebar of the same articles). `python -m bench.discover` runs every family.
@pytest.mark.slow
@pytest.mark.parametrize("family", ["gd-d", "hanweb", "republisher-d"])
def test_a_site_file_from_one_url_crawls_every_article_and_nothing_else(
        family: str, server: FixtureServer, tmp_path: Path) -> None:
    folder = SITES / family
    server.load_dir(folder)
    start = tomllib.loads((folder / "site.toml").read_text("utf-8")
                          .replace("{base}", server.base))["start_urls"][0]
    sites, db = tmp_path / "sites", f"sqlite:///{tmp_path / 'z.db'}"

    added = zonenews("sites", "add", start, "--key", family, "--sites-dir", str(sites))
    assert added.returncode == 0, added.stderr
    assert "article_url_pattern" in added.stderr and "title:" in added.stderr
    zonenews("crawl", family, db=db, sites=sites, check=True)
    rows = json.loads(zonenews("articles", "--limit", "0", "--format", "json", db=db,
                               check=True).stdout)
    expected = set(json.loads((folder / "expected.json").read_text("utf-8")))
    assert {r["url"].removeprefix(server.base) for r in rows} == expected
    assert len(rows) == len(expected)


@pytest.mark.slow
@pytest.mark.parametrize("make", [webplus_column, asp_column], ids=["webplus", "asp-table"])
def test_families_the_rules_were_not_drawn_from(make: object, server: FixtureServer,
                                                tmp_path: Path) -> None:
    column = make(server)  # type: ignore[operator]
    sites, db = tmp_path / "sites", f"sqlite:///{tmp_path / 'z.db'}"
    zonenews("sites", "add", server.url(column.start_path), "--key", "new", "--sites-dir",
             str(sites), check=True)
    zonenews("crawl", "new", db=db, sites=sites, check=True)
    rows = json.loads(zonenews("articles", "--limit", "0", "--format", "json", db=db,
                               check=True).stdout)
    assert sorted(r["url"].removeprefix(server.base) for r in rows) == \
        sorted(column.article_paths)


def test_dry_run_prints_a_valid_file_and_writes_nothing(server: FixtureServer,
                                                       tmp_path: Path) -> None:
    server.load_dir(SITES / "gd-c")
    proc = zonenews("sites", "add", server.url("/zwgk/xwdt/index.html"), "--dry-run",
                    "--name", "江门高新区", "--sites-dir", str(tmp_path / "out"))
    assert proc.returncode == 0, proc.stderr
    site = tomllib.loads(proc.stdout)
    assert site["name"] == "江门高新区" and site["key"] == propose_key(server.base)
    assert site["article_url_pattern"] == r"/zwgk/xwdt/content/post_\d+\.html$"
    assert not (tmp_path / "out").exists()


def test_a_saved_list_page_is_read_with_its_address(server: FixtureServer,
                                                    tmp_path: Path) -> None:
    server.load_dir(SITES / "trs-d")
    saved = tmp_path / "list.html"
    saved.write_bytes(server.pages["/xwdt/gxyw/index.html"].body)
    proc = zonenews("sites", "add", str(saved), "--url", server.url("/xwdt/gxyw/index.html"),
                    "--key", "trs-d", "--dry-run")
    assert proc.returncode == 0, proc.stderr
    assert tomllib.loads(proc.stdout)["article_url_pattern"] == \
        r"/xwdt/gxyw/\d+/t\d+_\d+\.htm$"


def test_robots_txt_is_obeyed(server: FixtureServer) -> None:
    server.load_dir(SITES / "gd-c")
    server.add("/robots.txt", "User-agent: *\nDisallow: /zwgk/\n", "text/plain")
    proc = zonenews("sites", "add", server.url("/zwgk/xwdt/index.html"), "--dry-run")
    assert proc.returncode == 1
    assert proc.stderr.strip().count("\n") == 0 and "forbidden by robots.txt" in proc.stderr
    assert server.hits["/zwgk/xwdt/index.html"] == 0


def test_an_article_page_is_no_list(server: FixtureServer) -> None:
    server.load_dir(SITES / "gd-c")
    proc = zonenews("sites", "add", server.url("/zwgk/xwdt/content/post_31256701.html"),
                    "--dry-run")
    assert proc.returncode == 1 and proc.stdout == ""
    assert "an article page" in proc.stderr and proc.stderr.strip().count("\n") == 0


def test_check_says_what_no_longer_fits(server: FixtureServer, tmp_path: Path) -> None:
    server.load_dir(SITES / "trs-c")
    sites = tmp_path / "sites"
    start = server.url("/xxgk/gzdt/index.shtml")
    write_site(sites, "fits", [start], r"/xxgk/gzdt/\d{6}/t\d{8}_\d+\.shtml$")
    write_site(sites, "stale", [start], r"/xxgk/gzdt/content/post_\d+\.html$")
    write_site(sites, "gone", [server.url("/no/such/column/")], r"/post_\d+\.html$")

    good = zonenews("sites", "check", "fits", sites=sites)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "still fits" in good.stdout

    stale = zonenews("sites", "check", "stale", sites=sites)
    assert stale.returncode == 1
    assert "no link matches article_url_pattern" in stale.stdout
    assert r"/xxgk/gzdt/\d+/t\d+_\d+\.shtml$" in stale.stdout   # what would fit instead

    gone = zonenews("sites", "check", "gone", sites=sites)
    assert gone.returncode == 1 and "HTTP 404" in gone.stdout


@pytest.mark.slow
def test_check_reports_a_pager_that_is_gone_and_articles_without_fields(
        server: FixtureServer, tmp_path: Path) -> None:
    column = GdColumn(server, per_page=4)
    column.publish(9)
    sites, db = tmp_path / "sites", f"sqlite:///{tmp_path / 'z.db'}"
    write_site(sites, "gd", [server.url("/gxxw/gxdt/index.html")], r"/content/m?post_\d+\.html$",
               TWINS + "obey_robots = false\n")
    zonenews("crawl", "gd", db=db, sites=sites, check=True)
    assert zonenews("sites", "check", "gd", db=db, sites=sites).returncode == 0

    column.per_page = 50          # the column now fits on one page: its pager is gone
    column.render()
    first = column.articles[0]
    server.add(first.path, "<html><body><div>页面已删除</div></body></html>")
    proc = zonenews("sites", "check", "gd", db=db, sites=sites)
    assert proc.returncode == 1
    assert "no next list page any more" in proc.stdout
    assert server.url(first.path) in proc.stdout
