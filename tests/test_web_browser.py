"""The archive in a real browser: Debian's Chromium, driven by Playwright, against a real
``zonenews serve`` over a database that a real crawl of a fixture zone filled (with one article
edited and crawled again, so it has two versions). Screenshots land in the test's tmp dir."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, write_site, zonenews
from tests.gdsite import TWINS, GdArticle, GdColumn
from tests.siteserver import FixtureServer

CHROMIUM = Path("/usr/bin/chromium")
PATTERN = r"/content/m?post_\d{7,8}\.html$"
CORRECTION = "更正：项目总投资额以最终公告为准。"

pytestmark = pytest.mark.slow


@dataclass
class Served:
    base: str
    edited: GdArticle
    articles: list[GdArticle]       # newest first
    shots: Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(url: str, proc: subprocess.Popen[str], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"zonenews serve exited {proc.returncode}: {proc.stderr.read()}"
                                 if proc.stderr else "zonenews serve exited")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"zonenews serve did not answer at {url}")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    work = tmp_path_factory.mktemp("web-browser")
    db = f"sqlite:///{work / 'zonenews.db'}"
    sites = work / "sites"
    with FixtureServer() as site:
        column = GdColumn(site, per_page=12)
        column.publish(30)
        write_site(sites, "gd-test", [site.url("/gxxw/gxdt/index.html")], PATTERN, TWINS +
                   "obey_robots = false\ndelay = 0\n")
        zonenews("crawl", "gd-test", db=db, sites=sites, check=True)
        edited = column.articles[2]
        column.edit(edited, CORRECTION)
        zonenews("crawl", "gd-test", "--full", db=db, sites=sites, check=True)
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("ZONENEWS_DB", "ZONENEWS_SITES")}
    proc = subprocess.Popen([sys.executable, "-m", "cli", "serve", "--port", str(port),
                             "--db", db, "--sites", str(sites)],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(base + "/api/sites", proc)
        yield Served(base, edited, column.articles, work)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium fonts-noto-cjk)")
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError as exc:
        pytest.skip(f"Playwright is not installed: {exc}")
    try:
        driver = sync_playwright().start()
    except Exception as exc:  # the driver is a Node program Playwright ships; it may not start
        pytest.skip(f"Playwright's driver cannot start: {exc}")
    try:
        chromium = driver.chromium.launch(executable_path=str(CHROMIUM), chromium_sandbox=False,
                                          args=["--no-sandbox"])
    except Error as exc:
        driver.stop()
        pytest.skip(f"Chromium cannot start: {str(exc).splitlines()[0]}")
    yield chromium
    chromium.close()
    driver.stop()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    tab = context.new_page()
    problems: list[str] = []
    tab.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: problems.append(str(e)))
    tab.problems = problems
    yield tab
    context.close()


def test_search_in_chinese_open_the_article_and_see_its_credits_and_history(
        served: Served, page: Any) -> None:
    art = served.edited
    subject = art.title.split("项目")[0].removeprefix("高新区")
    # Title matches rank first, newest first among them.
    expected = next(a for a in served.articles if subject in a.title)
    page.goto(served.base + "/")
    page.fill("input[name=q]", subject)
    page.press("input[name=q]", "Enter")
    page.wait_for_selector("ol.hits li.hit")
    page.screenshot(path=str(served.shots / "articles.png"), full_page=True)
    hits = page.locator("ol.hits li.hit")
    first = hits.first
    assert first.locator("a.title").inner_text() == expected.title
    assert subject in first.locator("mark").all_inner_texts()
    assert "(UTC+08:00)" in first.locator(".meta").inner_text()
    body_only = [a for a in served.articles if subject not in a.title
                 and subject in a.body_text]
    total = int(page.inner_text("#result-count").rstrip("+").replace(",", ""))
    assert total == sum(subject in a.title + a.body_text for a in served.articles) > hits.count() / 2
    assert body_only, "the query also matches bodies, which rank after the titles"

    page.locator("a.title", has_text=art.title).click()
    page.wait_for_selector("article.article h1")
    page.screenshot(path=str(served.shots / "article.png"), full_page=True)
    assert page.inner_text("article h1") == art.title
    assert page.inner_text(".credit-authors") == art.author
    assert page.inner_text(".credit-editors") == art.editor
    assert "Version 1 → 2" in page.inner_text(".versions h3")
    assert page.locator("ul.diff li.added").all_inner_texts() == [CORRECTION]
    assert CORRECTION in page.inner_text(".body")
    assert not page.problems, page.problems


def _drawn_pixels(page: Any, selector: str) -> int:
    """Pixels of a chart's canvas that are neither blank nor grey: its marks."""
    return int(page.evaluate("""(selector) => {
        const canvas = document.querySelector(selector + " canvas");
        if (!canvas) return 0;
        const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
        let marks = 0;
        for (let i = 0; i < data.length; i += 4) {
            const [r, g, b, a] = [data[i], data[i + 1], data[i + 2], data[i + 3]];
            if (a > 0 && Math.max(r, g, b) - Math.min(r, g, b) > 60) marks++;
        }
        return marks;
    }""", selector))


def test_the_sites_and_runs_pages_draw_their_charts(served: Served, page: Any) -> None:
    page.goto(served.base + "/sites")
    page.wait_for_selector("#weekly-chart[data-drawn=yes] canvas")
    page.screenshot(path=str(served.shots / "sites.png"), full_page=True)
    assert _drawn_pixels(page, "#weekly-chart") > 200
    row = page.locator("tr", has=page.locator("a[href='/?site=gd-test']"))
    assert "succeeded" in row.inner_text() and "30" in row.locator("td.num").inner_text()
    # An empty box would count none: the check itself can fail.
    assert _drawn_pixels(page, "table.grid") == 0

    page.goto(served.base + "/runs")
    page.wait_for_selector("#new-chart[data-drawn=yes] canvas")
    page.screenshot(path=str(served.shots / "runs.png"), full_page=True)
    assert _drawn_pixels(page, "#runs-chart") > 100
    assert _drawn_pixels(page, "#new-chart") > 100
    assert page.locator("span.status.succeeded").count() == 2
    assert not page.problems, page.problems
