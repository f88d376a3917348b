"""An article body, as nodes of the page's own tree or as HTML text, into blocks and safe HTML."""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from typing import Any, Literal, NamedTuple
from urllib.parse import urljoin, urlsplit

import nh3
from lxml import etree

from pipelines.furniture import (
    HEAD_ENDS_CHARS,
    LINK_DOMINATED,
    SMALL_MAX_CHARS,
    block_kind,
    element_verdict,
    is_info_line,
    is_list_item,
    without_counters,
)


@dataclass(frozen=True)
class Image:
    """A picture of the article, as the record's ``images`` lists it."""

    url: str
    caption: str | None


@dataclass(frozen=True)
class Block:
    """One paragraph, heading, table or picture: plain text for search, safe HTML for display."""

    text: str
    html: str


@dataclass(frozen=True)
class Body:
    """The cleaned article body; credits are still in it, for the credit parser to take out."""

    blocks: list[Block]
    images: list[Image]

    @property
    def paragraphs(self) -> list[str]:
        return [block.text for block in self.blocks if block.text]

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)

    @property
    def html(self) -> str:
        return "".join(block.html for block in self.blocks)

    def joined(self, more: Body) -> Body:
        """This body followed by a later part of the same article; a picture is listed once."""
        seen = {image.url for image in self.images}
        return Body(blocks=[*self.blocks, *more.blocks],
                    images=[*self.images, *(image for image in more.images if image.url not in seen)])


# --- the allow-list -------------------------------------------------------------------------

ALLOWED_TAGS = frozenset({
    "p", "br", "strong", "b", "em", "i", "u", "sub", "sup", "a", "img", "figure", "figcaption",
    "table", "thead", "tbody", "tr", "th", "td", "ul", "ol", "li",
    "h2", "h3", "h4", "h5", "h6", "blockquote",
})
ALLOWED_ATTRIBUTES = {
    "*": set(),  # ammonia otherwise allows lang and title everywhere
    "a": {"href"},
    "img": {"src", "alt"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}
LINK_REL = "noopener noreferrer nofollow"
# Dropped with everything inside them, not just unwrapped.
_SANITIZER_DROPS_CONTENT = frozenset({
    "script", "style", "noscript", "iframe", "textarea", "select", "template", "object",
    "svg", "math", "title",
})
_IMG_WITHOUT_SRC = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>")
# Source indentation between table rows and cells is not text.
_TABLE_LAYOUT_SPACE = re.compile(r"\s*(</?(?:table|thead|tbody|tr|td|th)\b[^>]*>)\s*")
# Zero-width characters, and control characters no text or database column should hold.
_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2060\ufeff\u00ad]")


def sanitize_html(html: str, base_url: str) -> str:
    """Reduce any HTML to the allow-list, with every link and image absolute against base_url."""
    return _sanitize(_INVISIBLE.sub("", html), base_url)


def _sanitize(html: str, base_url: str) -> str:
    clean = _cleaner(base_url).clean(html)
    if "<t" in clean:
        clean = _TABLE_LAYOUT_SPACE.sub(r"\1", clean)
    if "<img" in clean:
        clean = _IMG_WITHOUT_SRC.sub("", clean)
    return clean


@lru_cache(maxsize=256)
def _cleaner(base_url: str) -> nh3.Cleaner:
    try:
        return _allow_list_cleaner(("rewrite_with_base", base_url))
    except ValueError:
        # Without a usable base a relative URL cannot be made absolute, so it goes.
        return _allow_list_cleaner("deny")


def _allow_list_cleaner(
    url_relative: Literal["deny"] | tuple[Literal["rewrite_with_base"], str],
) -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(_SANITIZER_DROPS_CONTENT),
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel=LINK_REL,
        strip_comments=True,
        url_relative=url_relative,
    )


# --- tags the walk knows -----------------------------------------------------------------

_DROPPED_TAGS = frozenset({
    "script", "style", "noscript", "iframe", "frame", "frameset", "object", "embed", "applet",
    "input", "button", "select", "textarea", "label", "svg", "math", "canvas",
    "audio", "video", "source", "track", "map", "template", "link", "meta", "title", "base",
    "dialog",
})
_BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "caption", "center", "dd", "details", "div",
    "dl", "dt", "fieldset", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "hgroup", "hr", "legend", "li", "main", "ol", "p", "pre", "section", "summary", "table",
    "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
})
_INLINE_MARKUP = frozenset({"strong", "b", "em", "i", "u", "sub", "sup"})
# The page's own <h1> is the headline; one inside the body is a section title.
_HEADINGS = {"h1": "h2", "h2": "h2", "h3": "h3", "h4": "h4", "h5": "h5", "h6": "h6"}

_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_CENTRED_STYLE = re.compile(r"text-align\s*:\s*center", re.I)

# --- images ---------------------------------------------------------------------------------

# Lazy-loading attributes first: when present, src is only a placeholder.
_IMAGE_SOURCES = ("data-src", "data-original", "data-lazy-src", "data-url", "src", "oldsrc")
_ICON_URL = re.compile(
    r"(?:spacer|pixel|blank|1x1|clear|loading)\.(?:gif|png)|(?<![a-z])(?:icons?|b?share)(?![a-z])"
    r"|\.ico(?:$|\?)|jiathis|qrcode|erweima|/emoji|/smil",
    re.I,
)
_ICON_MAX_PX = 32
_PIXEL_MAX_PX = 2
_CAPTION_MAX_CHARS = 100
_CAPTION_START = re.compile(
    r"(?:图为|图：|图:|上图|下图|左图|右图|组图|▲|△|↑|[（(]\s*图片来源|图片来源|[（(]图/|[（(]摄影"
    r"|photo\s*[:：/]|pictured|image\s*[:：])",
    re.I,
)
_FILE_NAME = re.compile(
    r"\.(?:jpe?g|png|gif|bmp|webp|tiff?)$|^[\w.\-]*_[\w.\-]*$|^[\w.\-]*\d{6,}[\w.\-]*$"
    r"|^[A-Za-z]{1,5}\d+$",
    re.I,
)
_GENERIC_ALT = frozenset({
    "图片", "图", "image", "img", "photo", "picture", "pic", "null", "undefined", "untitled",
    "默认", "缩略图", "logo",
})
_DIMENSION = re.compile(r"\s*(\d+)")

# --- text -----------------------------------------------------------------------------------

_CJK = r"\u2e80-\u2fff\u3001-\u303f\u3040-\u9fff\uf900-\ufaff\uff00-\uffef"
# A line break in the source between two CJK characters is the CMS wrapping its HTML,
# not a space the writer typed; spaces typed between names or Latin words stay.
_CJK_LINE_BREAK = re.compile(rf"(?<=[{_CJK}])[^\S\n]*\n\s*(?=[{_CJK}])")
_WHITESPACE = re.compile(r"\s+")
_LITERAL_ENTITY = re.compile(r"&(?:nbsp|ensp|emsp|thinsp|#160|#12288);?", re.I)
_NEEDS_ESCAPE = re.compile(r"[&<>]")
_TAG_LIKE = re.compile(r"<[!/?]?[A-Za-z][^<>]*>")
_LEADING_SPACE = re.compile(r"^((?:<[^>]*>)*) ")
_TRAILING_SPACE = re.compile(r" ((?:<[^>]*>)*)$")
_ARTICLE_MIN_CHARS = 100
_ARTICLE_SHARE = 0.6


# lxml ships no type information; a node is whatever lxml.etree returns.
Element = Any
# Text directly inside these is never shown as the article's (ruby annotations, scripts).
_UNSHOWN_TEXT = frozenset({"script", "style", "template", "rt", "rp"})
_PARSER = etree.HTMLParser(remove_blank_text=False, no_network=True)
# lxml refuses a str that still carries an XML encoding declaration.
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
# What lxml refuses in text it is given, though its parser may let it through.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def clean_body(fragment: str, base_url: str, title: str | None = None) -> Body:
    """Keep what a reader would call the article: its paragraphs, tables and pictures.

    For HTML that comes as text; a page already parsed gives its body's nodes to
    ``clean_body_nodes`` instead. ``title`` is the page's headline, which the body may repeat.
    """
    fragment = _XML_DECLARATION.sub("", fragment, count=1)
    try:
        root = etree.fromstring(fragment, _PARSER) if fragment.strip() else None
    except (etree.ParserError, etree.XMLSyntaxError):
        root = None  # nothing a parser can read: no article
    return clean_body_nodes([] if root is None else [root], base_url, title)


def clean_body_nodes(nodes: Sequence[Element | str], base_url: str,
                     title: str | None = None) -> Body:
    """The article of a body given as its parsed nodes, in order: elements (their tails not
    included) and text between them. The nodes are read, never changed.

    This is the one place page furniture is removed (``pipelines.furniture`` says what it is):
    elements by their markup as the walk enters them, blocks by their text once cut.
    """
    walker = _Walker(nodes, base_url, title)
    walker.walk()
    return _finish(walker.blocks, base_url, title)


class _Frame(NamedTuple):
    """What a block element tells the paragraphs inside it."""

    tag: str                # "p" or a heading "h2".."h6"
    centred: bool
    caption_hint: bool      # inside a wp-caption-like wrapper
    figcaption: bool
    figure_start: int       # index of the first block of the enclosing <figure>, else -1


_ROOT_FRAME = _Frame("p", False, False, False, -1)


@dataclass
class _Raw:
    """A block before furniture removal and caption matching."""

    text: str
    html: str
    tag: str
    centred: bool = False
    caption_hint: bool = False
    link_share: float = 0.0
    image_url: str | None = None
    alt: str | None = None
    figcaption: str | None = None
    table_images: tuple[str, ...] = ()


_END_BLOCK = ("block",)
_END_LINK = ("link",)


class _Walker:
    """One pass over the tree: drops furniture by markup, cuts the rest into blocks."""

    def __init__(self, nodes: Sequence[Element | str], base_url: str, title: str | None) -> None:
        self.nodes = nodes
        self.base_url = base_url
        self.title = title
        self.blocks: list[_Raw] = []
        self.frames: list[_Frame] = [_ROOT_FRAME]
        self.text_parts: list[str] = []
        self.html_parts: list[str] = []
        self.link_chars = 0
        self.links_open = 0
        self.open_tags: list[str] = []
        self._total_chars: int | None = None
        self.in_head = True  # no block of the article's length but the headline yet

    def walk(self) -> None:
        stack: list[object] = [node for node in reversed(self.nodes)
                               if isinstance(node, str) or isinstance(node.tag, str)]
        while stack:
            node = stack.pop()
            if isinstance(node, tuple):
                self._leave(node)
            elif isinstance(node, str):
                self._add_text(node)
            else:
                stack.extend(self._enter(node))
        self._flush()

    def _enter(self, node: Element) -> list[object]:
        """Handle an element; return what to visit next, in reverse document order."""
        name = node.tag
        if name in _DROPPED_TAGS:
            return []
        attrs = node.attrib
        if attrs and _is_hidden(attrs):
            return []
        if name == "br":
            self._flush()
            return []
        if name == "img":
            self._add_image(node)
            return []
        # The body as located (a skin, the densest box, a site's selector) is the article's
        # whatever its class says (share-txt); furniture is what it holds.
        verdict = element_verdict(name, f"{attrs.get('class', '')} {attrs.get('id', '')}"
                                  if "class" in attrs or "id" in attrs else "")
        if verdict is not None and node not in self.nodes and self._is_furniture(node, verdict):
            return []
        if self.in_head and self.title and self._is_info_line(node):
            return []  # the info line under the headline, however its parts are laid out
        children = _contents(node)
        if name == "table" and _is_data_table(node):
            self._add_table(node)
            return []
        if name in _BLOCK_TAGS:
            self._flush()
            self.frames.append(self._frame_for(node))
            return [_END_BLOCK, *children]
        if name in _INLINE_MARKUP:
            self._open(f"<{name}>")
            return [("close", f"</{name}>"), *children]
        if name == "a":
            href = _absolute(attrs.get("href"), self.base_url, ("http", "https", "mailto"))
            self.links_open += 1
            if href is None:
                return [_END_LINK, *children]
            self._open(f'<a href="{escape(href)}">')
            return [("close", "</a>"), _END_LINK, *children]
        return children

    def _open(self, tag: str) -> None:
        self.open_tags.append(tag)
        self.html_parts.append(tag)

    def _leave(self, marker: tuple[str, ...]) -> None:
        if marker is _END_BLOCK:
            self._flush()
            self.frames.pop()
        elif marker is _END_LINK:
            self.links_open -= 1
        else:
            self.open_tags.pop()
            self.html_parts.append(marker[1])

    def _frame_for(self, node: Element) -> _Frame:
        parent = self.frames[-1]
        name = node.tag
        heading = _HEADINGS.get(name)
        style = node.get("style")
        align = node.get("align")
        centred = parent.centred or name == "center" or (
            isinstance(align, str) and align.strip().lower() == "center"
        ) or (isinstance(style, str) and _CENTRED_STYLE.search(style) is not None)
        classes = node.get("class")
        caption_hint = parent.caption_hint or (
            isinstance(classes, str) and "caption" in classes.lower()
        )
        return _Frame(
            tag=heading or parent.tag,
            centred=centred,
            caption_hint=caption_hint,
            figcaption=parent.figcaption or name == "figcaption",
            figure_start=len(self.blocks) if name == "figure" else parent.figure_start,
        )

    def _add_text(self, text: str) -> None:
        if "&" in text:
            text = _LITERAL_ENTITY.sub(" ", text)
        if self.links_open:
            self.link_chars += len(text)
        self.text_parts.append(text)
        self.html_parts.append(escape(text, quote=False) if _NEEDS_ESCAPE.search(text) else text)

    def _flush(self) -> None:
        """End the paragraph being collected: a block boundary or a <br> was reached."""
        if not self.text_parts:
            self.html_parts[:] = self.open_tags
            return
        raw_text = "".join(self.text_parts)
        raw_html = "".join(self.html_parts)
        link_share = self.link_chars / max(len(raw_text), 1)
        self.text_parts.clear()
        # Bold or a link cut by <br> or a nested block goes on in the next block.
        self.html_parts[:] = self.open_tags
        self.link_chars = 0
        if raw_text.isspace():
            return
        text = _normalise_text(raw_text)
        if not text:
            return
        frame = self.frames[-1]
        if frame.figcaption and self._caption_figure(frame, text):
            return
        self.in_head = self.in_head and (len(text) < HEAD_ENDS_CHARS or text == self.title)
        self.blocks.append(_Raw(
            text=text,
            html=_normalise_html(raw_html),
            tag=frame.tag,
            centred=frame.centred,
            caption_hint=frame.caption_hint,
            link_share=link_share,
        ))

    def _caption_figure(self, frame: _Frame, text: str) -> bool:
        """Give a <figcaption> to the picture of its own <figure>, if it has one."""
        if frame.figure_start < 0:
            return False
        for raw in reversed(self.blocks[frame.figure_start:]):
            if raw.image_url is not None:
                raw.figcaption = f"{raw.figcaption} {text}" if raw.figcaption else text
                return True
        return False

    def _add_image(self, node: Element) -> None:
        url = _image_url(node, self.base_url)
        if url is None:
            return
        self._flush()
        self.blocks.append(_Raw(text="", html="", tag="figure", image_url=url,
                                alt=_meaningful_alt(node), link_share=float(self.links_open > 0)))

    def _add_table(self, table: Element) -> None:
        self._flush()
        rows = []
        for row in table.iterdescendants("tr"):
            cells = (_normalise_text(" ".join(_strings(cell)))
                     for cell in row if cell.tag in ("td", "th"))
            joined = "\t".join(cell for cell in cells if cell)
            if joined:
                rows.append(joined)
        table = copy.deepcopy(table)  # its pictures are rewritten; the page stays as it was
        table.tail = None
        pictures = []
        for img in list(table.iterdescendants("img")):
            url = _image_url(img, self.base_url)
            if url is None:
                drop(img)
                continue
            alt = _meaningful_alt(img) or ""
            img.attrib.clear()
            img.attrib.update({"src": url, "alt": alt})
            pictures.append(url)
        if rows or pictures:
            text = " ".join(rows)
            link_chars = sum(len(_text(a).strip()) for a in table.iterdescendants("a"))
            html = etree.tostring(table, method="html", encoding="unicode", with_tail=False)
            self.in_head = self.in_head and len(text) < HEAD_ENDS_CHARS
            self.blocks.append(_Raw(text=text, html=html, tag="table",
                                    link_share=link_chars / max(len(text), 1),
                                    table_images=tuple(pictures)))

    def _is_info_line(self, node: Element) -> bool:
        """An element of the body, not the whole of it, whose text is an info line."""
        text = _text(node).strip()
        return len(text) < self._body_chars() and is_info_line(_normalise_text(text))

    def _body_chars(self) -> int:
        if self._total_chars is None:
            self._total_chars = len("".join(
                node if isinstance(node, str) else _text(node) for node in self.nodes).strip())
        return self._total_chars

    def _is_furniture(self, node: Element, verdict: str) -> bool:
        """A furniture-sounding wrapper is kept when it holds most of the text and few links;
        one named by a widget word (info, meta, page) only when it is short or mostly links."""
        if verdict == "always":
            return True
        chars = len(_text(node).strip())
        if verdict == "furniture" and chars < _ARTICLE_MIN_CHARS:
            return True
        link_chars = sum(len(_text(a).strip()) for a in node.iterdescendants("a"))
        if chars >= _ARTICLE_SHARE * self._body_chars():
            # Most of the body: the article's wrapper, unless it is mostly links.
            return link_chars >= 0.3 * chars and verdict == "furniture"
        return verdict == "furniture" or chars < SMALL_MAX_CHARS \
            or link_chars > LINK_DOMINATED * chars


def _finish(raws: list[_Raw], base_url: str, title: str | None) -> Body:
    """Drop furniture by its text, match captions to pictures, sanitise every block."""
    blocks: list[Block] = []
    images: list[Image] = []
    seen_images: set[str] = set()
    kept = _drop_furniture(raws, title)
    for index, raw in enumerate(kept):
        if raw.tag == "table":
            blocks.append(Block(raw.text, sanitize_html(raw.html, base_url)))
            for url in raw.table_images:
                if url not in seen_images:
                    seen_images.add(url)
                    images.append(Image(url, None))
            continue
        if raw.image_url is None:
            blocks.append(Block(raw.text, _sanitize(f"<{raw.tag}>{raw.html}</{raw.tag}>", base_url)))
            continue
        following = kept[index + 1] if index + 1 < len(kept) else None
        caption = raw.figcaption or _caption_after(following) or raw.alt
        figcaption = f"<figcaption>{escape(raw.figcaption)}</figcaption>" if raw.figcaption else ""
        html = (f'<figure><img src="{escape(raw.image_url)}" alt="{escape(caption or "")}">'
                f"{figcaption}</figure>")
        blocks.append(Block(raw.figcaption or "", _sanitize(html, base_url)))
        if raw.image_url not in seen_images:
            seen_images.add(raw.image_url)
            images.append(Image(raw.image_url, caption))
    return Body(blocks=blocks, images=images)


def _drop_furniture(raws: list[_Raw], title: str | None) -> list[_Raw]:
    """Blocks whose text is furniture go, and so does a related list up to the next paragraph.

    A comment box or the site footer ends the article: nothing after it is kept. A QR
    code beside a follow-us line goes with it. The headline repeated in the body goes, and
    so does the info line under it, until the first block of the article's length.
    """
    kept: list[_Raw] = []
    in_related_list = False
    after_follow = False
    in_head = True
    for raw in raws:
        if raw.tag == "figure":
            if not (after_follow or (in_related_list and raw.link_share >= LINK_DOMINATED)):
                kept.append(raw)
            continue
        verdict = block_kind(raw.text, raw.link_share, title=title,
                             heading=raw.tag[0] == "h", in_head=in_head and bool(title))
        after_follow = verdict == "follow"
        if verdict == "tail":
            if any(block.text for block in kept):
                break
            continue  # before the article began it is one more line of the page's head
        if after_follow and kept and kept[-1].tag == "figure" and not kept[-1].figcaption:
            kept.pop()  # the QR code printed above the line that asks to scan it
        if verdict == "related":
            in_related_list = True
            continue
        if verdict == "attachment" and raw.link_share > 0:
            # The download link stays in the article's HTML; its file name is not article text.
            raw.text = ""
            kept.append(raw)
            continue
        if verdict is not None:
            continue
        if in_related_list and is_list_item(raw.text, raw.link_share):
            continue
        in_related_list = False
        in_head = in_head and len(raw.text) < HEAD_ENDS_CHARS
        if raw.tag == "table":
            kept.append(raw)
            continue
        without_counter = without_counters(raw.text)
        if without_counter != raw.text:
            raw.text = _normalise_text(without_counter)
            raw.html = escape(raw.text, quote=False)
        kept.append(raw)
    return kept


def _caption_after(raw: _Raw | None) -> str | None:
    """The short centred line right under a picture is its caption."""
    if raw is None or raw.tag in ("figure", "table"):
        return None
    if len(raw.text) > _CAPTION_MAX_CHARS:
        return None
    if raw.centred or raw.caption_hint or _CAPTION_START.match(raw.text):
        return raw.text
    return None


def _is_hidden(attrs: dict[str, Any]) -> bool:
    if "hidden" in attrs:
        return True
    style = attrs.get("style")
    return isinstance(style, str) and _HIDDEN_STYLE.search(style) is not None


def _is_data_table(table: Element) -> bool:
    """Tables that merely lay out a picture and its caption are walked like any container."""
    if next(table.iterdescendants("table"), None) is not None:
        return False
    rows = list(table.iterdescendants("tr"))
    widest = max((sum(cell.tag in ("td", "th") for cell in row) for row in rows), default=0)
    return len(rows) >= 2 and widest >= 2


def _contents(node: Element) -> list[object]:
    """An element's text and child elements, each child followed by its tail, in reverse order."""
    shown = node.tag not in _UNSHOWN_TEXT
    contents: list[object] = [node.text] if node.text and shown else []
    for child in node:
        if isinstance(child.tag, str):  # comments and processing instructions are not shown
            contents.append(child)
        if child.tail and shown:
            contents.append(child.tail)
    contents.reverse()
    return contents


def _strings(node: Element) -> list[str]:
    """The shown text pieces of an element, in order."""
    strings: list[str] = []
    shown = node.tag not in _UNSHOWN_TEXT
    if node.text and shown:
        strings.append(node.text)
    for child in node:
        if isinstance(child.tag, str):
            strings += _strings(child)
        if child.tail and shown:
            strings.append(child.tail)
    return strings


def _text(node: Element) -> str:
    """The shown text of an element; libxml2 writes it when nothing inside hides text."""
    if next(node.iter(*_UNSHOWN_TEXT), None) is None:
        return str(etree.tostring(node, method="text", encoding="unicode", with_tail=False))
    return "".join(_strings(node))


def drop(node: Element) -> None:
    """Remove an element but keep its tail text, which belongs to the text around it.

    lxml refuses, on assignment, control characters and noncharacters its parser let through.
    """
    parent = node.getparent()
    if parent is None:
        return
    if node.tail:
        previous = node.getprevious()
        if previous is not None:
            previous.tail = _NOT_XML.sub("", (previous.tail or "") + node.tail)
        else:
            parent.text = _NOT_XML.sub("", (parent.text or "") + node.tail)
    parent.remove(node)


def _absolute(value: object, base_url: str, schemes: tuple[str, ...]) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not value or value.startswith("#"):
        return None
    if value.isprintable() and "\\" not in value and "/." not in value:
        # The common shapes, without urljoin's cost.
        if value.startswith(("http://", "https://")):
            return value
        if value.startswith("/") and not value.startswith("//") and (origin := _origin(base_url)):
            return origin + value
    try:
        url = urljoin(base_url, value)
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return None
    return url if scheme in schemes and url.isprintable() else None


@lru_cache(maxsize=256)
def _origin(base_url: str) -> str | None:
    try:
        parts = urlsplit(base_url)
    except ValueError:
        return None
    if parts.scheme.lower() in ("http", "https") and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return None


def _image_url(node: Element, base_url: str) -> str | None:
    """The picture's real address, or None for placeholders, pixels, icons and data: URIs."""
    url = None
    for attribute in _IMAGE_SOURCES:
        value = node.get(attribute)
        if isinstance(value, str) and value.strip() and not value.strip().lower().startswith(
            ("data:", "javascript:", "about:")
        ):
            url = _absolute(value, base_url, ("http", "https"))
            if url is not None:
                break
    if url is None or _ICON_URL.search(url):
        return None
    width, height = _pixels(node, "width"), _pixels(node, "height")
    if any(size is not None and size <= _PIXEL_MAX_PX for size in (width, height)):
        return None
    if width is not None and height is not None and max(width, height) <= _ICON_MAX_PX:
        return None
    return url


def _pixels(node: Element, dimension: str) -> int | None:
    """A size from the attribute or the inline style; percentages say nothing."""
    value = node.get(dimension)
    style = node.get("style")
    if not isinstance(value, str) and isinstance(style, str):
        found = re.search(rf"(?<![-\w]){dimension}\s*:\s*([^;]+)", style, re.I)
        value = found.group(1) if found else None
    if not isinstance(value, str) or "%" in value:
        return None
    number = _DIMENSION.match(value)
    return int(number.group(1)) if number else None


def _meaningful_alt(node: Element) -> str | None:
    """alt or title, unless it is a file name or a word that says nothing."""
    for attribute in ("alt", "title"):
        value = node.get(attribute)
        if not isinstance(value, str):
            continue
        text = _normalise_text(value)
        if (text and text.lower() not in _GENERIC_ALT and not _FILE_NAME.search(text)
                and any(char.isalpha() for char in text)):
            return text[:_CAPTION_MAX_CHARS * 2]
    return None


def _normalise_text(text: str) -> str:
    text = _WHITESPACE.sub(" ", _squeeze_line_breaks(text)).strip()
    if "<" in text:
        # Double-escaped markup shows up as literal tags in the text; removing one may
        # reveal another, hence the loop.
        while (stripped := _TAG_LIKE.sub("", text)) != text:
            text = stripped
        text = _WHITESPACE.sub(" ", text).strip()
    return text


def _normalise_html(html: str) -> str:
    html = _WHITESPACE.sub(" ", _squeeze_line_breaks(html)).strip(" ")
    if html.startswith("<") and (leading := _LEADING_SPACE.match(html)):
        html = leading.group(1) + html[leading.end():]
    if html.endswith(">") and (trailing := _TRAILING_SPACE.search(html)):
        html = html[:trailing.start()] + trailing.group(1)
    return html


def _squeeze_line_breaks(text: str) -> str:
    text = _INVISIBLE.sub("", text)
    return _CJK_LINE_BREAK.sub("", text) if "\n" in text else text
