"""zonenews performance figures, one command: ingest, re-crawl, memory, queries, web pages, extraction.

    python bench/run.py            # full sizes: 5,000-article site, 20,000 for memory, 1,000,000 stored
    python bench/run.py --quick    # small sizes, under two minutes (CI)

Crawls run the real ``zonenews crawl`` in a child process against a generated
site served on 127.0.0.1 (bench/server.py) and are timed from process start to
exit; the ceiling is a bare Scrapy spider (bench/bare.py) on the same server.
Queries are timed in this process, from the call to the rows with their
snippets, after one round that warms the caches. PostgreSQL is used when it
answers (``--pg URL``, else ZONENEWS_TEST_PG, else the local test server); each
run gets fresh schemas. Building the 1,000,000-article archives takes most of
a full run; ``--data DIR`` keeps them for the next one.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from bench.corpus import Corpus, Writer, load  # noqa: E402
from bench.server import ARTICLE_PATTERN, START_PATH, build_site  # noqa: E402
from pipelines.db import HEAD_REVISION, current_revision, make_engine, open_database  # noqa: E402
from pipelines.models import Article, CrawlRun  # noqa: E402
from pipelines.queries import ArticleFilter, list_articles, search_articles  # noqa: E402

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
CONCURRENCY = 4


@dataclass(frozen=True)
class Sizes:
    ingest: int
    memory: int
    stored: int
    rounds: int


FULL = Sizes(ingest=5000, memory=20000, stored=1_000_000, rounds=5)
QUICK = Sizes(ingest=500, memory=2000, stored=20_000, rounds=3)


def render(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    return "\n".join(lines)


@dataclass
class Report:
    rows: list[tuple[str, str, str, str]] = field(default_factory=list)
    extraction: list[tuple[str, str, str, str, str]] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)

    def add(self, name: str, sqlite: str, postgresql: str, goal: str = "") -> None:
        self.rows.append((name, sqlite, postgresql, goal))
        print(f"  {name}: sqlite {sqlite or '-'} | postgresql {postgresql or '-'}"
              + (f" | goal {goal}" if goal else ""), file=sys.stderr, flush=True)

    def tables(self) -> str:
        out = []
        if self.rows:
            out.append(render(("figure", "SQLite", "PostgreSQL", "goal"), self.rows))
        if self.extraction:
            out.append(render(("page family", "pages", "extract ms/page", "normalize ms/page",
                               "total ms/page"), self.extraction))
        return "\n\n".join(out)


# ---------------------------------------------------------------- databases

def pg_base(explicit: str | None) -> str | None:
    """A PostgreSQL that answers, or None (said on stderr)."""
    url = explicit or os.environ.get("ZONENEWS_TEST_PG") or DEFAULT_PG
    try:
        engine = sa.create_engine(url)
        with engine.connect():
            pass
        engine.dispose()
    except sa.exc.OperationalError as exc:
        print(f"bench: PostgreSQL at {url} does not answer ({str(exc.orig).splitlines()[0]}); "
              "its figures are skipped", file=sys.stderr)
        return None
    return url


def with_schema(base: str, schema: str, extra: str = "") -> str:
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}{extra}"


@contextmanager
def pg_schema(base: str, name: str | None = None, keep: bool = False) -> Iterator[str]:
    """A schema of its own in the PostgreSQL at ``base``: a fresh archive."""
    schema = name or f"bench_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(base)
    with engine.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
    try:
        yield schema
    finally:
        if not keep:
            with engine.begin() as conn:
                conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        engine.dispose()


@contextmanager
def databases(pg: str | None, folder: Path) -> Iterator[dict[str, str]]:
    """A fresh empty SQLite file and, when PostgreSQL answers, a fresh schema."""
    sqlite = folder / f"{uuid.uuid4().hex[:8]}.db"
    urls = {"sqlite": f"sqlite:///{sqlite}"}
    if pg is None:
        yield urls
        return
    with pg_schema(pg) as schema:
        urls["postgresql"] = with_schema(pg, schema)
        yield urls


# ---------------------------------------------------------------- the site server

@contextmanager
def site_server(articles: int) -> Iterator[str]:
    proc = subprocess.Popen([sys.executable, "-m", "bench.server", "--articles", str(articles)],
                            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdin is not None
    try:
        yield proc.stdout.readline().strip()
    finally:
        proc.stdin.close()
        proc.wait(timeout=30)


def server_hits(base: str, reset: bool = False) -> dict[str, int]:
    with urllib.request.urlopen(base + ("/__reset" if reset else "/__hits")) as answer:
        return dict(json.loads(answer.read()))


def server_rate(base: str, seconds: float = 2.0, connections: int = 8) -> float:
    """Pages per second the server alone delivers to keep-alive clients: it must not be the limit."""
    host, port = base.split("//", 1)[1].split(":")
    with urllib.request.urlopen(base + START_PATH) as answer:
        link = re.search(rb'href="[^"]*(/content/post_\d+\.html)"', answer.read())
    assert link is not None
    request = f"GET /gxxw/gxdt{link.group(1).decode()} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()

    async def client(deadline: float) -> int:
        reader, writer = await asyncio.open_connection(host, int(port))
        done = 0
        while time.perf_counter() < deadline:
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            size = re.search(rb"Content-Length: (\d+)", head)
            assert size is not None
            await reader.readexactly(int(size.group(1)))
            done += 1
        writer.close()
        return done

    async def run() -> int:
        deadline = time.perf_counter() + seconds
        return sum(await asyncio.gather(*(client(deadline) for _ in range(connections))))

    served = asyncio.run(run())
    server_hits(base, reset=True)
    return served / seconds


# ---------------------------------------------------------------- crawls

def write_site(folder: Path, base: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "bench.toml").write_text(
        f'key = "bench"\nname = "Bench zone"\nstart_urls = ["{base}{START_PATH}"]\n'
        f"article_url_pattern = '{ARTICLE_PATTERN}'\nobey_robots = false\ndelay = 0\n"
        f"concurrency = {CONCURRENCY}\n", "utf-8")
    return folder


@dataclass(frozen=True)
class Timed:
    seconds: float
    cpu_seconds: float
    max_rss_mb: float
    stdout: str


def timed(cmd: Sequence[str]) -> Timed:
    """Run a child process: its wall time from start to exit and its peak resident memory."""
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=errors,
                                env={k: v for k, v in os.environ.items()
                                     if k not in ("ZONENEWS_DB", "ZONENEWS_SITES")})
        assert proc.stdout is not None
        out = proc.stdout.read()
        _pid, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            errors.seek(0)
            raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}:\n"
                               f"{errors.read().decode()[-2000:]}")
    # Linux reports ru_maxrss in KiB.
    return Timed(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, out.decode())


def crawl_command(sites: Path, db: str) -> list[str]:
    return [sys.executable, "-m", "cli", "crawl", "bench", "--sites", str(sites), "--db", db]


def last_run(db: str) -> CrawlRun:
    sessions = open_database(db)
    with sessions() as session:
        run = session.scalars(sa.select(CrawlRun).order_by(CrawlRun.id.desc())).first()
    sessions.kw["bind"].dispose()
    assert run is not None
    return run


def bench_ingest(report: Report, sizes: Sizes, pg: str | None, work: Path) -> None:
    print(f"ingest: a {sizes.ingest:,}-article site", file=sys.stderr)
    cells: dict[str, dict[str, str]] = {"sqlite": {}, "postgresql": {}}
    with site_server(sizes.ingest) as base:
        rate = server_rate(base)
        bare = timed([sys.executable, "-m", "bench.bare", base + START_PATH, ARTICLE_PATTERN,
                      "--concurrency", str(CONCURRENCY)])
        bare_counts = json.loads(bare.stdout.strip().splitlines()[-1])
        bare_rate = bare_counts["articles"] / bare.seconds
        server_hits(base, reset=True)
        sites = write_site(work / "sites", base)
        with databases(pg, work) as urls:
            for name, url in urls.items():
                first = timed(crawl_command(sites, url))
                run = last_run(url)
                if run.articles_new != sizes.ingest:
                    raise RuntimeError(f"{name}: the crawl stored {run.articles_new} articles of "
                                       f"{sizes.ingest}: {run.details}")
                ours = run.articles_new / first.seconds
                # The crawl has started its derivation; this waits for it to end (and would do
                # what it left), so the re-crawl is timed without it.
                derived = timed([sys.executable, "-m", "cli", "facts", "--derive", "--db", url])
                server_hits(base, reset=True)
                again = timed(crawl_command(sites, url))
                hits = server_hits(base, reset=True)
                rerun = last_run(url)
                share = again.seconds / first.seconds
                report.figures[f"ingest/{name}"] = {
                    "seconds": first.seconds, "cpu_seconds": first.cpu_seconds,
                    "articles_per_s": ours, "ratio": ours / bare_rate,
                    "derived_after_seconds": derived.seconds,
                    "recrawl_seconds": again.seconds, "recrawl_share": share,
                    "recrawl_pages": sum(hits.values()), "recrawl_run_pages": rerun.pages_fetched}
                cells[name] = {
                    "rate": f"{ours:,.0f}/s ({first.seconds:.1f} s)",
                    "ratio": f"{ours / bare_rate:.2f}",
                    "derived": f"{derived.seconds:.1f} s "
                               f"({derived.seconds * 1000 / run.articles_new:.1f} ms an article)",
                    "again": f"{again.seconds:.2f} s = {share:.1%}",
                    "pages": f"{sum(hits.values())} ({hits.get('article', 0)} articles)"}
    report.figures["server_pages_per_s"] = rate
    report.figures["bare"] = {"seconds": bare.seconds, "cpu_seconds": bare.cpu_seconds,
                              "articles_per_s": bare_rate, **bare_counts}
    report.add("site server alone (pages/s)", f"{rate:,.0f}", f"{rate:,.0f}",
               "> 10× the crawl")
    report.add(f"bare Scrapy ceiling, {sizes.ingest:,} articles",
               f"{bare_rate:,.0f}/s ({bare.seconds:.1f} s)", "")
    report.add("zonenews crawl, end to end", cells["sqlite"].get("rate", ""),
               cells["postgresql"].get("rate", ""))
    report.add("  ratio to the ceiling", cells["sqlite"].get("ratio", ""),
               cells["postgresql"].get("ratio", ""), "≥ 0.50")
    report.add("  facts and stories derived, done this long after the crawl",
               cells["sqlite"].get("derived", ""), cells["postgresql"].get("derived", ""))
    report.add("re-crawl, unchanged site: time", cells["sqlite"].get("again", ""),
               cells["postgresql"].get("again", ""), "< 3% of first")
    report.add("re-crawl: pages fetched", cells["sqlite"].get("pages", ""),
               cells["postgresql"].get("pages", ""))


def bench_memory(report: Report, sizes: Sizes, pg: str | None, work: Path) -> None:
    print(f"memory: a {sizes.memory:,}-article crawl", file=sys.stderr)
    cells = {}
    with site_server(sizes.memory) as base, databases(pg, work) as urls:
        sites = write_site(work / "sites-memory", base)
        for name, url in urls.items():
            run = timed(crawl_command(sites, url))
            stored = last_run(url).articles_new
            report.figures[f"memory/{name}"] = {"max_rss_mb": run.max_rss_mb,
                                                "seconds": run.seconds, "articles": stored}
            cells[name] = f"{run.max_rss_mb:.0f} MB ({stored:,} stored)"
    report.add(f"peak RSS, {sizes.memory:,}-article crawl", cells.get("sqlite", ""),
               cells.get("postgresql", ""), "< 300 MB")


# ---------------------------------------------------------------- queries

def query_mix(corpus: Corpus) -> list[ArticleFilter]:
    """Searches as people type them: common and rare words, two-character words, English,
    phrases, words that match nothing, several words, and words with filters."""
    writer = Writer(random.Random(corpus.seed))   # the same names the corpus used
    sites = corpus.site_keys()
    small_site, big_site = sites[-1], sites[0]
    words = ["高新区", "管委会", "集成电路", "营商环境", "唐家湾", "博士后", "知识产权", "产业链",
             "芯片", "园区", "招商", "专利", "横琴", "澳门", "电池", "论坛",
             writer.companies[0], writer.companies[1], writer.companies[2][:4], writer.people[0],
             writer.people[1], "semiconductor", "Robotics", "supply chain",
             "量子通信", "氢燃料电池汽车", "quantum", "芯片 珠海", "集成电路 签约", "人工智能 澳门"]
    mix = [ArticleFilter(query=w) for w in words]
    since = datetime(2024, 1, 1, tzinfo=UTC)
    mix += [ArticleFilter(query="集成电路", site=small_site),
            ArticleFilter(query="芯片", site=small_site),
            ArticleFilter(query=writer.companies[3], site=big_site),
            ArticleFilter(query="人工智能", since=since),
            ArticleFilter(query="横琴", section="招商引资"),
            ArticleFilter(query="专精特新", site=big_site, since=since),
            ArticleFilter(query="新能源", tag="政策")]
    return mix


def person_mix(corpus: Corpus) -> list[ArticleFilter]:
    """A person filter alone and with a site, dates or a query: what the people index answers."""
    writer = Writer(random.Random(corpus.seed))   # the same names the corpus used
    sites = corpus.site_keys()
    people = writer.people
    since = datetime(2023, 1, 1, tzinfo=UTC)
    return [ArticleFilter(author=people[0]), ArticleFilter(author=people[1]),
            ArticleFilter(author=people[2], site=sites[0]),
            ArticleFilter(author=people[3], site=sites[-1]),
            ArticleFilter(author=people[4], since=since),
            ArticleFilter(author=people[5], query="集成电路"),
            ArticleFilter(author=people[6], query="芯片", site=sites[0]),
            ArticleFilter(author="查无此人")]


def listing_mix(corpus: Corpus) -> list[ArticleFilter]:
    """Filtered listings, newest first: site and date range, section, tag."""
    sites = corpus.site_keys()
    mix = []
    for n, site in enumerate(sites[::4]):
        since = datetime(2016 + n % 9, 1 + n % 12, 1, tzinfo=UTC)
        mix += [ArticleFilter(site=site, since=since),
                ArticleFilter(site=site, since=since, until=since.replace(year=since.year + 1)),
                ArticleFilter(site=site)]
    mix += [ArticleFilter(since=datetime(2023, 6, 1, tzinfo=UTC)),
            ArticleFilter(section="政策解读", site=sites[-1]),
            ArticleFilter(tag="人才", since=datetime(2020, 1, 1, tzinfo=UTC)),
            ArticleFilter()]
    return mix


def timings(find: Callable[[Any, ArticleFilter], list[Any]], sessions: Any,
            mix: list[ArticleFilter], rounds: int) -> list[tuple[float, ArticleFilter, int]]:
    """Milliseconds of each call, rows and all; one round first to warm caches, not counted."""
    for flt in mix:
        find(sessions, flt)
    out = []
    for n in range(rounds):
        for flt in random.Random(n).sample(mix, len(mix)):
            start = time.perf_counter()
            found = len(find(sessions, flt))
            out.append(((time.perf_counter() - start) * 1000, flt, found))
    return out


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def describe(flt: ArticleFilter) -> str:
    parts = [f"{k}={v}" for k, v in vars(flt).items() if v and k != "limit"]
    return " ".join(parts)


@contextmanager
def stored_archive(kind: str, corpus: Corpus, pg: str | None, data: Path | None
                   ) -> Iterator[str | None]:
    """A database holding ``corpus``: reused from ``data`` when it is already there."""
    if kind == "sqlite":
        folder = data or Path(tempfile.mkdtemp(prefix="zonenews-bench-"))
        path = folder / f"archive-{corpus.articles}.db"
        url = f"sqlite:///{path}"
        try:
            if not _complete(url, corpus):
                for leftover in folder.glob(path.name + "*"):
                    leftover.unlink()
                _build(url, corpus)
            _upgrade(url)
            yield url
        finally:
            if data is None:
                for leftover in folder.glob(path.name + "*"):
                    leftover.unlink()
                folder.rmdir()
        return
    if pg is None:
        yield None
        return
    name = f"zonenews_bench_{corpus.articles}" if data is not None else None
    with pg_schema(pg, name, keep=data is not None) as schema:
        url = with_schema(pg, schema)
        if not _complete(url, corpus):
            engine = sa.create_engine(pg)
            with engine.begin() as conn:
                conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
                conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
            engine.dispose()
            # Index builds get the memory a bulk load deserves; queries run with the defaults.
            _build(with_schema(pg, schema, "%20-cmaintenance_work_mem%3D512MB"), corpus)
        _upgrade(url)
        yield url


def _complete(url: str, corpus: Corpus) -> bool:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            version = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
            count = conn.execute(sa.select(sa.func.count()).select_from(Article)).scalar()
        return version is not None and count == corpus.articles
    except sa.exc.DBAPIError:
        return False
    finally:
        engine.dispose()


def _upgrade(url: str) -> None:
    """An archive kept (``--data``) from an older zonenews is migrated as a user's would be, and
    the migration timed, rather than written again."""
    engine = make_engine(url)
    revision = current_revision(engine)
    engine.dispose()
    if revision == HEAD_REVISION:
        return
    start = time.perf_counter()
    print(f"  migrating the kept archive from {revision} to {HEAD_REVISION} …", file=sys.stderr,
          flush=True)
    open_database(url).kw["bind"].dispose()
    print(f"  … in {time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)


def _build(url: str, corpus: Corpus) -> None:
    start = time.perf_counter()
    print(f"  writing {corpus.articles:,} articles into {url.split(':')[0]} …", file=sys.stderr,
          flush=True)
    engine = make_engine(url)
    load(engine, corpus)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE articles")
    engine.dispose()
    print(f"  … in {time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)


def bench_queries(report: Report, sizes: Sizes, pg: str | None, data: Path | None,
                  verbose: bool, sqlite: bool = True) -> None:
    corpus = Corpus(sizes.stored)
    print(f"queries: {corpus.articles:,} stored articles", file=sys.stderr)
    cells: dict[str, dict[str, str]] = {"sqlite": {}, "postgresql": {}}
    for kind in ("sqlite", "postgresql")[0 if sqlite else 1:]:
        with stored_archive(kind, corpus, pg, data) as url:
            if url is None:
                continue
            sessions = open_database(url)
            for label, finder, mix in (("query", search_articles, query_mix(corpus)),
                                       ("listing", list_articles, listing_mix(corpus))):
                times = timings(finder, sessions, mix, sizes.rounds)
                ms = [t for t, _f, _n in times]
                worst = max(times, key=lambda t: t[0])
                report.figures[f"{label}/{kind}"] = {
                    "p50_ms": percentile(ms, 0.5), "p95_ms": percentile(ms, 0.95),
                    "max_ms": worst[0], "slowest": describe(worst[1]), "runs": len(ms)}
                cells[kind][label] = (f"{percentile(ms, 0.5):.1f} / "
                                      f"{percentile(ms, 0.95):.1f} ms")
                if verbose:
                    by_filter: dict[str, list[float]] = {}
                    for t, flt, n in times:
                        by_filter.setdefault(f"{describe(flt)} → {n}", []).append(t)
                    for name, values in sorted(by_filter.items(), key=lambda kv: -max(kv[1])):
                        print(f"    {kind} {label} {max(values):7.1f} ms  {name}", file=sys.stderr)
            sessions.kw["bind"].dispose()
    size = f"{corpus.articles:,}"
    report.add(f"--query p50 / p95, {size} articles", cells["sqlite"].get("query", ""),
               cells["postgresql"].get("query", ""), "p95 < 50 ms")
    report.add(f"filtered listing p50 / p95, {size}", cells["sqlite"].get("listing", ""),
               cells["postgresql"].get("listing", ""), "p95 < 50 ms")


# ---------------------------------------------------------------- web

EXPORT_ROWS = 100_000


def page_params(flt: ArticleFilter) -> dict[str, str]:
    """The articles page's parameters for a filter, as a person sets them in the form."""
    params = {"q": flt.query, "site": flt.site, "section": flt.section, "person": flt.author,
              "since": flt.since.date().isoformat() if flt.since else None,
              "until": flt.until.date().isoformat() if flt.until else None}
    return {k: v for k, v in params.items() if v}


def server_ms(client: Any, url: str, params: dict[str, str]) -> float:
    answer = client.get(url, params=params)
    if answer.status_code != 200:
        raise RuntimeError(f"{url} {params}: {answer.status_code} {answer.text[:200]}")
    return float(answer.headers["server-timing"].split("dur=")[1])


def web_timings(client: Any, mix: list[tuple[str, dict[str, str]]], rounds: int) -> list[float]:
    """Server milliseconds of each request (the Server-Timing header); a warm-up round first."""
    for url, params in mix:
        server_ms(client, url, params)
    return [server_ms(client, url, params) for n in range(rounds)
            for url, params in random.Random(n).sample(mix, len(mix))]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def export_memory(url: str, rows: int) -> tuple[float, float, float, int]:
    """A real ``zonenews serve`` streams ``rows`` rows of CSV to a reader that takes them as they
    come: its RSS before, at its peak, the seconds taken, and the rows received."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "cli", "serve", "--port", str(port), "--db", url],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/api/articles?limit=1", timeout=5).read()
                break
            except OSError:
                time.sleep(0.1)
        before = peak = rss_mb(proc.pid)
        start = time.perf_counter()
        received = 0
        with urllib.request.urlopen(f"{base}/api/articles?format=csv&limit={rows}",
                                    timeout=600) as answer:
            for received, _row in enumerate(csv.reader(io.TextIOWrapper(answer, "utf-8"))):
                if received % 1000 == 0:
                    peak = max(peak, rss_mb(proc.pid))
        return before, peak, time.perf_counter() - start, received
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def bench_web(report: Report, sizes: Sizes, pg: str | None, data: Path | None,
              sqlite: bool = True) -> None:
    """The articles page and the API through the application (server time), and a CSV export
    streamed by a real server at a steady memory."""
    from fastapi.testclient import TestClient

    from web.app import create_app

    corpus = Corpus(sizes.stored)
    print(f"web: {corpus.articles:,} stored articles", file=sys.stderr)
    searches = [("/", page_params(f)) for f in query_mix(corpus) if not f.tag]
    filtered = [("/", page_params(f)) for f in listing_mix(corpus) if not f.tag and vars(f) != vars(ArticleFilter())]
    api = [("/api/articles", {("query" if k == "q" else k): v for k, v in p.items()})
           for _u, p in searches[::3]]
    people = [("/", page_params(f)) for f in person_mix(corpus)]
    cells: dict[str, dict[str, str]] = {"sqlite": {}, "postgresql": {}}
    for kind in ("sqlite", "postgresql")[0 if sqlite else 1:]:
        with stored_archive(kind, corpus, pg, data) as url:
            if url is None:
                continue
            client = TestClient(create_app(url))
            for label, mix in (("page-query", searches), ("page-filters", filtered),
                               ("page-person", people), ("api", api)):
                ms = web_timings(client, mix, sizes.rounds)
                report.figures[f"web/{label}/{kind}"] = {
                    "p50_ms": percentile(ms, 0.5), "p95_ms": percentile(ms, 0.95), "runs": len(ms)}
                cells[kind][label] = f"{percentile(ms, 0.5):.1f} / {percentile(ms, 0.95):.1f} ms"
            rows = min(EXPORT_ROWS, corpus.articles)
            small = export_memory(url, rows // 10)
            big = export_memory(url, rows)
            report.figures[f"web/export/{kind}"] = {
                "rows": big[3], "seconds": big[2], "rss_before_mb": big[0], "rss_peak_mb": big[1],
                "rows_small": small[3], "rss_peak_small_mb": small[1]}
            cells[kind]["export"] = (f"{big[3]:,} rows in {big[2]:.0f} s, RSS {big[0]:.0f} → "
                                     f"{big[1]:.0f} MB ({small[3]:,} rows: {small[1]:.0f} MB)")
    size = f"{corpus.articles:,}"
    report.add(f"articles page, query p50 / p95, {size}", cells["sqlite"].get("page-query", ""),
               cells["postgresql"].get("page-query", ""), "p95 < 100 ms")
    report.add(f"articles page, filters p50 / p95, {size}", cells["sqlite"].get("page-filters", ""),
               cells["postgresql"].get("page-filters", ""), "p95 < 100 ms")
    report.add(f"articles page, person filter p50 / p95, {size}",
               cells["sqlite"].get("page-person", ""), cells["postgresql"].get("page-person", ""),
               "p95 < 100 ms")
    report.add(f"/api/articles?query= p50 / p95, {size}", cells["sqlite"].get("api", ""),
               cells["postgresql"].get("api", ""), "p95 < 100 ms")
    report.add("CSV export streamed by zonenews serve", cells["sqlite"].get("export", ""),
               cells["postgresql"].get("export", ""), "steady RSS")


# ---------------------------------------------------------------- extraction

FAMILIES = (("gd-", "§1 Guangdong cluster"), ("trs-", "§2 TRS / Hanweb"),
            ("hanweb", "§2 TRS / Hanweb"), ("ucap", "§2 TRS / Hanweb"), ("hizh", "§3 Zhuhai Media Group"),
            ("republisher", "§4 English republishers"))
Page = tuple[bytes, str, str | None]     # body, URL, Content-Type


def family_pages() -> dict[str, list[Page]]:
    """Article pages by page family: the fixture sites under tests/sites, and the bench site."""
    pages: dict[str, list[Page]] = {}
    for folder in sorted((ROOT / "tests" / "sites").iterdir()):
        expected = folder / "expected.json"
        family = next((f for prefix, f in FAMILIES if folder.name.startswith(prefix)), None)
        if family is None or not expected.exists():
            continue
        headers = {}
        if (folder / "_headers.json").exists():
            headers = json.loads((folder / "_headers.json").read_text("utf-8"))
        for path in json.loads(expected.read_text("utf-8")):
            file = folder / path.lstrip("/")
            if file.is_dir():
                file = file / "index.html"
            if file.is_file():
                body = file.read_bytes().replace(b"{base}", b"http://127.0.0.1:8000")
                pages.setdefault(family, []).append(
                    (body, "http://127.0.0.1:8000" + path, headers.get(path)))
    site = build_site("http://127.0.0.1:8000", 60)
    pages["§1 generated bench site (3 skins)"] = [
        (response.split(b"\r\n\r\n", 1)[1], "http://127.0.0.1:8000" + path, None)
        for path, response in site.items() if re.search(ARTICLE_PATTERN, path)
        and "/mpost_" not in path]
    return pages


def bench_extraction(report: Report, rounds: int) -> None:
    """Milliseconds per article page: reading the page, then making the record of it."""
    from pipelines.normalize import Unusable, normalize
    from scrapers.extract import extract_article

    print("extraction: article pages by family", file=sys.stderr)
    for family, pages in family_pages().items():
        extract_ms: list[float] = []
        normalize_ms: list[float] = []
        for _ in range(rounds):
            raws = []
            start = time.perf_counter()
            for body, url, ctype in pages:
                raws.append(extract_article(body, url, content_type=ctype))
            middle = time.perf_counter()
            for raw in raws:
                raw.site, raw.timezone = "bench", "Asia/Shanghai"
                try:
                    normalize(raw)
                except Unusable:
                    pass  # an unusable page costs its work all the same
            extract_ms.append((middle - start) * 1000 / len(pages))
            normalize_ms.append((time.perf_counter() - middle) * 1000 / len(pages))
        ex, no = statistics.median(extract_ms), statistics.median(normalize_ms)
        report.figures[f"extraction/{family}"] = {"pages": len(pages), "extract_ms": ex,
                                                  "normalize_ms": no}
        report.extraction.append((family, str(len(pages)), f"{ex:.2f}", f"{no:.2f}",
                                  f"{ex + no:.2f}"))
        print(f"  {family}: {ex:.2f} + {no:.2f} ms/page", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- main

def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python bench/run.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes (CI): under two minutes")
    parser.add_argument("--pg", metavar="URL", help=f"PostgreSQL to use (default: "
                        f"$ZONENEWS_TEST_PG or {DEFAULT_PG})")
    parser.add_argument("--no-pg", action="store_true", help="SQLite only")
    parser.add_argument("--no-sqlite", action="store_true",
                        help="PostgreSQL only, for the query and web archives")
    parser.add_argument("--only", metavar="PARTS", default="ingest,memory,query,web,extract",
                        help="comma-separated: ingest,memory,query,web,extract")
    parser.add_argument("--stored", metavar="N", type=int,
                        help="articles in the query and web archives (default 1,000,000; "
                             "--quick 20,000)")
    parser.add_argument("--data", metavar="DIR", type=Path,
                        help="keep the generated query archives here and reuse them next time")
    parser.add_argument("--json", metavar="FILE", type=Path, help="also write the figures as JSON")
    parser.add_argument("-v", "--verbose", action="store_true", help="time of every query")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    if args.stored:
        sizes = Sizes(sizes.ingest, sizes.memory, args.stored, sizes.rounds)
    parts = set(args.only.split(","))
    pg = None if args.no_pg else pg_base(args.pg)
    report = Report()
    started = time.perf_counter()
    if args.data:
        args.data.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="zonenews-bench-") as tmp:
        work = Path(tmp)
        if "ingest" in parts:
            bench_ingest(report, sizes, pg, work)
        if "memory" in parts:
            bench_memory(report, sizes, pg if not args.quick else None, work)
        if "query" in parts:
            bench_queries(report, sizes, pg, args.data, args.verbose, not args.no_sqlite)
        if "web" in parts:
            bench_web(report, sizes, pg, args.data, not args.no_sqlite)
        if "extract" in parts:
            bench_extraction(report, 3 if args.quick else 10)
    report.figures["seconds"] = time.perf_counter() - started
    if args.quick:
        print("(quick sizes: the goals are for the full run)")
    print(report.tables())
    print(f"({'quick' if args.quick else 'full'} run, {report.figures['seconds']:.0f} s, "
          f"{os.cpu_count()} CPUs. Crawls: child processes timed from start to exit. Queries: "
          f"in-process, rows and snippets included, {sizes.rounds} rounds after a warm-up.)")
    if args.json:
        args.json.write_text(json.dumps(report.figures, indent=2, default=str), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
