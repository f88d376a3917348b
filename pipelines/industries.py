"""The industries an article is about, from a fixed bilingual taxonomy of what zones promote.

Each industry has a key (what is stored and what ``--industry`` takes), an English and a
Chinese label (either is accepted on the command line too), and the keywords that name it in
Chinese or English. An article is tagged with an industry when a keyword is in its title, or
when keywords of that industry occur at least twice in its body (one passing mention in a
long report on something else is not what the article is about). English keywords match
whole words, case-insensitively; Chinese ones match as substrings.

| key | English | 中文 |
| --- | --- | --- |
| semiconductors | integrated circuits & semiconductors | 集成电路与半导体 |
| ai-robotics | artificial intelligence & robotics | 人工智能与机器人 |
| xinchuang | information technology innovation (信创) | 信创 |
| biomedicine | biomedicine & medical devices | 生物医药与医疗器械 |
| new-energy | new energy & smart grid | 新能源与智能电网 |
| digital-economy | digital economy | 数字经济 |
| low-altitude | low-altitude economy | 低空经济 |
| advanced-manufacturing | advanced manufacturing | 先进制造 |
| new-materials | new materials | 新材料 |
| marine-economy | marine economy | 海洋经济 |
| modern-services | modern services & finance | 现代服务业与金融 |
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Industry:
    key: str
    english: str
    chinese: str
    keywords: tuple[str, ...]


TAXONOMY: tuple[Industry, ...] = (
    Industry("semiconductors", "integrated circuits & semiconductors", "集成电路与半导体", (
        "集成电路", "半导体", "芯片", "晶圆", "封装测试", "封测", "光刻", "EDA", "碳化硅", "氮化镓",
        "integrated circuit", "semiconductor", "chip", "chips", "wafer", "wafers", "chipmaker")),
    Industry("ai-robotics", "artificial intelligence & robotics", "人工智能与机器人", (
        "人工智能", "机器人", "大模型", "算力", "智能体", "机器视觉", "具身智能", "AI",
        "artificial intelligence", "robot", "robots", "robotics", "large language model",
        "computing power", "humanoid")),
    Industry("xinchuang", "information technology innovation (信创)", "信创", (
        "信创", "信息技术应用创新", "国产操作系统", "国产化替代", "鲲鹏", "昇腾", "openEuler",
        "information technology application innovation", "Xinchuang")),
    Industry("biomedicine", "biomedicine & medical devices", "生物医药与医疗器械", (
        "生物医药", "医疗器械", "创新药", "生物制药", "医药", "疫苗", "基因", "细胞治疗", "体外诊断",
        "中医药", "大健康", "biomedicine", "biomedical", "pharmaceutical", "pharmaceuticals",
        "medical device", "medical devices", "biotech", "biotechnology", "vaccine", "drug")),
    Industry("new-energy", "new energy & smart grid", "新能源与智能电网", (
        "新能源", "智能电网", "光伏", "储能", "锂电", "动力电池", "氢能", "风电", "充电桩", "新型电力",
        "电池", "new energy", "smart grid", "photovoltaic", "energy storage", "lithium battery",
        "hydrogen", "wind power", "solar", "battery", "batteries", "new-energy")),
    Industry("digital-economy", "digital economy", "数字经济", (
        "数字经济", "数字化转型", "大数据", "云计算", "数据中心", "软件", "工业互联网", "互联网",
        "5G", "区块链", "元宇宙", "数据要素", "digital economy", "digital transformation",
        "big data", "cloud computing", "data center", "data centre", "software",
        "industrial internet", "blockchain", "metaverse")),
    Industry("low-altitude", "low-altitude economy", "低空经济", (
        "低空经济", "无人机", "eVTOL", "通用航空", "通航", "飞行汽车", "低空", "low-altitude",
        "low altitude", "drone", "drones", "unmanned aerial", "general aviation", "flying car")),
    Industry("advanced-manufacturing", "advanced manufacturing", "先进制造", (
        "先进制造", "智能制造", "高端装备", "装备制造", "数控机床", "工业母机", "汽车零部件",
        "新能源汽车", "智能网联汽车", "精密制造", "advanced manufacturing", "intelligent manufacturing",
        "smart manufacturing", "high-end equipment", "equipment manufacturing", "machine tool",
        "auto parts", "new energy vehicle", "new energy vehicles")),
    Industry("new-materials", "new materials", "新材料", (
        "新材料", "先进材料", "复合材料", "石墨烯", "稀土", "高分子材料", "电子材料", "new materials",
        "new material", "advanced materials", "composite materials", "graphene", "rare earth")),
    Industry("marine-economy", "marine economy", "海洋经济", (
        "海洋经济", "海洋工程", "船舶", "游艇", "海工装备", "港口", "海洋", "marine economy",
        "marine engineering", "offshore", "shipbuilding", "yacht", "yachts", "port")),
    Industry("modern-services", "modern services & finance", "现代服务业与金融", (
        "现代服务业", "金融", "基金", "跨境电商", "供应链", "物流", "会展", "科技服务", "银行",
        "保险", "证券", "商贸", "modern services", "finance", "financial", "fund", "cross-border",
        "e-commerce", "logistics", "supply chain", "exhibition", "bank", "banking", "insurance")),
)
BY_KEY = {i.key: i for i in TAXONOMY}
BODY_HITS = 2


def _pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern over the lower-cased text: Latin keywords as whole words, Chinese as substrings.

    Upper-case acronyms (AI, EDA) are matched as written, marked by a guard that the lower-cased
    text cannot hold, so ``said`` never counts as AI: they are looked for in the original text.
    """
    parts = []
    for w in sorted(words, key=len, reverse=True):
        if w.isupper() and w.isascii():
            continue
        if re.fullmatch(r"[A-Za-z0-9 \-]+", w):
            parts.append(rf"(?<![a-z]){re.escape(w.lower())}(?![a-z])")
        else:
            parts.append(re.escape(w.lower()))
    return re.compile("|".join(parts))


def _acronyms(words: tuple[str, ...]) -> re.Pattern[str] | None:
    found = [w for w in words if w.isupper() and w.isascii()]
    if not found:
        return None
    return re.compile("|".join(rf"(?<![A-Za-z]){re.escape(w)}(?![A-Za-z])" for w in found))


_PATTERNS = {i.key: (_pattern(i.keywords), _acronyms(i.keywords)) for i in TAXONOMY}


def resolve_industry(name: str) -> str | None:
    """The key of the industry a user names by key, English or Chinese label, or a keyword."""
    wanted = name.strip().lower()
    for industry in TAXONOMY:
        if wanted in (industry.key, industry.english.lower(), industry.chinese):
            return industry.key
    for industry in TAXONOMY:
        if any(wanted == k.lower() for k in industry.keywords):
            return industry.key
    return None


def find_industries(title: str, body: str) -> list[str]:
    """Keys of the industries an article is about, in taxonomy order."""
    found = []
    lower_title, lower_body = title.lower(), body.lower()
    for industry in TAXONOMY:
        words, acronyms = _PATTERNS[industry.key]
        in_title = bool(words.search(lower_title) or (acronyms and acronyms.search(title)))
        hits = len(words.findall(lower_body)) + (len(acronyms.findall(body)) if acronyms else 0)
        if in_title or hits >= BODY_HITS:
            found.append(industry.key)
    return found
