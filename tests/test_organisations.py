"""Organisations named in Chinese and English text, normalised to one entity each."""

from __future__ import annotations

import pytest

from pipelines.organisations import find_organisations, normalise_name


@pytest.mark.parametrize("text, names", [
    ("近日，珠海高新区管委会与珠海格力电器股份有限公司签约。", ["珠海高新区管委会", "珠海格力电器股份有限公司"]),
    ("华为技术有限公司和国家电网有限公司、同济大学、成都高新区管委会",
     ["华为技术有限公司", "国家电网有限公司", "同济大学", "成都高新区管委会"]),
    ("中国科学院深圳先进技术研究院和清华大学深圳国际研究生院联合成立了实验室",
     ["中国科学院深圳先进技术研究院", "清华大学深圳国际研究生院"]),
    ("珠海华发投资控股集团有限公司与中国建设银行珠海市分行签约",
     ["珠海华发投资控股集团有限公司", "中国建设银行珠海市分行"]),
    ("由横琴粤澳深度合作区管理委员会主办", ["横琴粤澳深度合作区管理委员会"]),
    ("香港科技大学（广州）与高新区签署协议", ["香港科技大学(广州)"]),
    ("项目由格力电器全资子公司格力电器（珠海）有限公司实施", ["格力电器(珠海)有限公司"]),
    ("该公司位于高新区中心城区。", []),
    ("珠海市某科技公司完成融资。", []),
    ("双方将共建技术转移中心，设立机器人研究院。", []),
    ("拟发行可转换公司债券。", []),
    ("On March 5, Zhuhai Gree Electric Appliances Co., Ltd. signed an agreement with the "
     "University of Macau and Zhuhai Huafa Group.",
     ["Zhuhai Gree Electric Appliances Co., Ltd", "University of Macau", "Zhuhai Huafa Group"]),
    ("Researchers from the University of Science and Technology of China attended.",
     ["University of Science and Technology of China"]),
    ("Officials of the Shenzhen Stock Exchange visited the park.", ["Shenzhen Stock Exchange"]),
    ("China Merchants Bank Zhuhai Branch provided loans.", ["China Merchants Bank Zhuhai Branch"]),
    ("The Group said the University would help.", []),
])
def test_organisations(text: str, names: list[str]) -> None:
    assert [o.name for o in find_organisations(text)] == names


def test_a_short_form_stands_for_its_full_name() -> None:
    text = ("珠海冠宇电池股份有限公司（以下简称“珠海冠宇”）发布公告。珠海港控股集团有限公司（简称“珠海港集团”）"
            "表示支持。珠海港集团将参与投资。")
    found = find_organisations(text)
    assert [(o.name, o.aliases) for o in found] == [
        ("珠海冠宇电池股份有限公司", ("珠海冠宇",)), ("珠海港控股集团有限公司", ("珠海港集团",))]


@pytest.mark.parametrize("raw, name", [
    ("珠海格力电器股份有限公司", "珠海格力电器股份有限公司"),
    ("“珠海格力电器股份有限公司”", "珠海格力电器股份有限公司"),
    ("格力电器（珠海）有限公司", "格力电器(珠海)有限公司"),
    ("珠海 格力电器 股份有限公司", "珠海格力电器股份有限公司"),
    ("ＢＹＤ　Company Limited", "BYD Company Limited"),
    ("Zhuhai Gree Electric Appliances Co., Ltd.", "Zhuhai Gree Electric Appliances Co., Ltd"),
])
def test_names_are_normalised_so_one_company_is_one_entity(raw: str, name: str) -> None:
    assert normalise_name(raw) == name
