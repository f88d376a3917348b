"""Keys that name one organisation or one zone the same way in Chinese and in English.

A Chinese original and its English machine translation share no text, but a translation
writes the names it does not know in pinyin: 珠海越亚半导体股份有限公司 becomes "Zhuhai Yueya
Semiconductor Co., Ltd.". The key of an organisation is therefore the first ``ORG_SYLLABLES``
pinyin syllables of its name: of the Chinese characters (pypinyin), or of the English words
that spell pinyin, read in order until a word that does not (Semiconductor). Four syllables
are a place and a name of two (珠海 + 越亚); a name whose pinyin stops sooner, or an official
English name that is no pinyin (CosMX), gets no key and links nothing. Bodies of government
(管委会, 管理委员会, 人民政府, …) get none: they are the zone, which has a key of its own.

The key of a zone is its place in pinyin (its first two syllables) and its kind from a small
bilingual table: 珠海高新区, 珠海国家高新技术产业开发区 and "Zhuhai High-tech Zone" are all
``zhuhai/high-tech``. Many stories of one zone share that key, so it never links on its own.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from pipelines.organisations import CN_SUFFIXES

ORG_SYLLABLES = 4
PLACE_SYLLABLES = 2

# Zone kinds: the key, then the Chinese and English ways of writing it (longest first).
ZONE_KINDS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("high-tech", ("国家高新技术产业开发区", "高新技术产业开发区", "高新技术开发区", "高新区"),
     ("High-tech Industrial Development Zone", "Hi-tech Industrial Development Zone",
      "High-tech Zone", "Hi-tech Zone", "High-tech Park", "Hi-tech Park")),
    ("economic-development", ("经济技术开发区", "经济开发区", "经开区"),
     ("Economic and Technological Development Zone", "Economic-Technological Development Zone",
      "Economic Development Zone", "Development Zone")),
    ("free-trade", ("自由贸易试验区", "自贸试验区", "自由贸易区", "自贸区"),
     ("Pilot Free Trade Zone", "Free Trade Zone")),
    ("bonded", ("综合保税区", "保税区"), ("Comprehensive Bonded Zone", "Bonded Zone")),
    ("new-area", ("新区",), ("New Area",)),
)
_GOVERNMENT = re.compile(r"(?:管委会|管理委员会|委员会|人民政府|政府|管理局|办公室|Committee|Government|"
                         r"Commission|Bureau|Administration)$", re.IGNORECASE)
_HAN = re.compile(r"[\u4e00-\u9fff]")
# A county-level word after a place: 珠海市 is written "Zhuhai" in English.
_PLACE_LEVEL = re.compile(r"^([\u4e00-\u9fff]{2})[省市区县]")
_SUFFIXES_LONGEST_FIRST = sorted(CN_SUFFIXES, key=len, reverse=True)
_WORD = re.compile(r"[A-Za-z]+")
_CN_ZONE = re.compile(r"([\u4e00-\u9fff]{2,8}?)(?:国家级)?(" + "|".join(
    kind for _, cn, _ in ZONE_KINDS for kind in cn) + ")")
_EN_ZONE = re.compile(r"((?:[A-Z][a-z']+[ -]){1,3})(?:National )?(" + "|".join(
    re.escape(kind) for _, _, en in ZONE_KINDS for kind in en) + r")\b", re.IGNORECASE)
# What stands before a place in running Chinese text (在珠海高新区, 位于珠海市高新区).
_CN_BEFORE_PLACE = re.compile(r".*(?:位于|落户|来到|走进|在|于|与|和|及|赴|到|的|、|，)")


def lazy_pinyin(text: str) -> list[str]:
    """pypinyin's reading of ``text``, imported at the first use: its tables take a second to
    load, which the read side (that never derives) should not pay."""
    from pypinyin import lazy_pinyin as read

    return list(read(text))


@cache
def _syllables() -> frozenset[str]:
    """Every pinyin syllable, toneless and with ü written v as ``lazy_pinyin`` writes it: from
    pypinyin's own table of characters (asking it for 20,000 characters takes seconds)."""
    from pypinyin.pinyin_dict import pinyin_dict

    out = set()
    for readings in pinyin_dict.values():
        for reading in readings.split(","):
            plain = unicodedata.normalize("NFD", reading).replace("u\u0308", "v")
            out.add("".join(c for c in plain if not unicodedata.combining(c)))
    return frozenset(out)


def _spell(word: str) -> list[str] | None:
    """``word`` cut into pinyin syllables (the fewest, so xian stays xian), or None."""
    word = word.lower()
    known = _syllables()
    best: list[list[str] | None] = [[]] + [None] * len(word)
    for end in range(1, len(word) + 1):
        for start in range(max(0, end - 6), end):
            head = best[start]
            if head is not None and word[start:end] in known:
                if best[end] is None or len(head) + 1 < len(best[end] or ()):
                    best[end] = [*head, word[start:end]]
    return best[len(word)]


def _english_syllables(words: list[str], wanted: int) -> list[str]:
    """The syllables of the leading words that spell pinyin, up to ``wanted``."""
    out: list[str] = []
    for word in words:
        spelled = _spell(word)
        if not spelled:
            break
        out += spelled
        if len(out) >= wanted:
            break
    return out[:wanted]


def _chinese_syllables(name: str, wanted: int) -> list[str]:
    """The pinyin of the leading Chinese characters, up to ``wanted``."""
    name = _PLACE_LEVEL.sub(r"\1", name)
    suffix = next((x for x in _SUFFIXES_LONGEST_FIRST if name.endswith(x)), "")
    name = name[:len(name) - len(suffix)]
    han = ""
    for char in name:
        if not _HAN.match(char):
            break
        han += char
        if len(han) >= wanted:
            break
    return lazy_pinyin(han)[:wanted]


def organisation_key(name: str) -> str | None:
    """The organisation's name as pinyin syllables, the same for its Chinese name and for a
    translation that spells it in pinyin; None when the name says too little."""
    if _GOVERNMENT.search(name.rstrip(". ")):
        return None
    if _HAN.match(name):
        syllables = _chinese_syllables(name, ORG_SYLLABLES)
    else:
        syllables = _english_syllables(_WORD.findall(name), ORG_SYLLABLES)
    return "-".join(syllables) if len(syllables) == ORG_SYLLABLES else None


def _zone_kind(written: str) -> str:
    low = written.lower()
    return next(key for key, cn, en in ZONE_KINDS
                if written in cn or low in (e.lower() for e in en))


def find_zones(text: str) -> list[tuple[str, str]]:
    """The zones a text names: (the name as written, its key), each key once, in text order."""
    found: dict[str, str] = {}
    for m in _CN_ZONE.finditer(text):
        place = _CN_BEFORE_PLACE.sub("", m.group(1))
        syllables = _chinese_syllables(place, PLACE_SYLLABLES)
        if len(syllables) == PLACE_SYLLABLES:
            key = f"{''.join(syllables)}/{_zone_kind(m.group(2))}"
            found.setdefault(key, place + m.group(2))
    for m in _EN_ZONE.finditer(text):
        words = _WORD.findall(m.group(1))
        # The place is the first words that spell pinyin ("In Zhuhai", "Xiamen Torch": Xiamen).
        for start in range(len(words)):
            syllables = _english_syllables(words[start:], PLACE_SYLLABLES)
            if len(syllables) == PLACE_SYLLABLES:
                key = f"{''.join(syllables)}/{_zone_kind(m.group(2))}"
                found.setdefault(key, " ".join([*words[start:], m.group(2)]))
                break
    return [(name, key) for key, name in found.items()]
