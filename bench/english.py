"""Body F1 on the English corpus (tests/english): zonenews beside trafilatura, page by page.

    python bench/english.py            # the table: F1, precision, recall, ms/page
    python bench/english.py -v         # and every page's F1 for both

F1 is the article-extraction-benchmark's: 4-token shingles of ``\\w+`` tokens,
precision and recall averaged over pages, then combined. Each page's expected
body was written by reading the page (tests/english/NN.json).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipelines.normalize import Unusable, normalize  # noqa: E402
from scrapers.extract import extract_article  # noqa: E402

CORPUS = ROOT / "tests" / "english"
URL = "http://127.0.0.1:8000/news/{}.html"
_TOKEN = re.compile(r"\w+")


@dataclass(frozen=True)
class Score:
    """Shares of true positive, false positive and false negative shingles on one page."""

    tp: float
    fp: float
    fn: float

    @property
    def precision(self) -> float:
        if self.fp == self.fn == 0:
            return 1.0
        return 0.0 if self.tp == 0 else self.tp / (self.tp + self.fp)

    @property
    def recall(self) -> float:
        if self.fp == self.fn == 0:
            return 1.0
        return 0.0 if self.tp == 0 else self.tp / (self.tp + self.fn)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 0.0 if p + r == 0 else 2 * p * r / (p + r)


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN.findall(text)
    return Counter(tuple(tokens[i:i + n]) for i in range(max(1, len(tokens) - n + 1))
                   if tokens[i:i + n])


def score(expected: str, got: str) -> Score:
    """Shingle overlap, normalised so that a long page weighs no more than a short one."""
    true, pred = shingles(expected), shingles(got)
    tp = sum((true & pred).values())
    fp = sum((pred - true).values())
    fn = sum((true - pred).values())
    total = tp + fp + fn
    return Score(tp / total, fp / total, fn / total) if total else Score(0, 0, 0)


def overall(scores: list[Score]) -> tuple[float, float, float]:
    """F1 of the mean precision and mean recall, as the benchmark computes it."""
    p = statistics.mean(s.precision for s in scores if s.tp + s.fp > 0) if any(
        s.tp + s.fp > 0 for s in scores) else 0.0
    r = statistics.mean(s.recall for s in scores if s.tp + s.fn > 0)
    return (0.0 if p + r == 0 else 2 * p * r / (p + r)), p, r


def zonenews_body(page: bytes, url: str) -> str:
    raw = extract_article(page, url)
    raw.site, raw.timezone = "bench", "UTC"
    try:
        return normalize(raw).body_text
    except Unusable:
        return ""


def trafilatura_body(page: bytes, url: str) -> str:
    import trafilatura

    return trafilatura.extract(page.decode("utf-8"), url=url, include_comments=False) or ""


EXTRACTORS: dict[str, Callable[[bytes, str], str]] = {
    "zonenews": zonenews_body, "trafilatura 2.3": trafilatura_body}


def corpus() -> list[tuple[str, bytes, str]]:
    """(name, page, expected body) for every page of the English corpus, in name order."""
    return [(path.stem, path.read_bytes(),
             json.loads(path.with_suffix(".json").read_text("utf-8"))["body"])
            for path in sorted(CORPUS.glob("*.html"))]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python bench/english.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-v", "--verbose", action="store_true", help="every page's F1")
    args = parser.parse_args()
    pages = corpus()
    per_page: dict[str, list[Score]] = {}
    rows = []
    for name, extract in EXTRACTORS.items():
        extract(pages[0][1], URL.format(pages[0][0]))  # imports and caches are not page time
        start = time.perf_counter()
        scores = [score(expected, extract(page, URL.format(stem))) for stem, page, expected in pages]
        ms = (time.perf_counter() - start) * 1000 / len(pages)
        per_page[name] = scores
        f1, p, r = overall(scores)
        perfect = sum(s.f1 >= 0.99 for s in scores)
        rows.append((name, f"{f1:.3f}", f"{p:.3f}", f"{r:.3f}",
                     f"{statistics.median(s.f1 for s in scores):.3f}",
                     f"{min(s.f1 for s in scores):.3f}", f"{perfect}/{len(scores)}", f"{ms:.1f}"))
    headers = ("extractor", "F1", "precision", "recall", "median page", "worst page",
               "pages ≥ 0.99", "ms/page")
    widths = [max(len(str(row[i])) for row in [headers, *rows]) for i in range(len(headers))]
    print(f"English corpus: {len(pages)} pages (tests/english)")
    for row in [headers, tuple("-" * w for w in widths), *rows]:
        print("  ".join(str(cell).ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    if args.verbose:
        print()
        for index, (stem, _, _) in enumerate(pages):
            cells = "  ".join(f"{name} {per_page[name][index].f1:.3f}" for name in EXTRACTORS)
            print(f"{stem}  {cells}")


if __name__ == "__main__":
    main()
