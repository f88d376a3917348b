"""Every mistake a new user makes gets one clear line and the right exit status; the output
fits spreadsheets and scripts (CSV with BOM and header, counts of what a listing left out,
times labelled with their zone)."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PG_ENV, ROOT, write_site, zonenews
from tests.gdsite import TWINS, GdColumn
from tests.siteserver import FixtureServer

PATTERN = r"/content/m?post_\d{7,8}\.html$"


def one_line(text: str) -> bool:
    return text.strip().count("\n") == 0 and "Traceback" not in text


@pytest.fixture
def column(server: FixtureServer, tmp_path: Path) -> tuple[GdColumn, Path]:
    col = GdColumn(server, per_page=5)
    col.publish(7)
    write_site(tmp_path / "sites", "gd", [server.url("/gxxw/gxdt/index.html")], PATTERN, TWINS +
               "obey_robots = false\n")
    return col, tmp_path / "sites"


@pytest.mark.slow
def test_a_pattern_that_matches_no_link_fails_the_crawl_and_names_the_pattern(
        column: tuple[GdColumn, Path], db_url: str, tmp_path: Path) -> None:
    col, _ = column
    sites = tmp_path / "wrong"
    write_site(sites, "gd", [col.server.url("/gxxw/gxdt/index.html")], r"/content/article_\d+$",
               "obey_robots = false\n")
    for _ in range(2):   # the second crawl goes through the check before the crawl
        proc = zonenews("crawl", "gd", db=db_url, sites=sites)
        assert proc.returncode == 1
        warning = [line for line in proc.stderr.splitlines() if "warning" in line]
        assert len(warning) == 1 and r"'/content/article_\d+$'" in warning[0]
    runs = json.loads(zonenews("runs", "--format", "json", db=db_url, check=True).stdout)
    assert [r["status"] for r in runs] == ["failed", "failed"]
    assert "article_url_pattern" in runs[0]["message"]
    table = zonenews("runs", db=db_url, check=True).stdout
    assert "failed" in table and "succeeded" not in table


def test_queries_never_create_a_database(tmp_path: Path) -> None:
    db = tmp_path / "typo.db"
    for args in (("articles",), ("runs",), ("article", "1")):
        proc = zonenews(*args, db=f"sqlite:///{db}")
        assert proc.returncode == 1 and one_line(proc.stderr)
        assert "no such database file" in proc.stderr and str(db) in proc.stderr
    sites = zonenews("sites", "--format", "json", db=f"sqlite:///{db}")
    assert sites.returncode == 0 and json.loads(sites.stdout)
    assert not db.exists()


@pytest.mark.parametrize("url, words", [
    ("postgresql+psycopg2://u@127.0.0.1/db", "pip install psycopg2-binary"),
    ("mysql://u@127.0.0.1/db", "only SQLite and PostgreSQL"),
    ("postgresql+nosuch://u@127.0.0.1/db", "no such driver"),
])
def test_a_database_url_from_elsewhere_is_one_line(url: str, words: str) -> None:
    proc = zonenews("runs", db=url)
    assert proc.returncode == 1 and one_line(proc.stderr) and words in proc.stderr


def test_postgres_urls_as_hosting_services_print_them(pg_url: str) -> None:
    for scheme in ("postgres://", "postgresql://"):
        url = scheme + pg_url.split("://", 1)[1]
        proc = zonenews("runs", "--format", "json", db=url)
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout) == []
    assert os.environ.get(PG_ENV)


def test_a_regex_in_double_quotes_gets_the_single_quote_hint(tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_text('key = "bad"\nname = "x"\nstart_urls = ["http://h/"]\n'
                                       'article_url_pattern = "/post_\\d+\\.html$"\n', "utf-8")
    proc = zonenews("sites", "--sites", str(tmp_path), "--format", "json")
    lines = [line for line in proc.stderr.splitlines() if "bad.toml" in line]
    assert len(lines) == 1 and "single quotes" in lines[0]


def test_a_two_line_file_switches_a_built_in_site_off(tmp_path: Path) -> None:
    (tmp_path / "off.toml").write_text('key = "zhuhai-hitech"\n[schedule]\nenabled = false\n',
                                       "utf-8")
    sites = {s["key"]: s for s in json.loads(zonenews(
        "sites", "--format", "json", sites=tmp_path).stdout)}
    assert sites["zhuhai-hitech"]["enabled"] is False
    assert sites["zhuhai-hitech"]["name"] == "Zhuhai High-tech Zone"   # the rest is kept
    proc = zonenews("crawl", db=f"sqlite:///{tmp_path / 'z.db'}", sites=tmp_path)
    assert proc.returncode == 1 and "no site to crawl" in proc.stderr
    (tmp_path / "typo.toml").write_text('key = "nosuch"\n[schedule]\nenabled = false\n', "utf-8")
    proc = zonenews("sites", "--format", "json", sites=tmp_path)
    assert [line for line in proc.stderr.splitlines() if "typo.toml" in line and "no site" in line]


def test_exclude_leaves_a_site_out(column: tuple[GdColumn, Path], tmp_path: Path) -> None:
    _, sites = column
    work = tmp_path / "work"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("ZONENEWS_DB", "ZONENEWS_SITES")}
    env["PYTHONPATH"] = str(ROOT)
    # No --db: the default file in the working directory, and the crawl says which it is.
    proc = subprocess.run([sys.executable, "-m", "cli", "crawl", "--exclude", "zhuhai-hitech",
                           "--sites", str(sites)], cwd=work, env=env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert f"stored in {work / 'zonenews.db'}" in proc.stderr
    db = f"sqlite:///{work / 'zonenews.db'}"
    runs = json.loads(zonenews("runs", "--format", "json", db=db, check=True).stdout)
    assert [r["site"] for r in runs] == ["gd"]
    bad = zonenews("crawl", "--exclude", "nosuch", db=db, sites=sites)
    assert bad.returncode == 2 and "unknown site 'nosuch'" in bad.stderr


def test_extract_on_what_is_no_article(column: tuple[GdColumn, Path], tmp_path: Path) -> None:
    col, _ = column
    (tmp_path / "empty.html").write_bytes(b"")
    (tmp_path / "robots.txt").write_text("User-agent: *\nDisallow:\n", "utf-8")
    for name, words in (("empty.html", "empty"), ("robots.txt", "not an HTML page")):
        proc = zonenews("extract", str(tmp_path / name))
        assert proc.returncode == 1 and one_line(proc.stderr) and words in proc.stderr
    listing = zonenews("extract", col.server.url("/gxxw/gxdt/index.html"))
    assert listing.returncode == 1 and one_line(listing.stderr)
    assert "a list page" in listing.stderr and "zonenews sites add" in listing.stderr
    # The list may link an article's mobile twin (mpost_): the same article.
    shown = [line.split("\t")[0].replace("/mpost_", "/post_")
             for line in listing.stdout.splitlines()]
    assert shown == [col.server.url(a.path) for a in col.articles[:5]]


@pytest.mark.slow
def test_output_for_spreadsheets_and_people(column: tuple[GdColumn, Path],
                                            tmp_path: Path) -> None:
    _, sites = column
    db = f"sqlite:///{tmp_path / 'z.db'}"
    zonenews("crawl", "gd", db=db, sites=sites, check=True)

    empty = zonenews("articles", "--site", "nosuch", "--format", "csv", db=db, check=True).stdout
    assert empty.startswith("\ufeff") and empty.removeprefix("\ufeff").startswith("id,url,site")
    runs = list(csv.DictReader(io.StringIO(zonenews("runs", "--format", "csv", db=db,
                                                    check=True).stdout.removeprefix("\ufeff"))))
    assert [r["status"] for r in runs] == ["succeeded"]
    sites_csv = zonenews("sites", "--format", "csv", db=db, sites=sites, check=True).stdout
    assert "gd" in [r["key"] for r in csv.DictReader(io.StringIO(sites_csv.lstrip("\ufeff")))]

    table = zonenews("articles", "--limit", "3", db=db, check=True).stdout
    assert table.splitlines()[-1] == "showing 3 of 7 (use --limit 0 for all)"
    assert "published (site time)" in table.splitlines()[0]
    assert "showing" not in zonenews("articles", "--limit", "0", db=db, check=True).stdout
    utc = zonenews("articles", "--limit", "1", "--utc", db=db, check=True).stdout
    newest = json.loads(zonenews("articles", "--limit", "1", "--format", "json", db=db,
                                 check=True).stdout)[0]
    assert "published (UTC)" in utc.splitlines()[0]
    from datetime import UTC, datetime
    assert datetime.fromisoformat(newest["published_at"]).astimezone(UTC).strftime(
        "%Y-%m-%d %H:%M") in utc
    assert "started (UTC)" in zonenews("runs", "--utc", db=db, check=True).stdout

    version = zonenews("--version")
    assert version.returncode == 0 and version.stdout.startswith("zonenews ")
