"""Every page family of zone-pages.md crawled with its four-key site file alone: every article
stored once, and every field a reader checks equal to what a careful reader of the page says."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from tests.conftest import zonenews
from tests.siteserver import FixtureServer

SITES = Path(__file__).parent / "sites"
FAMILIES = sorted(p.name for p in SITES.iterdir() if (p / "site.toml").exists())
FIELDS = ("title", "published_at", "source", "authors", "photographers", "editors",
          "responsible_editors", "language")


def field_mismatches(want: dict[str, object], got: dict[str, object]) -> list[str]:
    """What a reader would find wrong in one stored article."""
    wrong = [f"{f}: want {want[f]!r}, got {got.get(f)!r}"
             for f in FIELDS if f in want and want[f] != got.get(f)]
    if "section" in want and want["section"] is not None and want["section"] != got.get("section"):
        wrong.append(f"section: want {want['section']!r}, got {got.get('section')!r}")
    body = str(got.get("body_text") or "")
    if not body.startswith(str(want["body_starts"])):
        wrong.append(f"body starts {body[:30]!r}, want {want['body_starts']!r}")
    if not body.endswith(str(want["body_ends"])):
        wrong.append(f"body ends {body[-30:]!r}, want {want['body_ends']!r}")
    for text in want.get("body_excludes", []):  # type: ignore[attr-defined]
        if text in body:
            wrong.append(f"body keeps {text!r}")
    return wrong


@pytest.mark.parametrize("family", FAMILIES)
def test_a_family_is_read_right_with_the_minimal_site_file(
        family: str, server: FixtureServer, tmp_path: Path) -> None:
    folder = SITES / family
    server.load_dir(folder)
    sites = tmp_path / "sites"
    sites.mkdir()
    site_text = (folder / "site.toml").read_text("utf-8").replace("{base}", server.base)
    site_text += "\nobey_robots = false\ndelay = 0\n"
    (sites / f"{family}.toml").write_text(site_text, "utf-8")
    db = f"sqlite:///{tmp_path / 'z.db'}"

    proc = zonenews("crawl", family, db=db, sites=sites)
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(zonenews("articles", "--limit", "0", "--format", "json", db=db,
                               check=True).stdout)
    expected = json.loads((folder / "expected.json").read_text("utf-8"))
    stored = {r["url"].removeprefix(server.base): r for r in rows}
    assert len(stored) == len(rows), "an article was stored twice"
    assert sorted(stored) == sorted(expected)
    problems = {path: wrong for path, want in expected.items()
                if (wrong := field_mismatches(want, stored[path]))}
    assert problems == {}

    # Crawled again unchanged: the start pages alone tell that nothing is new.
    server.reset_hits()
    zonenews("crawl", family, db=db, sites=sites, check=True)
    assert not set(server.hits) & set(expected), "an article page was fetched again"
    last = json.loads(zonenews("runs", "--format", "json", db=db, check=True).stdout)[0]
    assert last["status"] == "succeeded"
    assert last["details"]["lists"]["checked_before_crawl"] == len(
        tomllib.loads(site_text)["start_urls"])
