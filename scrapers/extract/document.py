"""The parsed page and the plain-text views of it that every field finder shares."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from typing import Any

import lxml.html

# lxml ships no type information; an element is whatever lxml.html returns.
Element = Any

# Never visible as page text.
SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "head", "title", "select",
                       "option", "iframe", "object", "svg", "textarea", "button"})
# Start a new line of text, as a browser would render them.
BLOCK_TAGS = frozenset({"address", "article", "aside", "blockquote", "body", "br", "center",
                        "dd", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer",
                        "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "html",
                        "li", "main", "nav", "ol", "p", "pre", "section", "table", "tbody",
                        "td", "th", "thead", "tfoot", "tr", "ul"})
_SPACES = re.compile(r"[\s\u3000\xa0\u200b\ufeff]+")
_TOKEN_SPLIT = re.compile(r"[\s_-]+")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def parse(text: str) -> Element:
    """Parse once; lxml refuses a str that still carries an XML encoding declaration."""
    text = _XML_DECLARATION.sub("", text, count=1)
    if not text.strip():
        text = "<html><body></body></html>"
    return lxml.html.document_fromstring(text)


def squash(text: str | None) -> str:
    """Collapse every kind of white space (full-width, no-break) into single spaces."""
    return _SPACES.sub(" ", text or "").strip()


def text_of(element: Element) -> str:
    """The visible text of an element (its tail excluded), squashed."""
    return squash("".join(_inner_texts(element)))


def _inner_texts(element: Element) -> Iterator[str]:
    if not isinstance(element.tag, str) or element.tag in SKIP_TAGS:
        return
    if element.text:
        yield element.text
    for child in element:
        yield from _inner_texts(child)
        if child.tail:
            yield child.tail


def class_tokens(element: Element) -> set[str]:
    """Lower-cased words of an element's class and id (``zw-info`` gives ``zw``, ``info``)."""
    names = f"{element.get('class') or ''} {element.get('id') or ''}".lower()
    words = set(names.split())
    return words | set(_TOKEN_SPLIT.split(names)) - {""}


@dataclass
class Line:
    """One rendered line of text and the block element it belongs to."""

    text: str
    block: Element


@dataclass
class Lines:
    """The page as rendered lines, with the line ranges of a few marked elements."""

    lines: list[Line] = field(default_factory=list)
    spans: dict[int, tuple[int, int]] = field(default_factory=dict)

    def span(self, element: Element | None) -> tuple[int, int] | None:
        return None if element is None else self.spans.get(id(element))


def render_lines(root: Element, marks: Collection[Element] = ()) -> Lines:
    """Split the visible text into lines the way blocks and ``<br>`` break it.

    The line ranges of ``marks`` (the title and body elements) are recorded, so
    the finders can look "between the title and the body" without re-walking.
    """
    out = Lines()
    marked = {id(element) for element in marks}
    buffer: list[str] = []
    blocks: list[Element] = [root]

    def flush() -> None:
        text = _SPACES.sub(_keep_gaps, "".join(buffer)).strip()
        buffer.clear()
        if text:
            out.lines.append(Line(text, blocks[-1]))

    def walk(element: Element) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag and tag not in SKIP_TAGS:
            is_block = tag in BLOCK_TAGS
            if is_block:
                flush()
                blocks.append(element)
            else:
                buffer.append("  ")
            start = len(out.lines)
            if element.text:
                buffer.append(element.text)
            for child in element:
                walk(child)
            if is_block:
                flush()
                blocks.pop()
            else:
                buffer.append("  ")
            if id(element) in marked:
                flush()
                out.spans[id(element)] = (start, len(out.lines))
        if element.tail:
            buffer.append(element.tail)

    walk(root)
    flush()
    return out


def _keep_gaps(match: re.Match[str]) -> str:
    """Squash white space but keep wide gaps (and element edges): they separate fields."""
    return "  " if len(match.group(0)) > 1 else " "
