"""Page furniture: what a page prints around its article, decided in this one place.

The body cleaner (``pipelines.body``) asks ``element_verdict`` of each element it enters and
``block_kind`` of each block it cuts, in its one pass over the body: furniture is removed
there and nowhere else, so ``body_text`` and ``body_html`` lose the same blocks. The story
signature (``pipelines.stories``) asks ``is_page_line`` of each line of a stored body. The
words are ``pipelines.vocabulary``'s; this module holds the decisions made with them.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal

from pipelines.dates import PRINTED_DATE
from pipelines.vocabulary import (
    BREADCRUMB_HINTS,
    COUNTER_LABELS,
    FURNITURE_CLASS_FRAGMENTS,
    FURNITURE_CLASSES,
    IN_BODY_FURNITURE_CLASSES,
    LABEL,
    PAGE_LINE_LABELS,
    SITE_FOOTER_MARKS,
    TOOL_LINE_STARTS,
    label_kind,
)

# What a block of furniture is: "related" opens a list of links that goes with it, "follow"
# takes the QR code above it along, "tail" ends the article (comments, the site footer),
# "attachment" keeps its download link in the HTML but not its file name in the text.
Kind = Literal["furniture", "related", "follow", "tail", "attachment"]
# "always": cut, whatever it holds; "furniture": cut unless the element holds the article (a
# theme's share wrapper around the text); "small": a widget word that also names big containers
# (info, meta, page), so only a short or link-dominated element is cut.
ElementVerdict = Literal["always", "furniture", "small"]

LINK_DOMINATED = 0.5
SMALL_MAX_CHARS = 200
# Until a block this long is kept, the body is still in its head: headline, info line, credits.
HEAD_ENDS_CHARS = 40

# --- by markup ------------------------------------------------------------------------------

# Tags whose element is the page's, not the article's: navigation and the page footer always;
# a form (search, comments) and a sidebar unless the theme wrapped the article in one.
_ALWAYS_FURNITURE_TAGS = frozenset({"nav", "footer"})
_FURNITURE_TAGS = frozenset({"form", "aside"})
# Class words that say "the article's own block": zw-info is the body, not its info line.
_CONTENT_WORDS = frozenset({"content", "text", "zw", "article", "body"})
_SMALL_FURNITURE_CLASSES = IN_BODY_FURNITURE_CLASSES - FURNITURE_CLASSES
_NAME_SEPARATORS = re.compile(r"[^a-z0-9]+")
_CLASS_WORD_SPLIT = re.compile(r"[\s_-]+")


def element_verdict(tag: str, names: str) -> ElementVerdict | None:
    """Whether an element is furniture by its tag and its class and id words (``names``)."""
    if tag in _ALWAYS_FURNITURE_TAGS:
        return "always"
    if tag in _FURNITURE_TAGS:
        return "furniture"
    if not names or names.isspace():
        return None
    return _names_verdict(names)


@lru_cache(maxsize=4096)
def _names_verdict(names: str) -> ElementVerdict | None:
    lowered = names.lower()
    if not FURNITURE_CLASSES.isdisjoint(_NAME_SEPARATORS.split(lowered)):
        return "furniture"
    squashed = _NAME_SEPARATORS.sub("", lowered)
    if any(fragment in squashed for fragment in FURNITURE_CLASS_FRAGMENTS):
        return "furniture"
    words = set(lowered.split()) | set(_CLASS_WORD_SPLIT.split(lowered))
    if words & _SMALL_FURNITURE_CLASSES and not words & _CONTENT_WORDS:
        return "small"
    return None


# --- by text --------------------------------------------------------------------------------

# Short texts that are page furniture when nothing but them (and punctuation) fills a block.
_LATIN_WORD_START, _LATIN_WORD_END = r"(?<![A-Za-z])", r"(?![A-Za-z])"
_CHROME = re.compile(
    r"(?:字号|字体)\s*[:：]?\s*(?:[【\[(（]?\s*[大中小]\s*[】\])）]?\s*){1,3}"
    r"|打印(?:本页|本文|此页|文章|页面)?|关闭(?:本页|窗口|页面|本文)?"
    r"|(?:加入|添加到?)?收藏(?:本页|本文|本站)?|返回(?:顶部|首页|列表|上一页)?"
    r"|分享(?:到|至)?|(?:浏览|阅读|访问|点击)(?:次数|量|数)?\s*[:：]?\s*\d*\s*次?"
    r"|扫一扫|(?:手机)?扫描二维码|二维码|在手机上?(?:打开|查看|阅读)(?:当前页|本页|此页)?"
    r"|用?手机(?:扫一扫|扫码|浏览|打开)|打开当前页|分享到手机"
    r"|微信(?:朋友圈|好友)?|朋友圈|(?:新浪|腾讯)?微博|QQ(?:空间|好友)?|豆瓣|人人网?|百度贴吧"
    r"|上一页|下一页|首页|尾页|末页|共\s*\d+\s*页|第\s*\d+\s*页|跳转(?:到|至)?|转到|"
    + _LATIN_WORD_START
    + r"(?:share(?:\s+this)?|like\s+this|like|loading|print(?:\s+this)?|e-?mail|tweet|facebook"
    r"|twitter|linkedin|whatsapp|telegram|reddit|pinterest|pocket|tumblr|wechat|weibo"
    r"|click\s+to\s+\w+(?:\s+on\s+\w+)?|opens?\s+in\s+(?:a\s+)?new\s+window|more|go|previous"
    r"|prev|next|close|back\s+to\s+top|top)"
    + _LATIN_WORD_END,
    re.I,
)
_BREADCRUMB = re.compile(
    "(?:" + "|".join(BREADCRUMB_HINTS) + r")\s*[:：>＞]"
    r"|(?:you\s+are\s+here\s*:|home\s*[>»›/])",
    re.I,
)
_PREV_NEXT_ZH = re.compile(r"(?:上一篇|下一篇|上一条|下一条|上篇|下篇|前一篇|后一篇)\s*[:：]")
_TAG_LINE = re.compile(r"(?:tags?|标签|posted\s+in|categories|分类)\s*[:：]", re.I)
_PREV_NEXT_EN = re.compile(r"(?:previous|next)(?:\s+(?:post|article|story))?\s*[:：]", re.I)
_RELATED = re.compile(
    r"(?:相关(?:文章|新闻|链接|阅读|报道|稿件|信息)|延伸阅读|推荐阅读|相关推荐"
    r"|related(?:\s+(?:posts?|articles?|news|links|stories))?)\s*[:：]?",
    re.I,
)
# A block that ends the article: what follows is the page's, not the writer's.
_TAIL = re.compile(
    r"(?:网友评论|发表评论|我要评论|全部评论|最新评论|热门评论|评论区|已有\s*\d+\s*条评论"
    r"|共\s*\d+\s*条评论|文明上网|登录后(?:才能)?(?:发表)?评论"
    r"|leave\s+a\s+(?:reply|comment)|\d+\s+(?:comments?|responses?|replies)\b"
    r"|comments\s*\(\d+\)|join\s+the\s+(?:conversation|discussion))",
    re.I,
)
# A site footer: who runs the site and its registration numbers.
_SITE_FOOTER = re.compile("|".join((*SITE_FOOTER_MARKS, r"主办单位\s*[:：]", r"承办单位\s*[:：]",
                                    r"技术支持\s*[:：]", "版权所有")))
# A link out of the article to a topic, a channel or the home page: 点击进入…>>, 返回XX首页>>.
_PROMO = re.compile(
    r"(?:点击(?:进入|查看|阅读|这里|此处|浏览)|返回.{0,15}?(?:首页|频道|栏目|列表|专题|主页|查看更多)"
    r"|查看(?:更多|全文|原文)|获取更多|阅读(?:原文|全文)|更多(?:精彩|详情|内容|资讯|新闻|报道)"
    r"|(?:read|see)\s+(?:more|also)\b|also\s+read\b|more\s+on\s+this|sign\s+up\s+for"
    r"|subscribe\s+to)",
    re.I,
)
_ARROWS = re.compile(r"(?:>>|》》|＞＞|»|>)\s*$")
# A WeChat follow block: 扫码关注, 长按识别二维码, 点击上方蓝字关注我们, 关注公众号.
_FOLLOW = re.compile(
    r"扫码关注|扫一扫关注|扫描.{0,8}二维码|长按.{0,6}二维码|识别.{0,4}二维码|蓝字.{0,4}关注"
    r"|关注.{0,15}(?:公众号|微信号|视频号|官方微信|官微)|(?:微信)?公众号\s*[:：]|微信号\s*[:：]"
    r"|欢迎关注|关注我们"
)
# A reprint disclaimer: 特别声明, 免责声明, 版权声明, or the words every such notice says.
_DISCLAIMER = re.compile(
    r"^[【\[（(]?\s*(?:(?:特别|免责|版权|郑重)声明|(?:声明|disclaimer)\s*(?:[】\]）)]|[:：]))"
    r"|如有侵权.{0,10}(?:联系|删除|告知|处理)|不代表本(?:网|站|平台|号)(?:的)?(?:观点|立场)|仅供参考.{0,10}风险自负"
    r"|转载请注明|未经(?:本网|本站)?(?:书面)?(?:授权|许可).{0,8}(?:不得|禁止)(?:转载|使用)",
    re.I,
)
_COPYRIGHT = re.compile(r"(?:版权所有|©|copyright\s*(?:©|\(c\)|\d{4}))", re.I)
_COUNTER = re.compile("(?:" + "|".join(COUNTER_LABELS) + r")\s*[:：]\s*\d*\s*次?")
# An attachment list is what the page offers for download, not what the article says.
_ATTACHMENT_LABEL = re.compile(r"(?:相关)?附件(?:下载)?\s*[:：]?|attachments?\s*:?", re.I)
_ATTACHMENT_FILE = re.compile(
    r"\.(?:pdf|docx?|xlsx?|wps|et|zip|rar|7z|ofd|pptx?|csv|txt)\s*(?:[(（][^)）]*[)）])?\s*$", re.I)
# An info line: a date among labels and counters, and no sentence around it.
_PROSE = re.compile(r"[，。！？；]")
_YEAR_MONTH = re.compile(r"\d{4}\s*[-/年.]\s*\d{1,2}")
_SENTENCE_ENDS = ("。", ".", "！", "!", "？", "?")
_FOLLOW_MAX_CHARS = 80
_LIST_ITEM_MAX_CHARS = 60
_PROMO_MAX_CHARS = 60
_DISCLAIMER_MAX_CHARS = 400
_FURNITURE_MAX_CHARS = 200
_CHROME_MAX_CHARS = 100
_INFO_LINE_MAX_CHARS = 150


def block_kind(text: str, link_share: float, *, title: str | None = None, heading: bool = False,
               in_head: bool = False) -> Kind | None:
    """Name the kind of page furniture a block is, or None for the article's own.

    ``title`` is the page's headline: repeated as a block of the body, it is the title block.
    ``in_head`` says no block of the article's length has been kept yet: a date with labels
    there is the info line under the headline, not a sentence of the article.
    """
    if title and (text == title or (heading and len(text) >= 4 and title.startswith(text))):
        return "furniture"
    if in_head and is_info_line(text):
        return "furniture"
    related = _RELATED.match(text)
    if related and (link_share >= LINK_DOMINATED or not text[related.end():].strip()):
        return "related"
    if len(text) <= _DISCLAIMER_MAX_CHARS and _DISCLAIMER.search(text):
        return "furniture"
    follow = _FOLLOW.search(text) if len(text) <= _FOLLOW_MAX_CHARS else None
    # "扫码关注…" opens the block; a sentence that only mentions an account is the article's.
    if follow and (follow.start() <= 2 or (len(text) <= 30 and "，" not in text)):
        return "follow"
    if len(text) <= _PROMO_MAX_CHARS and _PROMO.match(text) and (
            link_share >= LINK_DOMINATED or _ARROWS.search(text)
            or not text.endswith(_SENTENCE_ENDS)):
        return "furniture"
    if len(text) > _FURNITURE_MAX_CHARS:
        return None
    if _TAIL.match(text) and len(text) <= _CHROME_MAX_CHARS and not text.endswith(_SENTENCE_ENDS):
        return "tail"
    if len(_SITE_FOOTER.findall(text)) >= 2 or (text.startswith(("主办", "版权所有", "Copyright"))
                                               and _SITE_FOOTER.search(text)):
        return "tail"
    if _BREADCRUMB.match(text) or _PREV_NEXT_ZH.match(text) or _COPYRIGHT.match(text):
        return "furniture"
    if link_share >= LINK_DOMINATED and (_PREV_NEXT_EN.match(text) or _TAG_LINE.match(text)
                                         or _ARROWS.search(text)):
        return "furniture"
    if _ATTACHMENT_LABEL.fullmatch(text) or (
            link_share >= LINK_DOMINATED and _ATTACHMENT_FILE.search(text)):
        return "attachment"
    if len(text) > _CHROME_MAX_CHARS or "。" in text or "，" in text:
        return None
    rest, matches = _CHROME.subn("", text)
    if not any(char.isalpha() for char in rest) and (matches or link_share >= LINK_DOMINATED):
        return "furniture"
    return None


def is_info_line(text: str) -> bool:
    """A short line of date, source and counters, or a date with a name beside it."""
    if not text or len(text) > _INFO_LINE_MAX_CHARS:
        return False
    kinds = [label_kind(match.group(1)) for match in LABEL.finditer(text)]
    date = PRINTED_DATE.search(text)
    if date:
        # A short sentence with a date in it is the article (a one-line notice), not a date line.
        return bool(kinds) or (len(text) - len(date.group(0)) < 40 and not _PROSE.search(text))
    if kinds and _YEAR_MONTH.search(text) and not _PROSE.search(text):
        return True  # 发布时间：2022年6月: a date without its day
    return len(kinds) >= 2 and any(kind in {"published", "updated", "other"} for kind in kinds)


def is_list_item(text: str, link_share: float) -> bool:
    """An entry of a related list: mostly a link, or a short linked title with its date."""
    return link_share >= LINK_DOMINATED or (
        link_share > 0 and len(text) <= _LIST_ITEM_MAX_CHARS and not text.endswith(_SENTENCE_ENDS))


def without_counters(text: str) -> str:
    """A line with its view counters (浏览次数：12) taken out; the rest may be the article's."""
    return _COUNTER.sub("", text)


# --- lines of a stored body -----------------------------------------------------------------

_PAGE_LINE_MAX_CHARS = 80
_PAGE_LINE = re.compile(
    r"^\W*(?:" + "|".join(map(re.escape, PAGE_LINE_LABELS)) + r")\s*[:：/／|]"
    r"|^[（(【\[].{0,40}[)）】\]]$"
    r"|^(?:" + "|".join(map(re.escape, TOOL_LINE_STARTS)) + r")"
    r"|^\b(?:print|share)\b.{0,20}$",
    re.IGNORECASE)


def is_page_line(line: str) -> bool:
    """A short line of a stored body that is about the page, not the story it tells: a credit,
    a source, a rights notice, a bracketed aside, a share prompt."""
    line = line.strip()
    return len(line) < _PAGE_LINE_MAX_CHARS and _PAGE_LINE.match(line) is not None
