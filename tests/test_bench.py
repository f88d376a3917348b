"""The benchmark runs on a fresh clone with one command and prints its figures.

Only that it works and measures what it says is checked here; the figures
themselves are the benchmark's to report, not a test's to time.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_quick_bench_crawls_recrawls_and_reads_every_page_family(tmp_path: Path) -> None:
    figures = tmp_path / "figures.json"
    proc = subprocess.run(
        [sys.executable, "bench/run.py", "--quick", "--no-pg", "--only", "ingest,extract",
         "--json", str(figures)],
        cwd=ROOT, capture_output=True, text=True, timeout=300)

    assert proc.returncode == 0, proc.stderr
    for row in ("bare Scrapy ceiling", "zonenews crawl, end to end", "ratio to the ceiling",
                "re-crawl, unchanged site", "§1 Guangdong cluster", "§2 TRS / Hanweb",
                "§3 Zhuhai Media Group", "§4 English republishers"):
        assert row in proc.stdout
    got = json.loads(figures.read_text("utf-8"))
    ingest = got["ingest/sqlite"]
    # The re-crawl of the unchanged site asked the server for its one list page and nothing else.
    assert ingest["recrawl_pages"] == 1 and ingest["recrawl_run_pages"] == 1
    assert ingest["articles_per_s"] > 0 and ingest["ratio"] > 0
    assert got["bare"]["articles"] == 500
    assert all(got[k]["pages"] > 0 for k in got if k.startswith("extraction/"))


def test_the_accuracy_bench_scores_every_field_of_every_family() -> None:
    from bench.accuracy import FIELDS, measure, render

    names, tallies, counts = measure(others=())
    table = render(names, tallies, counts)
    for family in ("§1 Guangdong cluster", "§2 TRS / Hanweb / Ucap", "§3 Zhuhai Media Group",
                   "§4 English republishers", "other skins and portals (fixtures/people)"):
        assert family in table and counts[family] > 0
    for field in FIELDS:
        overall = tallies[("all", field, "zonenews")]
        assert overall.scored > 0
    # The pages written for credits, sources, headlines and dates are all read right.
    people = "other skins and portals (fixtures/people)"
    assert {f: tallies[(people, f, "zonenews")].misses for f in FIELDS} == {f: [] for f in FIELDS}
