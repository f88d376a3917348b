"""The parsed page and the plain-text views of it that every field finder shares."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from lxml import etree

from pipelines.controls import decoded_controls, without_controls

# lxml ships no type information; an element is whatever lxml.etree returns.
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
# Plain etree elements: lxml.html's per-element class lookup costs more than it gives here.
_PARSER = etree.HTMLParser(remove_blank_text=False, no_network=True)


def parse(text: str) -> Element:
    """Parse once; lxml refuses a str that still carries an XML encoding declaration.

    Terminal escapes go before the parser sees them: it drops a lone ESC but keeps the
    ``[31m`` after it, which no later cleaning could tell from text.

    libxml2 stops nesting at 256 levels and drops what lies deeper, so a page nested deeper
    than that is parsed again with its excess wrappers removed: its text is all kept.
    """
    text = without_controls(decoded_controls(_XML_DECLARATION.sub("", text, count=1)))
    root = etree.fromstring(text, _PARSER) if text.strip() else None
    if root is not None and any(e.type_name == "ERR_RESOURCE_LIMIT" for e in _PARSER.error_log):
        root = etree.fromstring(flattened(text), _PARSER)
    if root is None:
        root = etree.fromstring("<html><body></body></html>", _PARSER)
    return root


_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)\b[^>]*>")
# Elements that never hold others open: void ones, <p> (closed by the next block), and the
# document's own. An element left open is closed with its parent, as a parser would.
_FLAT_ELEMENTS = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr", "p", "html", "head", "body"})
MAX_DEPTH = 64


def flattened(text: str, most: int = MAX_DEPTH) -> str:
    """``text`` with the tags nested deeper than ``most`` removed and their content kept."""
    stack: list[tuple[str, bool]] = []     # open elements: name, and whether its tag was kept
    kept = 0

    def tag(match: re.Match[str]) -> str:
        nonlocal kept
        closing, name = match.group(1), match.group(2).lower()
        if name in _FLAT_ELEMENTS or match.group(0).endswith("/>"):
            return match.group(0)
        if not closing:
            keep = kept < most
            stack.append((name, keep))
            kept += keep
            return match.group(0) if keep else ""
        for at in range(len(stack) - 1, -1, -1):
            if stack[at][0] == name:
                closed = stack[at:]
                del stack[at:]
                kept -= sum(k for _, k in closed)
                return match.group(0) if closed[0][1] else ""
        return match.group(0)

    return _TAG.sub(tag, text)


_CLASSED = etree.XPath("//body//*[@class or @id]")


def classed(root: Element) -> list[tuple[Element, str]]:
    """Every element with a class or id, with both lower-cased: one XPath pass serves
    every finder that looks for CMS class names (far cheaper than one XPath each)."""
    return [(element, f"{element.get('class') or ''} {element.get('id') or ''}".lower())
            for element in _CLASSED(root)]


def squash(text: str | None) -> str:
    """Collapse every kind of white space (full-width, no-break) into single spaces."""
    return _SPACES.sub(" ", text or "").strip()


def text_of(element: Element) -> str:
    """The visible text of an element (its tail excluded), squashed."""
    if not isinstance(element.tag, str) or element.tag in SKIP_TAGS:
        return ""
    if not len(element):
        return squash(element.text)
    if next(element.iter(*SKIP_TAGS), None) is None:  # nothing hidden inside: let libxml2 do it
        return squash(etree.tostring(element, method="text", encoding="unicode", with_tail=False))
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


class _Enough(Exception):
    """Raised inside a walk once the wanted lines are collected."""


class _LineWriter:
    """Renders elements into lines the way blocks and ``<br>`` break them."""

    def __init__(self, stop: Element | None = None, limit: int | None = None) -> None:
        self.lines: list[Line] = []
        self.buffer: list[str] = []
        self.block: Element = None
        self.stop = stop
        self.limit = limit

    def flush(self) -> None:
        if not self.buffer:
            return
        text = _SPACES.sub(_keep_gaps, "".join(self.buffer)).strip()
        self.buffer.clear()
        if text:
            self.lines.append(Line(text, self.block))
            if self.limit is not None and len(self.lines) >= self.limit:
                raise _Enough

    def walk(self, element: Element) -> None:
        """An element, its descendants, then its tail."""
        if element is self.stop:
            self.flush()
            raise _Enough
        tag = element.tag
        if isinstance(tag, str) and tag not in SKIP_TAGS:
            if tag in BLOCK_TAGS:
                self.flush()
                outer, self.block = self.block, element
                if element.text:
                    self.buffer.append(_unwrapped(element.text))
                for child in element:
                    self.walk(child)
                self.flush()
                self.block = outer
            else:
                self.buffer.append("  ")  # an element edge separates fields on info lines
                if element.text:
                    self.buffer.append(_unwrapped(element.text))
                for child in element:
                    self.walk(child)
                self.buffer.append("  ")
        if element.tail:
            self.buffer.append(_unwrapped(element.tail))


def render_lines(element: Element) -> list[Line]:
    """The lines of an element's own content."""
    writer = _LineWriter()
    writer.block = element
    if element.text:
        writer.buffer.append(_unwrapped(element.text))
    for child in element:
        writer.walk(child)
    writer.flush()
    return writer.lines


def lines_after(element: Element, limit: int, stop: Element | None = None) -> list[Line]:
    """Up to ``limit`` lines that follow ``element`` in reading order, ending before ``stop``.

    Only the part of the page that is read gets rendered: the few lines after a
    headline cost little even on a page with a thousand navigation links.
    """
    writer = _LineWriter(stop, limit)
    node = element
    try:
        while node is not None:
            writer.block = node.getparent()
            if node.tail:
                writer.buffer.append(_unwrapped(node.tail))
            for sibling in node.itersiblings():
                writer.walk(sibling)
            node = node.getparent()
            if node is not None and node.tag in BLOCK_TAGS:
                writer.flush()
        writer.flush()
    except _Enough:
        pass
    return writer.lines


def lines_before(element: Element, limit: int) -> list[Line]:
    """Up to ``limit`` lines that precede ``element`` in reading order."""
    chunks: list[list[Line]] = []
    found = 0
    node = element
    while node is not None and found < limit:
        for sibling in node.itersiblings(preceding=True):
            writer = _LineWriter()
            writer.block = node.getparent()
            writer.walk(sibling)
            writer.flush()
            chunks.append(writer.lines)
            found += len(writer.lines)
            if found >= limit:
                break
        node = node.getparent()
    lines = [line for chunk in reversed(chunks) for line in chunk]
    return lines[-limit:] if limit else []


def _unwrapped(text: str) -> str:
    """A text node with the line breaks of the HTML source read as one space, as a browser
    shows them: a value wrapped in the source is one value, not two fields."""
    return _SOURCE_BREAK.sub(" ", text) if "\n" in text or "\r" in text else text


def _keep_gaps(match: re.Match[str]) -> str:
    """Squash white space but keep wide gaps (and element edges): they separate fields."""
    return "  " if len(match.group(0)) > 1 else " "


_SOURCE_BREAK = re.compile(r"[ \t]*[\r\n][ \t\r\n]*")


def outer_html(element: Element) -> str:
    return str(etree.tostring(element, method="html", encoding="unicode", with_tail=False))
