"""The article body: where it is (markers, known CMS skins, text density); what in it is furniture
is ``pipelines.furniture``'s to say, when the body cleaner reads it."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from lxml import etree
from parsel.csstranslator import HTMLTranslator

from pipelines.vocabulary import (
    ASIDE_CLASSES,
    DISCLAIMER_STARTS,
    NEGATIVE_CLASSES,
    NOT_TEXT_CLASSES,
    POSITIVE_CLASSES,
    SITE_FOOTER_MARKS,
)

from .document import Element, class_tokens, outer_html, squash, text_of

_CSS = HTMLTranslator()
# Body containers of the CMSes the zones run on. When several match, the innermost
# one holding most of the text wins (TRS_Editor inside #zoom, #zoom inside artContent).
_SKINS = ("div.TRS_Editor", ".TRS_UEDITOR", "#UCAP-CONTENT", "div.zw", "div.news_cont_d_wrap",
          "#zoom", "div.article-content", "div.artContent", ".entry-content", ".post-content")
_SKIN_WORDS = ("trs_editor", "trs_ueditor", "ucap-content", "zw", "news_cont_d_wrap", "zoom",
               "article-content", "artcontent", "entry-content", "post-content")
_SKIN_TESTS = tuple(etree.XPath(_CSS.css_to_xpath(css, prefix="self::")) for css in _SKINS)
_START_MARKERS = etree.XPath(
    "//meta[translate(@name, 'CONTENTSART', 'contentsart')='contentstart']"
    " | //comment()[contains(., '$[信息内容]>begin')]"
)
_END_MARKERS = etree.XPath(
    "//meta[translate(@name, 'CONTENTSEND', 'contentsend')='contentend']"
    " | //comment()[contains(., '$[信息内容]>end')]"
)
_PARAGRAPHS = etree.XPath("//body//*[self::p or self::pre or self::td[not(.//td)]"
                          " or self::div[not(.//div or .//section or .//p or .//table or .//li)]"
                          " or self::section[not(.//div or .//section or .//p or .//table"
                          " or .//li)]]")
_LINKS = etree.XPath(".//a")
_BREAKS = etree.XPath("br")
_MIN_SKIN_TEXT = 20
_MIN_PARAGRAPH = 25     # a paragraph this long votes for the block around it
_MIN_SENTENCE = 8       # … and a sentence this long does when nothing longer is there
_SENTENCE_END = re.compile(r"[。！？!?]|[a-z]{2}\.(?:\s|$)")
_NEAR_LEVELS = 3       # prose this many levels up from the densest box is right beside it
_BESIDE = 0.25         # share of the page's prose beside the densest box worth a second look
_AGREED = 0.7          # share of a wider block's extra text the extractor must also read
_SITE_FOOTER = re.compile("|".join((*SITE_FOOTER_MARKS, "版权所有", "主办单位", r"Copyright\s*(?:©|\(c\))")),
                          re.IGNORECASE)
# Headline tags of teaser cards: the line under a linked headline is its teaser.
_TEASER_TITLES = frozenset({"a", "h2", "h3", "h4", "h5", "h6", "strong", "b"})


BodyNode = Element | str  # an element (its tail not included), or text between elements


@dataclass
class Body:
    """The body container (for locating the text around it) and, when the body is a span
    rather than one whole element, the nodes it is made of."""

    element: Element
    nodes: list[BodyNode] | None = None


def find_body(root: Element, selected: list[Element],
              classes: list[tuple[Element, str]]) -> Body | None:
    """Locate the body without changing the tree: the other finders still need it whole."""
    if selected:  # the site's own selector: its markup exactly, nothing cut
        return Body(selected[0], list(selected))
    return _between_markers(root) or _by_skin(classes) or _by_density(root)


def body_nodes(body: Body) -> list[BodyNode]:
    """The body's nodes as the page wrote them; the body cleaner cuts the furniture."""
    return body.nodes if body.nodes is not None else [body.element]


def nodes_html(nodes: list[BodyNode]) -> str:
    """The HTML of the body's nodes, as the page wrote them."""
    return "".join(html.escape(node, quote=False) if isinstance(node, str) else outer_html(node)
                   for node in nodes)


def _between_markers(root: Element) -> Body | None:
    """Hanweb writes the body between two markers; everything between them is the article."""
    starts, ends = _START_MARKERS(root), _END_MARKERS(root)
    if not starts or not ends:
        return None
    start, end = starts[0], ends[-1]
    parent = start.getparent()
    if parent is None or end.getparent() is not parent:
        return None
    siblings = list(parent)
    inside = siblings[siblings.index(start) + 1:siblings.index(end)]
    nodes: list[BodyNode] = [start.tail] if start.tail else []
    for element in inside:
        if isinstance(element.tag, str):
            nodes.append(element)
            if element.tail:
                nodes.append(element.tail)
    return Body(parent, nodes)


def _by_skin(classes: list[tuple[Element, str]]) -> Body | None:
    candidates = [element for element, names in classes
                  if any(word in names for word in _SKIN_WORDS)]
    found = [(element, len(text_of(element))) for element in candidates
             if any(test(element) for test in _SKIN_TESTS)]
    found = [(element, size) for element, size in found if size >= _MIN_SKIN_TEXT]
    if not found:
        return None
    most = max(size for _, size in found)
    deepest = max((element for element, size in found if size >= 0.6 * most),
                  key=lambda element: sum(1 for _ in element.iterancestors()))
    return Body(deepest)


def _by_density(root: Element) -> Body | None:
    """Readability's idea, small: paragraphs vote for their parent and grandparent.

    A short article (one paragraph, a two-sentence notice) still has a body: when no
    paragraph is long enough to vote, sentences of any length vote instead.
    """
    paragraphs = [(paragraph, text) for paragraph in _PARAGRAPHS(root)
                  if (text := text_of(paragraph)) and _may_vote(paragraph, text)]
    voters = [(p, text) for p, text in paragraphs if len(text) >= _MIN_PARAGRAPH]
    if not voters:
        voters = [(p, text) for p, text in paragraphs
                  if len(text) >= _MIN_SENTENCE and _SENTENCE_END.search(text)]
    scores: dict[Element, float] = {}
    for paragraph, text in voters:
        vote = 1 + sum(text.count(mark) for mark in "，。、,.；;") + min(len(text) / 100, 3)
        parent = paragraph.getparent()
        # A block whose lines are broken by <br> is a text container itself (a share page's
        # text div): it stands for the body before the parent around it does.
        itself = paragraph if paragraph.tag in {"div", "section"} and _BREAKS(paragraph) else None
        for share, voter in ((1.0, itself), (1.0, parent),
                             (0.5, None if parent is None else parent.getparent())):
            if voter is not None and voter.tag not in {"html", "body"}:
                scores[voter] = scores.get(voter, 0.0) + vote * share
    best, best_score = None, 0.0
    for element, score in scores.items():  # dict order is document order: ties go to the first
        tokens = class_tokens(element)
        weight = 0.2 if tokens & NEGATIVE_CLASSES and not tokens & POSITIVE_CLASSES else 1.0
        weight *= 1.5 if tokens & POSITIVE_CLASSES else 1.0
        text = text_of(element)
        score *= weight * (1 - _link_share(element, len(text)))
        if score > best_score:
            best, best_score = element, score
    if best is None:
        return None
    return Body(_widened(root, _into_cell(best), [p for p, _ in voters]))


def _may_vote(paragraph: Element, text: str) -> bool:
    """Text that reads like the article's but is not: a teaser under a linked headline,
    a reader's comment, a sidebar blurb, a reprint disclaimer, the site's footer, links."""
    if _link_share(paragraph, len(text)) > 0.5 or class_tokens(paragraph) & NOT_TEXT_CLASSES:
        return False
    if text.startswith(DISCLAIMER_STARTS) or _SITE_FOOTER.search(text):
        return False
    previous = paragraph.getprevious()
    while previous is not None and not isinstance(previous.tag, str):
        previous = previous.getprevious()
    if previous is not None and previous.tag in _TEASER_TITLES:
        title = text_of(previous)
        if title and _link_share(previous, len(title)) > 0.8:
            return False
    return not any(class_tokens(ancestor) & ASIDE_CLASSES for ancestor in paragraph.iterancestors()
                   if ancestor.get("class") or ancestor.get("id"))


def _widened(root: Element, best: Element, voters: list[Element]) -> Element:
    """The block a general extractor also reads as the article, when it holds ours and more.

    Page builders wrap each paragraph in its own box and news CMSes cut the body into
    chunks between ad slots, so the densest box holds part of the article. When much of
    the page's prose lies right beside that box on a page in Latin script, trafilatura
    reads the page too, and the box grows to each container whose extra text it also
    reads as the article. Where it reads another block, ours stands. Chinese pages keep
    the density choice, which reads their CMS furniture better.
    """
    if not _is_latin(text_of(best)):
        return best
    around = ([best, *best.iterancestors()][:_NEAR_LEVELS + 1])[-1]
    lengths = [len(text_of(p)) for p in voters]
    beside = sum(length for p, length in zip(voters, lengths, strict=True)
                 if p is not best and best not in p.iterancestors()
                 and around in p.iterancestors())
    if beside < _BESIDE * sum(lengths):
        return best  # no prose right beside the densest box: no second opinion needed
    chosen = _extractor_paragraphs(root)
    matched = {p: len(text_of(p)) for p in voters if squash(text_of(p)) in chosen}
    if not any(p is best or best in p.iterancestors() for p in matched):
        return best  # the extractor reads another block: no vote
    widest, below = best, len(text_of(best))
    for ancestor in best.iterancestors():
        if ancestor.tag in {"body", "html"}:
            break
        size = len(text_of(ancestor))
        added = size - below
        if added > 0:
            agreed = sum(length for p, length in matched.items()
                         if ancestor in p.iterancestors() and widest not in p.iterancestors()
                         and p is not widest)
            if agreed < _AGREED * added:
                break
            widest = ancestor
        below = size
    return widest


def _extractor_paragraphs(root: Element) -> frozenset[str]:
    import trafilatura  # imported on first use: most zone pages never need it

    page = etree.tostring(root, method="html", encoding="unicode")
    text = trafilatura.extract(page, fast=True, include_comments=False, include_tables=True,
                               include_images=False, with_metadata=False) or ""
    return frozenset(squash(line) for line in text.splitlines() if line.strip())


def _is_latin(text: str) -> bool:
    letters = [char for char in text if char.isalpha()]
    return bool(letters) and sum(char.isascii() for char in letters) >= 0.8 * len(letters)


def _into_cell(element: Element) -> Element:
    """A table row or table that won only through one cell: the cell is the body."""
    while element.tag in {"table", "tbody", "tr"}:
        total = len(text_of(element))
        cells = [child for child in element if child.tag in {"tbody", "tr", "td", "th"}]
        biggest = max(cells, key=lambda child: len(text_of(child)), default=None)
        if biggest is None or len(text_of(biggest)) < 0.8 * total:
            break
        element = biggest
    return element


def _link_share(element: Element, text_length: int) -> float:
    if not text_length:
        return 1.0
    return min(1.0, sum(len(text_of(link)) for link in _LINKS(element)) / text_length)
