"""RawArticle → ArticleRecord: clean the text, parse dates and credits, judge what is usable."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import fields, replace
from datetime import datetime
from typing import Any, Self, cast
from zoneinfo import ZoneInfo

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector

from pipelines.body import Body, clean_body
from pipelines.controls import decoded_controls, without_controls
from pipelines.credits import (
    Credits,
    bare_names,
    caption_credits,
    is_credit_line,
    labelled_credits,
    parse_credits,
    split_credit_paragraphs,
)
from pipelines.dates import pick_published
from pipelines.dedupe import content_hash
from pipelines.language import detect_language
from pipelines.raw_article import CreditCandidate, DateCandidate, RawArticle
from pipelines.record import ArticleRecord, RawCopy
from pipelines.vocabulary import (
    EN_LINE_ROLES,
    PLACEHOLDER_NAMES,
    SITE_MAKER_WORDS,
    SOURCE_LABELS,
    THIS_SITE,
    ZH_SOURCE_ROLES,
)

_SPACE = re.compile(r"\s+")
_HAS_HAN = re.compile(r"[\u4e00-\u9fff]")
_SOURCE_LABEL = re.compile(
    r"^\s*(?:" + "|".join(sorted({*SOURCE_LABELS, *ZH_SOURCE_ROLES}, key=len, reverse=True))
    + r")\s*[:：]?\s*", re.IGNORECASE)
SUMMARY_CHARS = 160
CAPTION_CHARS = 120
_SHOT_BY = re.compile(r"摄\s*[)）]?\s*$")
_BYLINE = re.compile(r"^(?:" + "|".join(EN_LINE_ROLES) + r")?\s*[:：/]?\s*(?P<name>[^\s:：/].{0,38}?)$",
                     re.IGNORECASE)
_NOT_A_NAME = re.compile(r"[0-9。，,；;！!？?@#()（）【】<>|:：]|https?:|\s{2,}")
# A byline (outside the body, without Han characters) that is a label or a placeholder, not a name.
_NOBODY = PLACEHOLDER_NAMES | set(EN_LINE_ROLES)
# Who made the site, not the article: "Powered by WordPress", "Theme by …".
_SITE_CREDIT = re.compile(r"\b(?:" + "|".join(SITE_MAKER_WORDS) + r")\b", re.IGNORECASE)


class Unusable(ValueError):
    """A page that is not an article we can store; the message is the drop reason's key."""


def _raw_without_controls(raw: RawArticle) -> RawArticle:
    """The page's fields with ``without_controls`` applied before anything reads them.

    HTML cleaning drops a lone ESC but not the ``[31m`` after it, so escapes go first, and
    those written as character references with them.
    """
    def clean(value: Any) -> Any:
        if isinstance(value, str):
            return without_controls(decoded_controls(value))
        if isinstance(value, DateCandidate | CreditCandidate):
            return replace(value, text=clean(value.text))
        if isinstance(value, list | tuple):
            return type(value)(clean(v) for v in value)
        return value

    return replace(raw, **{f.name: clean(getattr(raw, f.name)) for f in fields(raw)})


def _record_without_controls(record: ArticleRecord) -> ArticleRecord:
    """Every stored text field of ``record`` cleaned by ``without_controls``, hashed afterwards.

    Done again on the finished record, so that text decoded from entities (``&#27;``) is
    caught as well as text that arrived raw.
    """
    def clean(value: str | None) -> str | None:
        return None if value is None else (without_controls(value).strip() or None)

    def names(values: list[str]) -> list[str]:
        return list(dict.fromkeys(v for v in (clean(x) for x in values) if v))

    title = clean(record.title) or ""
    body_text = without_controls(record.body_text)
    return replace(
        record, title=title, body_text=body_text, body_html=without_controls(record.body_html),
        section=clean(record.section), source=clean(record.source), summary=clean(record.summary),
        authors=names(record.authors), photographers=names(record.photographers),
        editors=names(record.editors), responsible_editors=names(record.responsible_editors),
        tags=names(record.tags),
        images=[{**im, "caption": clean(im.get("caption"))} for im in record.images],
        content_hash=content_hash(title, body_text))


def _clean(text: Any) -> str:
    return _SPACE.sub(" ", str(text or "")).strip()


def _names(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(v for v in (_clean(x) for x in values) if v))


def normalize(item: RawArticle, *, now: datetime | None = None) -> ArticleRecord:
    """The article record for a raw page, or Unusable with the reason (``no_title``, ``no_body``)."""
    raw = _raw_without_controls(item)
    url = raw.url
    tz_name = raw.timezone or "Asia/Shanghai"
    title = _clean(raw.title) or _clean(raw.list_title)
    if not title:
        raise Unusable("no_title")

    body = raw.body if raw.body is not None else clean_body(raw.body_html, url, title)
    # A caption goes with its picture (``images``), not into the article's text.
    captions = {image.caption for image in body.images if image.caption}
    texts = [(index, block.text) for index, block in enumerate(body.blocks)
             if block.text and block.text not in captions]
    kept_texts, credits = split_credit_paragraphs([text for _, text in texts])
    kept = [(tuple(texts[at][0] for at in sources), text) for sources, text in kept_texts]
    paragraphs = [text for _, text in kept]
    credits = _with_bylines(credits, raw.credits)
    for image in body.images:
        credits = credits.merge(caption_credits(image.caption or ""))
    for paragraph in paragraphs:
        # A caption the page did not tie to its picture (<p><img><br>横琴口岸一景。冯晓阳 摄</p>)
        # still credits the photographer; its text is the body's business.
        if len(paragraph) <= CAPTION_CHARS and _SHOT_BY.search(paragraph):
            credits = credits.merge(caption_credits(paragraph))
    if not paragraphs:
        raise Unusable("no_body")
    body_text = "\n".join(paragraphs)

    source = _clean(_SOURCE_LABEL.sub("", _clean(raw.source))) or credits.source
    if source in THIS_SITE and raw.site_name:
        source = raw.site_name
    published = pick_published(
        [candidate.text for candidate in sorted(raw.published, key=lambda c: c.trust)],
        ZoneInfo(tz_name), url=url, list_date=raw.list_date, now=now, url_rules=raw.url_rules,
    )
    language = raw.language or detect_language(f"{title}\n{body_text}", raw.page_language)
    summary = _clean(raw.summary) or _summarize(paragraphs)
    record = _record_without_controls(ArticleRecord(
        url=url,
        site=cast(str, raw.site),  # None only for a page read outside any site (extract)
        title=title,
        body_text=body_text,
        body_html=_kept_html(body, kept, captions),
        timezone=tz_name,
        published_at=published,
        section=_clean(raw.section) or _clean(raw.list_section) or None,
        language=language,
        source=source or None,
        authors=_names(credits.authors),
        photographers=_names(credits.photographers),
        editors=_names(credits.editors),
        responsible_editors=_names(credits.responsible_editors),
        summary=summary or None,
        images=[{"url": im.url, "caption": im.caption} for im in body.images],
        tags=_names(raw.tags),
    ))
    if not record.title:
        raise Unusable("no_title")
    if not record.body_text.strip():
        raise Unusable("no_body")
    return record


def _with_bylines(credits: Credits, bylines: list[CreditCandidate]) -> Credits:
    """Credits from bylines; a bare name that another credit already gives a role adds nothing.

    CMS templates often fill meta ``author`` with whoever entered the page: the
    responsible editor is not the author because the template says so.
    """
    bare: list[Credits] = []
    # Whoever the article credits as its editor is not its author because a byline says so.
    editing = {*credits.editors, *credits.responsible_editors}
    for candidate in bylines:
        found, labelled = _candidate_credits(candidate)
        found = replace(found, authors=tuple(a for a in found.authors if a not in editing))
        if labelled:
            credits = credits.merge(found)
        elif found:
            bare.append(found)
    named = {*credits.authors, *credits.photographers, *credits.editors,
             *credits.responsible_editors}
    for found in bare:
        if not named.intersection(found.authors):
            credits = credits.merge(found)
    return credits


def _candidate_credits(candidate: CreditCandidate) -> tuple[Credits, bool]:
    """The credits of one byline, and whether a credit label said them (else a bare name).

    A value whose label the credit parser refuses is nobody's, unless the label only says
    "by" or "author": then a name-shaped value is that author (``By Lucy Chen``).
    """
    if candidate.role is None:
        line = candidate.text
        return byline_credits(line), bool(parse_credits(line) or is_credit_line(line))
    labelled = labelled_credits(candidate.role, candidate.text)
    if labelled is not None:
        return labelled, True
    if candidate.role.casefold() in EN_LINE_ROLES:
        return byline_credits(candidate.text), False
    return Credits(), False


def byline_credits(line: str) -> Credits:
    """Credits of a byline found outside the body (info line, author markup, meta author).

    Author markup names a person whatever the name looks like (``By Lucy Chen``),
    so a byline the credit parser cannot read is taken as one author's name when
    it is short and name-shaped.
    """
    credits = parse_credits(line)
    if credits or is_credit_line(line):
        return credits
    if _SITE_CREDIT.search(line):
        return credits
    if _HAS_HAN.search(line):
        return Credits(authors=bare_names(line))
    m = _BYLINE.match(_clean(line))
    if m and not _NOT_A_NAME.search(m["name"]) and m["name"].lower() not in _NOBODY:
        return Credits(authors=(m["name"],))
    return credits


def _summarize(paragraphs: list[str]) -> str:
    first = paragraphs[0] if paragraphs else ""
    return first if len(first) <= SUMMARY_CHARS else first[:SUMMARY_CHARS].rstrip() + "…"


def _kept_html(body: Body, kept: list[tuple[tuple[int, ...], str]], captions: set[str]) -> str:
    """The safe HTML of the kept paragraphs' blocks, and of pictures and captions among them, in
    page order: the same blocks ``body_text`` is made of.

    ``kept`` holds each paragraph with the blocks it was read from. A paragraph whose text is not
    its block's any more (a credit cut off its last sentence, a label joined to its name) is
    written from its text, so no credit leaks into HTML.
    """
    written = {sources[0]: text for sources, text in kept}
    last = max(written, default=-1)
    parts: list[str] = []
    for index, block in enumerate(body.blocks):
        if not block.text or block.text in captions:
            parts.append(block.html)
        elif index > last:
            break  # the credits and furniture after the text
        elif index in written:
            text = written[index]
            parts.append(block.html if text == block.text else f"<p>{html.escape(text)}</p>")
    return "".join(parts)


LIST_CONTEXT = ("list_title", "list_date", "list_section")


def list_context(raw: RawArticle) -> dict[str, Any]:
    """What the list page said about an article: extraction falls back on it, so it is kept."""
    return {name: getattr(raw, name) for name in LIST_CONTEXT}


class NormalizePipeline:
    """Turn every RawArticle into an ArticleRecord; drop (and count) what is not an article."""

    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        assert crawler.stats is not None
        return cls(crawler.stats)

    def process_item(self, item: RawArticle) -> ArticleRecord:
        try:
            record = normalize(item)
        except Unusable as exc:
            self.stats.inc_value(f"articles/dropped/{exc}")
            raise DropItem(f"{exc}: {item.url}") from None
        if record.published_at is None:
            self.stats.inc_value("articles/no_date")
        if item.pages:
            record.raw = RawCopy(tuple(item.pages), list_context(item))
        return record

