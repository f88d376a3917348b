"""Site files: the four-key minimum works, every mistake is refused in one line naming file,
key and fix, and one broken file never takes the other sites down."""

from __future__ import annotations

import json
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from scrapers.sites import (
    BUILTIN_DIR,
    SiteFileError,
    load_catalog,
    load_site_file,
    load_sites,
    parse_duration,
)
from tests.conftest import write_site, zonenews
from tests.gdsite import GdColumn
from tests.siteserver import FixtureServer
from tests.test_scheduler import (
    ARTICLES,
    Zone,
    start_scheduler,
    stop_within,
    stored_urls,
    succeeded,
    wait_until,
    write_sites,
)

MINIMAL = """key = "demo"
name = "Demo High-tech Zone"
start_urls = ["http://127.0.0.1:8000/news/index.html"]
article_url_pattern = '/content/post_\\d+\\.html$'
"""


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, "utf-8")
    return path


def test_the_four_key_file_is_enough(tmp_path: Path) -> None:
    site = load_site_file(write(tmp_path, "demo.toml", MINIMAL))
    assert site.key == "demo"
    assert site.timezone == "Asia/Shanghai"
    assert site.obey_robots is True
    assert site.allowed_domains == frozenset({"127.0.0.1"})
    assert site.schedule is None
    assert site.article_url_pattern.search("http://127.0.0.1:8000/news/content/post_123.html")


def test_the_built_in_zhuhai_site_matches_desktop_and_mobile_posts() -> None:
    site = load_catalog().get("zhuhai-hitech")
    assert "http://www.zhuhai-hitech.gov.cn/gxxw/gxdt/index.html" in site.start_urls
    assert "http://www.zhuhai-hitech.gov.cn/gxxw/mtkt/index.html" in site.start_urls
    for url in ("http://www.zhuhai-hitech.gov.cn/gxxw/gxdt/content/post_3456789.html",
                "http://www.zhuhai-hitech.gov.cn/gxxw/mtkt/content/mpost_12345678.html"):
        assert site.article_url_pattern.search(url)
    assert not site.article_url_pattern.search(
        "http://www.zhuhai-hitech.gov.cn/gxxw/gxdt/index_2.html")
    assert site.url_rules == {"mpost-twin"}   # its mobile twins are its posts


@pytest.mark.parametrize("extra, key, words", [
    ('colour = "red"\n', "colour", "unknown key"),
    ('timezone = "Mars/Olympus"\n', "timezone", "IANA"),
    ("max_pages = 0\n", "max_pages", "from 1 to"),
    ("concurrency = -2\n", "concurrency", "from 1 to"),
    ('delay = "slow"\n', "delay", "seconds"),
    ('obey_robots = "yes"\n', "obey_robots", "true or false"),
    ('timeout = "forever"\n', "timeout", "duration"),
    ('allowed_domains = "a.cn"\n', "allowed_domains", "list of host names"),
    ('url_rules = ["nosuch"]\n', "url_rules", "mpost-twin"),
    ('url_rules = "mpost-twin"\n', "url_rules", "list of rule names"),
    ('[schedule]\ninterval = "often"\n', "schedule.interval", "duration"),
    ('[schedule]\ncron = "*/30 * * *"\n', "schedule.cron", "five fields"),
    ('[schedule]\ncron = "61 * * * *"\n', "schedule.cron", ""),
    ('[schedule]\ninterval = "1h"\ncron = "0 * * * *"\n', "schedule", "exactly one"),
    ("[schedule]\nenabled = true\n", "schedule", "exactly one"),
    ('[selectors]\ncolour = "h1"\n', "selectors.colour", "unknown field"),
])
def test_a_bad_value_is_refused_naming_the_file_and_key(
        tmp_path: Path, extra: str, key: str, words: str) -> None:
    path = write(tmp_path, "demo.toml", MINIMAL + extra)
    with pytest.raises(SiteFileError) as err:
        load_site_file(path)
    line = str(err.value)
    assert line.startswith(f"{path}: {key}: ")
    assert words in line
    assert "\n" not in line


@pytest.mark.parametrize("text, key", [
    (MINIMAL.replace('key = "demo"', 'key = "Demo Zone"'), "key"),
    (MINIMAL.replace('["http://127.0.0.1:8000/news/index.html"]', '["ftp://x/y"]'), "start_urls"),
    (MINIMAL.replace('["http://127.0.0.1:8000/news/index.html"]', '"http://x/"'), "start_urls"),
    (MINIMAL.replace("'/content/post_\\d+\\.html$'", "'/content/(post'"), "article_url_pattern"),
    ("\n".join(MINIMAL.splitlines()[:3]), "article_url_pattern"),
    ("key = 'demo'\nname = \n", "(file)"),
])
def test_required_keys_must_be_usable(tmp_path: Path, text: str, key: str) -> None:
    path = write(tmp_path, "demo.toml", text)
    with pytest.raises(SiteFileError) as err:
        load_site_file(path)
    assert err.value.key == key


def test_a_broken_file_leaves_the_other_sites_working(tmp_path: Path) -> None:
    write(tmp_path, "good.toml", MINIMAL)
    write(tmp_path, "bad.toml", "key = 'bad'\nstart_urls = [")
    catalog = load_sites([tmp_path])
    assert list(catalog.sites) == ["demo"]
    assert len(catalog.errors) == 1 and str(catalog.errors[0]).startswith(str(tmp_path / "bad.toml"))


def test_a_user_file_replaces_the_built_in_site_with_its_key(tmp_path: Path) -> None:
    write(tmp_path, "mine.toml", MINIMAL.replace('key = "demo"', 'key = "zhuhai-hitech"'))
    catalog = load_sites([BUILTIN_DIR, tmp_path])
    assert catalog.get("zhuhai-hitech").start_urls == ("http://127.0.0.1:8000/news/index.html",)


def test_folders_come_from_the_environment_too(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    write(a, "one.toml", MINIMAL.replace('"demo"', '"one"'))
    write(b, "two.toml", MINIMAL.replace('"demo"', '"two"'))
    monkeypatch.setenv("ZONENEWS_SITES", f"{a}:{b}")
    assert {"one", "two", "zhuhai-hitech"} <= set(load_catalog().sites)


@pytest.mark.parametrize("text, seconds", [
    ("30s", 30), ("15m", 900), ("6h", 21600), ("1d", 86400), ("90", 90), (45, 45), ("1.5h", 5400),
])
def test_durations(text: str | int, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "5 minutes", "-1m", "0s", "1w", True])
def test_durations_that_are_refused(text: str | bool) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


@pytest.mark.parametrize("extra, key", [
    ("[schedule]\ninterval = inf\n", "schedule.interval"),
    ("[schedule]\ninterval = nan\n", "schedule.interval"),
    ("[schedule]\ninterval = -60\n", "schedule.interval"),
    ("[schedule]\ninterval = 1e300\n", "schedule.interval"),
    ('[schedule]\ninterval = "99999999999999999999d"\n', "schedule.interval"),
    ("timeout = inf\n", "timeout"),
    ("timeout = nan\n", "timeout"),
    ('timeout = "30d"\n', "timeout"),
    ("timeout = -1\n", "timeout"),
    ("delay = inf\n", "delay"),
    ("delay = nan\n", "delay"),
    ("delay = -0.5\n", "delay"),
    ("delay = 1e9\n", "delay"),
    ("max_pages = 99999999999\n", "max_pages"),
    ("concurrency = 100000\n", "concurrency"),
])
def test_values_out_of_sane_bounds_are_refused_with_the_fix(
        tmp_path: Path, extra: str, key: str) -> None:
    path = write(tmp_path, "demo.toml", MINIMAL + extra)
    with pytest.raises(SiteFileError) as err:
        load_site_file(path)
    line = str(err.value)
    assert line.startswith(f"{path}: {key}: ") and "\n" not in line
    assert any(word in line for word in ("at most", "from 0 to", "from 1 to"))


@pytest.mark.parametrize("extra, value", [
    ('[schedule]\ninterval = "366d"\n', 366 * 86400.0),
    ('timeout = "7d"\n', 7 * 86400.0),
    ("delay = 3600\n", 3600.0),
    ("max_pages = 100000\n", 100_000),
    ("concurrency = 64\n", 64),
])
def test_the_largest_sane_values_are_kept(tmp_path: Path, extra: str, value: float) -> None:
    site = load_site_file(write(tmp_path, "demo.toml", MINIMAL + extra))
    assert value in (site.schedule.interval if site.schedule else None, site.timeout, site.delay,
                     site.max_pages, site.concurrency)


def test_a_key_with_a_trailing_newline_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "demo.toml", MINIMAL.replace('key = "demo"', 'key = "ok-key\\n"'))
    with pytest.raises(SiteFileError) as err:
        load_site_file(path)
    assert err.value.key == "key"


@pytest.mark.parametrize("pattern, words", [
    ("x{4294967295}", "not a valid regular expression"),
    ("x{4294967294}", "use + or *"),
    ("(x{1000}){1000}", "use + or *"),
])
def test_a_pattern_that_cannot_be_compiled_safely_is_refused_in_one_line(
        tmp_path: Path, pattern: str, words: str) -> None:
    path = write(tmp_path, "demo.toml",
                 MINIMAL.replace("'/content/post_\\d+\\.html$'", f"'{pattern}'"))
    with pytest.raises(SiteFileError) as err:
        load_site_file(path)
    line = str(err.value)
    assert line.startswith(f"{path}: article_url_pattern: ") and words in line
    assert "\n" not in line


def test_a_catastrophic_pattern_answers_within_its_bound_and_short_urls_still_match(
        tmp_path: Path) -> None:
    path = write(tmp_path, "demo.toml", MINIMAL.replace(
        "'/content/post_\\d+\\.html$'", "'/content/post_\\d+\\.html$|(a+)+$'"))
    pattern = load_site_file(path).article_url_pattern
    started = time.monotonic()
    slow = 0
    for n in range(50):
        try:
            pattern.search("http://127.0.0.1/" + "a" * (2000 + n) + "!")
        except TimeoutError:
            slow += 1
    assert slow == 50
    assert time.monotonic() - started < 10   # a few bounded attempts, then refused at once
    assert pattern.search("http://127.0.0.1/content/post_12.html")
    assert not pattern.search("http://127.0.0.1/index.html")


# ---------------------------------------------------------------- hostile site files, end to end

HOSTILE_FILES = {
    "overflow.toml": ("article_url_pattern", "key = 'overflow'\nname = 'x'\n"
                      "start_urls = ['http://127.0.0.1:9/']\narticle_url_pattern = 'x{4294967295}'\n"),
    "forever.toml": ("schedule.interval", "key = 'forever'\nname = 'x'\n"
                     "start_urls = ['http://127.0.0.1:9/']\narticle_url_pattern = 'x'\n"
                     "[schedule]\ninterval = inf\n"),
    "nan-delay.toml": ("delay", "key = 'nan-delay'\nname = 'x'\nstart_urls = ['http://127.0.0.1:9/']"
                       "\narticle_url_pattern = 'x'\ndelay = nan\n"),
    "newline.toml": ("key", "key = \"ok-key\\n\"\nname = 'x'\nstart_urls = ['http://127.0.0.1:9/']\n"
                     "article_url_pattern = 'x'\n"),
}


@pytest.fixture
def zone() -> Iterator[Zone]:
    with Zone() as z:
        yield z


def test_hostile_site_files_stop_neither_sites_nor_crawl_nor_schedule(
        zone: Zone, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'z.db'}"
    folder = write_sites(tmp_path / "sites", zone, schedule='interval = "1s"')
    for name, (_key, text) in HOSTILE_FILES.items():
        write(folder, name, text)

    listed = zonenews("sites", db=db, sites=folder, timeout=60)
    assert listed.returncode == 0, listed.stderr
    assert "demo" in listed.stdout and "Traceback" not in listed.stderr
    for name, (key, _text) in HOSTILE_FILES.items():
        (line,) = [x for x in listed.stderr.splitlines() if name in x]
        assert f"{folder / name}: {key}: " in line

    crawled = zonenews("crawl", "demo", db=db, sites=folder, timeout=120)
    assert crawled.returncode == 0, crawled.stderr
    assert len(stored_urls(db)) == ARTICLES

    proc = start_scheduler(db, folder, "-m", "cli", "schedule")
    ran = wait_until(lambda: succeeded(db) >= 2, 30, step=0.25)
    status, err = stop_within(proc, signal.SIGTERM, 20)
    assert ran and status == 0, err
    assert "Traceback" not in err


def test_a_catastrophic_pattern_costs_its_slow_links_and_the_crawl_ends_in_time(
        server: FixtureServer, tmp_path: Path) -> None:
    column = GdColumn(server, per_page=6)
    column.publish(6)
    hostile = "".join(f'<li><a href="/{"a" * (3000 + n)}!">长链接{n}</a></li>' for n in range(200))
    server.add("/hostile/index.html", "<ul>" + hostile + "".join(
        f'<li><a href="{a.path}">{a.title}</a></li>' for a in column.articles) + "</ul>")
    db = f"sqlite:///{tmp_path / 'z.db'}"
    folder = tmp_path / "sites"
    write_site(folder, "hostile", [server.url("/hostile/index.html")],
               r"/content/m?post_\d{7,8}\.html$|(a+)+$", "obey_robots = false\ndelay = 0\n")

    started = time.monotonic()
    proc = zonenews("crawl", "hostile", db=db, sites=folder, timeout=120)
    took = time.monotonic() - started

    assert proc.returncode == 0, proc.stderr
    assert took < 60, took
    (run,) = json.loads(zonenews("runs", "--format", "json", db=db, check=True).stdout)
    assert run["details"]["filtered"]["pattern_timeout"] == 200
    assert run["articles_new"] == 6
    assert "article_url_pattern" in proc.stderr and "Traceback" not in proc.stderr
