"""The shapes of dates, values and breadcrumbs on zone pages (the words are in ``pipelines.vocabulary``)."""

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

# Brackets and wide gaps end a value: 来源：本网  【打印】 gives 本网.
VALUE_END = re.compile(r"\s{2,}|[【\[|｜()（）】\]]")

BREADCRUMB_SEPARATORS = re.compile(r"\s*(?:>>|>|＞|》|»|›|→|/|\\)\s*")
# The last breadcrumb item of an article page is often a placeholder, not the column.
BREADCRUMB_PLACEHOLDERS = frozenset({"正文", "详情", "内容", "文章", "详细内容", "正文内容",
                                     "浏览文章", "文章详情", "新闻详情", "阅读全文", "详细信息",
                                     "首页", "home", "网站首页",
                                     # 正文 as machine translation prints it
                                     "text", "body", "main text", "full text", "content",
                                     "details", "article"})

