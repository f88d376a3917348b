"""A readable diff of two versions of an article's text: paragraphs added, removed, changed.

Whole paragraphs are the unit a reader compares; inside a changed paragraph the
characters that differ are marked, since a Chinese correction is often one number or name.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from markupsafe import Markup, escape


@dataclass(frozen=True)
class DiffLine:
    kind: str           # "same", "added", "removed" or "changed"
    html: Markup        # the paragraph, with <ins>/<del> around what changed inside it


def _marked(old: str, new: str) -> Markup:
    parts: list[str] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            parts.append(str(escape(old[a0:a1])))
            continue
        if a1 > a0:
            parts.append(f"<del>{escape(old[a0:a1])}</del>")
        if b1 > b0:
            parts.append(f"<ins>{escape(new[b0:b1])}</ins>")
    return Markup("".join(parts))


def text_diff(old: str, new: str, context: int = 1) -> list[DiffLine]:
    """The paragraphs that differ between ``old`` and ``new``, with ``context`` unchanged ones
    around each change (an unchanged run longer than that shows as one "…" line)."""
    a, b = old.split("\n"), new.split("\n")
    lines: list[DiffLine] = []
    for group in difflib.SequenceMatcher(None, a, b, autojunk=False).get_grouped_opcodes(context):
        if lines:
            lines.append(DiffLine("same", Markup("…")))
        for op, a0, a1, b0, b1 in group:
            if op == "equal":
                lines += [DiffLine("same", escape(p)) for p in a[a0:a1]]
            elif op == "delete":
                lines += [DiffLine("removed", escape(p)) for p in a[a0:a1]]
            elif op == "insert":
                lines += [DiffLine("added", escape(p)) for p in b[b0:b1]]
            else:
                paired = min(a1 - a0, b1 - b0)
                lines += [DiffLine("changed", _marked(a[a0 + i], b[b0 + i])) for i in range(paired)]
                lines += [DiffLine("removed", escape(p)) for p in a[a0 + paired:a1]]
                lines += [DiffLine("added", escape(p)) for p in b[b0 + paired:b1]]
    return lines
