"""Organisations and zones named alike in Chinese and in a machine translation, and the weaker
link they make between the two articles (with the cases that must not link)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from pipelines.crosslang import find_zones, organisation_key
from pipelines.db import open_database
from pipelines.facts import derive_pending
from pipelines.queries import list_stories
from pipelines.store import save_articles
from tests.test_facts import record


@pytest.mark.parametrize("chinese, english", [
    ("珠海越亚半导体股份有限公司", "Zhuhai Yueya Semiconductor Co., Ltd."),
    ("珠海市润星泰电器有限公司", "Zhuhai Runxingtai Electric Co., Ltd"),
    ("珠海华发集团有限公司", "Zhuhai Huafa Group"),
    ("西安西电集团有限公司", "Xi'an Xidian Group Co., Ltd."),
    ("深圳市大疆创新科技有限公司", "Shenzhen Dajiang Innovation Technology Co., Ltd."),
])
def test_a_name_and_its_pinyin_translation_have_one_key(chinese: str, english: str) -> None:
    assert organisation_key(chinese) is not None
    assert organisation_key(chinese) == organisation_key(english)


@pytest.mark.parametrize("name", [
    "Zhuhai CosMX Battery Co., Ltd",          # an official English name: no pinyin to compare
    "珠海高新区管委会",                         # the zone's government: the zone's key says it
    "Zhuhai High-tech Zone Management Committee",
    "绿地集团",                                 # too short to tell one company from another
    "Gree Electric Appliances Inc.",
    "Guangzhou Automobile Group Co., Ltd.",  # a place, then words translated, not spelled
])
def test_names_that_say_too_little_get_no_key(name: str) -> None:
    assert organisation_key(name) is None


def test_different_companies_of_one_city_have_different_keys() -> None:
    assert organisation_key("珠海越亚半导体股份有限公司") != organisation_key("珠海冠宇电池股份有限公司")
    assert organisation_key("Zhuhai Yueya Semiconductor") != organisation_key("Zhuhai Guanyu Battery")


@pytest.mark.parametrize("text, keys", [
    ("项目在珠海高新区正式开工。", ["zhuhai/high-tech"]),
    ("位于珠海市高新区的企业", ["zhuhai/high-tech"]),
    ("珠海国家高新技术产业开发区成立于1992年。", ["zhuhai/high-tech"]),
    ("厦门火炬高新区与天津经济技术开发区签约", ["xiamen/high-tech", "tianjin/economic-development"]),
    ("广州南沙自贸区", ["guangzhou/free-trade"]),
    ("in Zhuhai High-tech Zone on Monday", ["zhuhai/high-tech"]),
    ("the Zhuhai National High-tech Industrial Development Zone", ["zhuhai/high-tech"]),
    ("Xiamen Torch High-tech Zone and Tianjin Economic-Technological Development Zone",
     ["xiamen/high-tech", "tianjin/economic-development"]),
    ("a sales office in the Hengqin Free Trade Zone", ["hengqin/free-trade"]),
    ("会议部署了下一阶段工作。", []),
])
def test_zones_in_both_languages(text: str, keys: list[str]) -> None:
    assert [key for _, key in find_zones(text)] == keys


ZH = "11月{d}日，{company}在珠海高新区举行新闻发布会，介绍了公司新一代产品的研发进展和市场布局情况。"
EN = ("On November {d}, {company} held a press conference in Zhuhai High-tech Zone to present the "
      "progress of its new generation of products and its market plans.")
EN_OTHER = ("{company} opened a staff canteen and a gym on its campus in Zhuhai High-tech Zone this "
            "week, after employees asked for more places to eat and exercise near the plant.")
EN_LATER = ("{company} said on Tuesday that it had hired 200 engineers this year and would open a "
            "training centre for technicians with local vocational colleges next spring.")


def _stored(db_url: str, pieces: list[tuple[str, str, str, int]]) -> dict[str, int]:
    """Articles (name, language, text, day) stored and derived; their ids by name."""
    sessions = open_database(db_url)
    records = [replace(record(f"http://{lang}.example.cn/{name}.html", name, text), language=lang,
                       site=lang, published_at=datetime(2024, 11, day, 2, tzinfo=UTC))
               for name, lang, text, day in pieces]
    with sessions.begin() as session:
        save_articles(session, records)
    assert derive_pending(sessions).derived == len(records)
    with sessions() as session:
        from pipelines.models import Article
        return {a.title: a.id for a in session.query(Article)}


def _linked(db_url: str) -> set[frozenset[int]]:
    return {frozenset(s["article_ids"]) for s in list_stories(open_database(db_url))}


def test_a_company_named_in_pinyin_links_the_translation_and_nothing_else(db_url: str) -> None:
    ids = _stored(db_url, [
        ("zh-yueya", "zh", ZH.format(d=20, company="珠海越亚半导体股份有限公司"), 20),
        ("en-yueya", "en", EN.format(d=20, company="Zhuhai Yueya Semiconductor Co., Ltd."), 21),
        # The same zone, another company: apart.
        ("en-other", "en", EN_OTHER.format(company="Zhuhai Runxingtai Electric Co., Ltd."), 21),
        # The same company a fortnight later: days apart, apart.
        ("en-later", "en", EN_LATER.format(company="Zhuhai Yueya Semiconductor Co., Ltd."), 5),
    ])
    assert _linked(db_url) == {frozenset({ids["zh-yueya"], ids["en-yueya"]})}


def test_a_name_in_every_articles_boilerplate_links_nothing(db_url: str) -> None:
    tail = "珠海华发集团有限公司为本园区运营方。"
    en_tail = " The park is operated by Zhuhai Huafa Group Co., Ltd."
    stories = ["新建的人才公寓交付使用，首批青年科研人员拎包入住。", "园区举办秋季招聘会，百余家企业提供岗位。",
               "区内中小学新学期开学，新增学位两千余个。", "高新区开展安全生产大检查，排查隐患三十余处。"]
    pieces = [(f"zh-{n}", "zh", text + tail, 20) for n, text in enumerate(stories)]
    pieces += [("en-0", "en", EN_OTHER.format(company="A robot maker") + en_tail, 21)]
    _stored(db_url, pieces)
    assert _linked(db_url) == set()
