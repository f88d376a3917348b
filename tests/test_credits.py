"""Credit lines: what counts as one, who it names, and how it leaves the article body."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipelines.credits import (
    Credits,
    bare_names,
    caption_credits,
    is_credit_line,
    parse_credits,
    split_credits,
)

SEED_NAME = "000_d713aaca8bbf0266.txt"
SEED_PLACES = [Path(__file__).parent / "fixtures" / "seed" / SEED_NAME,
               Path("/work/shared/seed") / SEED_NAME]

SEED_CREDIT = (
    "Song Xuemei of Zhuhai Media Group/article wu Changfu/Cover photo Source of Zhuhai High-tech"
    " Zone, official website of CLP Information Hu Jieting/responsible editor Yang Ziwei/editor"
)
SEED_CREDITS = Credits(
    authors=("Song Xuemei",),
    photographers=("wu Changfu",),
    source="Zhuhai High-tech Zone, official website of CLP Information",
    responsible_editors=("Hu Jieting",),
    editors=("Yang Ziwei",),
)


def by(*authors: str) -> Credits:
    return Credits(authors=authors)


def shot(*photographers: str) -> Credits:
    return Credits(photographers=photographers)


def edited(*editors: str) -> Credits:
    return Credits(editors=editors)


def in_charge(*responsible_editors: str) -> Credits:
    return Credits(responsible_editors=responsible_editors)


def from_(source: str) -> Credits:
    return Credits(source=source)


@pytest.mark.parametrize("line, expected", [
    # zone-pages.md §5, verbatim
    ("责任编辑：杨倩_NF4425", in_charge("杨倩")),
    ("(责编：汤诗瑶、丁涛)", in_charge("汤诗瑶", "丁涛")),
    ("【编辑：姚昊】", edited("姚昊")),
    ("文/图 刘玺东 易赛楠",
     Credits(authors=("刘玺东", "易赛楠"), photographers=("刘玺东", "易赛楠"))),
    ("（记者 崔小远 通讯员 陈白虹）", by("崔小远", "陈白虹")),
    ("摄影/张艳  编辑/苏芳", Credits(photographers=("张艳",), editors=("苏芳",))),
    # machine-translated credits: plural roles, 采写, a brand before the title, `|` separators
    ("Reporters: He Mei, Tan Jun", by("He Mei", "Tan Jun")),
    ("(Responsible editors: Tang Shiyao, Ding Tao)", in_charge("Tang Shiyao", "Ding Tao")),
    ("Interview and writing: Nandu trainee reporter Lin Zipei", by("Lin Zipei")),
    ("Text and pictures/Liu Xidong, Yi Sainan Source | Zhuhai High-tech Zone Editor | Su Fang",
     Credits(authors=("Liu Xidong", "Yi Sainan"), photographers=("Liu Xidong", "Yi Sainan"),
             editors=("Su Fang",), source="Zhuhai High-tech Zone")),
    ("Text/Picture Cai Lijun Wen Jiaxin Editor/Zeng Yu",
     Credits(authors=("Cai Lijun", "Wen Jiaxin"), photographers=("Cai Lijun", "Wen Jiaxin"),
             editors=("Zeng Yu",))),
    ("文、图｜周倩", Credits(authors=("周倩",), photographers=("周倩",))),
    # a name with a character of CJK Extension A
    ("记者 刘䶮 通讯员 王浩然", by("刘䶮", "王浩然")),
    # role/name credits with no space between one name and the next role
    ("文/刘伟图/陈静编辑/林娜", Credits(authors=("刘伟",), photographers=("陈静",), editors=("林娜",))),
    ("文/刘伟责任编辑/王丽", Credits(authors=("刘伟",), responsible_editors=("王丽",))),
    ("采写：南都见习记者 林子沛", by("林子沛")),
    # every author role
    ("文/宋雪梅", by("宋雪梅")),
    ("文：宋雪梅", by("宋雪梅")),
    ("记者 李明", by("李明")),
    ("记者：李明", by("李明")),
    ("通讯员 周楠", by("周楠")),
    ("见习记者 周楠", by("周楠")),
    ("实习生 周楠", by("周楠")),
    ("全媒体记者 李明", by("李明")),
    ("作者：张三", by("张三")),
    ("采写/张三", by("张三")),
    ("供稿：张三", by("张三")),
    ("张三 供稿", by("张三")),
    # every photographer role
    ("图/吴长福", shot("吴长福")),
    ("摄影：张艳", shot("张艳")),
    ("摄：张艳", shot("张艳")),
    ("视频：周楠", shot("周楠")),
    ("李明 摄", shot("李明")),
    ("刘玺东 易赛楠 摄", shot("刘玺东", "易赛楠")),
    ("（李明 摄）", shot("李明")),
    ("摄影记者 李明", shot("李明")),
    # both at once
    ("图文 李明", Credits(authors=("李明",), photographers=("李明",))),
    ("文/图：李明", Credits(authors=("李明",), photographers=("李明",))),
    ("文／图 李明", Credits(authors=("李明",), photographers=("李明",))),
    ("记者 李明 摄", Credits(authors=("李明",), photographers=("李明",))),
    ("文/宋雪梅 图/吴长福", Credits(authors=("宋雪梅",), photographers=("吴长福",))),
    # editors and responsible editors, every separator
    ("编辑：姚昊", edited("姚昊")),
    ("编辑:姚昊", edited("姚昊")),
    ("编辑/姚昊", edited("姚昊")),
    ("编辑｜姚昊", edited("姚昊")),
    ("编辑|姚昊", edited("姚昊")),
    ("编辑 姚昊", edited("姚昊")),
    ("[编辑：姚昊]", edited("姚昊")),
    ("（编辑：张三，李四）", edited("张三", "李四")),
    ("编辑：张三,李四", edited("张三", "李四")),
    ("编辑：张三 李四", edited("张三", "李四")),
    ("文丨张三 编辑丨李四", Credits(authors=("张三",), editors=("李四",))),
    ("责编：汤诗瑶", in_charge("汤诗瑶")),
    ("（责任编辑：汤诗瑶）", in_charge("汤诗瑶")),
    ("责任编辑：杨倩_NF4425。", in_charge("杨倩")),
    ("撰稿：郑雅文 编辑：周敏", Credits(authors=("郑雅文",), editors=("周敏",))),
    # a slash that only joins two roles
    ("文/记者 黄堃 通讯员 李静", by("黄堃", "李静")),
    ("文/记者 黄堃", by("黄堃")),
    # name before role
    ("宋雪梅/文 吴长福/图", Credits(authors=("宋雪梅",), photographers=("吴长福",))),
    ("杨倩/责任编辑", in_charge("杨倩")),
    ("张艳/摄影 苏芳/编辑", Credits(photographers=("张艳",), editors=("苏芳",))),
    # employers and staff codes stay out of names
    ("珠海传媒集团记者 宋雪梅", by("宋雪梅")),
    ("南都见习记者 林子沛", by("林子沛")),
    ("本报记者 李明", by("李明")),
    ("本报记者李明", by("李明")),
    ("（记者崔小远 通讯员陈白虹）", by("崔小远", "陈白虹")),
    ("记者 李明 通讯员 周楠 报道", by("李明", "周楠")),
    ("编辑：杨倩NF4425", edited("杨倩")),
    ("阿依古丽·买买提 摄", shot("阿依古丽·买买提")),
    ("编辑：欧阳建国", edited("欧阳建国")),
    # an employer may be an app brand with a plus sign
    ("采写：南方+记者 吴婷 实习生 周洁", by("吴婷", "周洁")),
    ("南方+记者 吴婷", by("吴婷")),
    ("南方＋记者 吴婷", by("吴婷")),
    ("读创记者 李明 通讯员 周楠", by("李明", "周楠")),
    ("羊城派记者 李明", by("李明")),
    # a role printed just before a job title lends it what the title's names did
    ("文/图 珠海传媒集团记者 宋雪梅", Credits(authors=("宋雪梅",), photographers=("宋雪梅",))),
    ("图/记者 李明", Credits(authors=("李明",), photographers=("李明",))),
    ("文/记者 黄堃 摄影记者 李明", Credits(authors=("黄堃",), photographers=("李明",))),
    # ...and an empty source before an employer's title is that employer
    ("来源：南方日报记者 李明", Credits(authors=("李明",), source="南方日报")),
    # bullets before (or between) credits are decoration
    ("□本报记者 覃志刚", by("覃志刚")),
    ("■记者 李明", by("李明")),
    ("● 文/宋雪梅 ◆图/吴长福", Credits(authors=("宋雪梅",), photographers=("吴长福",))),
    ("▲编辑：姚昊", edited("姚昊")),
    ("★（记者 崔小远）", by("崔小远")),
    ("◇责任编辑：杨倩", in_charge("杨倩")),
    ("○通讯员 周楠 □实习生 王芳", by("周楠", "王芳")),
    # several roles in one line
    ("编辑：张三 审核：李四 终审：王五", edited("张三")),
    ("文/张三 图/李四 编辑/王五 责编/赵六",
     Credits(authors=("张三",), photographers=("李四",), editors=("王五",),
             responsible_editors=("赵六",))),
    ("（文/张三）（编辑：李四）", Credits(authors=("张三",), editors=("李四",))),
    # sources
    ("来源：本网", from_("本网")),
    ("【来源：南方日报】", from_("南方日报")),
    ("信息来源：珠海市科技创新局", from_("珠海市科技创新局")),
    ("来源于：新华网", from_("新华网")),
    ("稿源：珠海特区报", from_("珠海特区报")),
    ("来源：珠海高新区、中电信息官网", from_("珠海高新区、中电信息官网")),
    ("供稿：珠海高新区科技创新和产业发展局", from_("珠海高新区科技创新和产业发展局")),
    ("来源：珠海特区报 编辑：张三", Credits(source="珠海特区报", editors=("张三",))),
    ("来源：本网 张三/编辑", Credits(source="本网", editors=("张三",))),
    ("来源：本网 作者：佚名", from_("本网")),
    ("来源：南方日报 来源：新华社", from_("南方日报")),
    # an office in a person's place: the copy's source, nobody's picture
    ("文/新华社", from_("新华社")),
    ("供稿：珠海高新区科技创新和产业发展局 编辑：张三",
     Credits(source="珠海高新区科技创新和产业发展局", editors=("张三",))),
    # English, name before role (§4)
    (SEED_CREDIT, SEED_CREDITS),
    ("Song Xuemei of Zhuhai Media Group/article", by("Song Xuemei")),
    ("wu Changfu/Cover photo", shot("wu Changfu")),
    ("Hu Jieting/responsible editor Yang Ziwei/editor",
     Credits(responsible_editors=("Hu Jieting",), editors=("Yang Ziwei",))),
    ("Li Ming/photo", shot("Li Ming")),
    ("Li Ming/pictures", shot("Li Ming")),
    ("Li Ming/text", by("Li Ming")),
    ("Li Ming/reporter Zhou Nan/correspondent", by("Li Ming", "Zhou Nan")),
    ("Yang Ziwei/editor Source of Zhuhai High-tech Zone",
     Credits(editors=("Yang Ziwei",), source="Zhuhai High-tech Zone")),
    ("Li Chao/Figure", shot("Li Chao")),
    ("Li Chao/Map", shot("Li Chao")),
    # English, role before name, then name before role, in one line
    ("Text/Chen Jing Figure/Li Chao Hu Jieting/responsible editor Lin Na/editor",
     Credits(authors=("Chen Jing",), photographers=("Li Chao",), responsible_editors=("Hu Jieting",),
             editors=("Lin Na",))),
    ("Article/Chen Jing Picture/Li Chao", Credits(authors=("Chen Jing",), photographers=("Li Chao",))),
    ("Text/Chen Jing Photo/Li Chao Lin Na/editor",
     Credits(authors=("Chen Jing",), photographers=("Li Chao",), editors=("Lin Na",))),
    ("Figure/Li Chao", shot("Li Chao")),
    ("Map/Li Chao", shot("Li Chao")),
    ("Figure: Li Chao", shot("Li Chao")),
    # English, an employer before the job title qualifies the name; it is not the source
    ("Text and pictures/Zhuhai Special Zone News reporter Liang Hua Source of Zhuhai High-tech Zone",
     Credits(authors=("Liang Hua",), photographers=("Liang Hua",), source="Zhuhai High-tech Zone")),
    ("Xinhua News Agency reporter Li Ming", by("Li Ming")),
    ("Nanfang Daily trainee reporter Zhou Nan Source of Nanfang Daily",
     Credits(authors=("Zhou Nan",), source="Nanfang Daily")),
    ("Zhuhai Media Group reporter Song Xuemei correspondent Zhou Nan", by("Song Xuemei", "Zhou Nan")),
    ("Source of Zhuhai Special Zone News reporter Li Ming",
     Credits(authors=("Li Ming",), source="Zhuhai Special Zone News")),
    # English, role before name
    ("Text and pictures/Li Ming", Credits(authors=("Li Ming",), photographers=("Li Ming",))),
    ("Trainee Reporter/Zhou Nan", by("Zhou Nan")),
    ("all-media reporter Li Ming correspondent Zhou Nan", by("Li Ming", "Zhou Nan")),
    ("Reporter: Li Ming", by("Li Ming")),
    ("Editor: Yang Ziwei, Hu Jieting", edited("Yang Ziwei", "Hu Jieting")),
    ("Source: Xinhua News Agency", from_("Xinhua News Agency")),
    ("Photo by Li Ming", shot("Li Ming")),
    ("Text by Li Ming, photos by Zhou Nan", Credits(authors=("Li Ming",), photographers=("Zhou Nan",))),
    ("(Reporter Li Ming Correspondent Zhou Nan)", by("Li Ming", "Zhou Nan")),
])
def test_a_credit_line_names_its_people_under_their_roles(line: str, expected: Credits) -> None:
    assert parse_credits(line) == expected
    assert is_credit_line(line)


@pytest.mark.parametrize("line", [
    "（责任编辑：系统管理员）",
    "责编：admin",
    "编辑：管理员",
    "作者：佚名",
    "一审：张三 二审：李四 三审：王五",
    "审核：张三",
    "审校：张三",
    "终审：王五",
    "校对：李四",
    "统筹：李四",
    "策划：王五",
    "编辑：",
    "Zhou Nan/proofreading",
    "图/新华社",
    "Xinhua News Agency/photo",
])
def test_a_credit_line_may_name_nobody_worth_keeping(line: str) -> None:
    assert is_credit_line(line)
    assert parse_credits(line) == Credits()
    assert not parse_credits(line)


@pytest.mark.parametrize("line", [
    "",
    "   ",
    "记者从高新区获悉，……",
    "记者从高新区获悉，今年以来高新区共引进项目30个。",
    "近日，记者走访了高新区多家企业。",
    "他告诉记者，已完成。",
    "他告诉记者 已完成",
    "资金来源于财政",
    "资金来源于财政拨款和社会资本。",
    "本文来源于网络",
    "来源：企业提供的数据显示，今年营收增长20%。",
    "图为签约仪式现场。",
    "图：签约仪式现场",
    "编辑部设在高新区。",
    "作者单位：清华大学",
    "记者招待会",
    "通讯员培训班",
    "编辑出版",
    "统筹推进产业链招商",
    "文化产业园",
    "图书馆开放时间",
    "摄影展开幕",
    "视频会议召开",
    "视频",
    "高新区召开新闻发布会",
    "时间：2022-06-10 10:30:00",
    "宋雪梅",
    "The reporter learned from the High-tech Zone that the project will start soon.",
    "Source of funding is the government budget",
    "Ask the reporter",
    "The text of the agreement",
    "Proposed investment of 1.6 billion!Zhuhai first",
    "2022-06-10 0 By",
    "Closely follow the “industry first”, focus on the chain of chain repair",
    "Planning is under way",
    "Stand by me",
    "图/视觉中国 现场",
    "□ 高新区召开新闻发布会",
    "The figure shows the growth of output",
    "Figure: output by month",
    "Map of the High-tech Zone",
    "Zhuhai Daily reporter learned that the project will start soon",
    "南方+客户端",
])
def test_prose_that_mentions_a_role_is_not_a_credit_line(line: str) -> None:
    assert parse_credits(line) == Credits()
    assert not is_credit_line(line)


@pytest.mark.parametrize("line, person", [
    ("Song Xuemei of Zhuhai Media Group/article", "Song Xuemei"),
    ("wu Changfu/Cover photo", "wu Changfu"),
    ("all-media reporter li ming", "li ming"),
])
def test_english_names_keep_the_casing_they_were_printed_in(line: str, person: str) -> None:
    credits = parse_credits(line)
    assert person in credits.authors + credits.photographers


@pytest.mark.parametrize("first, second, expected", [
    (by("张三"), by("李四"), by("张三", "李四")),
    (by("张三", "李四"), by("李四", "王五"), by("张三", "李四", "王五")),
    (from_("本网"), from_("南方日报"), from_("本网")),
    (Credits(), from_("南方日报"), from_("南方日报")),
    (edited("张三"), in_charge("张三"), Credits(editors=("张三",), responsible_editors=("张三",))),
    (Credits(), Credits(), Credits()),
])
def test_merging_credits_keeps_everyone_once_and_the_first_source(
    first: Credits, second: Credits, expected: Credits,
) -> None:
    assert first.merge(second) == expected


@pytest.mark.parametrize("credits, truth", [
    (Credits(), False),
    (by("张三"), True),
    (shot("张三"), True),
    (edited("张三"), True),
    (in_charge("张三"), True),
    (from_("本网"), True),
])
def test_credits_are_true_when_they_name_anything(credits: Credits, truth: bool) -> None:
    assert bool(credits) is truth


BODY = ["近日，高新区召开会议。", "会议指出，要加快发展。"]


@pytest.mark.parametrize("paragraphs, body, credits", [
    # credit paragraphs at the end, possibly several, possibly after a blank line
    ([*BODY, "摄影/张艳  编辑/苏芳"], BODY, Credits(photographers=("张艳",), editors=("苏芳",))),
    ([*BODY, "文/宋雪梅", "（责任编辑：杨倩_NF4425）"], BODY,
     Credits(authors=("宋雪梅",), responsible_editors=("杨倩",))),
    ([*BODY, "", "编辑：姚昊", "\xa0"], BODY, edited("姚昊")),
    ([*BODY, "（责任编辑：系统管理员）"], BODY, Credits()),
    # at the start, alone or as the prefix of the first paragraph
    (["（记者 崔小远 通讯员 陈白虹）", *BODY], BODY, by("崔小远", "陈白虹")),
    (["（记者 崔小远 通讯员 陈白虹）近日，高新区召开会议。", BODY[1]], BODY,
     by("崔小远", "陈白虹")),
    (["本报讯（记者 崔小远）近日，高新区召开会议。", BODY[1]], BODY, by("崔小远")),
    (["■本报讯（记者 崔小远）近日，高新区召开会议。", BODY[1]], BODY, by("崔小远")),
    (["□本报记者 覃志刚", *BODY], BODY, by("覃志刚")),
    (["采写：南方+记者 吴婷 实习生 周洁", *BODY], BODY, by("吴婷", "周洁")),
    # glued to the end of the last paragraph
    ([BODY[0], "会议指出，要加快发展。（责任编辑：杨倩_NF4425）"], BODY, in_charge("杨倩")),
    ([BODY[0], "会议指出，要加快发展。编辑：姚昊"], BODY, edited("姚昊")),
    (["It is a new engine for the Greater Bay Area." + SEED_CREDIT],
     ["It is a new engine for the Greater Bay Area."], SEED_CREDITS),
    (["It plays a greater role in the zone.Text/Chen Jing Figure/Li Chao Lin Na/editor"],
     ["It plays a greater role in the zone."],
     Credits(authors=("Chen Jing",), photographers=("Li Chao",), editors=("Lin Na",))),
    (["Zhuhai signed the deal.Source: Zhuhai Science Co., Ltd."],
     ["Zhuhai signed the deal."], from_("Zhuhai Science Co., Ltd.")),
    # start and end together, credits in page order
    (["（记者 崔小远）近日，高新区召开会议。", BODY[1], "编辑：姚昊"], BODY,
     Credits(authors=("崔小远",), editors=("姚昊",))),
    # left alone: credit lines in the middle, prose, bodies without credits
    ([BODY[0], "摄影/张艳", BODY[1]], [BODY[0], "摄影/张艳", BODY[1]], Credits()),
    ([*BODY, "记者从高新区获悉，项目将于年底竣工。"],
     [*BODY, "记者从高新区获悉，项目将于年底竣工。"], Credits()),
    ([*BODY, "", " "], [*BODY, "", " "], Credits()),
    (["（高新区）近日召开会议。"], ["（高新区）近日召开会议。"], Credits()),
    (["资金来源于财政。资金来源于财政"], ["资金来源于财政。资金来源于财政"], Credits()),
    ([], [], Credits()),
    # a body made only of credits has nothing left
    (["编辑：姚昊"], [], edited("姚昊")),
])
def test_split_credits_takes_credit_lines_off_the_ends_of_the_body(
    paragraphs: list[str], body: list[str], credits: Credits,
) -> None:
    assert split_credits(paragraphs) == (body, credits)


def test_the_seed_article_loses_its_glued_credit_line_and_nothing_else() -> None:
    seed = next((p for p in SEED_PLACES if p.exists()), None)
    if seed is None:
        pytest.skip(f"seed article {SEED_NAME} not found")
    paragraphs = seed.read_text(encoding="utf-8").split("\n")
    body, credits = split_credits(paragraphs)

    assert credits == SEED_CREDITS
    assert len(body) == len(paragraphs)
    assert body[:-1] == paragraphs[:-1]
    assert body[-1].endswith("and even the Greater Bay Area.")
    assert paragraphs[-1] == body[-1] + SEED_CREDIT


# --- properties ---------------------------------------------------------------------------------

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "明华建国丽伟芳敏静强磊洋艳勇军杰娟涛超"
chinese_names = st.builds(
    lambda s, g: s + g, st.sampled_from(SURNAMES), st.text(GIVEN, min_size=1, max_size=2),
)
ROLE_FIELDS = [
    ("记者", "authors"), ("通讯员", "authors"), ("文", "authors"), ("作者", "authors"),
    ("实习生", "authors"), ("图", "photographers"), ("摄影", "photographers"),
    ("编辑", "editors"), ("责任编辑", "responsible_editors"), ("责编", "responsible_editors"),
]
SHAPES = ["{role}/{name}", "{role}：{name}", "{role}:{name}", "{role} {name}", "（{role}：{name}）",
          "【{role}｜{name}】", "{name}/{role}"]


@given(st.sampled_from(ROLE_FIELDS), chinese_names, st.sampled_from(SHAPES))
def test_any_name_in_any_shape_is_filed_under_its_role(
    role_field: tuple[str, str], name: str, shape: str,
) -> None:
    role, field = role_field
    credits = parse_credits(shape.format(role=role, name=name))
    assert getattr(credits, field) == (name,)


PROSE = ["近日，高新区召开会议。", "会议指出，要加快发展，记者从现场获悉。",
         "资金来源于财政拨款。", "It is a new engine for the Greater Bay Area."]
PINYIN_NAMES = ["Li Ming", "Zhou Nan", "wu Changfu", "Hu Jieting", "Ouyang Xiu"]


@given(st.sampled_from(PROSE), chinese_names, st.sampled_from(["（编辑：{}）", "编辑：{}",
                                                               "【编辑/{}】"]))
def test_a_chinese_credit_glued_to_the_last_sentence_comes_off_whole(
    prose: str, name: str, shape: str,
) -> None:
    assert split_credits([prose + shape.format(name)]) == ([prose], edited(name))


@given(st.sampled_from(PROSE), st.sampled_from(PINYIN_NAMES), st.sampled_from(PINYIN_NAMES))
def test_an_english_credit_glued_to_the_last_sentence_comes_off_whole(
    prose: str, author: str, editor: str,
) -> None:
    glued = f"{prose}{author} of Zhuhai Media Group/article {editor}/editor"
    assert split_credits([glued]) == ([prose], Credits(authors=(author,), editors=(editor,)))


@given(st.text(max_size=300))
def test_parse_credits_never_raises_and_names_only_what_the_line_says(line: str) -> None:
    credits = parse_credits(line)
    for name in (*credits.authors, *credits.photographers, *credits.editors,
                 *credits.responsible_editors):
        assert name in line
    assert credits.source is None or credits.source in line


paragraph_texts = st.one_of(
    st.text(max_size=80),
    st.sampled_from([*BODY, "摄影/张艳  编辑/苏芳", "（记者 崔小远 通讯员 陈白虹）", "", " ",
                     "（记者 崔小远）近日，高新区召开会议。", "会议指出。（责任编辑：杨倩）",
                     "the Greater Bay Area." + SEED_CREDIT, "来源：本网", "资金来源于财政"]),
)


def _where_each_came_from(body: list[str], paragraphs: list[str]) -> list[int]:
    """The index of the paragraph each returned one was cut from, in order."""
    found = []
    start = 0
    for text in body:
        index = next(i for i in range(start, len(paragraphs)) if text in paragraphs[i])
        found.append(index)
        start = index + 1
    return found


@given(st.lists(paragraph_texts, max_size=8))
def test_split_credits_only_removes_text_and_keeps_the_order(paragraphs: list[str]) -> None:
    body, _credits = split_credits(paragraphs)

    origins = _where_each_came_from(body, paragraphs)
    assert origins == sorted(set(origins))
    last = len(body) - 1
    for position, (text, index) in enumerate(zip(body, origins, strict=True)):
        original = paragraphs[index]
        if 0 < position < last:
            assert text == original
        elif position == 0 and position < last:
            assert original.endswith(text)  # a credit prefix may go
        elif position == last and position > 0:
            assert original.startswith(text)  # a glued credit tail may go
    assert sum(map(len, body)) <= sum(map(len, paragraphs))


@pytest.mark.parametrize("caption, photographers", [
    ("图为集中开工仪式现场。杨帆 摄", ("杨帆",)),
    ("图为集中开工仪式现场 杨帆 摄", ("杨帆",)),
    ("开工现场（记者 李明 摄）", ("李明",)),
    ("无人机航拍的唐家湾。摄影：张三", ("张三",)),
    ("The park at night (Photo by Li Ming)", ("Li Ming",)),
    ("The park at night. Photo: Li Ming", ("Li Ming",)),
    # a caption that credits nobody
    ("图为高新区全景", ()),
    ("他在签约仪式上讲话", ()),
    ("A worker checks a chip wafer.", ()),
])
def test_the_credit_ending_a_caption_names_the_photographer(
        caption: str, photographers: tuple[str, ...]) -> None:
    assert caption_credits(caption) == Credits(photographers=photographers)


# --- bylines that real pages print without the usual label ---------------------------------------

@pytest.mark.parametrize("paragraphs, body, credits", [
    # a name alone in brackets after the last paragraph, or glued to its last sentence
    ([*BODY, "（张伟）"], BODY, by("张伟")),
    ([*BODY, "（张伟 李明）"], BODY, by("张伟", "李明")),
    ([BODY[0], BODY[1] + "（欧阳明）"], BODY, by("欧阳明")),
    ([*BODY, "（张伟）", "责任编辑：周强"], BODY, Credits(authors=("张伟",),
                                                   responsible_editors=("周强",))),
    # a bracketed word is nobody, and a bracket glued to a clause is the clause's
    ([*BODY, "（试行）"], [*BODY, "（试行）"], Credits()),
    ([*BODY, "（完）"], [*BODY, "（完）"], Credits()),
    ([BODY[0], "会议由公司总经理（王伟）"], [BODY[0], "会议由公司总经理（王伟）"], Credits()),
    # a credit that ends with what the reporter did to the copy
    ([*BODY, "（记者李华 整合）"], BODY, by("李华")),
    ([BODY[0], BODY[1] + "（记者 李华 综合报道）"], BODY, by("李华")),
    # 执笔, 采写, 作者 lines at either end
    ([*BODY, "执笔/陈晓"], BODY, by("陈晓")),
    ([*BODY, "执笔：陈晓 王芳"], BODY, by("陈晓", "王芳")),
    (["采写：南方+记者 黄思敏 通讯员 陈立", *BODY], BODY, by("黄思敏", "陈立")),
    (["作者：林晓峰", *BODY], BODY, by("林晓峰")),
    ([*BODY, "本文作者：林晓峰"], BODY, by("林晓峰")),
    ([*BODY, "本文来源：南方日报 作者：冯晓阳"], BODY, Credits(authors=("冯晓阳",), source="南方日报")),
    # a label at the end of a line, the name on the next one
    ([*BODY, "责任编辑：", "周强"], BODY, in_charge("周强")),
    ([*BODY, "编辑:", "孙丽"], BODY, edited("孙丽")),
    ([*BODY, "责任编辑：", "会议指出，要加快发展，推动项目早投产、早见效。"],
     [*BODY, "责任编辑：", "会议指出，要加快发展，推动项目早投产、早见效。"], Credits()),
    # slash and pipe credits on one line
    ([*BODY, "摄影/赵敏 编辑/孙丽"], BODY, Credits(photographers=("赵敏",), editors=("孙丽",))),
    ([*BODY, "编辑|苏芳  责编|何宁"], BODY, Credits(editors=("苏芳",), responsible_editors=("何宁",))),
    ([*BODY, "编辑｜苏芳 责编｜何宁"], BODY, Credits(editors=("苏芳",), responsible_editors=("何宁",))),
])
def test_bylines_without_the_usual_label_come_off_the_body(
    paragraphs: list[str], body: list[str], credits: Credits,
) -> None:
    assert split_credits(paragraphs) == (body, credits)


@pytest.mark.parametrize("line, expected", [
    # the editor's staff code is not part of the name
    ("责任编辑：李强_NN1234", in_charge("李强")),
    ("责任编辑：杨倩_NF4425", in_charge("杨倩")),
    ("编辑：李晓_ZH0032", edited("李晓")),
    ("（责任编辑：王芳NB0012）", in_charge("王芳")),
    # a CMS account is the only name the page gives the editor
    ("责任编辑：mengxy", in_charge("mengxy")),
    ("编辑：zhangjiayu", edited("zhangjiayu")),
    ("责任编辑：admin", Credits()),
])
def test_an_editor_is_named_without_the_staff_code_and_by_the_handle_when_that_is_all(
        line: str, expected: Credits) -> None:
    assert parse_credits(line) == expected


@pytest.mark.parametrize("line, people", [
    ("李强_NN1234", ("李强",)),
    ("宋雪梅", ("宋雪梅",)),
    ("宋雪梅 吴长福", ("宋雪梅", "吴长福")),
    ("欧阳明", ("欧阳明",)),
    ("阿依古丽·买买提", ("阿依古丽·买买提",)),
    # the portal, the site, an office, nobody
    ("网易", ()),
    ("新浪财经", ()),
    ("园区观察", ()),
    ("珠海新闻网", ()),
    ("市政府办公室", ()),
    ("广州开发区管委会", ()),
    ("系统管理员", ()),
])
def test_a_bare_byline_names_people_only(line: str, people: tuple[str, ...]) -> None:
    assert bare_names(line) == people


@pytest.mark.parametrize("caption, photographers", [
    ("孵化器内景（刘洋摄）", ("刘洋",)),
    ("孵化器内景 (刘洋摄)", ("刘洋",)),
    ("企业生产车间。陈静摄", ("陈静",)),
    ("横琴口岸一景。冯晓阳 摄", ("冯晓阳",)),
    ("无人机航拍摄", ()),
    ("现场拍摄", ()),
])
def test_a_photographer_glued_to_the_shot_mark_is_read(
        caption: str, photographers: tuple[str, ...]) -> None:
    assert caption_credits(caption).photographers == photographers
