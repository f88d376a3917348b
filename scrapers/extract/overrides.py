"""Site-file selectors: checked once when a site is loaded, applied per page."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from cssselect import SelectorError
from lxml import etree
from parsel.csstranslator import HTMLTranslator

from .document import Element, squash, text_of

SELECTOR_FIELDS = frozenset({"title", "published_at", "body", "source", "authors", "section",
                             "summary", "tags", "next_page", "links"})
_CSS = HTMLTranslator()
_EMPTY = etree.fromstring("<html><body/></html>")


def validate_selector(field: str, expr: str) -> None:
    """Refuse a selector the site file cannot mean, with a message naming the field."""
    _compile(field, expr)


@lru_cache(maxsize=1024)
def _compile(field: str, expr: str) -> etree.XPath:
    if field not in SELECTOR_FIELDS:
        known = ", ".join(sorted(SELECTOR_FIELDS))
        raise ValueError(f"selectors.{field}: unknown field (known: {known})")
    text = expr.strip()
    if not text:
        raise ValueError(f"selectors.{field}: empty selector")
    is_xpath = text.startswith(("/", "("))
    kind = "XPath" if is_xpath else "CSS selector"
    try:
        xpath = etree.XPath(text if is_xpath else _CSS.css_to_xpath(text))
        xpath(_EMPTY)  # unknown functions and the like only fail when evaluated
    except (SelectorError, etree.XPathError, SyntaxError) as exc:
        raise ValueError(f"selectors.{field}: invalid {kind} {expr!r}: {exc}") from None
    return xpath


class Overrides:
    """The site's selectors for one page; a field without a match falls back to detection."""

    def __init__(self, root: Element, selectors: Mapping[str, str] | None) -> None:
        self.root = root
        self.selectors = dict(selectors or {})

    def results(self, field: str) -> list[Any]:
        """Raw XPath results: elements and/or strings (``::text``, ``@attr``)."""
        expr = self.selectors.get(field)
        if not expr:
            return []
        found = _compile(field, expr)(self.root)
        return found if isinstance(found, list) else [found]

    def elements(self, field: str) -> list[Element]:
        return [item for item in self.results(field) if not isinstance(item, (str, bytes, float))
                and not isinstance(item, bool)]

    def texts(self, field: str) -> list[str]:
        texts = []
        for item in self.results(field):
            text = squash(item) if isinstance(item, str) else (
                text_of(item) if hasattr(item, "tag") else "")
            if text:
                texts.append(text)
        return texts

    def text(self, field: str) -> str | None:
        texts = self.texts(field)
        return " ".join(texts) if texts else None
