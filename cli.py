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
from decimal import Decimal, InvalidOperation
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

def parse_day(value: str, tz: str = DEFAULT_TZ) -> datetime:
    try:
        if len(value) <= 10:
            return datetime.combine(date.fromisoformat(value), time(), ZoneInfo(tz))
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{value!r} is not a date (YYYY-MM-DD or YYYY-MM-DDTHH:MM)") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(tz))


def non_negative(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if n < 0:
        raise argparse.ArgumentTypeError("must be 0 (all) or more")
    return n


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
                        section=args.section, author=args.author, tag=args.tag, limit=args.limit,
                        **_fact_filters(args))
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


def _fact_filters(args: argparse.Namespace) -> dict[str, Any]:
    """The ``articles`` options on facts, checked: an unknown industry or event is a usage error."""
    from pipelines.events import EVENT_WORDS
    from pipelines.industries import TAXONOMY, resolve_industry

    industry = None
    if args.industry:
        industry = resolve_industry(args.industry)
        if industry is None:
            raise UsageError(f"unknown industry {args.industry!r} (known: "
                             f"{', '.join(i.key for i in TAXONOMY)})")
    if args.event and args.event not in EVENT_WORDS:
        raise UsageError(f"unknown event {args.event!r} (known: {', '.join(EVENT_WORDS)})")
    return {"industry": industry, "min_amount": args.min_amount, "org": args.org or None,
            "event": args.event, "unique": args.unique}


def amount_arg(value: str) -> Decimal:
    try:
        amount = Decimal(value.replace(",", "").replace("_", ""))
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"{value!r} is not an amount (e.g. 1e9 or 500000000)") \
            from None
    if not amount.is_finite() or amount < 0:
        raise argparse.ArgumentTypeError(f"{value!r} is not an amount of money")
    return amount


def cmd_article(args: argparse.Namespace) -> int:
    from pipelines.queries import article_record, get_article

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
            "file": site.path,
        })

    def table() -> str:
        rows = [(r["key"], r["name"], r["schedule"], (r["next_run_at"] or "")[:16],
                 r["last_run_status"] or "never", (r["last_run_at"] or "")[:16], r["articles"])
                for r in records]
        return render_table(rows, ("site", "name", "schedule", "next run (UTC)", "last run",
                                   "started (UTC)", "articles"))

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


def cmd_facts(args: argparse.Namespace) -> int:
    from pipelines.facts import rebuild
    from pipelines.queries import list_facts

    sessions = open_database(args.db)
    if args.rebuild:
        derived = rebuild(sessions, site=args.site,
                          progress=lambda n: print(f"\r{n} articles", end="", file=sys.stderr)
                          if n % 100 == 0 else None)
        print(f"\rfacts and stories derived again for {derived} articles", file=sys.stderr)
        return 0
    since = parse_day(args.since) if args.since else None
    records = list_facts(sessions, site=args.site, since=since, kinds=tuple(args.kind or ()),
                         limit=args.limit)

    def table() -> str:
        rows = [(r["article_id"], r["kind"], r["value"], r["amount"] or "", r["currency"] or "",
                 "~" if r["approximate"] else "") for r in records]
        return render_table(rows, ("article", "kind", "value", "amount", "cur", "≈"),
                            (8, 12, 50, 22, 4, 2))

    emit(records, args.format, table)
    return 0


def cmd_stories(args: argparse.Namespace) -> int:
    from pipelines.queries import list_stories

    since = parse_day(args.since) if args.since else None
    records = list_stories(open_database(args.db), since=since, limit=args.limit)

    def table() -> str:
        rows = [(r["id"], (r["newest_at"] or "")[:10], len(r["article_ids"]),
                 r["representative_id"], ", ".join(r["sites"]),
                 # ~ marks an article linked by its facts only (a translation), the weaker link
                 " ".join(("~" if a in r["linked_by_facts"] else "") + str(a)
                          for a in r["article_ids"])) for r in records]
        return render_table(rows, ("story", "newest", "members", "first", "sites", "articles"),
                            (8, 10, 7, 8, 40, 60))

    emit(records, args.format, table)
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
    p.add_argument("--query", "-q", metavar="TEXT",
                   help="words that must all appear in the title or body (Chinese needs no spaces; "
                        "\"quote\" a phrase); best matches first, title matches before body ones, "
                        "each with a snippet")
    p.add_argument("--site", metavar="KEY", help="only this site")
    p.add_argument("--since", metavar="DATE", help="published on or after (YYYY-MM-DD)")
    p.add_argument("--until", metavar="DATE", help="published on or before (YYYY-MM-DD)")
    p.add_argument("--section", metavar="NAME", help="only this section (column)")
    p.add_argument("--author", metavar="NAME", help="credited to this person")
    p.add_argument("--tag", metavar="TAG", help="with this tag")
    p.add_argument("--limit", type=non_negative, default=20, metavar="N",
                   help="at most N articles (default 20; 0 = all)")
    p.add_argument("--format", choices=("table", "json", "jsonl", "csv"), default="table")
    p.add_argument("--industry", metavar="NAME",
                   help="about this industry (a key such as semiconductors, or its label)")
    p.add_argument("--min-amount", type=amount_arg, metavar="AMOUNT",
                   help="stating a money amount of at least this (any currency), e.g. 1e9")
    p.add_argument("--org", metavar="NAME", help="naming an organisation whose name contains this")
    p.add_argument("--event", metavar="KIND",
                   help="reporting this event: signing, groundbreaking, production, settlement, "
                        "policy, funding, award")
    p.add_argument("--unique", action="store_true",
                   help="one article per story (the earliest original)")
    p.set_defaults(func=cmd_articles)

    p = sub.add_parser("article", parents=[common], help="one article in full")
    p.add_argument("id_or_url", metavar="ID_OR_URL")
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

    p = sub.add_parser("facts", parents=[common],
                       help="amounts, organisations, industries and events read from the articles")
    p.add_argument("--site", metavar="KEY", help="only this site")
    p.add_argument("--since", metavar="DATE", help="of articles published on or after (YYYY-MM-DD)")
    p.add_argument("--kind", action="append", choices=("amount", "organisation", "industry", "event"),
                   help="only facts of this kind (repeatable)")
    p.add_argument("--limit", type=non_negative, default=0, metavar="N",
                   help="at most N facts (default 0 = all)")
    p.add_argument("--format", choices=("table", "json", "jsonl", "csv"), default="table")
    p.add_argument("--rebuild", action="store_true",
                   help="derive the facts and stories of every stored article again")
    p.set_defaults(func=cmd_facts)

    p = sub.add_parser("stories", parents=[common],
                       help="articles that tell the same story, grouped; newest first")
    p.add_argument("--since", metavar="DATE", help="with an article published on or after")
    p.add_argument("--limit", type=non_negative, default=20, metavar="N",
                   help="at most N stories (default 20; 0 = all)")
    p.add_argument("--format", choices=("table", "json", "jsonl", "csv"), default="table")
    p.set_defaults(func=cmd_stories)
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
