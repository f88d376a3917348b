"""ArticleRecord: one article as zonenews stores and prints it (CONTRACT.md's article record)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class PageCopy:
    """One fetched page as the server sent it: enough to read it again without fetching it."""

    url: str
    body: bytes
    content_type: str | None = None


@dataclass(frozen=True)
class RawCopy:
    """The pages an article was read from, in order, and what its list page said about it."""

    pages: tuple[PageCopy, ...]
    context: dict[str, Any] = field(default_factory=dict)


@dataclass
class ArticleRecord:
    url: str
    site: str
    title: str
    body_text: str
    body_html: str
    timezone: str
    published_at: datetime | None = None
    section: str | None = None
    language: str | None = None
    source: str | None = None
    authors: list[str] = field(default_factory=list)
    photographers: list[str] = field(default_factory=list)
    editors: list[str] = field(default_factory=list)
    responsible_editors: list[str] = field(default_factory=list)
    summary: str | None = None
    images: list[dict[str, Any]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    content_hash: str = ""
    # Not part of the record users see: the pages it came from, kept for re-extraction.
    raw: RawCopy | None = field(default=None, repr=False, compare=False)
