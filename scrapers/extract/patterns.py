"""The words and shapes that label dates, sources and credits on zone pages."""

from __future__ import annotations

import re

_MONTHS = (r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?")
# Any printed date: 2022-06-10 10:30:00, 2019年09月06日 09:38, 2007-08-20-23:59:59,
# 18-03-08 23:16, May 9, 2021, 10 May 2021, Apr 14, 2024 01:11 AM.
DATE = re.compile(
    r"(?<!\d)(?:"
    r"(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}(?:\s*日)?"
    r"|\d{2}-\d{2}-\d{2}(?=\s+\d{1,2}:\d{2})"
    r"|" + _MONTHS + r"\s+\d{1,2},?\s+(?:19|20)\d{2}"
    r"|\d{1,2}\s+" + _MONTHS + r",?\s+(?:19|20)\d{2}"
    r")(?:[\s,]*(?:(?:at|@)\s*)?[-T]?\s*\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AaPp]\.?[Mm]\.?)?)?(?!\d)",
)
# A year-less date is only a date after a date label: 发布时间：10-08 12:00.
SHORT_DATE = re.compile(r"^\d{1,2}[-/月]\d{1,2}日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?")

PUBLISHED_LABELS = ("发布日期", "发布时间", "发表时间", "发表日期", "发稿时间", "成文日期",
                    "时间", "日期", "Published", "Posted on", "Date")
UPDATED_LABELS = ("最后更新", "更新时间", "更新日期", "修改时间", "Updated", "Last updated")
SOURCE_LABELS = ("信息来源", "文章来源", "稿件来源", "新闻来源", "来源于", "来源", "来自", "Source")
CREDIT_LABELS = ("责任编辑", "责编", "编辑", "作者", "记者", "通讯员", "摄影", "撰稿", "供稿",
                 "审核", "审校", "终审", "校对", "采写", "Author", "Editor")
# Printed on info lines but carrying nothing we keep; they end the value before them.
OTHER_LABELS = ("浏览次数", "阅读次数", "访问次数", "点击次数", "点击数", "浏览量", "阅读量",
                "浏览", "阅读", "点击", "字号", "字体", "分享到", "分享", "索引号", "发文机关",
                "发布机构", "主题分类", "文号", "Views")

_ALL_LABELS = sorted({*PUBLISHED_LABELS, *UPDATED_LABELS, *SOURCE_LABELS, *CREDIT_LABELS,
                      *OTHER_LABELS}, key=lambda label: (-len(label), label))
LABEL = re.compile(
    r"(?<![A-Za-z])(" + "|".join(map(re.escape, _ALL_LABELS)) + r")\s*[:：]\s*",
    re.IGNORECASE,
)
# Brackets and wide gaps end a value: 来源：本网  【打印】 gives 本网.
VALUE_END = re.compile(r"\s{2,}|[【\[|｜()（）】\]]")

BREADCRUMB_HINTS = ("当前位置", "您的位置", "你的位置", "您现在的位置", "你现在的位置", "所在位置",
                    "当前的位置", "现在位置")
BREADCRUMB_SEPARATORS = re.compile(r"\s*(?:>>|>|＞|》|»|›|→|/|\\)\s*")
# The last breadcrumb item of an article page is often a placeholder, not the column.
BREADCRUMB_PLACEHOLDERS = frozenset({"正文", "详情", "内容", "文章", "详细内容", "正文内容",
                                     "浏览文章", "文章详情", "新闻详情", "阅读全文", "详细信息",
                                     "首页", "home", "网站首页",
                                     # 正文 as machine translation prints it
                                     "text", "body", "main text", "full text", "content",
                                     "details", "article"})


def label_kind(label: str) -> str:
    """Which field a matched label feeds: published, updated, source, credit or other."""
    folded = label.casefold()
    for kind, labels in (("updated", UPDATED_LABELS), ("published", PUBLISHED_LABELS),
                         ("source", SOURCE_LABELS), ("credit", CREDIT_LABELS)):
        if any(folded == known.casefold() for known in labels):
            return kind
    return "other"
