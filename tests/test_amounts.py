"""Money amounts read from Chinese and English text: exact decimals, currencies, ranges, and the
numbers that are not money."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pipelines.amounts import NumberError, find_amounts, parse_number


@pytest.mark.parametrize("text, value", [
    ("16.4亿", "1640000000"),          # cn2an returns 1639999999 here (Ailln/cn2an#55)
    ("16.9亿", "1690000000"),
    ("十六亿", "1600000000"),
    ("1.2万亿", "1200000000000"),
    ("3亿5000万", "350000000"),
    ("两千万", "20000000"),
    ("一点五亿", "150000000"),
    ("一百二十", "120"),
    ("一七二零", "1720"),             # cn2an once returned 1719.9999999999998
    ("1,600万", "16000000"),
    ("１６．４亿", "1640000000"),      # full-width digits
    ("0.35亿", "35000000"),
    ("5千万", "50000000"),
    ("十余亿", "1000000000"),
    ("100多亿", "10000000000"),
])
def test_numbers_are_exact(text: str, value: str) -> None:
    assert parse_number(text) == Decimal(value)


def test_a_word_that_is_no_number_is_refused() -> None:
    with pytest.raises(NumberError):
        parse_number("亿元宇宙")


# (text, [(amount, amount_high, currency, approximate, value as written)])
AMOUNTS = [
    ("项目总投资约16亿元，预计2026年投产。", [("1600000000", None, "CNY", True, "约16亿元")]),
    ("总投资16.4亿，占地100亩", [("1640000000", None, "CNY", False, "16.4亿")]),
    ("签约金额3.5亿美元", [("350000000", None, "USD", False, "3.5亿美元")]),
    ("完成2000万元天使轮融资", [("20000000", None, "CNY", False, "2000万元")]),
    ("总投资十六亿元", [("1600000000", None, "CNY", False, "十六亿元")]),
    ("规模突破1.2万亿元", [("1200000000000", None, "CNY", True, "突破1.2万亿元")]),
    ("预计投资10亿至15亿元", [("1000000000", "1500000000", "CNY", False, "10亿至15亿元")]),
    ("投资10-15亿元", [("1000000000", "1500000000", "CNY", False, "10-15亿元")]),
    ("约20至30亿元", [("2000000000", "3000000000", "CNY", True, "约20至30亿元")]),
    ("资助50万至100万元", [("500000", "1000000", "CNY", False, "50万至100万元")]),
    ("出资20亿港元", [("2000000000", None, "HKD", False, "20亿港元")]),
    ("贷款2.5亿欧元", [("250000000", None, "EUR", False, "2.5亿欧元")]),
    ("注册资本1亿元人民币", [("100000000", None, "CNY", False, "1亿元人民币")]),
    ("人民币3000万的专项资金", [("30000000", None, "CNY", False, "人民币3000万")]),
    ("营收超30亿，净利逾2亿元", [("3000000000", None, "CNY", True, "超30亿"),
                             ("200000000", None, "CNY", True, "逾2亿元")]),
    ("总投资100多亿元", [("10000000000", None, "CNY", True, "100多亿元")]),
    ("投资1亿多元", [("100000000", None, "CNY", True, "1亿多元")]),
    ("年产值50亿元以上", [("5000000000", None, "CNY", True, "50亿元以上")]),
    ("总投资超百亿元", [("10000000000", None, "CNY", True, "超百亿元")]),
    ("融资金额近亿元", [("100000000", None, "CNY", True, "近亿元")]),
    ("每股12.5元", [("12.5", None, "CNY", False, "12.5元")]),
    ("最高500万澳门元", [("5000000", None, "MOP", True, "最高500万澳门元")]),
    ("about 1.6 billion yuan", [("1600000000", None, "CNY", True, "about 1.6 billion yuan")]),
    ("US$350 million", [("350000000", None, "USD", False, "US$350 million")]),
    ("HK$5 million", [("5000000", None, "HKD", False, "HK$5 million")]),
    ("RMB1.5 billion", [("1500000000", None, "CNY", False, "RMB1.5 billion")]),
    ("CNY 300 million", [("300000000", None, "CNY", False, "CNY 300 million")]),
    ("€20 million", [("20000000", None, "EUR", False, "€20 million")]),
    ("$1.2bn", [("1200000000", None, "USD", False, "$1.2bn")]),
    ("2 billion Hong Kong dollars", [("2000000000", None, "HKD", False, "2 billion Hong Kong dollars")]),
    ("more than 3 billion yuan", [("3000000000", None, "CNY", True, "more than 3 billion yuan")]),
    ("nearly 20 billion yuan", [("20000000000", None, "CNY", True, "nearly 20 billion yuan")]),
    ("between 1 and 1.5 billion yuan", [("1000000000", "1500000000", "CNY", False,
                                         "between 1 and 1.5 billion yuan")]),
    ("1-1.5 billion yuan", [("1000000000", "1500000000", "CNY", False, "1-1.5 billion yuan")]),
    ("500,000 to 1 million yuan", [("500000", "1000000", "CNY", False, "500,000 to 1 million yuan")]),
    ("1.6 billion yuan (about 225 million U.S. dollars)",
     [("1600000000", None, "CNY", False, "1.6 billion yuan"),
      ("225000000", None, "USD", True, "about 225 million U.S. dollars")]),
    ("3 million patacas", [("3000000", None, "MOP", False, "3 million patacas")]),
    ("10,000 yuan", [("10000", None, "CNY", False, "10,000 yuan")]),
]


@pytest.mark.parametrize("text, expected", AMOUNTS)
def test_amounts(text: str, expected: list[tuple[str, str | None, str, bool, str]]) -> None:
    got = [(str(a.amount), None if a.amount_high is None else str(a.amount_high), a.currency,
            a.approximate, a.value) for a in find_amounts(text)]
    assert got == expected


@pytest.mark.parametrize("text", [
    "2024年，高新区新增高新技术企业156家。",            # a year
    "咨询电话：0756-3625888。",                       # a phone number
    "研发投入占营业收入比重达16%。",                    # a percentage
    "项目用地约200亩，总建筑面积12.6万平方米。",          # areas
    "年产能可达10万吨，带动就业岗位3000个。",             # tonnes, jobs
    "园区已集聚各类人才1.5万余人。",                    # people
    "力争打造千亿级集成电路产业集群。",                  # a scale, not an amount
    "打造百亿元产业集群。",
    "元宇宙产业园首批入驻企业20家。",                   # 元 of 元宇宙
    "三元里的一元复始。",                              # 元 after a numeral in a name and an idiom
    "完成数亿元融资。",                                # no value is given
    "In 2024, GDP grew by 6.8 percent.",
    "The park covers 2.3 square kilometers and 120,000 square meters of factories.",
    "Call 0756-3625888 for more information.",
    "More than 300 representatives from 120 companies attended.",
])
def test_what_is_no_money(text: str) -> None:
    assert find_amounts(text) == []


def test_each_amount_keeps_its_sentence() -> None:
    text = "珠海高新区举行签约活动。项目总投资约16亿元，年产值30亿元。\nThe fund is 2 billion yuan. It invests in chips."
    got = [(a.value, a.sentence) for a in find_amounts(text)]
    assert got == [("约16亿元", "项目总投资约16亿元，年产值30亿元。"),
                   ("30亿元", "项目总投资约16亿元，年产值30亿元。"),
                   ("2 billion yuan", "The fund is 2 billion yuan.")]
