"""The shapes of year-less dates, values and breadcrumbs on zone pages (the words are in
``pipelines.vocabulary``, the shape of a whole printed date in ``pipelines.dates``)."""

from __future__ import annotations

import re

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

