"""Credits, source, headline and date of pages written the way other CMS skins and portals write
them, and the same record for the same page on every run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from scrapers.single_page import extract_record

ROOT = Path(__file__).resolve().parent.parent
PEOPLE = Path(__file__).parent / "fixtures" / "people"
EXPECTED = json.loads((PEOPLE / "expected.json").read_text("utf-8"))
FIELDS = ("title", "published_at", "source", "authors", "photographers", "editors",
          "responsible_editors", "section")

# Every fixture page of the suite, as a child process reads it: file → record, as JSON lines.
_DUMP = """
import json, sys
from pathlib import Path
from scrapers.single_page import extract_record
from pipelines.normalize import Unusable
for name in sys.argv[1:]:
    path = Path(name)
    body = path.read_bytes().replace(b"{base}", b"http://127.0.0.1:8000")
    try:
        record = extract_record(body, "http://127.0.0.1:8000/" + path.name)
    except Unusable as exc:
        record = {"unusable": str(exc)}
    print(json.dumps([name, record], ensure_ascii=False, sort_keys=True, default=str))
"""


def _corpus() -> list[str]:
    tests = Path(__file__).parent
    pages = [*(tests / "sites").rglob("*"), *(tests / "fixtures").rglob("*")]
    return sorted(str(page.relative_to(ROOT)) for page in pages
                  if page.suffix in {".html", ".htm", ".shtml"} and page.is_file())


def _records(seed: str, pages: list[str]) -> list[str]:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    proc = subprocess.run([sys.executable, "-c", _DUMP, *pages], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout.splitlines()


@pytest.mark.slow
def test_every_fixture_page_gives_the_same_record_under_any_hash_seed() -> None:
    pages = _corpus()
    assert len(pages) > 250
    first, second = _records("1", pages), _records("5", pages)
    assert len(first) == len(pages)
    differing = [a[:200] for a, b in zip(first, second, strict=True) if a != b]
    assert differing == []


def test_a_headline_printed_twice_is_read_at_its_first_place_on_every_run() -> None:
    # The copy of the headline under the body (a share box) has no time after it; the info line
    # under the first has. Which one the page is read from must not depend on the run.
    page = ("<html><head><title>高新区召开项目推进会_新闻中心</title>"
            "<meta name='PubDate' content='2019-12-10'></head><body>"
            "<div class='article-title'>高新区召开项目推进会</div>"
            "<div class='info'>发布时间：2019-12-10 07:57:40 来源：本网</div>"
            "<div class='content'><p>园区重点项目建设进展顺利，一季度完成投资超过预期，多个产业项目提前开工建设。</p>"
            "<p>下一步将继续优化营商环境，推动项目早投产、早见效。</p></div>"
            "<div class='share-title'>高新区召开项目推进会</div><div>2019-12-10</div></body></html>")
    script = ("import sys; from scrapers.single_page import extract_record; "
              "print(extract_record(sys.stdin.buffer.read(), 'http://x.cn/a.html')['published_at'])")
    seen = {subprocess.run([sys.executable, "-c", script], input=page.encode(), cwd=ROOT,
                           env={**os.environ, "PYTHONHASHSEED": str(seed)}, capture_output=True,
                           check=True).stdout.strip() for seed in range(1, 5)}
    assert seen == {b"2019-12-10T07:57:40+08:00"}
