"""The words zone pages print: labels, credit roles, placeholder names and page furniture.

Extraction (``scrapers/extract``) and normalisation (``pipelines``) read the same pages with the
same words; each word is written here once, so a word learnt from one page reaches every reader.
It lives in ``pipelines`` because extraction may import pipelines, never the other way round.
"""

from __future__ import annotations

import re

# --- labels printed before a value (发布时间：…, 来源：…) --------------------------------------------

PUBLISHED_LABELS = ("发布日期", "发布时间", "发表时间", "发表日期", "发稿时间", "成文日期",
                    "时间", "日期", "Published", "Posted on", "Date")
UPDATED_LABELS = ("最后更新", "更新时间", "更新日期", "修改时间", "Updated", "Last updated")
SOURCE_LABELS = ("信息来源", "文章来源", "稿件来源", "新闻来源", "来源于", "来源", "来自", "Source")
CREDIT_LABELS = ("责任编辑", "责编", "编辑", "作者", "记者", "通讯员", "摄影", "撰稿", "供稿",
                 "审核", "审校", "终审", "校对", "采写", "Author", "Editor")
# Counters and widgets printed on info lines; they carry nothing kept.
COUNTER_LABELS = ("浏览次数", "浏览量", "阅读量", "阅读次数", "访问量", "访问次数", "点击数", "点击量",
                  "点击次数", "点击率")
OTHER_LABELS = (*COUNTER_LABELS, "浏览", "阅读", "点击", "Views", "字号", "字体", "分享到", "分享",
                "索引号", "发文机关", "发布机构", "主题分类", "文号")
_ALL_LABELS = sorted({*PUBLISHED_LABELS, *UPDATED_LABELS, *SOURCE_LABELS, *CREDIT_LABELS,
                      *OTHER_LABELS}, key=lambda label: (-len(label), label))
# Any label with its colon: 发布时间：, 来源:, Source:.
LABEL = re.compile(
    r"(?<![A-Za-z])(" + "|".join(map(re.escape, _ALL_LABELS)) + r")\s*[:：]\s*",
    re.IGNORECASE,
)


def label_kind(label: str) -> str:
    """Which field a matched label feeds: published, updated, source, credit or other."""
    folded = label.casefold()
    for kind, labels in (("updated", UPDATED_LABELS), ("published", PUBLISHED_LABELS),
                         ("source", SOURCE_LABELS), ("credit", CREDIT_LABELS)):
        if any(folded == known.casefold() for known in labels):
            return kind
    return "other"


# --- credit roles (what a credit line says a person did) -------------------------------------------

# Job titles: what a person is, where the roles below say what they did.
ZH_TITLES = ("见习记者", "实习记者", "全媒体记者", "融媒体记者", "特约记者", "摄影记者",
             "记者", "通讯员", "实习生")
ZH_AUTHOR_ROLES = ("文", "文字", "撰文", "撰稿", "作者", "本文作者", "采写", "执笔", "主笔", "记者",
                   "见习记者", "实习记者", "全媒体记者", "融媒体记者", "特约记者", "通讯员", "实习生")
ZH_PHOTOGRAPHER_ROLES = ("图", "图片", "摄", "摄影", "摄像", "视频", "摄影记者")
ZH_AUTHOR_AND_PHOTOGRAPHER_ROLES = ("文/图", "图/文", "文/摄", "图文", "文图", "文、图", "图、文")
ZH_EDITOR_ROLES = ("编辑",)
ZH_RESPONSIBLE_EDITOR_ROLES = ("责编", "责任编辑")
ZH_SOURCE_ROLES = ("来源", "本文来源", "信息来源", "来源于", "稿源", "文章来源", "新闻来源", "稿件来源",
                   "转自", "转载自")
ZH_OTHER_ROLES = ("审核", "审校", "终审", "初审", "复审", "一审", "二审", "三审", "校对",
                  "统筹", "策划", "监制", "制作", "美编", "设计", "整理", "翻译", "主编", "图片来源")
# Roles that only credit lines use, never a sentence's subject (文字：王明, 执笔/陈晓).
ZH_CREDIT_LINE_ROLES = ("文字", "图片", "文/图", "图/文", "文", "图", "摄", "执笔", "主笔")
# The role of a name printed alone right before the date (宋雪梅 2025-12-23 23:39), and of the
# name after "By" on a blog's header line.
NAME_BEFORE_DATE_ROLE = "作者"
BY_ROLE = "By"
# A line that opens with one of these words and a colon is a credit or source line.
EN_LINE_ROLES = ("by", "author", "written by")

# Who made the site, not the article: "Powered by WordPress", "Theme by …".
SITE_MAKER_WORDS = ("powered", "designed", "developed", "built", "hosted", "theme", "made",
                    "copyright")

# --- names that name nobody ------------------------------------------------------------------

# What content-management systems print when nobody was entered.
PLACEHOLDER_NAMES = frozenset({"系统管理员", "管理员", "网站管理员", "超级管理员", "admin",
                               "administrator", "本网", "本站", "佚名", "匿名", "小编"})
# Staff accounts a blog prints after "By" (By admin, By webmaster).
PLACEHOLDER_ACCOUNTS = frozenset({"admin", "administrator", "editor", "webmaster", "root", "staff"})
# "This site": the page credits the zone's own site, so the source is the site's name.
THIS_SITE = frozenset({"本网", "本站", "本网站", "本网原创", "本站原创", "原创"})

# --- page furniture, by the class and id words of its markup ------------------------------------

# Furniture every reader of the page cuts: navigation, share bars, related lists, comments, footers.
SHARED_FURNITURE_CLASSES = frozenset({
    "foot", "footer", "menu", "nav", "related", "share", "xgwz", "xgxw", "comment", "comments",
    "breadcrumb", "crumb", "crumbs", "dqwz", "erweima", "ewm", "fenxiang", "fontsize", "next",
    "pagebar", "pager", "pagination", "prev", "prevnext", "print", "qrcode", "sharing", "social",
    "toolbar", "tools", "xglj", "zihao",
})
# … and what only blocks inside a body container are cut for: the info line, widgets, the pager.
IN_BODY_FURNITURE_CLASSES = SHARED_FURNITURE_CLASSES | {
    "a2a", "addtoany", "bdshare", "bshare", "byline", "entry-meta", "info", "jiathis", "location",
    "meta", "page", "position", "post-meta", "relate", "relatedposts", "share-bar", "sharebar",
    "sharedaddy", "xgxx",
}
# Comment boxes and sidebars: containers whose text is never the article's.
ASIDE_CLASSES = frozenset({"comment", "comments", "commentlist", "comment-list", "respond",
                           "discussion", "replies", "sidebar", "widget", "widget-area", "rail",
                           "pinglun"})
# Blocks beside the text that read like it but are not it: a teaser, a reprint disclaimer.
NOT_TEXT_CLASSES = frozenset({"summary", "abstract", "zhaiyao", "statement", "disclaimer",
                              "shengming", "copyright", "copy", "banquan", "update"})
# Words that make a block less likely to be the article when the body is found by density.
NEGATIVE_CLASSES = frozenset({"comment", "comments", "footer", "foot", "nav", "menu", "sidebar",
                              "side", "related", "share", "copyright", "header", "banner", "links",
                              "friend", "recommend", "hot", "bottom", "sitemap", "xgwz", "xgxw",
                              "list", "ad", "pinglun"})
POSITIVE_CLASSES = frozenset({"content", "article", "body", "text", "zw", "detail", "main", "post",
                              "entry", "zoom", "con", "cont", "txt", "wenzhang", "neirong", "view"})
# Every class word the body cleaner drops a block for (share bars, pagers, ads, follow boxes …).
FURNITURE_CLASSES = SHARED_FURNITURE_CLASSES | {
    "breadcrumbs", "weizhi", "dayin", "close", "guanbi", "collect", "shoucang", "fav", "favorite",
    "favorites", "pages", "paging", "pagenav", "sxp", "xgyd", "tags", "tagcloud", "respond",
    "reply", "qr", "copyright", "navigation", "hidden", "hide", "ad", "ads", "advert",
    "advertisement", "views", "hits", "newsletter", "subscribe", "subscription", "signup", "promo",
    "disclaimer", "statement", "shengming", "mianze", "banquan", "gzh", "weixin", "wechat",
    "pinglun", "cta",
}
# Parts of longer class names (bdshare_s, entry-meta) that mark the same furniture.
FURNITURE_CLASS_FRAGMENTS = (
    "bshare", "bdshare", "jiathis", "sharedaddy", "sharethis", "addthis", "relatedpost",
    "breadcrumb", "curposition", "currentposition", "nowposition", "fontsize", "qrcode",
    "erweima", "pagination", "nocontent", "wordads", "screenreadertext", "entrymeta", "postmeta",
    "viewcount", "hitcount", "postviews",
)
# Class parts of a breadcrumb container.
BREADCRUMB_CLASS_FRAGMENTS = ("crumb", "position", "location", "dqwz", "weizhi", "mbx", "curpos")

# --- page furniture, by its text ---------------------------------------------------------------

BREADCRUMB_HINTS = ("当前位置", "您的位置", "你的位置", "您现在的位置", "你现在的位置", "所在位置",
                    "当前的位置", "现在位置", "您当前的位置", "您当前所在位置")
# Lines of a share bar, a pager or the page's tools.
TOOL_LINE_STARTS = ("分享到", "分享：", "【打印", "打印本页", "【关闭", "关闭窗口", "上一篇",
                    "下一篇", "扫一扫", "返回顶部", "Share this", "Previous post", "Next post")
# Labels that open a line about the page, not the story it tells: credits, sources, rights. The
# story signature drops such lines; stored signatures were made with these words, so a word added
# here changes which stored stories a new article can join.
PAGE_LINE_LABELS = ("来源", "来自", "原标题", "稿源", "作者", "记者", "通讯员", "编辑", "责任编辑", "责编",
                    "审核", "审校", "校对", "统筹", "监制", "摄影", "图片", "图", "文", "供图", "文字",
                    "视频", "排版", "出品", "转载", "版权", "声明", "免责", "source", "editor",
                    "editors", "reporter", "reporters", "author", "authors", "photo", "photos", "by",
                    "copyright", "translated by", "responsible editor")
DISCLAIMER_STARTS = ("特别声明", "免责声明", "版权声明", "郑重声明", "声明：", "Disclaimer")
# A site footer: who runs the site and its registration numbers.
SITE_FOOTER_MARKS = ("ICP备", "ICP证", "公网安备", "网站标识码")
