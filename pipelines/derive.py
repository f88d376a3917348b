"""Facts and stories derived off the crawl's path, in a process of their own.

A crawl only stores articles; deriving their facts and stories costs 13-17 ms an article,
which in the crawl's process would halve its speed. When a crawl has stored something new,
``start_derivation`` starts ``python -m pipelines.derive`` detached from it (the crawl, the
command line or the scheduler's child do not wait). The derivation finds by itself what to do
(``pipelines.facts.derive_pending``: articles without facts, or whose text changed since),
so an article is never lost to a derivation killed or crashed mid-way: the next one, after
the next crawl or ``zonenews facts --derive``, picks it up.
"""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from pipelines.db import DB_ENV, database_url, open_database

logger = logging.getLogger(__name__)

# Where ``pipelines`` is imported from: the child imports the same code as its parent.
PACKAGE_ROOT = Path(__file__).resolve().parent.parent


def start_derivation(url: str) -> subprocess.Popen[bytes]:
    """Start deriving what is pending in ``url``, detached: a session of its own, so a Ctrl-C
    meant for a crawl does not stop it, and no inherited output pipe, so whoever reads the
    crawl's output to its end is not kept waiting for the derivation."""
    # The URL goes by the environment, not the command line, where `ps` would show a password.
    return subprocess.Popen(
        [sys.executable, "-m", "pipelines.derive"], cwd=PACKAGE_ROOT,
        env={**os.environ, DB_ENV: url}, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, start_new_session=True)


def derive_after_crawl(url: str) -> None:
    """Facts and stories for what a crawl stored, in a process of its own, not waited for:
    the crawl's figures are final without them, and a failed start loses no article."""
    try:
        child = start_derivation(url)
    except OSError as exc:   # the articles are stored: the next derivation does them
        logger.warning("facts and stories could not be derived after the crawl: %s", exc)
        return
    logger.info("facts and stories are being derived (pid %d)", child.pid)


def main(argv: Sequence[str] | None = None) -> int:
    """Derive what is pending; exit 0 when every article was derived."""
    # Here rather than at the top: the crawls that start a derivation need not load the
    # extractors (about half a second) only to start this process.
    from pipelines.facts import CHUNK, derive_pending

    parser = argparse.ArgumentParser(prog="python -m pipelines.derive")
    parser.add_argument("--db")
    parser.add_argument("--chunk", type=int, default=CHUNK,
                        help=f"articles derived in one transaction (default {CHUNK})")
    parser.add_argument("--log-level", default="INFO")
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level, format="%(asctime)s %(levelname)s %(message)s")
    tally = derive_pending(open_database(database_url(args.db)), chunk=max(1, args.chunk))
    logger.info("facts and stories derived for %d articles; %d failed%s", tally.derived,
                len(tally.failed), f"; stopped: {tally.stopped}" if tally.stopped else "")
    return 0 if tally.stopped is None and not tally.failed else 1


if __name__ == "__main__":
    sys.exit(main())
