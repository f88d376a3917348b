"""Precision and recall of the fact readers on the hand-labelled set, and what they miss.

    python bench/facts.py                  # figures of both labelled sets and the misses
    python bench/facts.py --json out.json  # the figures as JSON too

The set (tests/facts/labelled.jsonl) holds Chinese and English sentences and short
articles, each with the money amounts and organisations a reader finds in it. An amount
is right when its value, high bound and currency are; whether it is marked approximate is
reported apart. An organisation is right when its normalised name is.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pipelines.amounts import find_amounts  # noqa: E402
from pipelines.organisations import find_organisations, normalise_name  # noqa: E402

LABELLED = ROOT / "tests" / "facts" / "labelled.jsonl"
# Labelled after the rules were written; its first score is in the README.
HELDOUT = ROOT / "tests" / "facts" / "heldout.jsonl"
SETS = (LABELLED, HELDOUT)
GOALS = {"amounts": (0.95, 0.90), "organisations": (0.90, 0.80)}


@dataclass
class Score:
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        wanted = self.true_positives + self.false_negatives
        return self.true_positives / wanted if wanted else 1.0

    def add(self, text: str, wanted: Counter[object], got: Counter[object]) -> None:
        hit = wanted & got
        self.true_positives += sum(hit.values())
        extra, missed = got - hit, wanted - hit
        self.false_positives += sum(extra.values())
        self.false_negatives += sum(missed.values())
        if extra or missed:
            self.misses.append(f"{text}\n    missed {sorted(map(str, missed))}"
                               f"  extra {sorted(map(str, extra))}")


def _key(amount: str, high: str | None, currency: str) -> tuple[str, str | None, str]:
    return (str(Decimal(amount).normalize()), None if high is None else str(Decimal(high).normalize()),
            currency)


def score(path: Path = LABELLED) -> dict[str, Score | tuple[int, int] | int]:
    """Scores of amounts and organisations over the labelled set, and approximate-flag agreement."""
    amounts, organisations = Score(), Score()
    approx_right = approx_total = items = 0
    for line in path.read_text("utf-8").splitlines():
        if not line.strip():
            continue
        item = json.loads(line)
        items += 1
        text = item["text"]
        found = find_amounts(text)
        wanted_amounts = {_key(a, h, c): approx for a, h, c, approx in item["amounts"]}
        got_amounts = {_key(str(a.amount), None if a.amount_high is None else str(a.amount_high),
                            a.currency): a.approximate for a in found}
        amounts.add(text, Counter(_key(a, h, c) for a, h, c, _ in item["amounts"]),
                    Counter(list(got_amounts)))
        for key, approx in wanted_amounts.items():
            if key in got_amounts:
                approx_total += 1
                approx_right += got_amounts[key] == approx
        organisations.add(text, Counter(normalise_name(o) for o in item["orgs"]),
                          Counter(o.name for o in find_organisations(text)))
    return {"amounts": amounts, "organisations": organisations,
            "approximate": (approx_right, approx_total), "items": items}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", metavar="FILE", help="also write the figures to this file")
    parser.add_argument("--quiet", action="store_true", help="figures only, not the misses")
    args = parser.parse_args(argv)
    figures: dict[str, object] = {}
    for path in SETS:
        result = score(path)
        print(f"{path.name}: {result['items']} labelled items")
        got: dict[str, object] = {"items": result["items"]}
        for kind in ("amounts", "organisations"):
            s = result[kind]
            assert isinstance(s, Score)
            goal_p, goal_r = GOALS[kind]
            print(f"  {kind:14s} precision {s.precision:.3f} (goal {goal_p})  recall {s.recall:.3f} "
                  f"(goal {goal_r})  tp {s.true_positives} fp {s.false_positives} "
                  f"fn {s.false_negatives}")
            got[kind] = {"precision": s.precision, "recall": s.recall}
        right, total = result["approximate"]  # type: ignore[misc]
        print(f"  approximate flag agrees on {right} of {total} amounts found")
        got["approximate"] = {"right": right, "total": total}
        figures[path.name] = got
        if not args.quiet:
            for kind in ("amounts", "organisations"):
                s = result[kind]
                assert isinstance(s, Score)
                for miss in s.misses:
                    print(f"  {kind} differ: {miss}")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
