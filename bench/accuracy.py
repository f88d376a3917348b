"""Field accuracy per page family: the share of article pages whose field is what a careful reader
of the page says, for zonenews and, beside it, trafilatura and GNE on the same pages.

    python bench/accuracy.py                 # the table
    python bench/accuracy.py --json out.json # and the figures as JSON

Pages are the fixture sites under tests/sites (their expected.json says what a reader finds) and
the pages of other CMS skins and portals under tests/fixtures/people. Each page is read alone, as
``zonenews extract`` reads it: without the list page's date and title that a crawl also has.

A field is scored by one function of (what the reader says, what the extractor gave); a new field
is one more entry in ``FIELDS``, a new extractor one more entry in ``EXTRACTORS``. An extractor
that does not give a field is shown as ``—``. trafilatura and GNE give one author string and no
roles, so their people are scored as the set of names, with every role of the page together;
zonenews is scored role by role. Dates are compared to the minute, in the page's time zone.
"""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipelines.dates import parse_datetime  # noqa: E402
from pipelines.normalize import Unusable  # noqa: E402
from scrapers.single_page import extract_record  # noqa: E402
from scrapers.sites import Site, parse_site  # noqa: E402

BASE = "http://127.0.0.1:8000"
TZ = ZoneInfo("Asia/Shanghai")
ROLES = ("authors", "photographers", "editors", "responsible_editors")
FAMILY_NAMES = (("gd-", "§1 Guangdong cluster"), ("trs-", "§2 TRS / Hanweb / Ucap"),
                ("hanweb", "§2 TRS / Hanweb / Ucap"), ("ucap", "§2 TRS / Hanweb / Ucap"),
                ("hizh", "§3 Zhuhai Media Group"), ("republisher", "§4 English republishers"))
PEOPLE_FAMILY = "other skins and portals (fixtures/people)"

Record = Mapping[str, Any]


@dataclass(frozen=True)
class Page:
    family: str
    url: str
    body: bytes
    content_type: str | None
    site: Site | None
    want: Record


# ---------------------------------------------------------------- pages

def pages() -> Iterator[Page]:
    """Every article page a reader has checked, with what the reader found."""
    for folder in sorted((ROOT / "tests" / "sites").iterdir()):
        expected = folder / "expected.json"
        family = next((name for prefix, name in FAMILY_NAMES if folder.name.startswith(prefix)),
                      None)
        if family is None or not expected.exists():
            continue
        site_text = (folder / "site.toml").read_text("utf-8").replace("{base}", BASE)
        site = parse_site(tomllib.loads(site_text), folder / "site.toml")
        headers = {}
        if (folder / "_headers.json").exists():
            headers = json.loads((folder / "_headers.json").read_text("utf-8"))
        for path, want in json.loads(expected.read_text("utf-8")).items():
            file = folder / path.lstrip("/")
            if file.is_dir():
                file = file / "index.html"
            if file.is_file():
                body = file.read_bytes().replace(b"{base}", BASE.encode())
                yield Page(family, BASE + path, body, headers.get(path), site, want)
    people = ROOT / "tests" / "fixtures" / "people"
    for name, want in json.loads((people / "expected.json").read_text("utf-8")).items():
        yield Page(PEOPLE_FAMILY, want["url"], (people / name).read_bytes(), None, None, want)


# ---------------------------------------------------------------- extractors

def zonenews(page: Page) -> Record:
    try:
        return extract_record(page.body, page.url, content_type=page.content_type, site=page.site)
    except Unusable:
        return {"title": None, "published_at": None, "source": None, "section": None,
                **{role: [] for role in ROLES}}


def _html(page: Page) -> str:
    from scrapers.extract import decode_page
    return decode_page(page.body, page.content_type)


def trafilatura(page: Page) -> Record:
    from trafilatura import bare_extraction

    doc = bare_extraction(_html(page), url=page.url, with_metadata=True, date_extraction_params={
        "extensive_search": True, "original_date": True, "outputformat": "%Y-%m-%d %H:%M"})
    if doc is None:
        return {"title": None, "published_at": None, "people": []}
    data = doc if isinstance(doc, dict) else doc.as_dict()
    return {"title": data.get("title"), "published_at": _iso(data.get("date")),
            "people": _split_names(data.get("author"))}


def gne(page: Page) -> Record:
    from gne import GeneralNewsExtractor

    try:
        data = GeneralNewsExtractor().extract(_html(page))
    except Exception:  # GNE raises on pages it cannot read; that page scores nothing
        return {"title": None, "published_at": None, "people": []}
    return {"title": data.get("title"), "published_at": _iso(data.get("publish_time")),
            "people": _split_names(data.get("author"))}


def _iso(text: str | None) -> str | None:
    moment = parse_datetime(text, TZ) if text else None
    return moment.isoformat() if moment else None


def _split_names(text: str | None) -> list[str]:
    return [name.strip() for name in (text or "").replace("；", ";").split(";") if name.strip()]


def _available(wanted: Collection[str]) -> dict[str, Callable[[Page], Record]]:
    found: dict[str, Callable[[Page], Record]] = {"zonenews": zonenews}
    for name, module, extractor in (("trafilatura", "trafilatura", trafilatura),
                                    ("GNE", "gne", gne)):
        if name not in wanted:
            continue
        try:
            __import__(module)
        except ImportError:
            print(f"{name} is not installed: its column is left out", file=sys.stderr)
            continue
        found[name] = extractor
    return found


# ---------------------------------------------------------------- fields

Score = Callable[[Record, Record], bool | None]


def title_right(want: Record, got: Record) -> bool | None:
    return got.get("title") == want["title"] if "title" in got else None


def published_right(want: Record, got: Record) -> bool | None:
    """Right to the minute; a page without a date is right when nothing is given."""
    if "published_at" not in got:
        return None
    return _minute(got["published_at"]) == _minute(want.get("published_at"))


def _minute(value: str | None) -> datetime | None:
    if not value:
        return None
    moment = datetime.fromisoformat(value).astimezone(TZ)
    return moment.replace(second=0, microsecond=0)


def source_right(want: Record, got: Record) -> bool | None:
    if "source" not in got or "source" not in want:
        return None
    return got["source"] == want["source"]


def people_right(want: Record, got: Record) -> bool | None:
    """Every credited name and nobody else: by role where the extractor gives roles."""
    if not any(role in want for role in ROLES):
        return None
    if "people" in got:
        named = {name for role in ROLES for name in want.get(role, [])}
        return set(got["people"]) == named
    return all(list(got.get(role) or []) == list(want.get(role, [])) for role in ROLES)


def section_right(want: Record, got: Record) -> bool | None:
    """Scored where the page shows its column."""
    if "section" not in got or not want.get("section"):
        return None
    return got["section"] == want["section"]


FIELDS: dict[str, Score] = {
    "title": title_right,
    "published_at": published_right,
    "source": source_right,
    "people": people_right,
    "section": section_right,
}


# ---------------------------------------------------------------- table

@dataclass
class Tally:
    right: int = 0
    scored: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, verdict: bool | None, url: str) -> None:
        if verdict is None:
            return
        self.scored += 1
        self.right += verdict
        if not verdict:
            self.misses.append(url)

    def share(self) -> str:
        return f"{self.right / self.scored:.2f}" if self.scored else "—"


OTHERS = ("trafilatura", "GNE")


def measure(others: Collection[str] = OTHERS
            ) -> tuple[list[str], dict[tuple[str, str, str], Tally], dict[str, int]]:
    """Tallies by (family, field, extractor), and the number of pages of each family."""
    extractors = _available(others)
    tallies: dict[tuple[str, str, str], Tally] = {}
    counts: dict[str, int] = {}
    for page in pages():
        counts[page.family] = counts.get(page.family, 0) + 1
        for name, extract in extractors.items():
            got = extract(page)
            for field_name, score in FIELDS.items():
                for family in (page.family, "all"):
                    tally = tallies.setdefault((family, field_name, name), Tally())
                    tally.add(score(page.want, got), page.url)
    counts["all"] = sum(counts.values())
    return list(extractors), tallies, counts


def render(names: list[str], tallies: Mapping[tuple[str, str, str], Tally],
           counts: Mapping[str, int]) -> str:
    headers = ["family", "pages", "field", *names]
    rows = [[family, str(counts[family]), field_name,
             *(tallies.get((family, field_name, name), Tally()).share() for name in names)]
            for family in counts for field_name in FIELDS]
    widths = [max(len(row[i]) for row in [headers, *rows]) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(headers, widths, strict=True)),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
              for row in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python bench/accuracy.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--misses", action="store_true", help="list zonenews's wrong pages")
    parser.add_argument("--without", default="", help="comma-separated extractors to leave out "
                        "of the comparison (trafilatura, GNE)")
    args = parser.parse_args(argv)
    names, tallies, counts = measure([n for n in OTHERS if n not in args.without.split(",")])
    print("share of article pages with the field right (— : the extractor does not give it)")
    print(render(names, tallies, counts))
    if args.misses:
        for (family, field_name, name), tally in sorted(tallies.items()):
            if name == "zonenews" and family != "all" and tally.misses:
                print(f"{family} / {field_name}: {', '.join(tally.misses)}")
    if args.json:
        args.json.write_text(json.dumps({
            f"{family}/{field_name}/{name}": {"right": t.right, "scored": t.scored}
            for (family, field_name, name), t in tallies.items()}, indent=1), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
