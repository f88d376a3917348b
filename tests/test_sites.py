"""Site files: the four-key minimum works, every mistake is refused in one line naming file,
key and fix, and one broken file never takes the other sites down."""

from __future__ import annotations

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


@pytest.mark.parametrize("extra, key, words", [
    ('colour = "red"\n', "colour", "unknown key"),
    ('timezone = "Mars/Olympus"\n', "timezone", "IANA"),
    ("max_pages = 0\n", "max_pages", "at least 1"),
    ("concurrency = -2\n", "concurrency", "at least 1"),
    ('delay = "slow"\n', "delay", "seconds"),
    ('obey_robots = "yes"\n', "obey_robots", "true or false"),
    ('timeout = "forever"\n', "timeout", "duration"),
    ('allowed_domains = "a.cn"\n', "allowed_domains", "list of host names"),
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
