"""The zonenews command as a user types it: every format parses, bad values are usage errors
with exit status 2, a broken site file costs one line and nothing else, and the README
documents every command."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from cli import build_parser
from tests.conftest import ROOT, write_site, zonenews
from tests.gdsite import TWINS, GdColumn
from tests.siteserver import FixtureServer

PATTERN = r"/content/m?post_\d{7,8}\.html$"
RECORD_FIELDS = {"id", "url", "site", "section", "title", "published_at", "language", "source",
                 "authors", "photographers", "editors", "responsible_editors", "summary",
                 "body_text", "images", "tags", "content_hash", "version", "first_seen_at",
                 "last_seen_at"}
RUN_FIELDS = {"id", "site", "trigger", "status", "started_at", "finished_at", "pages_fetched",
              "articles_new", "articles_updated", "articles_unchanged", "errors", "details"}


class Crawled:
    def __init__(self, server: FixtureServer, column: GdColumn, db: str, sites: Path) -> None:
        self.server, self.column, self.db, self.sites = server, column, db, sites

    def run(self, *args: str) -> tuple[int, str, str]:
        proc = zonenews(*args, db=self.db, sites=self.sites)
        return proc.returncode, proc.stdout, proc.stderr


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawled]:
    tmp = tmp_path_factory.mktemp("cli")
    with FixtureServer() as server:
        column = GdColumn(server, per_page=12)
        column.publish(30)
        sites = tmp / "sites"
        write_site(sites, "gd-test", [server.url("/gxxw/gxdt/index.html")], PATTERN, TWINS +
                   "obey_robots = false\ndelay = 0\n[schedule]\ninterval = \"6h\"\n")
        db = f"sqlite:///{tmp / 'z.db'}"
        proc = zonenews("crawl", "gd-test", db=db, sites=sites)
        assert proc.returncode == 0, proc.stderr
        yield Crawled(server, column, db, sites)


def test_crawl_reports_progress_on_stderr_and_a_summary(crawled: Crawled) -> None:
    code, out, err = crawled.run("crawl", "gd-test")
    assert code == 0, err
    assert "gd-test" in out and "succeeded" in out
    assert "pages" in out.splitlines()[0]


def test_articles_json_holds_every_record_field(crawled: Crawled) -> None:
    code, out, _ = crawled.run("articles", "--limit", "0", "--format", "json")
    rows = json.loads(out)
    assert code == 0 and len(rows) == 30
    assert set(rows[0]) >= RECORD_FIELDS
    published = [r["published_at"] for r in rows]
    assert published == sorted(published, reverse=True)  # newest first
    assert all(p.endswith("+08:00") for p in published)


def test_articles_jsonl_is_one_object_a_line(crawled: Crawled) -> None:
    _, out, _ = crawled.run("articles", "--limit", "5", "--format", "jsonl")
    lines = out.splitlines()
    assert len(lines) == 5
    assert all(json.loads(line)["title"] for line in lines)


def test_articles_csv_parses_with_lists_joined(crawled: Crawled) -> None:
    _, out, _ = crawled.run("articles", "--limit", "0", "--format", "csv")
    assert out.startswith("\ufeff")  # the byte-order mark Excel needs for Chinese
    rows = list(csv.DictReader(io.StringIO(out.removeprefix("\ufeff"))))
    assert len(rows) == 30 and set(rows[0]) >= RECORD_FIELDS
    records = json.loads(crawled.run("articles", "--limit", "0", "--format", "json")[1])
    by_id = {str(r["id"]): r for r in records}
    assert all(row["authors"] == "; ".join(by_id[row["id"]]["authors"]) for row in rows)


def test_articles_table_shows_titles(crawled: Crawled) -> None:
    _, out, _ = crawled.run("articles", "--limit", "3")
    newest = crawled.column.articles[0]
    assert "title" in out.splitlines()[0]
    assert newest.title[:10] in out


def test_limit_zero_means_all_and_the_default_is_twenty(crawled: Crawled) -> None:
    assert len(json.loads(crawled.run("articles", "--format", "json")[1])) == 20
    assert len(json.loads(crawled.run("articles", "--limit", "0", "--format", "json")[1])) == 30


def test_since_and_until_bound_the_publication_day(crawled: Crawled) -> None:
    day = crawled.column.articles[10].published.date().isoformat()
    _, out, _ = crawled.run("articles", "--since", day, "--until", day, "--format", "json")
    rows = json.loads(out)
    assert rows and all(r["published_at"].startswith(day) for r in rows)


def test_query_finds_words_in_the_body(crawled: Crawled) -> None:
    word = "集成电路"
    want = {a.title for a in crawled.column.articles if word in a.title + a.body_text}
    _, out, _ = crawled.run("articles", "--query", word, "--limit", "0", "--format", "json")
    assert {r["title"] for r in json.loads(out)} == want


def test_article_by_id_and_by_url(crawled: Crawled) -> None:
    rows = json.loads(crawled.run("articles", "--limit", "1", "--format", "json")[1])
    by_id = json.loads(crawled.run("article", str(rows[0]["id"]), "--format", "json")[1])
    by_url = json.loads(crawled.run("article", rows[0]["url"], "--format", "json")[1])
    assert by_id == by_url and by_id["body_text"]
    code, text, _ = crawled.run("article", str(rows[0]["id"]))
    assert code == 0 and rows[0]["title"] in text and by_id["body_text"] in text


def test_a_missing_article_says_so(crawled: Crawled) -> None:
    code, _, err = crawled.run("article", "999999")
    assert code == 1 and "no article" in err


def test_runs_json_holds_every_run_field(crawled: Crawled) -> None:
    runs = json.loads(crawled.run("runs", "--format", "json")[1])
    assert runs and set(runs[0]) >= RUN_FIELDS
    assert runs[-1]["status"] == "succeeded" and runs[-1]["trigger"] == "manual"
    assert runs[-1]["articles_new"] == 30
    assert isinstance(runs[0]["details"], dict)


def test_sites_lists_schedule_and_article_count(crawled: Crawled) -> None:
    sites = {s["key"]: s for s in json.loads(crawled.run("sites", "--format", "json")[1])}
    assert sites["gd-test"]["articles"] == 30
    assert sites["gd-test"]["last_run_status"] == "succeeded"
    assert "6h" in sites["gd-test"]["schedule"]
    assert "zhuhai-hitech" in sites
    code, table, _ = crawled.run("sites")
    assert code == 0 and "gd-test" in table


def test_extract_reads_a_saved_page(crawled: Crawled, tmp_path: Path) -> None:
    art = crawled.column.articles[0]
    page = tmp_path / "page.html"
    page.write_bytes(crawled.server.pages[art.path].body)
    code, out, err = crawled.run("extract", str(page), "--url", crawled.server.url(art.path))
    record = json.loads(out)
    assert code == 0, err
    assert record["title"] == art.title
    assert record["published_at"] == art.expected()["published_at"]


def test_extract_fetches_a_url(crawled: Crawled) -> None:
    art = crawled.column.articles[1]
    code, out, _ = crawled.run("extract", crawled.server.url(art.path), "--format", "text")
    assert code == 0 and art.title in out and art.paragraphs[0] in out


@pytest.mark.parametrize("args, words", [
    (("articles", "--since", "yesterday"), "not a date"),
    (("articles", "--until", "2025-13-01"), "not a date"),
    (("articles", "--format", "xml"), "invalid choice"),
    (("articles", "--limit", "-1"), "0 (all) or more"),
    (("runs", "--limit", "many"), "not a whole number"),
    (("crawl", "nowhere"), "unknown site 'nowhere'"),
    (("extract", "no-such-file.html"), "neither a file nor"),
    (("frobnicate",), "invalid choice"),
])
def test_bad_values_are_usage_errors(crawled: Crawled, args: tuple[str, ...], words: str) -> None:
    code, _, err = crawled.run(*args)
    assert code == 2
    assert words in err


def test_a_broken_site_file_costs_one_line_and_nothing_else(crawled: Crawled,
                                                            tmp_path: Path) -> None:
    sites = tmp_path / "sites"
    sites.mkdir()
    for f in crawled.sites.iterdir():
        (sites / f.name).write_text(f.read_text("utf-8"), "utf-8")
    (sites / "broken.toml").write_text('key = "broken"\nname = "x"\nstart_urls = ["ftp://x"]\n'
                                       "article_url_pattern = 'x'\n", "utf-8")
    proc = zonenews("crawl", "gd-test", db=crawled.db, sites=sites)
    assert proc.returncode == 0
    errors = [line for line in proc.stderr.splitlines() if "broken.toml" in line]
    assert errors == [f"zonenews: {sites / 'broken.toml'}: start_urls: must be a non-empty "
                      "list of http(s) URLs"]


def test_a_bad_database_url_is_one_line(tmp_path: Path) -> None:
    proc = zonenews("articles", db="mysql://nobody@nowhere/db")
    assert proc.returncode == 1
    assert proc.stderr.strip().count("\n") == 0 and "only SQLite and PostgreSQL" in proc.stderr


def test_an_unreachable_database_is_one_line_and_no_traceback() -> None:
    proc = zonenews("articles", db="postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr and proc.stderr.strip().count("\n") == 0


def test_the_readme_shows_every_command() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    commands = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    missing = [name for name in commands if f"zonenews {name}" not in readme]
    assert missing == []


MANY_TERMS = " ".join(f"词{n}" for n in range(1000))


@pytest.mark.parametrize("args, words", [
    (("articles", "--query", MANY_TERMS), "more than 64 terms"),
    (("articles", "--until", "9999-12-31"), "out of range (from 1900-01-01 to 2999-12-31)"),
    (("articles", "--since", "0001-01-01"), "out of range"),
    (("articles", "--since", "0001-01-01T00:00"), "out of range"),
    (("articles", "--limit", "9" * 20), "up to 1,000,000,000"),
    (("runs", "--limit", "9" * 20), "up to 1,000,000,000"),
    (("article", "9" * 20), "is not an article id"),
    (("articles", "--query", "高新\udcff\udcfe"), "not valid UTF-8"),
    (("articles", "--author", "\udce9"), "not valid UTF-8"),
    (("article", "http://127.0.0.1/\udcff.html"), "not valid UTF-8"),
])
def test_hostile_query_values_are_one_usage_line_and_lose_nothing(
        crawled: Crawled, args: tuple[str, ...], words: str) -> None:
    code, out, err = crawled.run(*args)
    assert code == 2, err
    assert "Traceback" not in err and out == ""
    last = err.strip().splitlines()[-1]
    assert last.startswith(f"zonenews {args[0]}: error: ") and words in last
    code, out, _ = crawled.run("articles", "--limit", "0", "--format", "json")
    assert code == 0 and len(json.loads(out)) == 30


@pytest.mark.parametrize("args, expected", [
    (("--since", "2999-12-31", "--query", "高新区"), 0),
    (("--until", "2999-12-31", "--query", "高新区"), 20),
    (("--since", "1900-01-01", "--until", "2999-12-31", "--query", "高新区"), 20),
    (("--query", " ".join(["高新区", *[f"签约{n}" for n in range(63)]])), 0),
    (("--query", " ".join(["高新区"] * 64 + ["项目"])), 20),
])
def test_the_widest_values_allowed_still_answer(crawled: Crawled, args: tuple[str, ...],
                                                expected: int) -> None:
    code, out, err = crawled.run("articles", *args, "--format", "json")
    assert code == 0, err
    assert len(json.loads(out)) == expected
