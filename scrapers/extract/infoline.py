"""What the lines around the headline say: dates, source and credits, raw and labelled."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from pipelines.dates import PRINTED_DATE
from pipelines.raw_article import CreditCandidate, CreditPlace
from pipelines.vocabulary import (
    BY_ROLE,
    CREDIT_LABELS,
    LABEL,
    NAME_BEFORE_DATE_ROLE,
    PLACEHOLDER_ACCOUNTS,
    SITE_MAKER_WORDS,
    ZH_CREDIT_LINE_ROLES,
    label_kind,
)

from .document import squash
from .patterns import SHORT_DATE, VALUE_END

_CJK = re.compile(r"[\u4e00-\u9fff]")
# hizh.cn prints a bare name, then the time: "宋雪梅 2025-12-23 23:39".
_BARE_NAME = re.compile(r"^([\u4e00-\u9fff·]{2,4}(?:[ 、][\u4e00-\u9fff·]{2,4}){0,3})(?:\s+|$)")
_NOT_A_NAME = re.compile(r"[报网台社区局委会室部处厅院府站刊号版态闻页讯稿频道心司]$|^(首页|正文|来源|本网|"
                         r"作者|编辑|发布|时间|日期|当前|位置|打印|关闭|分享)")
# A blog header line: "2022-06-10 0 By" (no author) or "By Jane Doe".
_BY_NAME = re.compile(r"(?<![A-Za-z])[Bb]y:?\s+([A-Z][\w.'-]+(?:\s+[A-Z][\w.'-]+){0,3})")
# A day without its year is a date only with its time beside it (hizh.cn: "黄佳琪 03-11 16:40").
_TIMED_DAY = re.compile(r"(?<![\d/.-])\d{1,2}-\d{1,2}\s+\d{1,2}:\d{2}(?![\d:])")
# A name printed without a label beside the date (2024-03-05 10:20  珠海特区报, 南方+ 09:12) is the
# source when it is shaped like a newspaper's, a news app's or an office's name.
_BARE_SOURCE = re.compile(r"[\u4e00-\u9fff]{1,14}(?:日报|晚报|报|网|电视台|台|社|客户端|新闻|杂志|周刊|融媒"
                          r"|局|委|办|厅|政府|管委会|中心)|[\u4e00-\u9fff]{1,8}[+＋]")
_WORDS = re.compile(r"\s*[|｜]\s*|\s+")
# "Powered by WordPress", "Theme by …": who made the site, not who wrote the article.
_MADE_BY = re.compile(r"(?:" + "|".join(SITE_MAKER_WORDS) + r")\s+$", re.IGNORECASE)
# A line of credits the labels above do not read goes whole to the credit parser: roles separated
# by a pipe or a slash (编辑|苏芳  责编|何宁, 摄影/赵敏 编辑/孙丽), or roles that only credit lines use
# (文字：王明 图片：李华, 执笔：陈晓).
_CREDIT_LINE = re.compile(
    r"^[（(【\[]?\s*(?:(?:" + "|".join(CREDIT_LABELS) + r")\s*[|｜/／]"
    r"|(?:" + "|".join(ZH_CREDIT_LINE_ROLES) + r")\s*[|｜/／:：])\s*\S")
# A credit label at the end of its line (责任编辑：) waits for the name on the next line.
_WAITING_LABEL = re.compile(r"(" + "|".join(CREDIT_LABELS) + r")\s*[:：]\s*[)）】\]]?$")
_NAME_LINE = 24
# A value in brackets of its own: 来源：【南方日报】.
_BRACKETED = re.compile(r"^[【\[]([^】\]]{1,50})[】\]]")


@dataclass
class InfoFacts:
    """Raw strings found on info lines, in the order the page prints them."""

    published: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    bare_dates: list[str] = field(default_factory=list)
    source: str | None = None
    credits: list[CreditCandidate] = field(default_factory=list)


def read_info(lines: Iterable[str], *, headline_lines: bool = False,
              place: CreditPlace = CreditPlace.INFO_LINE) -> InfoFacts:
    """Labelled values (``发布日期：``, ``来源：``, ``编辑：``), bare dates and bylines; on the
    lines under the headline also a source printed beside the date without its label."""
    facts = InfoFacts()
    waiting: str | None = None  # a name alone on its line, waiting for the time below it
    label: str | None = None    # a credit label alone at a line's end, waiting for its name
    for line in lines:
        if label and len(line) <= _NAME_LINE and not LABEL.search(line):
            facts.credits.append(CreditCandidate(line, place, label))
        found = _WAITING_LABEL.search(line)
        label = found.group(1) if found else None
        if _CREDIT_LINE.match(line):
            facts.credits.append(CreditCandidate(line, place))
        _read_labels(line, facts, place)
        if waiting and (PRINTED_DATE.match(line) or _TIMED_DAY.match(line)):
            facts.credits.append(CreditCandidate(waiting, place, NAME_BEFORE_DATE_ROLE))
        waiting = None
        name = _BARE_NAME.match(line)
        if name and _is_name(name.group(1)):
            if name.end() == len(line):
                waiting = name.group(1)
            elif PRINTED_DATE.match(line, name.end()) or _TIMED_DAY.match(line, name.end()):
                facts.credits.append(CreditCandidate(name.group(1), place, NAME_BEFORE_DATE_ROLE))
        facts.credits += [CreditCandidate(by.group(1), place, BY_ROLE) for by in _BY_NAME.finditer(line)
                          if by.group(1).lower() not in PLACEHOLDER_ACCOUNTS
                          and not _MADE_BY.search(line, 0, by.start())]
        if headline_lines and facts.source is None:
            facts.source = _bare_source(line)
    return facts


def _bare_source(line: str) -> str | None:
    """The source-shaped word right after (or right before) the date of an info line."""
    date = PRINTED_DATE.search(line) or _TIMED_DAY.search(line)
    if date is None:
        return None
    after = [word for word in _WORDS.split(line[date.end():]) if word]
    before = [word for word in _WORDS.split(line[:date.start()]) if word]
    for word in (*after[:1], *before[-1:]):
        if _BARE_SOURCE.fullmatch(word):
            return word
    return None


def _is_name(text: str) -> bool:
    return not any(_NOT_A_NAME.search(name) for name in re.split(r"[ 、]", text))


def _read_labels(line: str, facts: InfoFacts, place: CreditPlace) -> None:
    labels = list(LABEL.finditer(line))
    claimed: list[tuple[int, int]] = []
    for index, match in enumerate(labels):
        end = labels[index + 1].start() if index + 1 < len(labels) else len(line)
        value = line[match.end():end]
        kind = label_kind(match.group(1))
        if kind in {"published", "updated"}:
            date = PRINTED_DATE.match(value) or SHORT_DATE.match(value)
            # 截止时间, 活动日期: a date of something else
            other = match.group(1) in {"时间", "日期"} and match.start() > 0 \
                and bool(_CJK.match(line[match.start() - 1]))
            if date and other:
                claimed.append((match.start(), match.end() + date.end()))
            elif date:
                raw = squash(line[match.start():match.end() + date.end()])
                (facts.published if kind == "published" else facts.updated).append(raw)
                claimed.append((match.start(), match.end() + date.end()))
            continue
        value = _BRACKETED.sub(r"\1", value.strip())
        value = VALUE_END.split(value, maxsplit=1)[0].strip(" ，,;；、。")
        if (printed := PRINTED_DATE.search(value)) is not None:
            value = value[:printed.start()].strip()  # 作者：王明 2024-03-05 10:20
        if not value:
            continue
        # An English agency's name is long: Zhuhai High-tech Zone Science and Technology Bureau
        if kind == "source" and facts.source is None and len(value) <= (
                50 if _CJK.search(value) else 100):
            facts.source = value
        elif kind == "credit" and len(value) <= 60:
            facts.credits.append(CreditCandidate(value, place, squash(match.group(1))))
    for date in PRINTED_DATE.finditer(line):
        if not any(start <= date.start() < stop for start, stop in claimed):
            facts.bare_dates.append(squash(date.group(0)))
            claimed.append((date.start(), date.end()))
    for day in _TIMED_DAY.finditer(line):
        if not any(start <= day.start() < stop for start, stop in claimed):
            facts.bare_dates.append(squash(day.group(0)))
