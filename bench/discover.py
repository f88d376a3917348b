"""From one list page URL to a crawled archive: ``zonenews sites add`` on every fixture family.

For each family of ``tests/sites/``, and two generated columns of families they do not have
(``tests/newfamilies.py``), the site file is written by ``zonenews sites add`` from the
start URL alone, then crawled; the family holds when the crawl stores every article of its
``expected.json`` and nothing else. Prints one line per family and the share that holds.
Run as ``python -m bench.discover [FAMILY ...]``.
"""

from __future__ import annotations

import json
import sys
import tempfile
import tomllib
from collections.abc import Callable
from pathlib import Path

from tests.conftest import zonenews
from tests.newfamilies import Column, asp_column, webplus_column
from tests.siteserver import FixtureServer

SITES = Path(__file__).resolve().parent.parent / "tests" / "sites"


def families() -> list[str]:
    return sorted(p.name for p in SITES.iterdir() if (p / "site.toml").exists())


def try_family(family: str, work: Path) -> tuple[bool, str]:
    """(holds, what was found) for one family, from its start URL alone."""
    folder = SITES / family
    with FixtureServer() as server:
        server.load_dir(folder)
        site = tomllib.loads((folder / "site.toml").read_text("utf-8")
                            .replace("{base}", server.base))
        sites, db = work / family, f"sqlite:///{work / family}.db"
        added = zonenews("sites", "add", site["start_urls"][0], "--key", family,
                         "--sites-dir", str(sites))
        if added.returncode != 0:
            return False, f"sites add failed: {added.stderr.strip().splitlines()[-1:]}"
        pattern = tomllib.loads((sites / f"{family}.toml").read_text("utf-8"))[
            "article_url_pattern"]
        crawl = zonenews("crawl", family, db=db, sites=sites)
        if crawl.returncode != 0:
            return False, f"{pattern}: crawl exited {crawl.returncode}"
        rows = json.loads(zonenews("articles", "--limit", "0", "--format", "json", db=db,
                                   check=True).stdout)
        stored = {r["url"].removeprefix(server.base) for r in rows}
        expected = set(json.loads((folder / "expected.json").read_text("utf-8")))
        missing, extra = sorted(expected - stored), sorted(stored - expected)
        if missing or extra:
            return False, f"{pattern}: missing {missing[:2]} extra {extra[:2]}"
        return True, f"{pattern}: {len(stored)} articles"


def try_generated(make: Callable[[FixtureServer], Column], work: Path) -> tuple[bool, str]:
    """The same for a generated column of a family the fixtures do not have."""
    with FixtureServer() as server:
        column = make(server)
        sites, db = work / make.__name__, f"sqlite:///{work / make.__name__}.db"
        added = zonenews("sites", "add", server.url(column.start_path), "--key", "new",
                         "--sites-dir", str(sites))
        if added.returncode != 0:
            return False, f"sites add failed: {added.stderr.strip().splitlines()[-1:]}"
        pattern = tomllib.loads((sites / "new.toml").read_text("utf-8"))["article_url_pattern"]
        if zonenews("crawl", "new", db=db, sites=sites).returncode != 0:
            return False, f"{pattern}: the crawl failed"
        rows = json.loads(zonenews("articles", "--limit", "0", "--format", "json", db=db,
                                   check=True).stdout)
        stored = sorted(r["url"].removeprefix(server.base) for r in rows)
        if stored != sorted(column.article_paths):
            return False, f"{pattern}: {len(stored)} stored, {len(column.article_paths)} expected"
        return True, f"{pattern}: {len(stored)} articles"


def main(argv: list[str] | None = None) -> int:
    names = (argv if argv is not None else sys.argv[1:]) or families()
    held = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            ok, what = try_family(name, Path(tmp))
            held += ok
            print(f"{'holds ' if ok else 'FAILS '} {name:15} {what}", flush=True)
        generated: list[Callable[[FixtureServer], Column]] = [webplus_column, asp_column]
        for make in generated if argv is None and not sys.argv[1:] else []:
            ok, what = try_generated(make, Path(tmp))
            held += ok
            names.append(f"generated {make.__name__}")
            print(f"{'holds ' if ok else 'FAILS '} {make.__name__:15} {what}", flush=True)
    print(f"families where the crawl from `sites add` finds every article and nothing else: "
          f"{held}/{len(names)} ({held / len(names):.0%})")
    return 0 if held == len(names) else 1


if __name__ == "__main__":
    sys.exit(main())
