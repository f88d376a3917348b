"""What happened, when the text says it: a signing, a groundbreaking, a start of production, …

An article gets an event kind when one of its words is in the title or in the first
sentences of the body (the lead, where Chinese and English news say what happened); a word
deep in a long report is background, not the event. Each kind has Chinese and English words:

| kind | 中文 | English |
| --- | --- | --- |
| signing | 签约, 签署, 签订 | signed, signing, agreement |
| groundbreaking | 开工, 奠基, 动工 | groundbreaking, broke ground, construction started |
| production | 投产, 竣工, 建成, 投入使用, 封顶 | put into production, completed, commissioned |
| settlement | 落户, 入驻, 揭牌 | settled in, located in, moved into |
| policy | 印发, 出台, 发布…政策/办法/措施, 实施意见 | issued, policy, measures |
| funding | 融资, 募资, 获投, 天使轮, A轮 | financing, funding round, raised |
| award | 获奖, 荣获, 授予, 入选 | award, awarded, honoured, won |
"""

from __future__ import annotations

import re

from pipelines.amounts import sentences

LEAD_SENTENCES = 3

EVENT_WORDS: dict[str, tuple[str, ...]] = {
    "signing": ("签约", "签署", "签订", "签下", r"\bsign(?:ed|s|ing)?\b", r"\bagreements?\b"),
    # 召开工作会议, 公开工作 contain 开工 but are no groundbreaking.
    "groundbreaking": ("(?<![召公展])开工(?!作)", "奠基", "动工", "破土", r"\bground-?breaking\b",
                       r"\bbr(?:oke|eak)s? ground\b",
                       r"\bconstruction (?:started|began|starts|kicked off)\b",
                       r"\bstart(?:ed|s)? construction\b"),
    "production": ("投产", "竣工", "建成投用", "投入使用", "正式运营", "封顶", "下线",
                   r"\bput into (?:production|operation|use)\b", r"\bcommissioned\b",
                   r"\bstart(?:ed|s)? production\b", r"\bcompleted\b", r"\bcompletion\b",
                   r"\brolled off\b"),
    "settlement": ("落户", "入驻", "落地", "揭牌", r"\bsettled? in\b", r"\bmoved? into\b",
                   r"\bset up (?:its|a|their)\b", r"\blocated in\b", r"\bheadquarters\b"),
    "policy": ("印发", "出台", "实施意见", "若干措施", "管理办法", "实施细则", "政策措施", "政策解读",
               r"\bissued\b", r"\bpolic(?:y|ies)\b", r"\bmeasures\b", r"\bregulations?\b"),
    "funding": ("融资", "募资", "获投", "天使轮", r"[A-D]\+?轮", "领投", "跟投",
                r"\bfinancing\b", r"\bfunding round\b", r"\braised\b", r"\bseries [A-D]\b",
                r"\bventure capital\b"),
    "award": ("获奖", "荣获", "授予", "入选", "颁奖", "一等奖", "金奖", r"\bawards?\b", r"\bawarded\b",
              r"\bhonou?red\b", r"\bwon\b", r"\bprize\b"),
}
_PATTERNS = {kind: re.compile("|".join(words), re.IGNORECASE) for kind, words in EVENT_WORDS.items()}


def find_events(title: str, body: str) -> list[str]:
    """The event kinds an article reports, in the order of EVENT_WORDS."""
    lead = " ".join([title, *sentences(body)[:LEAD_SENTENCES]])
    return [kind for kind, pattern in _PATTERNS.items() if pattern.search(lead)]
