"""Companies and institutions named in an article, by their legal or institutional names.

An organisation is recognised by how its name ends: 有限公司, 股份有限公司, 集团, 研究院, 大学,
银行, 中心, … in Chinese, ``Co., Ltd.``, ``Group``, ``University``, ``Institute`` … in English.
A short form introduced by ``（以下简称“格力电器”）`` stands for the full name before it, so later
mentions of the short form count as that organisation. Brand names without such an ending
(华为, BYD) are not read: nothing in the text says they are organisations.

Names are normalised so that one organisation is one entity across articles: full-width
letters, digits and brackets become ASCII (NFKC), quotes and spaces are dropped.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Longest first; an ending only counts at the end of a name (中心城区 is no 中心).
CN_SUFFIXES = (
    "股份有限公司", "有限责任公司", "集团有限公司", "集团股份有限公司", "有限公司", "集团公司", "集团",
    "控股", "公司", "研究院", "研究所", "研究中心", "创新中心", "服务中心", "大学",
    "研究生院", "学院", "分行", "支行", "分公司", "银行", "实验室", "医院", "协会", "商会", "联盟",
    "交易所", "基金会", "校区",
    "管委会", "管理委员会", "委员会", "科学院", "工程院", "事务所", "合伙企业(有限合伙)",
    "(有限合伙)", "中心",
)
# What may stand before an ending inside a name: Han characters, Latin letters, digits,
# brackets around a place (珠海格力电器(集团)), and the middle dot of transliterations.
_NAME_CHARS = r"[\u4e00-\u9fffA-Za-z0-9()·&]"
# Words that end the text before a name: prepositions, verbs and conjunctions a name follows.
# A name is cut after the last of them (与珠海格力电器股份有限公司签约 → 珠海格力电器股份有限公司).
CN_LEFT_CUTS = (
    "以下简称", "分别与", "携手", "签约", "签署", "落户", "引进", "成立", "来自", "包括", "其中", "位于",
    "举行", "出席", "代表", "作为", "成为", "并与", "以及", "推动", "依托", "牵头", "指导", "主办", "承办",
    "协办", "获得", "荣获", "入选", "认定", "授予", "走进", "调研", "考察", "参观", "会见", "拜访", "对接",
    "洽谈", "迎来", "入驻", "联手", "牵手", "共建", "中标", "收购", "持有", "表示", "介绍", "透露", "同时",
    "设立", "建立", "组建", "新建", "打造", "筹建", "全资", "旗下", "下属", "所属",
    "一家", "多家", "两家", "这家", "拥有", "共有", "通过", "组织", "前往", "邀请", "吸引", "聚集", "集聚",
    "由", "与", "和", "及", "在", "是", "向", "对", "将", "把", "被", "等", "于", "据", "从", "让", "跟",
    "了", "的", "其", "即", "获", "给", "到", "年", "月", "日", "这", "该", "此", "各", "又", "也", "还",
    "就", "已", "曾", "位",
)
# After these verbs a name describes what is being created (共建技术转移中心, 设立研究院), not an
# organisation that exists, unless it carries a company's legal ending.
CN_CREATING = ("共建", "设立", "组建", "新建", "打造", "建立", "筹建")
_LEGAL = re.compile(r"(?:有限公司|有限责任公司|\(有限合伙\))$")
_CUT_RE = re.compile("|".join(re.escape(w) for w in sorted(CN_LEFT_CUTS, key=len, reverse=True)))
# Generic heads that name no particular organisation on their own (公司, 该集团, 研究院).
_GENERIC = re.compile(r"^(?:本|该|我|全|各|多|两|三|几|子|母|分|总|新|大|小|其|此|这|那)?"
                      r"(?:家)?(?:公司|集团|研究院|研究所|大学|学院|银行|中心|实验室|医院|协会|"
                      r"商会|联盟|委员会|管委会|基金会|控股|产业园|科学院|工程院)$")
# A name whose words before the ending only say what kind of place it is names nobody.
_GENERIC_STEMS = frozenset({"联合", "研发", "重点", "创新", "工程", "技术", "科研", "检测", "服务", "运营",
                            "数据", "展示", "体验", "孵化", "结算", "营销", "总部", "区域", "全球",
                            "国家重点", "省重点", "企业", "合资", "国有", "民营", "上市"})
_SUFFIX_RE = "|".join(re.escape(s) for s in sorted(CN_SUFFIXES, key=len, reverse=True))
_CN_NAME = re.compile(rf"{_NAME_CHARS}{{2,40}}?(?:{_SUFFIX_RE})(?!(?:城区|地带|位置|任务|工作|环节|债|"
                      r"思想|城市|区域|有限公司|股份有限公司|集团|公司|研究院|大学))")
_PLACE_AFTER = re.compile(r"\([\u4e00-\u9fff]{2,4}\)")
_ALIAS = re.compile(r"[(（]\s*(?:以下|下文)?简称[:：]?\s*[“\"'‘「『]?([^”\"'’」』)）]{2,20})[”\"'’」』]?"
                    r"\s*[)）]")

_EN_SUFFIX_WORDS = ("Co., Ltd.", "Co., Ltd", "Co.,Ltd.", "Co. Ltd.", "Company Limited", "Co.",
                    "Ltd.", "Ltd", "Limited", "Inc.", "Inc", "Corporation", "Corp.", "Group",
                    "University", "Institute", "Academy", "Bank", "Laboratory", "Lab", "Hospital",
                    "Association", "Exchange", "Foundation", "College", "Centre", "Center",
                    "Chamber of Commerce", "Alliance", "Holdings", "Technologies", "Committee")
_EN_WORD = r"(?:[A-Z][A-Za-z0-9&'\-]*\.?|[A-Z]{2,}|\d+[A-Za-z]*|\([A-Z][A-Za-z ]*\))"
_EN_NAME = re.compile(
    rf"{_EN_WORD}(?:(?:\s+|\s*-\s*)(?:(?:of|and|for|the|&|de)\s+)*{_EN_WORD}|,\s*(?:Ltd\.?|Inc\.?))*")
_EN_SUFFIX_RE = re.compile(r"\b(?:Co\.,?\s*Ltd\.?|Company Limited|Co\.|Ltd\.?|Limited|Inc\.?|"
                           r"Corporation|Corp\.|Group|University|Institute|Academy|Bank|Laboratory|"
                           r"Hospital|Association|Exchange|Foundation|College|Centre|Center|"
                           r"Chamber of Commerce|Alliance|Holdings|Committee|Branch|Sub-branch)(?![A-Za-z])")
# Sentence openers and generic words that are capitalised but are no part of a name.
_EN_LEADING = re.compile(r"^(?:(?:[Tt]he|A|An|On|In|At|By|For|From|With|Recently|Yesterday|Today|"
                         r"Meanwhile|And|Also|Then|Since|After|Before|During|Under|As|Both|Its|"
                         r"This|That|These|Those|According to|Led by|Chairman of|President of|"
                         r"Director of|Head of|Dean of|Officials? from|Representatives? of|"
                         r"January|February|March|April|May|June|July|August|September|October|"
                         r"November|December|Mr\.?|Ms\.?|Dr\.?|Prof\.?)\s+|\d+\s+)+")
_EN_GENERIC = re.compile(r"^(?:(?:The\s+)?(?:Group|University|Institute|Academy|Bank|Company|"
                         r"Center|Centre|Committee|Exchange|Association|Laboratory|Hospital|"
                         r"College|Alliance|Holdings|Co\.|Ltd\.?|Inc\.?|Limited|Corporation)"
                         r"|[A-Z][a-z]+ (?:Group|Center|Centre|Committee))$")


@dataclass(frozen=True)
class Organisation:
    """An organisation named in a text: its normalised full name and the short forms it has."""

    name: str
    aliases: tuple[str, ...] = ()


def normalise_name(name: str) -> str:
    """One spelling per organisation: NFKC (full-width → ASCII), no quotes, no spaces in Chinese."""
    name = unicodedata.normalize("NFKC", name)
    name = re.sub(r"[“”\"‘’'「」『』《》【】]", "", name)
    name = re.sub(r"\s+", " ", name).strip(" ,.;:")
    # Spaces between Chinese characters are typesetting, not part of the name.
    name = re.sub(r"(?<=[\u4e00-\u9fff()])\s+(?=[\u4e00-\u9fff()])", "", name)
    return name


def _cut_left(candidate: str) -> tuple[str, str]:
    """The name that ends ``candidate`` (what follows the last word no name would contain),
    and that word."""
    suffix = re.search(rf"(?:{_SUFFIX_RE})$", candidate)
    stem_end = suffix.start() if suffix else len(candidate)
    start, word = 0, ""
    for m in _CUT_RE.finditer(candidate, 0, stem_end):
        start, word = m.end(), m.group(0)
    return candidate[start:], word


def _chinese_names(text: str) -> list[tuple[int, int, str]]:
    found: list[tuple[int, int, str]] = []
    plain = unicodedata.normalize("NFKC", text)   # same length for CJK text and brackets
    if len(plain) != len(text):
        plain = text
    for m in _CN_NAME.finditer(plain):
        name, cut = _cut_left(m.group(0))
        name = name.lstrip("()&·")
        start = m.end() - len(name)
        if cut in CN_CREATING and not _LEGAL.search(name):
            continue
        if found and found[-1][1] == m.start() == start:
            # 中国科学院 + 深圳先进技术研究院 with nothing between: one institution in another.
            found[-1] = (found[-1][0], m.end(), found[-1][2] + name)
            continue
        if name.count("(") != name.count(")"):
            name = name.split(")", 1)[-1] if name.count(")") > name.count("(") else name
        stem = re.sub(rf"(?:{_SUFFIX_RE})$", "", name)
        if len(name) < 4 or len(stem) < 2 or _GENERIC.match(name) or _GENERIC.match(stem + "公司"):
            continue
        if re.match(r"[\d(]", name) or "某" in name or stem in _GENERIC_STEMS:
            continue   # 某科技公司 (a company the text does not name), 联合实验室
        # 香港科技大学（广州）: a place in brackets right after the name is part of it.
        place = _PLACE_AFTER.match(plain, m.end())
        end = place.end() if place else m.end()
        found.append((m.end() - len(name), end, name + (place.group(0) if place else "")))
    return found


def _english_names(text: str) -> list[tuple[int, int, str]]:
    found = []
    for m in _EN_NAME.finditer(text):
        # "the University of Macau and Zhuhai Huafa Group" is two names; "University of Science
        # and Technology of China" is one: a part without a suffix word belongs to the one before.
        parts = re.split(r"(\s+and\s+|\s*&\s*)", m.group(0))
        groups: list[tuple[int, str]] = []
        offset = m.start()
        for i, part in enumerate(parts):
            if i % 2 == 0:
                if groups and not _EN_SUFFIX_RE.search(part):
                    groups[-1] = (groups[-1][0], groups[-1][1] + parts[i - 1] + part)
                else:
                    groups.append((offset, part))
            offset += len(part)
        for start, group in groups:
            name = _english_name(group)
            if name:
                begin = start + group.find(name)
                found.append((begin, begin + len(name), name))
    return found


def _english_name(words: str) -> str | None:
    if not _EN_SUFFIX_RE.search(words):
        return None
    name = _EN_LEADING.sub("", words.strip()).strip(" ,")
    suffixes = list(_EN_SUFFIX_RE.finditer(name))
    if not suffixes:
        return None
    # A name runs to its last suffix word, or on to the capitalised words after "of".
    last = suffixes[-1]
    if not re.match(r"\s+(?:of|for)\s", name[last.end():]):
        name = name[:last.end()]
    # "Officials of the Shenzhen Stock Exchange": the words before "of" name no organisation.
    head, of, rest = name.partition(" of ")
    if of and not _EN_SUFFIX_RE.search(head) and _EN_SUFFIX_RE.search(rest):
        name = re.sub(r"^the\s+", "", rest, flags=re.IGNORECASE)
    if _EN_GENERIC.match(name) or len(name.split()) < 2:
        return None
    return name


def find_organisations(text: str) -> list[Organisation]:
    """The organisations of a text in order of first mention, each once, short forms linked.

    A short form introduced in brackets is no organisation of its own, and a later name equal
    to a short form counts as the full name it stands for.
    """
    names: dict[str, list[str]] = {}
    alias_of: dict[str, str] = {}
    inside_alias = [m.span() for m in _ALIAS.finditer(text)]
    spans = sorted(_chinese_names(text) + _english_names(text))
    for start, end, raw in spans:
        if any(a <= start < b for a, b in inside_alias):
            continue
        name = normalise_name(raw)
        name = alias_of.get(name, name)
        aliases = names.setdefault(name, [])
        alias = _ALIAS.match(text, end)
        if alias:
            short = normalise_name(alias.group(1))
            if short and short != name and short not in aliases:
                aliases.append(short)
                alias_of[short] = name
    return [Organisation(n, tuple(a)) for n, a in names.items()]
