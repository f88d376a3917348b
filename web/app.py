"""The read-only web application: articles, one article with its history, sites, runs, charts and
the JSON API, all through the query functions of ``pipelines.queries`` that the CLI uses."""

from __future__ import annotations

import csv
import io
import json
import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime, time
from itertools import pairwise
from pathlib import Path
from time import monotonic, perf_counter
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape
from sqlalchemy.orm import Session, sessionmaker
from starlette.exceptions import HTTPException as StarletteHTTPException

from pipelines.body import sanitize_html
from pipelines.days import BadDate, parse_day
from pipelines.db import DatabaseError, database_url, open_read_only
from pipelines.events import EVENT_WORDS
from pipelines.industries import TAXONOMY
from pipelines.models import Article
from pipelines.queries import (
    FACT_FIELDS,
    STORY_FIELDS,
    ArticleFilter,
    BadFilter,
    Cursor,
    Found,
    article_page,
    article_record,
    article_sections,
    article_versions,
    count_matches,
    csv_value,
    fact_filters,
    get_article,
    iso,
    list_facts,
    list_runs,
    list_stories,
    newest_published,
    recent_runs,
    run_record,
    runs_by_day,
    site_states,
    weekly_counts,
)
from pipelines.search import Snippet
from scrapers.sites import SiteCatalog, load_catalog
from web.diff import text_diff

log = logging.getLogger(__name__)

HERE = Path(__file__).parent
DEFAULT_TZ = "Asia/Shanghai"
MAX_QUERY = 500            # characters: longer is no search a person types
MAX_PAGE = 1000            # rows of one JSON answer; csv and jsonl stream any number
COUNT_CAP = 200           # matches counted for the page; more shows as "200+"
PAGE_SIZES = (20, 50, 100)
SECTIONS_TTL = 300.0
EXPORT_CHUNK = 500         # rows read per step of a streamed export
CREDIT_ROLES = (("authors", "Authors"), ("photographers", "Photographers"),
                ("editors", "Editors"), ("responsible_editors", "Responsible editors"))
RUN_STATUSES = ("succeeded", "failed", "timeout", "interrupted", "running")
# Stored pages are sanitised, but nothing they hold may run here: scripts only from this
# server, no inline ones; pictures may come from the zones' own sites.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' http: https: data:; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


class BadInput(ValueError):
    """A request parameter that makes no sense: a 422 with this one line."""


class Archive:
    """The database the server reads, opened on first use so that a database that appears
    after the server started (a first crawl) is picked up without a restart."""

    def __init__(self, url: str | None) -> None:
        self.url = url
        self._sessions: sessionmaker[Session] | None = None
        self._lock = threading.Lock()
        self._sections: dict[str | None, tuple[float, list[str]]] = {}

    def sections(self, site: str | None) -> list[str]:
        """The section choices of the filter form, read again every SECTIONS_TTL seconds:
        they change with a new column on a site, not with every request."""
        now = monotonic()
        cached = self._sections.get(site)
        if cached is None or now - cached[0] > SECTIONS_TTL:
            cached = self._sections[site] = (now, article_sections(self.sessions(), site))
        return cached[1]

    def sessions(self) -> sessionmaker[Session]:
        with self._lock:
            if self._sessions is None:
                self._sessions = open_read_only(self.url)
            return self._sessions


# ---------------------------------------------------------------- parameters

def build_filter(catalog: SiteCatalog, *, query: str | None, site: str | None, since: str | None,
                 until: str | None, section: str | None = None, person: str | None = None,
                 limit: int = 20, facts: dict[str, Any] | None = None) -> ArticleFilter:
    """The filter of a request; ``facts`` holds the industry, amount, organisation, event and
    unique options as typed, checked as ``zonenews articles`` checks them."""
    tz = catalog.sites[site].timezone if site and site in catalog.sites else DEFAULT_TZ
    return ArticleFilter(
        query=(query or "").strip() or None, site=site or None,
        since=parse_day(since, tz) if since else None,
        until=parse_day(until, tz, end=True) if until else None,
        section=section or None, author=(person or "").strip() or None, limit=limit,
        **fact_filters(**(facts or {})))


def parse_cursor(text: str | None) -> Cursor | None:
    if not text:
        return None
    try:
        return Cursor.decode(text)
    except ValueError as exc:
        raise BadInput(str(exc)) from None


# ---------------------------------------------------------------- presentation

def local_time(a: Article) -> str:
    """The publication time as the site's readers saw it, with its UTC offset."""
    text = iso(a.published_at, a.timezone)
    return "" if text is None else f"{text[:10]} {text[11:16]} (UTC{text[-6:]})"


def snippet_html(s: Snippet) -> Markup:
    out, at = [], 0
    for lo, hi in s.spans:
        out += [str(escape(s.text[at:lo])), f"<mark>{escape(s.text[lo:hi])}</mark>"]
        at = hi
    out.append(str(escape(s.text[at:])))
    return Markup("".join(out))


def search_record(found: Found) -> dict[str, Any]:
    """A search hit as ``zonenews articles --query … --format json`` prints it."""
    return {**article_record(found.article), "rank": found.rank,
            "snippet": found.snippet.highlighted()}


def site_rows(sessions: sessionmaker[Session], catalog: SiteCatalog) -> list[dict[str, Any]]:
    """Each configured site with its schedule and state, as ``zonenews sites`` shows them."""
    from scheduler import site_overview

    keys = sorted(catalog.sites)
    states = site_states(sessions, keys)
    newest = newest_published(sessions)
    return [{**site_overview(catalog.sites[key], states[key]),
             "newest_article_at": iso(newest.get(key), catalog.sites[key].timezone)}
            for key in keys]


def faults(rec: dict[str, Any]) -> list[tuple[str, int]]:
    """A run's faults by kind: errors, then items dropped and filtered, with their counts."""
    details = rec.get("details") or {}
    out = [(k, int(v)) for k, v in sorted((details.get("errors") or {}).items())]
    out += [(f"dropped: {k}", int(v)) for k, v in sorted((details.get("dropped") or {}).items())]
    out += [(f"filtered: {k}", int(v)) for k, v in sorted((details.get("filtered") or {}).items())]
    return out


def chart_weekly(sessions: sessionmaker[Session]) -> dict[str, Any]:
    counts = weekly_counts(sessions)
    weeks = sorted({w for per_site in counts.values() for w in per_site})
    return {"title": "Articles per week (weeks in each site's timezone)", "step": 7 * 86400,
            "x": [datetime.combine(w, time(), UTC).timestamp() for w in weeks],
            "series": [{"label": site, "values": [per_site.get(w, 0) for w in weeks]}
                       for site, per_site in counts.items()]}


def chart_runs(sessions: sessionmaker[Session]) -> dict[str, Any]:
    days = runs_by_day(sessions)
    seen = [s for s in RUN_STATUSES if any(s in d for d in days.values())]
    return {"title": "Runs per day by status (UTC)", "bars": True, "step": 86400,
            "x": [datetime.combine(d, time(), UTC).timestamp() for d in days],
            "series": [{"label": s, "values": [d.get(s, 0) for d in days.values()]}
                       for s in seen]}


def chart_new(sessions: sessionmaker[Session]) -> dict[str, Any]:
    runs = recent_runs(sessions)
    return {"title": "New articles per run", "bars": True, "time": False, "x_label": "run",
            "x": [r.id for r in runs],
            "series": [{"label": "new articles", "values": [r.articles_new for r in runs]}]}


# ---------------------------------------------------------------- the application

def create_app(db_url: str | None = None, site_dirs: Sequence[str] = ()) -> FastAPI:
    """The application over one database (``--db``, ``ZONENEWS_DB`` or the default file)."""
    archive = Archive(database_url(db_url))
    catalog = load_catalog(site_dirs)
    for err in catalog.errors:
        log.warning("%s", err)
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals.update(local_time=local_time, snippet_html=snippet_html, faults=faults,
                                 credit_roles=CREDIT_ROLES)
    # The interactive docs pages load their scripts from a CDN: the description is enough.
    app = FastAPI(title="zonenews", summary="The archive of China's zone news, read-only.",
                  docs_url=None, redoc_url=None)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Callable[[Request], Any]) -> Response:
        start = perf_counter()
        response: Response = await call_next(request)
        # Until the answer (a streamed one: until its first chunk), for the benchmarks and
        # the browser's network panel.
        response.headers["Server-Timing"] = f"app;dur={(perf_counter() - start) * 1000:.1f}"
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    def wants_json(request: Request) -> bool:
        return request.url.path.startswith("/api/") or request.url.path == "/openapi.json"

    def error(request: Request, status: int, message: str) -> Response:
        if wants_json(request):
            return JSONResponse({"error": message}, status_code=status)
        return templates.TemplateResponse(request, "error.html",
                                          {"status": status, "message": message},
                                          status_code=status)

    @app.exception_handler(BadInput)
    @app.exception_handler(BadDate)
    def bad_input(request: Request, exc: ValueError) -> Response:
        return error(request, 422, str(exc))

    @app.exception_handler(BadFilter)
    def bad_filter(request: Request, exc: BadFilter) -> Response:
        return error(request, 400, str(exc))

    @app.exception_handler(RequestValidationError)
    def invalid(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ())[1:]) or "request"
        return error(request, 422, f"{where}: {first.get('msg', 'invalid')}")

    @app.exception_handler(StarletteHTTPException)
    def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return error(request, exc.status_code, str(exc.detail))

    @app.exception_handler(DatabaseError)
    def no_database(request: Request, exc: DatabaseError) -> Response:
        return error(request, 503, f"database: {exc}")

    @app.exception_handler(Exception)
    def failed(request: Request, exc: Exception) -> Response:
        log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
        return error(request, 500, f"internal error ({type(exc).__name__}); the log has details")

    # -------------------------------------------------------------- pages

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def articles_page(
        request: Request,
        q: Annotated[str | None, Query(max_length=MAX_QUERY)] = None,
        site: Annotated[str | None, Query(max_length=64)] = None,
        section: Annotated[str | None, Query(max_length=200)] = None,
        person: Annotated[str | None, Query(max_length=100)] = None,
        since: Annotated[str | None, Query(max_length=32)] = None,
        until: Annotated[str | None, Query(max_length=32)] = None,
        industry: Annotated[str | None, Query(max_length=100)] = None,
        event: Annotated[str | None, Query(max_length=40)] = None,
        sort: Literal["relevance", "newest"] = "relevance",
        size: Annotated[int, Query(ge=1, le=max(PAGE_SIZES))] = PAGE_SIZES[0],
        after: Annotated[str | None, Query(max_length=80)] = None,
    ) -> Response:
        flt = build_filter(catalog, query=q, site=site, since=since, until=until,
                           section=section, person=person, limit=size,
                           facts={"industry": industry, "event": event})
        sessions = archive.sessions()
        page = article_page(sessions, flt, parse_cursor(after), newest=sort == "newest",
                            count_to=COUNT_CAP)
        if page.matches is not None:
            total, more = page.matches, page.more_matches
        else:
            total, more = count_matches(sessions, flt, COUNT_CAP)
        params = {k: v for k, v in (("q", q), ("site", site), ("section", section),
                                    ("person", person), ("since", since), ("until", until),
                                    ("industry", industry), ("event", event),
                                    ("sort", sort if sort != "relevance" else None),
                                    ("size", size if size != PAGE_SIZES[0] else None)) if v}
        next_url = "/?" + urlencode({**params, "after": page.next.encode()}) if page.next else None
        export = {k: v for k, v in params.items()
                  if k in ("site", "since", "until", "section", "person", "industry", "event")}
        if q:
            export["query"] = q
        return templates.TemplateResponse(request, "articles.html", {
            "page": page, "found": {x.article.id: x for x in page.found}, "params": params,
            "filter": flt, "total": total, "more": more, "next_url": next_url,
            "first_url": "/?" + urlencode(params) if after else None,
            "sites": sorted(catalog.sites), "sections": archive.sections(site or None),
            "sort": sort, "size": size, "sizes": PAGE_SIZES,
            "industries": [(i.key, i.english) for i in TAXONOMY], "events": list(EVENT_WORDS),
            "csv_url": "/api/articles?" + urlencode({**export, "format": "csv", "limit": 0}),
        })

    @app.get("/articles/{article_id}", response_class=HTMLResponse, include_in_schema=False)
    def article_view(request: Request, article_id: int) -> Response:
        sessions = archive.sessions()
        found = get_article(sessions, str(article_id))
        if found is None:
            raise HTTPException(404, f"no article {article_id}")
        history = article_versions(sessions, found.id)
        texts = [(v.version, v.body_text, v.title, v.seen_from) for v in history]
        texts.append((found.version, found.body_text, found.title, found.changed_at))
        changes = [{"old": old[0], "new": new[0], "seen": new[3],
                    "title": (old[2], new[2]) if old[2] != new[2] else None,
                    "lines": text_diff(old[1], new[1])}
                   for old, new in pairwise(texts)]
        body = Markup(sanitize_html(found.body_html or "", found.url))
        loose = [i for i in found.images or [] if i.get("url") and i["url"] not in body]
        return templates.TemplateResponse(request, "article.html", {
            "a": found, "rec": article_record(found), "body": body, "loose_images": loose,
            "changes": changes[::-1], "site": catalog.sites.get(found.site)})

    @app.get("/sites", response_class=HTMLResponse, include_in_schema=False)
    def sites_page(request: Request) -> Response:
        sessions = archive.sessions()
        return templates.TemplateResponse(request, "sites.html", {
            "rows": site_rows(sessions, catalog), "weekly": chart_weekly(sessions)})

    @app.get("/runs", response_class=HTMLResponse, include_in_schema=False)
    def runs_page(request: Request,
                  site: Annotated[str | None, Query(max_length=64)] = None,
                  limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100) -> Response:
        sessions = archive.sessions()
        runs = [run_record(r) for r in list_runs(sessions, site or None, limit)]
        return templates.TemplateResponse(request, "runs.html", {
            "runs": runs, "site": site, "sites": sorted(catalog.sites),
            "nodes": any(r["node"] for r in runs),
            "by_status": chart_runs(sessions), "new_per_run": chart_new(sessions)})

    # -------------------------------------------------------------- API

    @app.get("/api/articles", summary="Articles, newest first or best match first",
             response_model=None)
    def api_articles(
        query: Annotated[str | None, Query(max_length=MAX_QUERY,
                                           description="words that must all appear")] = None,
        site: Annotated[str | None, Query(max_length=64)] = None,
        since: Annotated[str | None, Query(max_length=32, description="YYYY-MM-DD")] = None,
        until: Annotated[str | None, Query(max_length=32, description="YYYY-MM-DD")] = None,
        section: Annotated[str | None, Query(max_length=200)] = None,
        person: Annotated[str | None, Query(max_length=100,
                                            description="credited in any role")] = None,
        industry: Annotated[str | None, Query(max_length=100, description="about this industry: "
                                              "a key such as semiconductors, or its label")] = None,
        min_amount: Annotated[str | None, Query(max_length=40, description="stating an amount of "
                                                "money of at least this, e.g. 1e9")] = None,
        org: Annotated[str | None, Query(max_length=100, description="naming an organisation "
                                         "whose name contains this")] = None,
        event: Annotated[str | None, Query(max_length=40, description="reporting this event: "
                                           + ", ".join(EVENT_WORDS))] = None,
        unique: Annotated[bool, Query(description="one article per story")] = False,
        limit: Annotated[int, Query(ge=0, description=f"rows per answer (json: 1 to {MAX_PAGE}; "
                                                      "csv/jsonl: 0 = all)")] = 20,
        after: Annotated[str | None, Query(max_length=80,
                                           description="the X-Next-Cursor of the "
                                                       "previous answer")] = None,
        format: Literal["json", "jsonl", "csv"] = "json",
    ) -> Response:
        """The records of ``zonenews articles --format json``, with the same filters.

        ``json`` answers one page (its next page's cursor in ``X-Next-Cursor`` and a
        ``Link: rel="next"`` header); ``csv`` and ``jsonl`` stream every matching row.
        """
        if format == "json" and not 1 <= limit <= MAX_PAGE:
            raise BadInput(f"limit: json pages hold 1 to {MAX_PAGE} rows "
                           "(format=csv or jsonl streams any number)")
        flt = build_filter(catalog, query=query, site=site, since=since, until=until,
                           section=section, person=person, limit=limit,
                           facts={"industry": industry, "min_amount": min_amount, "org": org,
                                  "event": event, "unique": unique})
        cursor = parse_cursor(after)
        sessions = archive.sessions()
        if format == "json":
            page = article_page(sessions, flt, cursor)
            records = ([search_record(x) for x in page.found] if flt.query
                       else [article_record(a) for a in page.articles])
            response = JSONResponse(json.loads(json.dumps(records, ensure_ascii=False,
                                                          default=str)))
            if page.next:
                token = page.next.encode()
                response.headers["X-Next-Cursor"] = token
                link = {k: v for k, v in (("query", query), ("site", site), ("since", since),
                                          ("until", until), ("section", section),
                                          ("person", person), ("industry", industry),
                                          ("min_amount", min_amount), ("org", org),
                                          ("event", event),
                                          ("unique", "true" if unique else None)) if v}
                response.headers["Link"] = (
                    f'</api/articles?{urlencode({**link, "limit": limit, "after": token})}>; '
                    'rel="next"')
            return response
        rows = stream_records(sessions, flt, cursor)
        if format == "jsonl":
            body: Iterator[str] = (json.dumps(r, ensure_ascii=False, default=str) + "\n"
                                   for r in rows)
            return StreamingResponse(body, media_type="application/x-ndjson; charset=utf-8")
        return StreamingResponse(csv_lines(rows), media_type="text/csv; charset=utf-8",
                                 headers={"Content-Disposition":
                                          'attachment; filename="articles.csv"'})

    @app.get("/api/facts", summary="What was read from the articles, newest articles first",
             response_model=None)
    def api_facts(
        site: Annotated[str | None, Query(max_length=64)] = None,
        since: Annotated[str | None, Query(max_length=32, description="of articles published on "
                                           "or after (YYYY-MM-DD)")] = None,
        kind: Annotated[list[Literal["amount", "organisation", "industry", "event", "zone"]] | None,
                        Query(description="only facts of this kind (repeatable)")] = None,
        limit: Annotated[int, Query(ge=0, description="at most this many (0 = all)")] = 0,
        format: Literal["json", "jsonl", "csv"] = "json",
    ) -> Response:
        """The records of ``zonenews facts --format json``, with the same filters."""
        records = list_facts(archive.sessions(), site=site or None,
                             since=parse_day(since, DEFAULT_TZ) if since else None,
                             kinds=tuple(kind or ()), limit=limit)
        return records_response(records, format, FACT_FIELDS, "facts")

    @app.get("/api/stories", summary="Articles that tell the same story, newest first",
             response_model=None)
    def api_stories(
        since: Annotated[str | None, Query(max_length=32, description="newest member published "
                                           "on or after (YYYY-MM-DD)")] = None,
        limit: Annotated[int, Query(ge=0, description="at most this many (0 = all)")] = 0,
        format: Literal["json", "jsonl", "csv"] = "json",
    ) -> Response:
        """The records of ``zonenews stories --format json``."""
        records = list_stories(archive.sessions(),
                               since=parse_day(since, DEFAULT_TZ) if since else None, limit=limit)
        return records_response(records, format, STORY_FIELDS, "stories")

    @app.get("/api/articles/{article_id}", summary="One article record")
    def api_article(article_id: int) -> dict[str, Any]:
        found = get_article(archive.sessions(), str(article_id))
        if found is None:
            raise HTTPException(404, f"no article {article_id}")
        rec: dict[str, Any] = json.loads(json.dumps(article_record(found), default=str))
        return rec

    @app.get("/api/sites", summary="Configured sites, their schedules and state")
    def api_sites() -> list[dict[str, Any]]:
        return site_rows(archive.sessions(), catalog)

    @app.get("/api/runs", summary="Crawl history, newest first")
    def api_runs(site: Annotated[str | None, Query(max_length=64)] = None,
                 limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 20) -> list[dict[str, Any]]:
        runs = [run_record(r) for r in list_runs(archive.sessions(), site or None, limit)]
        out: list[dict[str, Any]] = json.loads(json.dumps(runs, default=str))
        return out

    @app.get("/api/charts", summary="The figures the charts draw")
    def api_charts() -> dict[str, Any]:
        sessions = archive.sessions()
        return {"weekly": chart_weekly(sessions), "runs": chart_runs(sessions),
                "new_per_run": chart_new(sessions)}

    return app


def stream_records(sessions: sessionmaker[Session], flt: ArticleFilter,
                   after: Cursor | None) -> Iterator[dict[str, Any]]:
    """Every record after ``after`` (up to ``flt.limit``, 0 = all), read a page at a time so that
    memory stays flat however many rows the export holds."""
    left = flt.limit or None
    while left is None or left > 0:
        step = EXPORT_CHUNK if left is None else min(EXPORT_CHUNK, left)
        page = article_page(sessions, replace(flt, limit=step), after)
        if flt.query:
            yield from (search_record(x) for x in page.found)
        else:
            yield from (article_record(a) for a in page.articles)
        if left is not None:
            left -= len(page.articles)
        if page.next is None:
            return
        after = page.next


def records_response(records: list[dict[str, Any]], format: str, fields: Sequence[str],
                     name: str) -> Response:
    """Records as the command line's ``--format json``, ``jsonl`` or ``csv`` writes them; the
    CSV has its header even with no rows."""
    if format == "json":
        return JSONResponse(json.loads(json.dumps(records, ensure_ascii=False, default=str)))
    if format == "jsonl":
        return Response("".join(json.dumps(r, ensure_ascii=False, default=str) + "\n"
                                for r in records),
                        media_type="application/x-ndjson; charset=utf-8")
    return StreamingResponse(csv_lines(iter(records), fields), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})


def csv_lines(rows: Iterator[dict[str, Any]], fields: Sequence[str] = ()) -> Iterator[str]:
    """CSV as the command line writes it: with a UTF-8 byte-order mark, without which Excel
    misreads Chinese."""
    buf = io.StringIO()
    buf.write("\ufeff")
    writer: csv.DictWriter[str] | None = None
    if fields:
        writer = csv.DictWriter(buf, fieldnames=list(fields))
        writer.writeheader()
    for rec in rows:
        if writer is None:
            writer = csv.DictWriter(buf, fieldnames=list(rec))
            writer.writeheader()
        writer.writerow({k: csv_value(v) for k, v in rec.items()})
        if buf.tell() > 64 * 1024:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()
