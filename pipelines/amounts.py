"""Money amounts in Chinese and English news text, as exact decimals with their currency.

Every value is a ``decimal.Decimal`` computed from the digits as written: ``16.4亿`` is
exactly 1640000000. The Chinese numerals are read by the small parser below rather than by
cn2an, whose conversion goes through floats and returns 1639999999 for ``16.4亿``
(Ailln/cn2an#55, open), the very case zone news is full of.

What counts as an amount:
- a number with a currency: ``3.5亿美元``, ``人民币2000万元``, ``HK$5 million``, ``1.6 billion yuan``;
- a number with 万/亿 and no currency right after a money word (``总投资16.4亿``, ``营收超30亿``):
  such amounts are yuan. Areas, people, tonnes and the like after the number (``5万平方米``) are not.
Dates, phone numbers and percentages carry no currency and no 万/亿, so they never match.

A range (``10亿至15亿元``, ``1-1.5 billion yuan``) is one amount: ``amount`` is its low bound and
``amount_high`` its high bound. An amount is ``approximate`` when the text says so: 约, 近, 超,
逾, 超过, 余, 多, 以上, 左右, about, nearly, over, more than, up to, …
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

# Full-width digits, letters and signs become ASCII one for one, so offsets stay valid.
_WIDE = str.maketrans({**{chr(0xFF10 + i): str(i) for i in range(10)},
                       **{chr(0xFF21 + i): chr(0x41 + i) for i in range(26)},
                       **{chr(0xFF41 + i): chr(0x61 + i) for i in range(26)},
                       "．": ".", "＄": "$", "￥": "¥", "～": "~", "－": "-", "\u3000": " "})

_CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "壹": 1, "二": 2, "贰": 2, "两": 2, "三": 3, "叁": 3,
              "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7, "八": 8,
              "捌": 8, "九": 9, "玖": 9}
_SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_BIG_UNITS = {"万": 10**4, "亿": 10**8}

CN_NUMBER = (r"(?:\d+(?:,\d{3})*(?:\.\d+)?|[百千](?=[万亿])|(?<=[近超逾上])(?=[万亿])|"
             r"[〇零一壹二贰两三叁四肆五伍六陆七柒八捌九玖十拾]"
             r"[〇零一壹二贰两三叁四肆五伍六陆七柒八捌九玖十拾百佰千仟点]*)")
# 3亿5000万 / 1.2万亿 / 2000万 / 十六亿: a number, then units, possibly a second number and unit.
_CN_QUANTITY = (rf"{CN_NUMBER}(?:[余多来])?(?:[百千]?[万亿]+|[百千](?=[万亿]))*"
                rf"(?:{CN_NUMBER}[百千]?[万亿]*)?")


class NumberError(ValueError):
    """Text that is not a Chinese or Arabic number."""


def parse_number(text: str) -> Decimal:
    """The exact value of a number written with Arabic digits, Chinese numerals and 十百千万亿.

    ``16.4亿`` → 1640000000, ``十六亿`` → 1600000000, ``1.2万亿`` → 1200000000000,
    ``3亿5000万`` → 350000000, ``两千万`` → 20000000, ``一点五亿`` → 150000000.
    """
    text = text.translate(_WIDE).replace(",", "").replace("，", "")
    if not text:
        raise NumberError("empty")
    total = Decimal(0)     # what the units 亿 (and 万 before it) have closed
    section = Decimal(0)   # below the current big unit
    number: Decimal | None = None
    i = 0
    while i < len(text):
        c = text[i]
        if c.isdigit() or c == ".":
            j = i
            while j < len(text) and (text[j].isdigit() or text[j] == "."):
                j += 1
            try:
                number = Decimal(text[i:j])
            except InvalidOperation:
                raise NumberError(text) from None
            i = j
            continue
        if c in _CN_DIGITS:
            # Chinese digits written one by one (一七二零) or with 点 for the decimal point.
            j = i
            digits = ""
            while j < len(text) and (text[j] in _CN_DIGITS or text[j] == "点"):
                digits += "." if text[j] == "点" else str(_CN_DIGITS[text[j]])
                j += 1
            try:
                number = Decimal(digits)
            except InvalidOperation:
                raise NumberError(text) from None
            i = j
            continue
        if c in _SMALL_UNITS:
            section += (number if number is not None else Decimal(1)) * _SMALL_UNITS[c]
            number = None
        elif c == "万":
            section = (section + (number or 0)) * _BIG_UNITS[c] if (section or number is not None) \
                else Decimal(_BIG_UNITS[c])
            number = None
        elif c == "亿":
            base = total + section + (number or 0)
            total = (base if base else Decimal(1)) * _BIG_UNITS[c]
            section = Decimal(0)
            number = None
        elif c in "余多来":
            pass  # 十余亿, 100多亿: the approximation is read by the caller
        else:
            raise NumberError(text)
        i += 1
    return (total + section + (number or 0)).normalize() + 0  # + 0 drops a negative zero


def _plain(value: Decimal) -> Decimal:
    """``1.6E+9`` → ``1600000000``: whole amounts are shown without an exponent."""
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value


# ---------------------------------------------------------------- currencies

_CN_CURRENCIES = [  # longest first: 港元 before 元
    ("新加坡元", "SGD"), ("新台币", "TWD"), ("人民币", "CNY"), ("美元", "USD"), ("美金", "USD"),
    ("港元", "HKD"), ("港币", "HKD"), ("欧元", "EUR"), ("日元", "JPY"), ("英镑", "GBP"),
    ("韩元", "KRW"), ("澳元", "AUD"), ("澳门元", "MOP"), ("澳门币", "MOP"), ("元", "CNY"),
]
_CN_CURRENCY_RE = "|".join(re.escape(w) for w, _ in sorted(_CN_CURRENCIES, key=lambda p: -len(p[0])))
_CN_CURRENCY = dict(_CN_CURRENCIES)

_EN_PREFIX = {"us$": "USD", "usd": "USD", "hk$": "HKD", "hkd": "HKD", "rmb": "CNY", "cny": "CNY",
              "¥": "CNY", "€": "EUR", "eur": "EUR", "£": "GBP", "gbp": "GBP", "$": "USD",
              "s$": "SGD", "mop": "MOP", "jpy": "JPY", "a$": "AUD"}
_EN_SUFFIX = {"yuan": "CNY", "rmb": "CNY", "renminbi": "CNY", "us dollars": "USD",
              "u.s. dollars": "USD", "dollars": "USD", "hong kong dollars": "HKD",
              "hk dollars": "HKD", "euros": "EUR", "euro": "EUR", "yen": "JPY",
              "pounds sterling": "GBP", "patacas": "MOP", "singapore dollars": "SGD", "cny": "CNY",
              "usd": "USD"}
_EN_SCALE = {"thousand": 10**3, "k": 10**3, "million": 10**6, "mn": 10**6, "m": 10**6,
             "mln": 10**6, "billion": 10**9, "bn": 10**9, "b": 10**9, "trillion": 10**12,
             "tn": 10**12}
_EN_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
             "eight": 8, "nine": 9, "ten": 10, "a": 1, "hundreds of": None}


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


EN_NUMBER = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten)"
_EN_SCALE_RE = r"(?:thousand|million|billion|trillion|mln|bn|mn|tn|[mbk])\b"
_EN_SUFFIX_RE = _alternation(list(_EN_SUFFIX))
_EN_PREFIX_RE = _alternation(list(_EN_PREFIX))

# ---------------------------------------------------------------- approximation words

_CN_APPROX_BEFORE = ("大约", "将近", "接近", "超过", "不低于", "不少于", "至少", "突破", "最高", "最多",
                     "约", "近", "超", "逾", "多达")
_CN_APPROX_AFTER = ("以上", "左右", "上下", "余", "多")
_EN_APPROX_BEFORE = ("about", "around", "approximately", "nearly", "almost", "over", "more than",
                     "some", "roughly", "close to", "up to", "exceeding", "in excess of",
                     "at least", "upwards of", "above", "an estimated", "no more than",
                     "not more than", "no less than", "not less than", "at most", "a maximum of",
                     "exceeded", "topped", "surpassed")

# Words after which a bare 万/亿 figure is money; measure words after it say it is not.
MONEY_WORDS = ("投资", "投入", "资金", "融资", "产值", "营收", "营业收入", "收入", "销售额", "金额",
               "总额", "税收", "利润", "出口额", "进出口额", "交易额", "签约额", "合同额", "估值",
               "补贴", "奖励", "扶持", "资本", "注册资本", "基金", "市值", "订单", "成交额", "贷款",
               "授信", "募资", "募集", "拨付", "预算", "造价", "产出", "经费")
_MONEY_WORDS_RE = _alternation(list(MONEY_WORDS))
_NOT_MONEY_AFTER = re.compile(
    r"\s*(?:[余多]?(?:平方米|平方公里|平米|亩|吨|千瓦|兆瓦|瓦|度|人|名|户|家|个|件|台|套|辆|架|株|只|头|"
    r"次|辆|张|册|项|座|间|栋|米|公里|千米|立方|吨|片|颗|块|颗|枚|支|条|部|份|级|倍|标箱|TEU|"
    r"kW|MW|GW|m²|㎡|%|％|册|字|粒|千克|公斤|克|升|篇|场|届|位|剂|床|所))")

_CN_RANGE_SEP = r"(?:至|到|~|～|-|—|－|–)"
_EN_RANGE_SEP = r"(?:\s*(?:-|–|to)\s*)"

_CN_AMOUNT = re.compile(
    rf"(?P<pre>{_alternation(list(_CN_APPROX_BEFORE))})?"
    rf"(?P<prefix>人民币|美元|港币|港元|欧元)?\s*"
    rf"(?:(?P<low>{_CN_QUANTITY})(?P<lowcur>{_CN_CURRENCY_RE})?{_CN_RANGE_SEP})?"
    rf"(?P<num>{_CN_QUANTITY})"
    rf"(?:(?P<mid>[余多])(?={_CN_CURRENCY_RE}))?"
    rf"(?P<cur>{_CN_CURRENCY_RE})?"
    rf"(?P<post>{_alternation(list(_CN_APPROX_AFTER))})?"
    rf"(?P<cur2>(?:元)?人民币|(?<=[万亿])(?:美元|港元|欧元))?")

_EN_AMOUNT = re.compile(
    rf"(?P<pre>\b(?:{_alternation(list(_EN_APPROX_BEFORE))})\s+)?"
    rf"(?:between\s+)?"
    rf"(?P<prefix>(?:{_EN_PREFIX_RE}))?\s?"
    rf"(?:(?P<low>{EN_NUMBER})(?:\s*(?P<lowscale>{_EN_SCALE_RE}))?"
    rf"(?:{_EN_RANGE_SEP}|\s+and\s+)(?P=prefix)?\s?)?"
    rf"(?P<num>{EN_NUMBER})(?:\s*(?P<scale>{_EN_SCALE_RE}))?"
    rf"(?:\s+(?P<cur>{_EN_SUFFIX_RE})\b)?",
    re.IGNORECASE)

_SENTENCE_END = re.compile(r"(?<=[。！？!?；;])|(?<=\.)\s+(?=[A-Z\"“])|\n+")


@dataclass(frozen=True)
class Amount:
    """One money amount as the text gives it."""

    value: str                  # the words of the amount as written, e.g. "约16亿元"
    amount: Decimal             # the amount, or the low bound of a range
    currency: str               # ISO 4217
    approximate: bool
    sentence: str
    amount_high: Decimal | None = None


def sentences(text: str) -> list[str]:
    """The sentences of a text, cut at Chinese and English sentence ends and line breaks."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


def find_amounts(text: str) -> list[Amount]:
    """Every money amount in ``text``, in order, each with the sentence it is in."""
    found: list[Amount] = []
    for sentence in sentences(text):
        found += _amounts_in(sentence)
    return found


# A sentence without any of these holds no amount: most sentences are skipped after one scan.
_CN_HINT = re.compile(r"[元万亿]|美金|港币")
_EN_HINT = re.compile(r"[$€£¥]|yuan|rmb|renminbi|dollar|euro|yen|pound|pataca|cny|usd|eur|hkd|mop|jpy|gbp",
                      re.IGNORECASE)


def _amounts_in(sentence: str) -> list[Amount]:
    text = sentence.translate(_WIDE)
    spans: list[tuple[int, int, Amount]] = []
    if _CN_HINT.search(text):
        for m in _CN_AMOUNT.finditer(text):
            amount = _chinese(m, text, sentence)
            if amount is not None:
                spans.append((m.start(), m.end(), amount))
    if _EN_HINT.search(text):
        for m in _EN_AMOUNT.finditer(text):
            english = _english(m, sentence)
            if english is not None:
                spans.append((m.start(), m.end(), english))
    # Where readings overlap the longer one wins (人民币16亿元 over 16亿元).
    spans.sort(key=lambda s: (s[0], -(s[1] - s[0])))
    kept: list[tuple[int, int, Amount]] = []
    for span in spans:
        if kept and span[0] < kept[-1][1]:
            continue
        kept.append(span)
    return [a for _, _, a in kept]


def _has_big_unit(quantity: str) -> bool:
    return any(u in quantity for u in "万亿")


def _chinese(m: re.Match[str], text: str, sentence: str) -> Amount | None:
    num = m["num"]
    currency_word = m["cur"] or m["lowcur"] or m["prefix"] or (m["cur2"] and m["cur2"].lstrip("元"))
    if not currency_word and m["cur2"]:
        currency_word = "人民币"
    if re.fullmatch(r"[\d,.]+", num) is None and not any(u in num for u in "十拾百佰千仟万亿"):
        return None                      # 三元 (a place name), 一元 (a policy word): no amount
    if num[0] in "百千" and not m["pre"]:
        return None                      # 百亿元产业集群 is a scale; 超百亿元 is an amount
    if m["cur2"] and m["cur2"].startswith("元"):
        currency_word = "人民币"
    if not currency_word:
        # A bare 万/亿 figure is money only right after a money word, with no measure word after.
        if not _has_big_unit(num) or _NOT_MONEY_AFTER.match(text, m.end()):
            return None
        before = text[max(0, m.start() - 8):m.start()]
        if not re.search(rf"(?:{_MONEY_WORDS_RE})[^，,。；;、\d]{{0,5}}$", before):
            return None
        currency = "CNY"
    else:
        currency = _CN_CURRENCY[currency_word]
    if _NOT_MONEY_AFTER.match(text, m.end()) and m["cur"] is None and m["cur2"] is None:
        return None
    if text[m.end():m.end() + 1] == "级" or (text[m.end():m.end() + 2] in ("宇宙",)):
        return None                      # 千亿元级 (a scale), 元宇宙 (the metaverse)
    if m.start() > 0 and text[m.start() - 1] in "第单":
        return None                      # 第一元, 单元
    try:
        high = parse_number(num)
        low = parse_number(m["low"]) if m["low"] else None
    except NumberError:
        return None
    if low is not None and not _has_big_unit(m["low"]) and _has_big_unit(num):
        # 10至15亿元: the low bound takes the unit of the high one.
        unit = re.search(r"[百千]?[万亿]+$", num)
        low = parse_number(m["low"] + unit.group(0)) if unit else low
    approx = bool(m["pre"] or m["post"] or m["mid"] or num[0] in "万亿"
                  or re.search(r"[余多来]", num + (m["low"] or "")))
    if not approx:
        approx = bool(re.match(r"\s*(?:以上|左右|上下)", text[m.end():]))
    value = sentence[m.start():m.end()].strip()
    if low is None:
        return Amount(value, _plain(high), currency, approx, sentence)
    return Amount(value, _plain(low), currency, approx, sentence, amount_high=_plain(high))


def _en_number(text: str) -> Decimal:
    word = _EN_WORDS.get(text.lower())
    if word is not None:
        return Decimal(word)
    return Decimal(text.replace(",", ""))


def _english(m: re.Match[str], sentence: str) -> Amount | None:
    prefix = (m["prefix"] or "").lower()
    suffix = (m["cur"] or "").lower()
    if not prefix and not suffix:
        return None
    if not prefix and (m["scale"] or "").lower() in ("m", "b", "k"):
        return None                      # "5 m yuan" is too ambiguous without a sign before it
    num = m["num"]
    if num.isalpha() and not (m["scale"] or suffix):
        return None
    currency = _EN_PREFIX.get(prefix) or _EN_SUFFIX[suffix]
    scale = _EN_SCALE[(m["scale"] or "").lower()] if m["scale"] else 1
    high = _en_number(num) * scale
    low = None
    if m["low"]:
        low = _en_number(m["low"])
        if m["lowscale"]:
            low *= _EN_SCALE[m["lowscale"].lower()]
        elif low * scale <= high:
            low *= scale    # "1-1.5 billion": the low bound shares the scale; "500,000 to 1 million" not
    if re.fullmatch(r"(?:1[89]|20)\d\d", num) and not m["scale"] and not prefix:
        return None                      # "in 2024 yuan terms": a year, not an amount
    value = sentence[m.start():m.end()].strip()
    approx = bool(m["pre"])
    if low is None:
        return Amount(value, _plain(high), currency, approx, sentence)
    return Amount(value, _plain(low), currency, approx, sentence, amount_high=_plain(high))
