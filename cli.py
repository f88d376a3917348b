"""The ``zonenews`` command: parses arguments and calls the crawl, query and schedule functions."""

from __future__ import annotations

import argparse
import csv
import io
import json
import logging
import sys
import unicodedata
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pipelines.db import DatabaseError, database_url, open_database

DEFAULT_TZ = "Asia/Shanghai"
RUN_COLUMNS = ("id", "site", "trigger", "status", "started_at", "finished_at", "pages_fetched",
               "articles_new", "articles_updated", "articles_unchanged", "errors")


class UsageError(Exception):
    """A bad value on the command line: exit status 2, like argparse's own errors."""


# ---------------------------------------------------------------- output helpers

def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _fit(text: str, width: int) -> str:
    text = " ".join(str(text).split())
    if _width(text) <= width:
        return text + " " * (width - _width(text))
    out, used = "", 0
    for c in text:
        w = _width(c)
        if used + w > width - 1:
            break
        out, used = out + c, used + w
    return out + "…" + " " * (width - used - 1)


def render_table(rows: Sequence[Sequence[Any]], headers: Sequence[str],
                 max_widths: Sequence[int] | None = None) -> str:
    cells = [[("" if v is None else str(v)) for v in row] for row in rows]
    widths = [_width(h) for h in headers]
    for row in cells:
        widths = [max(w, _width(v)) for w, v in zip(widths, row, strict=True)]
    if max_widths:
        widths = [min(w, m) for w, m in zip(widths, max_widths, strict=True)]
    lines = ["  ".join(_fit(h, w) for h, w in zip(headers, widths, strict=True)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(_fit(v, w) for v, w in zip(row, widths, strict=True)).rstrip()
              for row in cells]
    return "\n".join(lines)


def emit(records: list[dict[str, Any]], fmt: str, table: Callable[[], str]) -> None:
    out = sys.stdout
    if fmt == "json":
        json.dump(records, out, ensure_ascii=False, indent=2, default=str)
        out.write("\n")
    elif fmt == "jsonl":
        for rec in records:
            out.write(json.dumps(rec, ensure_ascii=False, default=str) + "\n")
    elif fmt == "csv":
        if records:
            buf = io.StringIO()
            writer = csv.DictWriter(buf, fieldnames=list(records[0]))
            writer.writeheader()
            for rec in records:
                writer.writerow({k: json.dumps(v, ensure_ascii=False)
                                 if isinstance(v, list | dict) else v for k, v in rec.items()})
            out.write(buf.getvalue())
    else:
        out.write(table() + "\n")


# ---------------------------------------------------------------- argument types

# Dates a query may name: wide enough for any archive, narrow enough that a day added or a shift
# to UTC stays within what Python and the databases can hold.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)
MAX_COUNT = 1_000_000_000        # --limit: more than any archive holds
MAX_ID = 2**63 - 1               # the largest article id a database can hold


def parse_day(value: str, tz: str = DEFAULT_TZ) -> datetime:
    try:
        if len(value) <= 10:
            moment = datetime.combine(date.fromisoformat(value), time(), ZoneInfo(tz))
        else:
            moment = datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{value!r} is not a date (YYYY-MM-DD or YYYY-MM-DDTHH:MM)") from None
    if not FIRST_DAY <= moment.date() <= LAST_DAY:
        raise UsageError(f"{value!r} is out of range (from {FIRST_DAY} to {LAST_DAY})")
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(tz))


def non_negative(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if not 0 <= n <= MAX_COUNT:
        raise argparse.ArgumentTypeError(f"must be 0 (all) or more, up to {MAX_COUNT:,}")
    return n


def text(value: str) -> str:
    """A word or phrase to look for; argv that is not UTF-8 arrives with surrogates no database takes."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise argparse.ArgumentTypeError(
            f"{value.encode('utf-8', 'surrogateescape')!r} is not valid UTF-8") from None
    return value


def query_text(value: str) -> str:
    """A --query: valid UTF-8 and few enough terms for one database statement."""
    from pipelines.search import MAX_TERMS, parse_terms

    if len(parse_terms(text(value))) > MAX_TERMS:
        raise argparse.ArgumentTypeError(f"more than {MAX_TERMS} terms; search for fewer words")
    return value


# ---------------------------------------------------------------- commands

def _catalog(args: argparse.Namespace, *, quiet: bool = False) -> Any:
    from scrapers.sites import load_catalog

    catalog = load_catalog(getattr(args, "sites", None) or [])
    if not quiet:
        for err in catalog.errors:
            print(f"zonenews: {err}", file=sys.stderr)
    return catalog


def cmd_crawl(args: argparse.Namespace) -> int:
    from scrapers.runner import crawl_sites

    catalog = _catalog(args)
    if args.site:
        unknown = [k for k in args.site if k not in catalog.sites]
        if unknown:
            raise UsageError(f"unknown site {unknown[0]!r} (known: "
                             f"{', '.join(sorted(catalog.sites)) or 'none'})")
        sites = [catalog.sites[k] for k in dict.fromkeys(args.site)]
    else:
        sites = [s for s in catalog.sites.values() if s.schedule is None or s.schedule.enabled]
    if not sites:
        print("zonenews: no site to crawl", file=sys.stderr)
        return 1
    log_level = "INFO" if args.verbose else "WARNING"
    outcomes = crawl_sites(sites, db_url=args.db, full=args.full, trigger=args.trigger,
                           progress=True, log_level=log_level)
    rows = [(o.site, o.status, o.figures.pages_fetched, o.figures.articles_new,
             o.figures.articles_updated, o.figures.articles_unchanged, o.figures.errors,
             o.message or "") for o in outcomes]
    print(render_table(rows, ("site", "status", "pages", "new", "updated", "unchanged", "errors",
                              "note"), (24, 12, 7, 6, 8, 10, 7, 60)))
    for o in outcomes:
        if o.status == "refused":
            print(f"zonenews: {o.message}", file=sys.stderr)
    return 0 if all(o.ok for o in outcomes) else 1


def cmd_articles(args: argparse.Namespace) -> int:
    from pipelines.queries import ArticleFilter, article_record, list_articles, search_articles

    tz = DEFAULT_TZ
    if args.site:
        site = _catalog(args, quiet=True).sites.get(args.site)
        tz = site.timezone if site else tz
    since = parse_day(args.since, tz) if args.since else None
    until = parse_day(args.until, tz) if args.until else None
    if until is not None and args.until and len(args.until) <= 10:
        until += timedelta(days=1)  # --until 2025-01-31 includes that whole day
    query = (args.query or "").strip() or None
    flt = ArticleFilter(query=query, site=args.site, since=since, until=until,
                        section=args.section, author=args.author, tag=args.tag, limit=args.limit)
    sessions = open_database(args.db)
    snippets: list[Any] = []
    if query:
        found = search_articles(sessions, flt)
        records = [{**article_record(f.article), "rank": f.rank,
                    "snippet": f.snippet.highlighted()} for f in found]
        snippets = [f.snippet for f in found]
    else:
        records = [article_record(a) for a in list_articles(sessions, flt)]

    def table() -> str:
        rows = [(r["id"], (r["published_at"] or "")[:16].replace("T", " "), r["site"], r["title"],
                 r["source"] or "") for r in records]
        text = render_table(rows, ("id", "published", "site", "title", "source"),
                            (8, 16, 16, 60, 20))
        if not query:
            return text
        # Each match is followed by its snippet, the terms in bold on a terminal.
        marks = ("\x1b[1m", "\x1b[0m") if sys.stdout.isatty() else ("[", "]")
        lines = text.split("\n")
        out = lines[:2]
        for line, snippet in zip(lines[2:], snippets, strict=True):
            out += [line, "    " + snippet.highlighted(*marks)]
        return "\n".join(out)

    emit(records, args.format, table)
    return 0


def cmd_article(args: argparse.Namespace) -> int:
    from pipelines.queries import article_record, get_article

    if args.id_or_url.isdigit() and int(args.id_or_url) > MAX_ID:
        raise UsageError(f"{args.id_or_url} is not an article id (at most {MAX_ID})")
    found = get_article(open_database(args.db), args.id_or_url)
    if found is None:
        print(f"zonenews: no article {args.id_or_url!r}", file=sys.stderr)
        return 1
    rec = article_record(found)
    if args.format == "json":
        print(json.dumps(rec, ensure_ascii=False, indent=2, default=str))
    else:
        print(render_article(rec))
    return 0


def render_article(rec: dict[str, Any]) -> str:
    lines = [rec["title"], "=" * min(_width(rec["title"]), 80), ""]
    meta = [("url", rec.get("url")), ("published", rec.get("published_at")),
            ("site", rec.get("site")), ("section", rec.get("section")),
            ("source", rec.get("source"))]
    for role in ("authors", "photographers", "editors", "responsible_editors"):
        if rec.get(role):
            meta.append((role.replace("_", " "), ", ".join(rec[role])))
    if rec.get("version"):
        meta.append(("version", rec["version"]))
    lines += [f"{k}: {v}" for k, v in meta if v]
    lines += ["", rec.get("body_text") or ""]
    if rec.get("images"):
        lines += ["", "images:"] + [f"  {i['url']}" + (f"  ({i['caption']})" if i.get("caption")
                                                       else "") for i in rec["images"]]
    return "\n".join(lines)


def cmd_runs(args: argparse.Namespace) -> int:
    from pipelines.queries import list_runs, run_record

    records = [run_record(r) for r in list_runs(open_database(args.db), args.site, args.limit)]

    def table() -> str:
        rows = [[(r[c] or "")[:19].replace("T", " ") if c.endswith("_at") else r[c]
                 for c in RUN_COLUMNS] + [_faults(r)] for r in records]
        return render_table(rows, (*RUN_COLUMNS[:6], "pages", "new", "updated", "unchanged",
                                   "errors", "faults"))

    emit(records, args.format, table)
    return 0


def _faults(run: dict[str, Any]) -> str:
    details = run.get("details") or {}
    parts = [f"{k}={v}" for k, v in sorted((details.get("errors") or {}).items())]
    parts += [f"dropped:{k}={v}" for k, v in sorted((details.get("dropped") or {}).items())]
    parts += [f"filtered:{k}={v}" for k, v in sorted((details.get("filtered") or {}).items())]
    return " ".join(parts) or (run.get("message") or "")


def cmd_sites(args: argparse.Namespace) -> int:
    from pipelines.queries import iso, site_states
    from scheduler import describe_schedule, next_run_time

    catalog = _catalog(args)
    keys = sorted(catalog.sites)
    states = site_states(open_database(args.db), keys)
    health = _health(args, catalog, keys)
    records = []
    for key in keys:
        site, state = catalog.sites[key], states[key]
        last = state.last_run
        nxt = next_run_time(site, state.last_finished.finished_at if state.last_finished
                            else None)
        records.append({
            "key": key, "name": site.name, "enabled": site.schedule is None or site.schedule.enabled,
            "schedule": describe_schedule(site), "timezone": site.timezone,
            "next_run_at": iso(nxt), "last_run_status": last.status if last else None,
            "last_run_at": iso(last.started_at) if last else None, "articles": state.articles,
            "health": health[key].state, "file": site.path,
        })

    def table() -> str:
        rows = [(r["key"], r["name"], r["schedule"], (r["next_run_at"] or "")[:16],
                 r["last_run_status"] or "never", (r["last_run_at"] or "")[:16], r["articles"],
                 r["health"]) for r in records]
        return render_table(rows, ("site", "name", "schedule", "next run (UTC)", "last run",
                                   "started (UTC)", "articles", "health"))

    emit(records, args.format, table)
    return 0


def cmd_schedule(args: argparse.Namespace) -> int:
    from scheduler import run_scheduler

    return run_scheduler(db_url=database_url(args.db), site_dirs=args.sites or [],
                         log_file=args.log_file, verbose=args.verbose)


def cmd_extract(args: argparse.Namespace) -> int:
    from scrapers.single_page import FetchError, extract_record, fetch_page

    catalog = _catalog(args, quiet=True)
    site = None
    if args.site:
        site = catalog.sites.get(args.site)
        if site is None:
            raise UsageError(f"unknown site {args.site!r}")
    target = args.url_or_file
    content_type = None
    if Path(target).is_file():
        body, url = Path(target).read_bytes(), args.url or Path(target).resolve().as_uri()
    elif target.startswith(("http://", "https://")):
        try:
            body, content_type, url = fetch_page(target)
        except FetchError as exc:
            print(f"zonenews: {exc}", file=sys.stderr)
            return 1
    else:
        raise UsageError(f"{target!r} is neither a file nor an http(s) URL")
    record = extract_record(body, url, content_type=content_type, site=site)
    if args.format == "json":
        print(json.dumps(record, ensure_ascii=False, indent=2, default=str))
    else:
        print(render_article(record))
    return 0


def _health(args: argparse.Namespace, catalog: Any, keys: Sequence[str]) -> dict[str, Any]:
    from pipelines.health import rules_for, sites_health

    return sites_health(open_database(args.db),
                        {k: rules_for(catalog.sites[k].health) for k in keys})


def cmd_health(args: argparse.Namespace) -> int:
    catalog = _catalog(args)
    unknown = [k for k in args.site if k not in catalog.sites]
    if unknown:
        raise UsageError(f"unknown site {unknown[0]!r} (known: "
                         f"{', '.join(sorted(catalog.sites)) or 'none'})")
    keys = list(dict.fromkeys(args.site)) or sorted(catalog.sites)
    records = [h.as_dict() for h in _health(args, catalog, keys).values()]

    def table() -> str:
        rows = [(r["site"], r["state"], "; ".join(x["message"] for x in r["reasons"]))
                for r in records]
        return render_table(rows, ("site", "state", "reasons"), (24, 10, 110))

    emit(records, args.format, table)
    return 1 if any(r["state"] == "unhealthy" for r in records) else 0


def cmd_reextract(args: argparse.Namespace) -> int:
    from pipelines.record import ArticleRecord, RawCopy
    from pipelines.reextract import ReextractSummary, reextract
    from scrapers.single_page import reread_record

    catalog = _catalog(args)
    unknown = [k for k in args.site if k not in catalog.sites]
    if unknown:
        raise UsageError(f"unknown site {unknown[0]!r} (known: "
                         f"{', '.join(sorted(catalog.sites)) or 'none'})")
    since = parse_day(args.since) if args.since else None

    def read(copy: RawCopy, url: str, key: str) -> ArticleRecord | None:
        site = catalog.sites.get(key)
        return reread_record(copy, url, site) if site is not None else None

    def progress(done: ReextractSummary) -> None:
        print(f"reextract: {done.articles} read, {done.changed} changed", file=sys.stderr,
              flush=True)

    summary = reextract(open_database(args.db), read, sites=args.site, since=since,
                        dry_run=args.dry_run, progress=progress)
    if args.format == "json":
        print(json.dumps(summary.as_dict(), ensure_ascii=False, indent=2))
        return 0
    verb = "would change" if args.dry_run else "changed"
    print(f"{summary.articles} articles read again from their kept pages; {verb} "
          f"{summary.changed} ({summary.new_versions} with new text, a new version)")
    if summary.without_raw:
        print(f"{summary.without_raw} articles have no kept page (stored before pages were "
              "kept, or with keep_raw off): skipped")
    if summary.unknown_site:
        print(f"{summary.unknown_site} articles of sites no site file names: skipped")
    for reason, n in sorted(summary.unusable.items()):
        print(f"{n} articles whose pages no longer make an article ({reason}): left as stored")
    if summary.fields:
        rows = []
        for name, n in summary.fields.most_common():
            example = summary.examples[name][0]
            rows.append((name, n, example.article_id, f"{example.before} → {example.after}"))
        print(render_table(rows, ("field", "articles", "e.g. id", "before → after"),
                           (20, 8, 8, 100)))
    return 0


# ---------------------------------------------------------------- parser

def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", metavar="URL", default=argparse.SUPPRESS,
                        help="database URL (default: $ZONENEWS_DB or sqlite:///zonenews.db)")
    common.add_argument("--sites", metavar="DIR", action="append", default=argparse.SUPPRESS,
                        help="a folder of site files, added to the built-in ones (repeatable)")
    common.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
                        help="log more (Scrapy's own log at INFO)")

    parser = argparse.ArgumentParser(
        prog="zonenews", parents=[common],
        description="Crawl, store and query the news of China's industrial and high-tech zones.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("crawl", parents=[common], help="one-off crawl of sites now")
    p.add_argument("site", nargs="*", metavar="SITE", help="site keys (default: every enabled site)")
    p.add_argument("--full", action="store_true",
                   help="fetch every article again; changed ones get a new version")
    p.add_argument("--trigger", choices=("manual", "schedule"), default="manual",
                   help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_crawl)

    p = sub.add_parser("schedule", parents=[common],
                       help="run the periodic crawls in the foreground until SIGINT/SIGTERM")
    p.add_argument("--log-file", metavar="FILE", help="also write the log to this file")
    p.set_defaults(func=cmd_schedule)

    p = sub.add_parser("articles", parents=[common], help="stored articles, newest first")
    p.add_argument("--query", "-q", metavar="TEXT", type=query_text,
                   help="words that must all appear in the title or body (Chinese needs no spaces; "
                        "\"quote\" a phrase); best matches first, title matches before body ones, "
                        "each with a snippet")
    p.add_argument("--site", metavar="KEY", help="only this site")
    p.add_argument("--since", metavar="DATE", help="published on or after (YYYY-MM-DD)")
    p.add_argument("--until", metavar="DATE", help="published on or before (YYYY-MM-DD)")
    p.add_argument("--section", metavar="NAME", type=text, help="only this section (column)")
    p.add_argument("--author", metavar="NAME", type=text, help="credited to this person")
    p.add_argument("--tag", metavar="TAG", type=text, help="with this tag")
    p.add_argument("--limit", type=non_negative, default=20, metavar="N",
                   help="at most N articles (default 20; 0 = all)")
    p.add_argument("--format", choices=("table", "json", "jsonl", "csv"), default="table")
    p.set_defaults(func=cmd_articles)

    p = sub.add_parser("article", parents=[common], help="one article in full")
    p.add_argument("id_or_url", metavar="ID_OR_URL", type=text)
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=cmd_article)

    p = sub.add_parser("runs", parents=[common], help="crawl history, newest first")
    p.add_argument("--site", metavar="KEY", help="only this site")
    p.add_argument("--limit", type=non_negative, default=20, metavar="N",
                   help="at most N runs (default 20; 0 = all)")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(func=cmd_runs)

    p = sub.add_parser("sites", parents=[common], help="configured sites, schedules and state")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(func=cmd_sites)

    p = sub.add_parser("extract", parents=[common],
                       help="extract one page (URL or saved file) into an article record; "
                            "nothing is stored")
    p.add_argument("url_or_file", metavar="URL_OR_FILE")
    p.add_argument("--url", metavar="URL", help="the address of a saved file")
    p.add_argument("--site", metavar="KEY", help="use this site's selectors and timezone")
    p.add_argument("--format", choices=("json", "text"), default="json")
    p.set_defaults(func=cmd_extract)

    p = sub.add_parser("health", parents=[common],
                       help="each site's state (healthy, unhealthy, unknown) and why; "
                            "exit 1 when any site is unhealthy")
    p.add_argument("site", nargs="*", metavar="SITE", help="site keys (default: every site)")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(func=cmd_health)

    p = sub.add_parser("reextract", parents=[common],
                       help="read stored articles again from their kept pages with today's "
                            "extraction; nothing is fetched")
    p.add_argument("site", nargs="*", metavar="SITE", help="site keys (default: every site)")
    p.add_argument("--since", metavar="DATE",
                   help="only articles published (undated: first seen) on or after (YYYY-MM-DD)")
    p.add_argument("--dry-run", action="store_true", help="show what would change; store nothing")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(func=cmd_reextract)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    for name, default in (("db", None), ("sites", []), ("verbose", False)):
        if not hasattr(args, name):
            setattr(args, name, default)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    # The level sits on the handler: Scrapy lowers the root logger's level when a crawl starts.
    handler.setLevel(logging.INFO if args.verbose else logging.WARNING)
    logging.basicConfig(level=handler.level, handlers=[handler])
    try:
        result: int = args.func(args)
        return result
    except UsageError as exc:
        parser.exit(2, f"zonenews {args.command}: error: {exc}\n")
    except DatabaseError as exc:
        print(f"zonenews: database: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        return 130
    return 1


if __name__ == "__main__":
    sys.exit(main())
