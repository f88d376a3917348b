"""A RawArticle as the page prints it, for tests that read its fields like a reader would.

Dates read as printed, most trusted first; each credit as the line it came from
(``编辑：李四``, ``By Jane Doe``, a whole credit line, a meta's name).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from pipelines.raw_article import CreditCandidate, RawArticle
from pipelines.vocabulary import BY_ROLE


def printed_credit(credit: CreditCandidate) -> str:
    if credit.role is None:
        return credit.text
    return f"{credit.role} {credit.text}" if credit.role == BY_ROLE else f"{credit.role}：{credit.text}"


def printed(item: RawArticle) -> dict[str, Any]:
    fields = {name: value for name, value in asdict(item).items()
              if name not in ("published", "credits", "pages")}
    fields["published"] = [date.text for date in sorted(item.published, key=lambda d: d.trust)]
    fields["byline"] = [printed_credit(credit) for credit in item.credits]
    return fields
