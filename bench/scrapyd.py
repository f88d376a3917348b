"""Crawls dispatched to Scrapyd: 8 sites x 500 articles on one node, then on two; and the cost
of one dispatch.

    python bench/scrapyd.py [--sites 8] [--articles 500] [--pg URL]

Each site is a generated column served by its own ``bench.server`` process on
127.0.0.1. The nodes are real ``scrapyd`` daemons set up as the README's worker
(tests/scrapydnodes.py), each allowed a number of crawls at a time (``--layouts``), sharing one
PostgreSQL. A configuration is timed from the first dispatch to the last
finished run, as ``zonenews crawl --scrapyd`` sees it. The per-dispatch
overhead compares a one-article site crawled through a node with the same
crawl in a local child process (the default launcher).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import site_server  # noqa: E402
from bench.server import ARTICLE_PATTERN, START_PATH  # noqa: E402
from scrapers.launchers.local import ChildCrawls  # noqa: E402
from scrapers.launchers.scrapyd_nodes import ScrapydCrawls, dispatch_sites  # noqa: E402
from scrapers.sites import Site, load_catalog  # noqa: E402
from tests.conftest import PG_ENV, pg_schema  # noqa: E402
from tests.scrapydnodes import Node, nodes  # noqa: E402

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def write_sites(folder: Path, bases: list[str], prefix: str) -> list[Site]:
    folder.mkdir(parents=True, exist_ok=True)
    for i, base in enumerate(bases):
        (folder / f"{prefix}{i}.toml").write_text(
            f'key = "{prefix}{i}"\nname = "Bench zone {i}"\nstart_urls = ["{base}{START_PATH}"]\n'
            f"article_url_pattern = '{ARTICLE_PATTERN}'\nobey_robots = false\ndelay = 0\n"
            "concurrency = 4\n", "utf-8")
    catalog = load_catalog([folder])
    return [catalog.get(f"{prefix}{i}") for i in range(len(bases))]


def dispatch_all(db: str, cluster: list[Node], sites: list[Site]) -> tuple[float, int, set[str]]:
    """Seconds from the first dispatch to the last run's end, articles stored, nodes used."""
    start = time.perf_counter()
    results = dispatch_sites(sites, db, [n.address for n in cluster])
    seconds = time.perf_counter() - start
    failed = [r for r in results if not r.ok]
    if failed:
        raise RuntimeError(f"crawls failed: {failed}")
    return seconds, sum(r.figures.articles_new for r in results), {str(r.node) for r in results}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python bench/scrapyd.py")
    parser.add_argument("--sites", type=int, default=8)
    parser.add_argument("--articles", type=int, default=500)
    parser.add_argument("--layouts", default="1x8,2x4",
                        help="NODESxSLOTS, comma separated (default: one node vs two, with the "
                             "same crawls at a time in all)")
    parser.add_argument("--rounds", type=int, default=3, help="one-article crawls for overhead")
    parser.add_argument("--pg", default=os.environ.get(PG_ENV, DEFAULT_PG))
    args = parser.parse_args(argv)
    os.environ[PG_ENV] = args.pg
    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        work = Path(tmp)
        bases = [stack.enter_context(site_server(args.articles)) for _ in range(args.sites)]
        for n, layout in enumerate(args.layouts.split(",")):
            count, slots = (int(part) for part in layout.split("x"))
            print(f"{args.sites} sites x {args.articles} articles on {count} node(s) of "
                  f"{slots} slots", file=sys.stderr)
            folder = work / f"sites{n}"
            sites = write_sites(folder, bases, f"l{n}-")
            with pg_schema() as db, nodes(work / f"nodes{n}", db, folder, count=count,
                                          max_proc=slots, poll=1.0) as cluster:
                seconds, stored, used = dispatch_all(db, cluster, sites)
            load = os.getloadavg()[0]
            rows.append((f"{count} node(s), {slots} slots each",
                         f"{seconds:.1f} s, {stored / seconds:.0f} articles/s "
                         f"({stored:,} stored, {len(used)} node(s) used, load {load:.1f})"))
        print("per-dispatch overhead", file=sys.stderr)
        with pg_schema() as db:
            tiny = work / "tiny-sites"
            tiny.mkdir()
            with nodes(work / "overhead", db, tiny, count=1, poll=1.0) as (node,):
                via_node, local, schedule = overhead(db, tiny, node, args.rounds)
        rows.append(("one-article crawl through a node (dispatch to recorded end)",
                     f"{via_node:.2f} s"))
        rows.append(("the same crawl in a local child process", f"{local:.2f} s"))
        rows.append(("per-dispatch overhead (difference)", f"{via_node - local:+.2f} s"))
        rows.append(("schedule.json alone", f"{schedule * 1000:.0f} ms"))
    width = max(len(name) for name, _ in rows)
    print(f"{'what':<{width}}  figure")
    for name, figure in rows:
        print(f"{name:<{width}}  {figure}")
    print(f"({os.cpu_count()} CPU cores; node poll_interval 1 s, dispatcher poll 0.1-2 s)")
    return 0


def overhead(db: str, folder: Path, node: Node, rounds: int) -> tuple[float, float, float]:
    """Median seconds of a one-article crawl through ``node`` and of the same crawl in a local
    child process, each from its start to its recorded end; and of schedule.json alone (the
    node's spider list already cached). Each crawl gets a site of its own, on its own server."""
    scrapyd_times, local_times, schedule_times = [], [], []
    for i in range(rounds):
        with site_server(1) as remote_base, site_server(1) as local_base:
            remote, here = write_sites(folder, [remote_base, local_base], f"tiny{i}-")
            crawls = ScrapydCrawls(db, [node.address], trigger="manual", poll=0.1)
            start = time.perf_counter()
            result = crawls.run(remote)
            scrapyd_times.append(time.perf_counter() - start)
            start = time.perf_counter()
            outcome = ChildCrawls(db, [folder]).run(here)
            local_times.append(time.perf_counter() - start)
        if not (result.ok and outcome.ok):
            raise RuntimeError(f"one-article crawls: {result}, {outcome}")
        start = time.perf_counter()
        crawls.nodes[0].schedule("zonenews", "zone", f"probe-{i}", {"site": "no-such-site"})
        schedule_times.append(time.perf_counter() - start)
        crawls.nodes[0].cancel("zonenews", f"probe-{i}")
    return (statistics.median(scrapyd_times), statistics.median(local_times),
            statistics.median(schedule_times))


if __name__ == "__main__":
    sys.exit(main())
