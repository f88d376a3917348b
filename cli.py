"""The ``zonenews`` command: parses arguments and calls the crawl, query and schedule functions."""

from __future__ import annotations

import argparse
import csv
import io
import json
import logging
import os
import shutil
import sys
import tomllib
import unicodedata
from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pipelines.days import BadDate, parse_day
from pipelines.db import (
    DB_ENV,
    DatabaseError,
    database_url,
    open_database,
    require_existing,
    sqlite_file,
)

DEFAULT_TZ = "Asia/Shanghai"
SITE_FIELDS = ("key", "name", "enabled", "schedule", "timezone", "next_run_at",
               "last_run_status", "last_run_at", "last_run_node", "articles", "health", "file")
SCRAPYD_HELP = ("run the crawls on this Scrapyd node instead of child processes here "
                "(repeatable; default: the nodes in $ZONENEWS_SCRAPYD)")
RUN_COLUMNS = ("id", "site", "trigger", "status", "started_at", "finished_at", "pages_fetched",
               "articles_new", "articles_updated", "articles_unchanged", "errors")


class UsageError(Exception):
    """A bad value on the command line: exit status 2, like argparse's own errors."""


# ---------------------------------------------------------------- output helpers

def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def render_table(rows: Sequence[Sequence[Any]], headers: Sequence[str],
                 max_widths: Sequence[int] | None = None) -> str:
    """Rows under a header line and a rule, one line per row: Rich measures Chinese characters
    as two columns and cuts long cells with "…"; the terminal's width is kept on a terminal."""
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for n, header in enumerate(headers):
        table.add_column(header, no_wrap=True, overflow="ellipsis",
                         max_width=max_widths[n] if max_widths else None)
    for row in rows:
        table.add_row(*(Text(" ".join(("" if v is None else str(v)).split())) for v in row))
    out = io.StringIO()
    tty = sys.stdout.isatty()
    Console(file=out, width=shutil.get_terminal_size().columns if tty else 10_000,
            color_system=None, highlight=False, force_terminal=False).print(table)
    return "\n".join(line.rstrip() for line in out.getvalue().splitlines() if line.strip())


def emit(records: list[dict[str, Any]], fmt: str, table: Callable[[], str],
         fields: Sequence[str] = ()) -> None:
    """Records as json, jsonl, csv or a table. CSV starts with a UTF-8 byte-order mark (Excel
    reads Chinese right only with it) and always has its header, even with no rows."""
    from pipelines.queries import csv_value

    out = sys.stdout
    if fmt == "json":
        json.dump(records, out, ensure_ascii=False, indent=2, default=str)
        out.write("\n")
    elif fmt == "jsonl":
        for rec in records:
            out.write(json.dumps(rec, ensure_ascii=False, default=str) + "\n")
    elif fmt == "csv":
        names = list(dict.fromkeys([*fields, *(k for rec in records for k in rec)]))
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=names)
        writer.writeheader()
        for rec in records:
            writer.writerow({k: csv_value(v) for k, v in rec.items()})
        out.write("\ufeff" + buf.getvalue())
    else:
        out.write(table() + "\n")


def showing(shown: int, total: int, fmt: str) -> None:
    """Say how many rows a cut listing left out: under a table, or on stderr for data formats."""
    if shown >= total:
        return
    line = f"showing {shown:,} of {total:,} (use --limit 0 for all)"
    if fmt == "table":
        print(line)
    else:
        print(f"zonenews: {line}", file=sys.stderr)


def local_time(value: str | None, tz: str | None, utc: bool) -> str:
    """An ISO time as "YYYY-MM-DD HH:MM" in the site's zone, or in UTC with --utc; the column
    header says which (``time_label``)."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is not None:
        moment = moment.astimezone(ZoneInfo("UTC") if utc or not tz else ZoneInfo(tz))
    return moment.strftime("%Y-%m-%d %H:%M")


def time_label(name: str, utc: bool) -> str:
    return f"{name} (UTC)" if utc else f"{name} (site time)"


# ---------------------------------------------------------------- argument types

MAX_COUNT = 1_000_000_000        # --limit: more than any archive holds
MAX_ID = 2**63 - 1               # the largest article id a database can hold


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


def _existing_database(args: argparse.Namespace) -> Any:
    """Sessions on a database that exists: a query never creates one (only crawl and schedule
    do), so a mistyped --db is an error rather than an empty archive."""
    require_existing(args.db)
    return open_database(args.db)


def _require_known(catalog: Any, keys: Sequence[str], where: str = "") -> None:
    """A site key nobody configured is a usage error that lists the keys there are."""
    unknown = [k for k in keys if k not in catalog.sites]
    if unknown:
        raise UsageError(f"unknown site {unknown[0]!r}{where} (known: "
                         f"{', '.join(sorted(catalog.sites)) or 'none'})")


def cmd_crawl(args: argparse.Namespace) -> int:
    from scrapers.launchers.scrapyd_nodes import dispatch_sites, scrapyd_urls
    from scrapers.runner import crawl_sites

    catalog = _catalog(args)
    if args.site:
        _require_known(catalog, args.site)
        sites = [catalog.sites[k] for k in dict.fromkeys(args.site)]
    else:
        sites = [s for s in catalog.sites.values() if s.schedule is None or s.schedule.enabled]
    _require_known(catalog, args.exclude, " in --exclude")
    sites = [s for s in sites if s.key not in args.exclude]
    if not sites:
        print("zonenews: no site to crawl", file=sys.stderr)
        return 1
    nodes = scrapyd_urls(args.scrapyd)
    outcomes: Sequence[Any]
    if nodes:
        try:
            outcomes = dispatch_sites(sites, database_url(args.db), nodes, full=args.full,
                                      trigger=args.trigger, derive=args.derive)
        except ValueError as exc:   # a --scrapyd address that is no URL
            raise UsageError(f"--scrapyd: {exc}") from None
    else:
        log_level = "INFO" if args.verbose else "WARNING"
        outcomes = crawl_sites(sites, db_url=args.db, full=args.full, trigger=args.trigger,
                               progress=True, log_level=log_level, derive=args.derive)
    rows = [(o.site, o.status, o.figures.pages_fetched, o.figures.articles_new,
             o.figures.articles_updated, o.figures.articles_unchanged, o.figures.errors,
             o.message or "") for o in outcomes]
    print(render_table(rows, ("site", "status", "pages", "new", "updated", "unchanged", "errors",
                              "note"), (24, 12, 7, 6, 8, 10, 7, 60)))
    for o in outcomes:
        if o.status == "refused":
            print(f"zonenews: {o.site}: {o.message}", file=sys.stderr)
        elif not o.ok and o.message:
            # The table cuts the note; the whole reason is one line here (a start page with
            # no link matching the pattern names the pattern).
            print(f"zonenews: warning: {o.site}: {o.status}: {o.message}", file=sys.stderr)
    if not args.db and not os.environ.get(DB_ENV):
        # The default database is a file in the working directory: say which one.
        print(f"zonenews: stored in {sqlite_file(database_url())}", file=sys.stderr)
    return 0 if all(o.ok for o in outcomes) else 1


def cmd_articles(args: argparse.Namespace) -> int:
    from pipelines.queries import (
        RECORD_FIELDS,
        ArticleFilter,
        article_record,
        count_articles,
        list_articles,
        search_articles,
    )

    tz = DEFAULT_TZ
    if args.site:
        site = _catalog(args, quiet=True).sites.get(args.site)
        tz = site.timezone if site else tz
    since = parse_day(args.since, tz) if args.since else None
    until = parse_day(args.until, tz, end=True) if args.until else None
    query = (args.query or "").strip() or None
    flt = ArticleFilter(query=query, site=args.site, since=since, until=until,
                        section=args.section, author=args.author, tag=args.tag, limit=args.limit,
                        **_fact_filters(args))
    sessions = _existing_database(args)
    snippets: list[Any] = []
    if query:
        found = search_articles(sessions, flt)
        records = [{**article_record(f.article), "rank": f.rank,
                    "snippet": f.snippet.highlighted()} for f in found]
        snippets = [f.snippet for f in found]
    else:
        records = [article_record(a) for a in list_articles(sessions, flt)]

    def table() -> str:
        # published_at carries the site's offset: shown as is, or in UTC with --utc.
        rows = [(r["id"], local_time(r["published_at"], None, True) if args.utc
                 else (r["published_at"] or "")[:16].replace("T", " "),
                 r["site"], r["title"], r["source"] or "") for r in records]
        text = render_table(rows, ("id", time_label("published", args.utc), "site", "title",
                                   "source"), (8, 22, 16, 60, 20))
        if not query:
            return text
        # Each match is followed by its snippet, the terms in bold on a terminal.
        marks = ("\x1b[1m", "\x1b[0m") if sys.stdout.isatty() else ("[", "]")
        lines = text.split("\n")
        out = lines[:2]
        for line, snippet in zip(lines[2:], snippets, strict=True):
            out += [line, "    " + snippet.highlighted(*marks)]
        return "\n".join(out)

    emit(records, args.format, table, RECORD_FIELDS)
    if args.limit and len(records) == args.limit:
        if query:
            print(f"zonenews: the {args.limit} best matches (use --limit 0 for all)",
                  file=sys.stderr)
        else:
            showing(len(records), count_articles(sessions, flt), args.format)
    return 0


def _fact_filters(args: argparse.Namespace) -> dict[str, Any]:
    """The ``articles`` options on facts, checked: an unknown industry or event is a usage error."""
    from pipelines.queries import BadFilter, fact_filters

    try:
        return fact_filters(args.industry, args.min_amount, args.org, args.event, args.unique)
    except BadFilter as exc:
        raise UsageError(str(exc)) from None


def amount_arg(value: str) -> Decimal:
    from pipelines.queries import BadFilter, parse_amount

    try:
        return parse_amount(value)
    except BadFilter as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def cmd_article(args: argparse.Namespace) -> int:
    from pipelines.queries import article_record, get_article

    if args.id_or_url.isdigit() and int(args.id_or_url) > MAX_ID:
        raise UsageError(f"{args.id_or_url} is not an article id (at most {MAX_ID})")
    found = get_article(_existing_database(args), args.id_or_url)
    if found is None:
        print(f"zonenews: no article {args.id_or_url!r}", file=sys.stderr)
        return 1
    rec = article_record(found)
    if args.utc and rec.get("published_at"):
        rec_text = {**rec, "published_at": local_time(rec["published_at"], None, True) + " UTC"}
    else:
        rec_text = rec
    if args.format == "json":
        print(json.dumps(rec, ensure_ascii=False, indent=2, default=str))
    else:
        print(render_article(rec_text))
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
    from pipelines.queries import RUN_FIELDS, count_runs, list_runs, run_record

    sessions = _existing_database(args)
    records = [run_record(r) for r in list_runs(sessions, args.site, args.limit)]
    zones = {key: site.timezone for key, site in _catalog(args, quiet=True).sites.items()}

    # The node column appears once a crawl ran on a Scrapyd node; local history stays as it was.
    columns = (*RUN_COLUMNS, "node") if any(r["node"] for r in records) else RUN_COLUMNS

    def table() -> str:
        rows = [[local_time(r[c], zones.get(r["site"]), args.utc) if c.endswith("_at")
                 else r[c] or "" if c == "node" else r[c]
                 for c in columns] + [_faults(r)] for r in records]
        return render_table(rows, (*RUN_COLUMNS[:4], time_label("started", args.utc),
                                   time_label("finished", args.utc), "pages", "new", "updated",
                                   "unchanged", "errors", *columns[len(RUN_COLUMNS):], "faults"))

    emit(records, args.format, table, (*RUN_FIELDS, "message"))
    if args.limit and len(records) == args.limit:
        showing(len(records), count_runs(sessions, args.site), args.format)
    return 0


def _faults(run: dict[str, Any]) -> str:
    details = run.get("details") or {}
    parts = [f"{k}={v}" for k, v in sorted((details.get("errors") or {}).items())]
    parts += [f"dropped:{k}={v}" for k, v in sorted((details.get("dropped") or {}).items())]
    parts += [f"filtered:{k}={v}" for k, v in sorted((details.get("filtered") or {}).items())]
    if run.get("status") not in ("succeeded", "running") and run.get("message"):
        parts.insert(0, run["message"])   # why it failed comes first
    return " ".join(parts) or (run.get("message") or "")


def cmd_sites(args: argparse.Namespace) -> int:
    from pipelines.queries import SiteState, site_states
    from scheduler import site_overview

    if getattr(args, "sites_command", None) == "add":
        return cmd_sites_add(args)
    if getattr(args, "sites_command", None) == "check":
        return cmd_sites_check(args)
    catalog = _catalog(args)
    keys = sorted(catalog.sites)
    try:
        require_existing(args.db)
    except DatabaseError:
        # Before the first crawl there is nothing to read, and nothing is created here.
        states = {key: SiteState(0, None, None) for key in keys}
        health: dict[str, Any] = {}
    else:
        states = site_states(open_database(args.db), keys)
        health = _health(args, catalog, keys)
    records = [{**site_overview(catalog.sites[key], states[key]),
                "health": health[key].state if key in health else "unknown",
                "file": catalog.sites[key].path} for key in keys]

    def table() -> str:
        rows = [(r["key"], r["name"], r["schedule"],
                 local_time(r["next_run_at"], r["timezone"], args.utc),
                 " on ".join(filter(None, (r["last_run_status"] or "never", r["last_run_node"]))),
                 local_time(r["last_run_at"], r["timezone"], args.utc), r["articles"],
                 r["health"]) for r in records]
        return render_table(rows, ("site", "name", "schedule", time_label("next run", args.utc),
                                   "last run", time_label("started", args.utc), "articles",
                                   "health"))

    emit(records, args.format, table, SITE_FIELDS)
    return 0


def cmd_schedule(args: argparse.Namespace) -> int:
    from scheduler import run_scheduler

    return run_scheduler(db_url=database_url(args.db), site_dirs=args.sites or [],
                         log_file=args.log_file, verbose=args.verbose, scrapyd=args.scrapyd)


def _read_target(target: str, saved_url: str | None) -> tuple[bytes, str | None, str]:
    """A page from a saved file (its address from --url) or fetched from an http(s) URL."""
    from scrapers.single_page import fetch_page

    if Path(target).is_file():
        return Path(target).read_bytes(), None, saved_url or Path(target).resolve().as_uri()
    if target.startswith(("http://", "https://")):
        return fetch_page(target)
    raise UsageError(f"{target!r} is neither a file nor an http(s) URL")


def cmd_extract(args: argparse.Namespace) -> int:
    from pipelines.normalize import Unusable
    from scrapers.discover import discover, is_list_page
    from scrapers.extract.sniff import page_problem
    from scrapers.single_page import FetchError, extract_record, fetch_copy

    catalog = _catalog(args, quiet=True)
    site = None
    if args.site:
        site = catalog.sites.get(args.site)
        if site is None:
            raise UsageError(f"unknown site {args.site!r}")
    try:
        body, content_type, url = _read_target(args.url_or_file, args.url)
    except FetchError as exc:
        print(f"zonenews: {exc}", file=sys.stderr)
        return 1
    problem = page_problem(body, content_type)
    if problem:
        what = "empty" if problem == "empty_page" else "not an HTML page"
        print(f"zonenews: {url}: {what}, so not an article", file=sys.stderr)
        return 1
    found = discover(url, body, content_type)
    if found is not None and is_list_page(found, url):
        return _list_page_instead(url, found)
    try:
        record = extract_record(body, url, content_type=content_type, site=site,
                                fetch=fetch_copy)
    except FetchError as exc:   # a later part of a split article
        print(f"zonenews: {exc}", file=sys.stderr)
        return 1
    except Unusable as exc:
        if found is not None:
            return _list_page_instead(url, found)
        print(f"zonenews: {url}: not an article ({str(exc).replace('_', ' ')})",
              file=sys.stderr)
        return 1
    if args.format == "json":
        print(json.dumps(record, ensure_ascii=False, indent=2, default=str))
    else:
        print(render_article(record))
    return 0


def _health(args: argparse.Namespace, catalog: Any, keys: Sequence[str]) -> dict[str, Any]:
    from pipelines.health import rules_for, sites_health

    return sites_health(_existing_database(args),
                        {k: rules_for(catalog.sites[k].health) for k in keys})


def cmd_health(args: argparse.Namespace) -> int:
    catalog = _catalog(args)
    _require_known(catalog, args.site)
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
    _require_known(catalog, args.site)
    since = parse_day(args.since, DEFAULT_TZ) if args.since else None

    def read(copy: RawCopy, url: str, key: str) -> ArticleRecord | None:
        site = catalog.sites.get(key)
        return reread_record(copy, url, site) if site is not None else None

    def progress(done: ReextractSummary) -> None:
        print(f"reextract: {done.articles} read, {done.changed} changed", file=sys.stderr,
              flush=True)

    summary = reextract(_existing_database(args), read, sites=args.site, since=since,
                        dry_run=args.dry_run, progress=progress)
    if summary.new_versions and not args.dry_run:
        # New text has new facts: derived as after a crawl, in a process of its own.
        from pipelines.derive import derive_after_crawl

        derive_after_crawl(database_url(args.db))
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


def _list_page_instead(url: str, found: Any) -> int:
    """A list page given to extract: one line that says so, and the article links it lists
    (URL, date, title a line) for the user to try one of them."""
    print(f"zonenews: {url}: a list page, not an article; its {len(found.links)} article "
          f"link(s) fit '{found.pattern}' (zonenews sites add {url} writes the site file)",
          file=sys.stderr)
    for link in found.links:
        print(f"{link.url}\t{link.date_text or ''}\t{link.title or ''}")
    return 1


def cmd_sites_add(args: argparse.Namespace) -> int:
    from scrapers.discover import (
        discover,
        fetch_list_page,
        other_hosts,
        propose_key,
        propose_name,
        sample_articles,
        site_file_text,
    )
    from scrapers.extract.encoding import decode_page
    from scrapers.single_page import FetchError, fetch_page
    from scrapers.sites import SiteFileError, parse_site

    target = args.url_or_file
    try:
        if Path(target).is_file() or not target.startswith(("http://", "https://")):
            body, content_type, url = _read_target(target, args.url)
        else:
            body, content_type, url = fetch_list_page(target)
    except FetchError as exc:
        print(f"zonenews: {exc}", file=sys.stderr)
        return 1
    if not url.startswith(("http://", "https://")):
        raise UsageError("a saved list page needs its address: --url http://…")
    found = discover(url, body, content_type, fetch=fetch_page)
    if found is None:
        print(f"zonenews: {url}: no list of articles found on this page (is it the column's "
              "list page, not an article or the home page?)", file=sys.stderr)
        return 1
    if found.compiled.search(url):
        print(f"zonenews: {url}: an article page (its address is like its links "
              f"'{found.pattern}'); give the column's list page", file=sys.stderr)
        return 1
    catalog = _catalog(args, quiet=True)
    key = args.key or propose_key(url, catalog.sites)
    name = args.name or propose_name(decode_page(body, content_type), found.section) or key
    err = sys.stderr
    print(f"{len(found.links)} article link(s) on {url}", file=err)
    print(f"article_url_pattern = '{found.pattern}'", file=err)
    print(f"next page: {found.next_urls[0] if found.next_urls else 'none found'}", file=err)
    for sample in sample_articles(found.links, fetch_page):
        if sample.record is None:
            print(f"  {sample.url}: {sample.problem}", file=err)
            continue
        rec = sample.record
        print(f"  {sample.url}\n    title: {rec.get('title')}\n    published_at: "
              f"{rec.get('published_at')}\n    source: {rec.get('source')}\n    authors: "
              f"{', '.join(rec.get('authors') or [])}\n    body: "
              f"{len(rec.get('body_text') or '')} characters", file=err)
        if sample.missing:
            found.doubts.append(f"{sample.url} gave no {', '.join(sample.missing)}: set "
                                "[selectors] for it")
    for doubt in found.doubts:
        print(f"check: {doubt}", file=err)
    text = site_file_text(key, name, found, allowed_domains=other_hosts(url, found.links))
    try:   # a --key or --name the site file would refuse is refused now, before any writing
        parse_site(tomllib.loads(text))
    except SiteFileError as exc:
        raise UsageError(exc.message if exc.key == "(file)" else f"--{exc.key}: {exc.message}") \
            from None
    if key in catalog.sites:
        print(f"note: this file replaces the site {key!r} of {catalog.sites[key].path}", file=err)
    if args.dry_run:
        sys.stdout.write(text)
        return 0
    folder = _sites_folder(args)
    path = folder / f"{key}.toml"
    if path.exists():
        print(f"zonenews: {path} already exists (choose another --key, or remove it)", file=err)
        return 1
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    print(f"wrote {path}; crawl it with: zonenews crawl {key}"
          + ("" if folder in _searched_folders(args) else f" --sites {folder}"), file=err)
    return 0


def _searched_folders(args: argparse.Namespace) -> list[Path]:
    from scrapers.sites import site_dirs

    return [p.resolve() for p in site_dirs(args.sites or [])]


def _sites_folder(args: argparse.Namespace) -> Path:
    """Where a new site file goes: --sites-dir, else the first --sites folder, else the first
    of ZONENEWS_SITES, else the user's own folder (read by every command)."""
    from scrapers.sites import SITES_ENV, USER_DIR

    if args.sites_dir:
        return Path(args.sites_dir).resolve()
    if args.sites:
        return Path(args.sites[0]).resolve()
    env = [p for p in os.environ.get(SITES_ENV, "").split(os.pathsep) if p]
    return Path(env[0]).resolve() if env else USER_DIR


def _list_pages_walked(args: argparse.Namespace, key: str) -> int:
    """The most list pages one of the site's recent crawls read: more than its start pages
    means the lists had a pager. 0 without a database."""
    from pipelines.queries import list_runs, run_record

    try:
        require_existing(args.db)
        runs = [run_record(r) for r in list_runs(open_database(args.db), key, 20)]
    except DatabaseError:
        return 0
    return max((int(((r.get("details") or {}).get("pages") or {}).get("list", 0))
                for r in runs), default=0)


def cmd_sites_check(args: argparse.Namespace) -> int:
    from scrapers.discover import check_site
    from scrapers.single_page import fetch_page

    catalog = _catalog(args)
    site = catalog.sites.get(args.key)
    if site is None:
        raise UsageError(f"unknown site {args.key!r} (known: "
                         f"{', '.join(sorted(catalog.sites)) or 'none'})")
    result = check_site(site, fetch_page)
    walked = _list_pages_walked(args, site.key)
    for url in result.without_pager:
        if walked > len(site.start_urls):
            result.problems.append(f"{url}: no next list page any more (earlier crawls read "
                                   f"{walked} list pages)")
        else:
            result.notes.append(f"{url}: no next list page (only its own articles are "
                                "crawled)")
    for note in result.notes:
        print(f"ok: {note}")
    for problem in result.problems:
        print(f"does not fit: {problem}")
    if result.problems:
        print(f"zonenews: {site.key}: {len(result.problems)} thing(s) no longer fit "
              f"{site.path}", file=sys.stderr)
        return 1
    print(f"{site.key}: the site file still fits its pages")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from web.app import create_app

    app = create_app(database_url(args.db), args.sites or [])
    print(f"zonenews: serving the archive at http://{args.host}:{args.port}/ (Ctrl-C stops)",
          file=sys.stderr)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0


def cmd_facts(args: argparse.Namespace) -> int:
    from pipelines.facts import derive_pending, rebuild
    from pipelines.queries import list_facts

    sessions = _existing_database(args)
    if args.rebuild or args.derive:
        def progress(n: int) -> None:
            if n % 100 == 0:
                print(f"\r{n} articles", end="", file=sys.stderr)

        tally = (rebuild(sessions, site=args.site, progress=progress) if args.rebuild
                 else derive_pending(sessions, progress=progress))
        print(f"\rfacts and stories derived{' again' if args.rebuild else ''} for "
              f"{tally.derived} articles", file=sys.stderr)
        if tally.failed or tally.stopped:
            print(f"zonenews: {len(tally.failed)} articles could not be derived"
                  f"{f' ({tally.stopped})' if tally.stopped else ''}; the next derivation "
                  "tries them again", file=sys.stderr)
            return 1
        return 0
    since = parse_day(args.since, DEFAULT_TZ) if args.since else None
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

    since = parse_day(args.since, DEFAULT_TZ) if args.since else None
    records = list_stories(_existing_database(args), since=since, limit=args.limit)

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
    common.add_argument("--utc", action="store_true", default=argparse.SUPPRESS,
                        help="show times in UTC (default: each site's own time zone)")

    parser = argparse.ArgumentParser(
        prog="zonenews", parents=[common],
        description="Crawl, store and query the news of China's industrial and high-tech zones.")
    parser.add_argument("--version", action="version", version=f"zonenews {_version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("crawl", parents=[common], help="one-off crawl of sites now")
    p.add_argument("site", nargs="*", metavar="SITE", help="site keys (default: every enabled site)")
    p.add_argument("--full", action="store_true",
                   help="fetch every article again; changed ones get a new version")
    p.add_argument("--no-derive", dest="derive", action="store_false",
                   help="store only; leave facts and stories to `zonenews facts --derive`")
    p.add_argument("--exclude", metavar="KEY", action="append", default=[],
                   help="leave this site out of the crawl (repeatable)")
    p.add_argument("--trigger", choices=("manual", "schedule"), default="manual",
                   help=argparse.SUPPRESS)
    p.add_argument("--scrapyd", metavar="URL", action="append", default=[], help=SCRAPYD_HELP)
    p.set_defaults(func=cmd_crawl)

    p = sub.add_parser("schedule", parents=[common],
                       help="run the periodic crawls in the foreground until SIGINT/SIGTERM")
    p.add_argument("--log-file", metavar="FILE", help="also write the log to this file")
    p.add_argument("--scrapyd", metavar="URL", action="append", default=[], help=SCRAPYD_HELP)
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
    p.add_argument("--author", "--person", metavar="NAME", type=text,
                   help="credited to this person in any role (author, photographer, editor)")
    p.add_argument("--tag", metavar="TAG", type=text, help="with this tag")
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
    p.add_argument("id_or_url", metavar="ID_OR_URL", type=text)
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=cmd_article)

    p = sub.add_parser("runs", parents=[common], help="crawl history, newest first")
    p.add_argument("--site", metavar="KEY", help="only this site")
    p.add_argument("--limit", type=non_negative, default=20, metavar="N",
                   help="at most N runs (default 20; 0 = all)")
    p.add_argument("--format", choices=("table", "json", "jsonl", "csv"), default="table")
    p.set_defaults(func=cmd_runs)

    p = sub.add_parser("sites", parents=[common], help="configured sites, schedules and state")
    p.add_argument("--format", choices=("table", "json", "jsonl", "csv"), default="table")
    p.set_defaults(func=cmd_sites)
    site_sub = p.add_subparsers(dest="sites_command", metavar="add|check")
    q = site_sub.add_parser("add", parents=[common],
                            help="write a site file from one list (column) page")
    q.add_argument("url_or_file", metavar="URL", help="the column's list page (or a saved copy)")
    q.add_argument("--url", metavar="URL", help="the address of a saved list page")
    q.add_argument("--key", metavar="K", help="the site's key (default: from the host)")
    q.add_argument("--name", metavar="N", help="the site's name (default: from the page)")
    q.add_argument("--dry-run", action="store_true", help="print the site file, write nothing")
    q.add_argument("--sites-dir", metavar="DIR",
                   help="where to write it (default: the first --sites folder, else the first "
                        "of $ZONENEWS_SITES, else ~/.config/zonenews/sites)")
    q = site_sub.add_parser("check", parents=[common],
                            help="what no longer fits an existing site; exit 1 when something")
    q.add_argument("key", metavar="KEY")

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
    p = sub.add_parser("serve", parents=[common], help="the read-only web application")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("facts", parents=[common],
                       help="amounts, organisations, industries and events read from the articles")
    p.add_argument("--site", metavar="KEY", help="only this site")
    p.add_argument("--since", metavar="DATE", help="of articles published on or after (YYYY-MM-DD)")
    p.add_argument("--kind", action="append",
                   choices=("amount", "organisation", "industry", "event", "zone"),
                   help="only facts of this kind (repeatable; zones only when asked)")
    p.add_argument("--limit", type=non_negative, default=0, metavar="N",
                   help="at most N facts (default 0 = all)")
    p.add_argument("--format", choices=("table", "json", "jsonl", "csv"), default="table")
    p.add_argument("--rebuild", action="store_true",
                   help="derive the facts and stories of every stored article again")
    p.add_argument("--derive", action="store_true",
                   help="derive the articles whose facts and stories are missing or outdated "
                        "(what a crawl leaves to its derivation), waiting for one running")
    p.set_defaults(func=cmd_facts)

    p = sub.add_parser("stories", parents=[common],
                       help="articles that tell the same story, grouped; newest first")
    p.add_argument("--since", metavar="DATE", help="with an article published on or after")
    p.add_argument("--limit", type=non_negative, default=20, metavar="N",
                   help="at most N stories (default 20; 0 = all)")
    p.add_argument("--format", choices=("table", "json", "jsonl", "csv"), default="table")
    p.set_defaults(func=cmd_stories)
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("zonenews")
    except PackageNotFoundError:   # run from a checkout that was never installed
        import tomllib

        with (Path(__file__).parent / "pyproject.toml").open("rb") as fh:
            return str(tomllib.load(fh)["project"]["version"])


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    for name, default in (("db", None), ("sites", []), ("verbose", False), ("utc", False)):
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
    except (UsageError, BadDate) as exc:
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
