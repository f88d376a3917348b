"""Credit lines: who wrote, photographed and edited an article, and whose copy it was."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import NamedTuple

from pipelines.vocabulary import (
    PLACEHOLDER_NAMES,
    ZH_AUTHOR_AND_PHOTOGRAPHER_ROLES,
    ZH_AUTHOR_ROLES,
    ZH_EDITOR_ROLES,
    ZH_OTHER_ROLES,
    ZH_PHOTOGRAPHER_ROLES,
    ZH_RESPONSIBLE_EDITOR_ROLES,
    ZH_SOURCE_ROLES,
    ZH_TITLES,
)


@dataclass(frozen=True)
class Credits:
    """The people (and source) an article names in its credit lines."""

    authors: tuple[str, ...] = ()
    photographers: tuple[str, ...] = ()
    editors: tuple[str, ...] = ()
    responsible_editors: tuple[str, ...] = ()
    source: str | None = None

    def merge(self, other: Credits) -> Credits:
        """Everyone either names, in the order met; the first source named is the one kept."""
        return Credits(
            authors=_union(self.authors, other.authors),
            photographers=_union(self.photographers, other.photographers),
            editors=_union(self.editors, other.editors),
            responsible_editors=_union(self.responsible_editors, other.responsible_editors),
            source=self.source if self.source is not None else other.source,
        )

    def __bool__(self) -> bool:
        return bool(self.authors or self.photographers or self.editors
                    or self.responsible_editors or self.source)


def _union(first: tuple[str, ...], second: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(first + second))


def parse_credits(line: str) -> Credits:
    """The people (and source) one credit line names; empty Credits for any other line."""
    return _read(line) or Credits()


def labelled_credits(role: str, value: str) -> Credits | None:
    """The credits of a value printed after a role's label (``编辑``, ``张三``), or None when the
    value is not what that role names. The value is read as the page prints it, after its label."""
    return _read(f"{role}：{value}")


def is_credit_line(line: str) -> bool:
    """True for a line made only of credits, even one naming nobody (`责任编辑：系统管理员`)."""
    return _read(line) is not None


def caption_credits(caption: str) -> Credits:
    """Who took a picture, from the credit that ends its caption (图为开工现场。杨帆 摄,
    `The park at night (Photo by Li Ming)`): the photographer only, whatever else the credit
    calls them, since a caption credits the picture."""
    text = _GLUED_SHOT.sub(_unglue_shot, caption.strip())
    tail = _CAPTION_SENTENCE.split(text)[-1]
    words = text.split()
    for candidate in (tail, *(" ".join(words[-n:]) for n in range(2, min(4, len(words)) + 1))):
        found = _read(candidate)
        if found and found.photographers:
            return Credits(photographers=found.photographers)
    return Credits()


def _unglue_shot(match: re.Match[str]) -> str:
    """`刘洋摄` → `刘洋 摄` when what precedes 摄 starts like a name (not 现场拍摄)."""
    name = match["name"]
    return f"{name} 摄{match['end']}" if _starts_with_surname(name) else match.group()


def split_credits(paragraphs: Sequence[str]) -> tuple[list[str], Credits]:
    """Body paragraphs with the credit lines taken out, and the credits they held."""
    kept, credits = split_credit_paragraphs(paragraphs)
    return [text for _, text in kept], credits


def split_credit_paragraphs(
        paragraphs: Sequence[str]) -> tuple[list[tuple[tuple[int, ...], str]], Credits]:
    """The paragraphs that stay in the body, each with the positions it was read from, and the
    credits the others held.

    Credits are looked for only where pages put them: whole paragraphs at the start
    and the end of the body, a bracketed prefix of the first paragraph, and a line
    glued to the end of the last one. A credit-shaped line in the middle of the
    body is the article's own text and stays. A kept paragraph's text differs from
    the one at its position when a credit was cut off it or a label joined its name.
    """
    body, sources = _joined_labels(paragraphs)
    start, leading = _take_leading(body)
    end, trailing = _take_trailing(body, start)
    credits = Credits()
    for credit in (*leading, *trailing):
        credits = credits.merge(credit)
    return list(zip(sources[start:end], body[start:end], strict=True)), credits


def _joined_labels(paragraphs: Sequence[str]) -> tuple[list[str], list[tuple[int, ...]]]:
    """`责任编辑：` with the name on the next line is one credit, read as one line."""
    body: list[str] = []
    sources: list[tuple[int, ...]] = []
    for index, paragraph in enumerate(paragraphs):
        if body and _LABEL_ONLY.search(body[-1]) and len(paragraph.strip()) <= _NAME_LINE:
            joined = f"{body[-1].strip()}{paragraph.strip()}"
            if _read(joined):
                body[-1] = joined
                sources[-1] = (*sources[-1], index)
                continue
        body.append(paragraph)
        sources.append((index,))
    return body, sources


def _take_leading(body: list[str]) -> tuple[int, list[Credits]]:
    """Where the text starts, and the credits before it; a credit prefix is cut off in place."""
    start = 0
    found: list[Credits] = []
    while start < len(body):
        credit = _read(body[start])
        if credit is not None:
            found.append(credit)
        elif not _is_blank(body[start]):
            break
        start += 1
    if not found:
        start = 0  # blank paragraphs are the page's business unless credits come with them
    if start < len(body):
        rest, credit = _cut_prefix(body[start])
        if credit is not None:
            found.append(credit)
            body[start] = rest
    return start, found


def _take_trailing(body: list[str], start: int) -> tuple[int, list[Credits]]:
    """Where the text ends, and the credits after it; a glued credit is cut off in place."""
    end = len(body)
    found: list[Credits] = []
    while end > start:
        paragraph = body[end - 1]
        credit = _read(paragraph)
        if credit is None:
            credit = _bracketed_byline(paragraph)
        if credit is not None:
            found.append(credit)
        elif not _is_blank(paragraph):
            text, credit = _cut_glued_tail(paragraph)
            if credit is not None:
                found.append(credit)
                body[end - 1] = text
            break
        end -= 1
    if not found:
        end = len(body)
    return end, found[::-1]


# --- what a role means --------------------------------------------------------------------------

class _Kind(Enum):
    AUTHOR = "author"
    PHOTOGRAPHER = "photographer"
    AUTHOR_AND_PHOTOGRAPHER = "author and photographer"
    EDITOR = "editor"
    RESPONSIBLE_EDITOR = "responsible editor"
    SOURCE = "source"
    COPY_SUPPLIER = "copy supplier"      # 供稿: a person is an author, an office is the source
    PHOTO_SUPPLIER = "photo supplier"    # 供图: a person is a photographer, an office is nobody
    OTHER = "other"                      # reviewers, proofreaders, planners: credited, not kept


_ZH_ROLES: dict[str, _Kind] = {
    **dict.fromkeys(ZH_AUTHOR_ROLES, _Kind.AUTHOR),
    **dict.fromkeys(ZH_PHOTOGRAPHER_ROLES, _Kind.PHOTOGRAPHER),
    **dict.fromkeys(ZH_AUTHOR_AND_PHOTOGRAPHER_ROLES, _Kind.AUTHOR_AND_PHOTOGRAPHER),
    **dict.fromkeys(ZH_EDITOR_ROLES, _Kind.EDITOR),
    **dict.fromkeys(ZH_RESPONSIBLE_EDITOR_ROLES, _Kind.RESPONSIBLE_EDITOR),
    **dict.fromkeys(ZH_SOURCE_ROLES, _Kind.SOURCE),
    "供稿": _Kind.COPY_SUPPLIER,
    "供图": _Kind.PHOTO_SUPPLIER,
    **dict.fromkeys(ZH_OTHER_ROLES, _Kind.OTHER),
}
# Staff roles that pages print after the employer (南都见习记者, 珠海传媒集团记者) or glued
# to the name (记者崔小远); the others only ever stand apart.
_ZH_STAFF_ROLES = (*ZH_TITLES, "责任编辑", "编辑")

_EN_ROLES: dict[str, _Kind] = {
    **dict.fromkeys(["article", "text", "author", "authors", "writer", "writers", "reporter",
                     "reporters", "trainee reporter", "trainee reporters", "intern reporter",
                     "intern", "interns", "all-media reporter", "all media reporter",
                     "full-media reporter", "financial media reporter", "converged media reporter",
                     "correspondent", "correspondents", "special correspondent",
                     # 采写, 采访/撰文 as machine translation prints them
                     "interview and writing", "interviewing and writing", "reporting and writing",
                     "interview and text"], _Kind.AUTHOR),
    **dict.fromkeys(["photo", "photos", "cover photo", "cover picture", "picture", "pictures",
                     "photograph", "photographs", "photography", "photographer", "photographers",
                     "video"], _Kind.PHOTOGRAPHER),
    **dict.fromkeys(["text and pictures", "text and photos", "text and photo", "pictures and text",
                     "photos and text", "words and pictures", "text/picture", "text/pictures",
                     "text/photo", "text/photos", "picture/text", "photo/text"],
                    _Kind.AUTHOR_AND_PHOTOGRAPHER),
    **dict.fromkeys(["editor", "editors"], _Kind.EDITOR),
    **dict.fromkeys(["responsible editor", "responsible editors", "editor in charge",
                     "editors in charge", "editor-in-charge", "executive editor"],
                    _Kind.RESPONSIBLE_EDITOR),
    **dict.fromkeys(["review", "reviewer", "audit", "auditor", "final review", "first trial",
                     "second trial", "third trial", "first instance", "second instance",
                     "third instance", "proofreading", "proofreader", "planning",
                     "overall planning", "planner", "coordinator"], _Kind.OTHER),
}

_EN_TITLES = ("reporter", "reporters", "trainee reporter", "trainee reporters", "intern reporter",
              "intern", "interns", "all-media reporter", "all media reporter",
              "full-media reporter", "financial media reporter", "converged media reporter",
              "correspondent", "correspondents", "special correspondent", "photographer",
              "photographers")
# Translations of 图 that are ordinary English words too: roles only beside a separator
# (`Figure/Li Chao`, `Li Chao/Map`), never in a sentence (`the figure shows`).
_EN_SEPARATED_ROLES: dict[str, _Kind] = dict.fromkeys(
    ["figure", "figures", "map", "maps", "chart", "graphic", "graphics"], _Kind.PHOTOGRAPHER)

_WHOLE_PERSON = {
    _Kind.AUTHOR: ("authors",),
    _Kind.PHOTOGRAPHER: ("photographers",),
    _Kind.AUTHOR_AND_PHOTOGRAPHER: ("authors", "photographers"),
    _Kind.EDITOR: ("editors",),
    _Kind.RESPONSIBLE_EDITOR: ("responsible_editors",),
    _Kind.COPY_SUPPLIER: ("authors",),
    _Kind.PHOTO_SUPPLIER: ("photographers",),
}

_OFFICE_IS_SOURCE = frozenset({_Kind.AUTHOR, _Kind.AUTHOR_AND_PHOTOGRAPHER, _Kind.COPY_SUPPLIER})
# Words that close a credit without naming anyone (记者 李明 报道, 记者李华 整合).
_FILLER = frozenset({"报道", "等", "等人", "整合", "综合", "综合报道", "整合报道"})

# --- the shapes of a credit line ----------------------------------------------------------------

# Han characters, with the rare ones of Extensions A and B that names use (刘䶮).
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\U00020000-\U0002a6df"
_SEPARATORS = "/／：:｜|丨"
_LISTS = "、，,;；"
_BRACKETS = "（）()【】\\[\\]〔〕"
_SPACES = " \t\u3000\xa0"
_EDGE_CHARS = _SEPARATORS + _LISTS + "（）()【】[]〔〕" + _SPACES + "-—"

# Decoration pages print before a credit line or between its parts (□本报记者 覃志刚).
_BULLETS = "□■●◆▲★◇○☆◎△▽▼►▶◢◣"
_BULLET = re.compile(f"(?:^|(?<=[{_SPACES}]))[{_BULLETS}]+")

_HAS_HAN = re.compile(f"[{_HAN}]")
_SPACE_RUN = re.compile(f"[{_SPACES}]+")
_HAS_WORD = re.compile(rf"[{_HAN}A-Za-z0-9]")
# Credit lines are labels, never sentences.
_SENTENCE = re.compile(r"[。！？!?；;…]")
_LAST_STOP = re.compile(r"。\s*$")
# An office's name runs on; a comma inside a Chinese value means a clause follows.
_CLAUSE_BREAK = re.compile("[，,]")
_HAS_SEPARATOR = re.compile(f"[{_SEPARATORS}]")
_STARTS_WITH_SEPARATOR = re.compile(f"^[{_SPACES}]*[{_SEPARATORS}]")
_ENDS_WITH_SLASH = re.compile(f"[/／][{_SPACES}]*$")
# Longer lines are paragraphs, whatever words they hold.
_MAX_ZH = 150
_MAX_EN = 400

# A name glued to its role must start like a name, or the role is part of a word.
_COMMON_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕"
    "丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严"
    "覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符"
    "舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司"
    "卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙"
    "荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)
_COMPOUND_SURNAMES = tuple(
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯"
    " 轩辕 令狐 端木 独孤 南宫 西门 申屠 钟离 闻人 澹台 淳于 呼延 赫连".split()
)


def _alternation(words: Sequence[str]) -> str:
    """Longest first, so `责任编辑` wins over `编辑` and `cover photo` over `photo`."""
    ordered = sorted(words, key=len, reverse=True)
    return "|".join(
        re.escape(w).replace("/", f"[{_SPACES}]*[/／][{_SPACES}]*").replace("\\ ", r"\s+")
        for w in ordered
    )


_ZH_BOUNDARY = f"{_SPACES}{_SEPARATORS}{_LISTS}{_BRACKETS}"
# The first character after a role is glued to it (记者崔小远, 记者招待会).
_GLUED = re.compile(f"(?![{_ZH_BOUNDARY}])[{_HAN}]")
# A name glued to its role (记者崔小远) ends where the token ends, not at a colon: `作者单位：`
# is a label, not the author 单位.
_GLUED_NAME = f"[{_HAN}]{{2,3}}(?:[{_SPACES}{_LISTS}{_BRACKETS}]|$)"
# An employer printed before a staff role (珠海传媒集团记者, the app brand 南方+记者); a verb
# or preposition before 记者 means prose (他告诉记者).
_ZH_ROLE = re.compile(
    f"(?<![^{_ZH_BOUNDARY}])(?:"
    f"(?P<role>{_alternation(list(_ZH_ROLES))})(?=[{_ZH_BOUNDARY}]|$)"
    f"|(?P<glued>{_alternation(_ZH_STAFF_ROLES)})(?={_GLUED_NAME})"
    f"|(?P<employer>[{_HAN}][{_HAN}+＋]{{0,11}}?)(?<![向对据让给跟和与被请问诉的了是在为])"
    f"(?P<staff>{_alternation(_ZH_STAFF_ROLES)})(?=[{_ZH_BOUNDARY}]|$|{_GLUED_NAME})"
    ")"
)
_EN_OFFICE_NAME = (
    r"(?:[A-Z][\w&'’-]*\s+){1,8}"
    r"(?:Agency|Group|Bureau|Committee|Daily|News|Newspaper|Network|Center|Centre|Office"
    r"|Department|Media|Press|Times|TV|Radio|Station)"
)
# A one-word brand right after a role's separator (`Interview and writing: Nandu trainee
# reporter Lin Zipei`, 采写：南都见习记者 林子沛) employs the titled person; it names nobody.
_EN_BRAND = r"(?:(?<=[:：/|｜])|(?<=[:：/|｜]\s))[A-Z][a-z]+\+?"
# An employer printed before a job title qualifies the person (`Zhuhai Special Zone News
# reporter Liang Hua`), as 珠海传媒集团记者 does in Chinese; its capitals tell it from prose.
_EN_ROLE = re.compile(
    r"(?<![\w-])(?:"
    r"(?P<source>source\s+of(?=\s)|source(?=\s*[:：/|｜]))"
    f"|(?:(?P<employer>(?-i:{_EN_OFFICE_NAME}|{_EN_BRAND}))\\s+"
    f"(?=(?:{_alternation(_EN_TITLES)})(?![\\w-])))?"
    f"(?P<role>{_alternation(list(_EN_ROLES))})(?:\\s+by(?=\\s))?"
    f"|(?P<separated>{_alternation(list(_EN_SEPARATED_ROLES))})(?=\\s*[{_SEPARATORS}])"
    f"|(?<=[/／])(?P<separated_after>{_alternation(list(_EN_SEPARATED_ROLES))})"
    r")(?![\w-])",
    re.IGNORECASE,
)

_ZH_OFFICE = re.compile(
    f"[{_HAN}]{{1,14}}(?:社|网|报|局|委|办|院|厅|署|站|部|司|处|台|中心|公司|集团|政府)"
)
_EN_OFFICE = re.compile(_EN_OFFICE_NAME)
_ZH_NAME_SPLIT = re.compile(f"[{_SPACES}{_LISTS}/／｜|丨{_BRACKETS}]+")
_PLAIN_NAME = re.compile(f"[{_HAN}]{{2,3}}")
_ZH_NAME = re.compile(f"[{_HAN}]{{2,3}}|[{_HAN}]{{1,10}}(?:[·•・．][{_HAN}]{{1,10}}){{1,3}}")
_STAFF_CODE = re.compile(r"(?:[_＿-][A-Za-z0-9]+|[A-Za-z]{1,6}\d{2,})$")
# A CMS account printed where the editor's name goes (责任编辑：mengxy): the only name given.
_HANDLE = re.compile(r"[a-z][a-z0-9_.]{2,19}")
# A name alone in brackets after the text (（张伟）) is its author's byline.
_BRACKETED_NAMES = re.compile(f"[（(][{_SPACES}]*(?P<names>[{_HAN}][{_HAN}{_SPACES}、]{{1,20}}?)"
                              f"[{_SPACES}]*[）)]")
# A credit label waiting for its name on the next line.
_LABEL_ONLY = re.compile(f"[{_HAN}][{_SPACES}]*[：:｜|/][{_SPACES}]*$")
_NAME_LINE = 24
_SENTENCE_END = re.compile(r"[。！？!?”」』]\s*$")
# A photographer's name glued to 摄 at the end of a caption (刘洋摄, （刘洋摄）).
_GLUED_SHOT = re.compile(f"(?:^|(?<=[。！？；!?;{_SPACES}（(]))(?P<name>[{_HAN}]{{2,3}})摄"
                         f"(?P<end>[）)]?[{_SPACES}]*)$")
_EN_NAME_SPLIT = re.compile(r"\s*(?:[,、;，]|\s+and\s+)\s*")
_EN_EMPLOYER = re.compile(r"\s+of\s+[^,、;，]*")
_EN_WORD_PART = re.compile(r"[-'’]")
# Romanised Chinese names are pinyin; English words mostly are not (`Information`, `Group`).
_PINYIN_SYLLABLE = (
    r"(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
    r"(?:iang|iong|uang|ueng|ang|eng|ing|ong|ian|iao|uai|uan|van|üan|ai|ei|ao|ou|an|en|er"
    r"|ia|ie|iu|in|ua|uo|ui|un|ue|ve|üe|vn|a|o|e|i|u|v|ü)"
)
_PINYIN_WORD = re.compile(f"(?:{_PINYIN_SYLLABLE})+", re.IGNORECASE)
# Words of a sentence, which no organisation's name needs.
_EN_VERBS = re.compile(
    r"\b(?:is|are|was|were|be|been|has|have|had|will|would|can|could|that|which|this|these)\b",
    re.IGNORECASE,
)
_NAME_TAIL_WORDS = 2

# A role written `role/` (文/刘伟 图/陈静), the form of a whole line of credits.
_SLASHED_ROLE = re.compile(f"(?:{_alternation(list(_ZH_ROLES))})[{_SPACES}]*[/／]")

# Where the last sentence of a caption starts: after a stop, or at an opening bracket.
_CAPTION_SENTENCE = re.compile(r"(?<=[。！？；!?;])|(?<=\.\s)|(?=[（(【\[])")

# Where a credit glued to a paragraph may begin.
_GLUE_POINT = re.compile(r"(?<=[。！？!?.…”\"』」])|(?=[（(【\[])")
_GLUE_WINDOW = 400
_PREFIX = re.compile(
    f"^[{_SPACES}{_BULLETS}]*(?:[{_HAN}]{{2,12}}讯[{_SPACES}]*)?"
    f"(?P<credit>[（(【\\[][^（）()【】\\[\\]]{{1,80}}[）)】\\]])[{_SPACES}]*"
)


# --- reading one line ---------------------------------------------------------------------------

@dataclass(frozen=True)
class _Role:
    kind: _Kind
    start: int
    end: int
    title: bool = False         # a job title (记者, reporter), not a deed (文, 摄, editor)
    employer: str | None = None  # who employs the person (珠海传媒集团, Zhuhai Special Zone News)


class _Builder:
    """Credits gathered while reading one line; any name that is not a name spoils the line."""

    def __init__(self, english: bool) -> None:
        self.english = english
        self.people: dict[str, list[str]] = {
            "authors": [], "photographers": [], "editors": [], "responsible_editors": [],
        }
        self.source: str | None = None

    def build(self) -> Credits:
        return Credits(
            authors=tuple(dict.fromkeys(self.people["authors"])),
            photographers=tuple(dict.fromkeys(self.people["photographers"])),
            editors=tuple(dict.fromkeys(self.people["editors"])),
            responsible_editors=tuple(dict.fromkeys(self.people["responsible_editors"])),
            source=self.source,
        )

    def take_each(self, kinds: Sequence[_Kind], text: str) -> bool:
        """File ``text`` under every one of ``kinds``; False when one of them refuses it."""
        return all(self.take(kind, text) for kind in kinds)

    def take(self, kind: _Kind, text: str) -> bool:
        """File ``text`` under ``kind``; False when it is not what that role names."""
        text = text.strip(_EDGE_CHARS)
        if not text:
            return True
        if kind is _Kind.SOURCE:
            return self._take_source(text)
        if kind is _Kind.OTHER:
            return _is_label_value(text, self.english)
        if _is_office(text, self.english):
            # `文/新华社`, `图/南方日报`: an office wrote the copy (its source) or took the picture.
            if kind in _OFFICE_IS_SOURCE:
                return self._take_source(text)
            return True
        names = self._names(text)
        if names is None:
            if kind is _Kind.COPY_SUPPLIER:
                return self._take_source(text)
            if kind is _Kind.PHOTO_SUPPLIER:
                return _is_label_value(text, self.english)
            return False
        for field in _WHOLE_PERSON[kind]:
            self.people[field].extend(names)
        return True

    def _take_source(self, text: str) -> bool:
        if not _is_label_value(text, self.english):
            return False
        if self.source is None:
            self.source = text
        return True

    def _names(self, text: str) -> list[str] | None:
        pieces = _EN_NAME_SPLIT.split(text) if self.english else _ZH_NAME_SPLIT.split(text)
        names: list[str] = []
        for piece in pieces:
            if self.english:
                found = [_english_name(half) for half in _name_pairs(piece)]
            else:
                found = [_chinese_name(piece)]
            if None in found:
                return None
            names += [name for name in found if name]
        return names


def _name_pairs(piece: str) -> list[str]:
    """`Cai Lijun Wen Jiaxin` is two people (文/图 蔡丽君 温佳欣 with the space kept): four or
    six capitalised words, two to a name, as romanised Chinese names are written."""
    words = piece.split()
    if len(words) in (4, 6) and all(word[:1].isupper() for word in words):
        return [" ".join(words[i:i + 2]) for i in range(0, len(words), 2)]
    return [piece]


def _is_office(text: str, english: bool) -> bool:
    return bool((_EN_OFFICE if english else _ZH_OFFICE).fullmatch(text))


def _chinese_name(token: str) -> str | None:
    """The person in ``token``, "" for a placeholder, None when it is not a name."""
    token = _STAFF_CODE.sub("", token.strip(_EDGE_CHARS))
    if not token or token.lower() in PLACEHOLDER_NAMES or token in _FILLER:
        return ""
    if _ZH_NAME.fullmatch(token) or (len(token) == 4 and token.startswith(_COMPOUND_SURNAMES)):
        return token
    if _HANDLE.fullmatch(token):
        return token
    return None


def _english_name(piece: str) -> str | None:
    """A romanised Chinese name (employer dropped), "" for a placeholder, None otherwise."""
    piece = _EN_EMPLOYER.sub("", piece).strip(_EDGE_CHARS)
    if not piece or piece.lower() in PLACEHOLDER_NAMES:
        return ""
    words = piece.split()
    if len(words) > 4 or not all(_is_pinyin(word) for word in words):
        return None
    return " ".join(words)


def _is_pinyin(word: str) -> bool:
    parts = [p for p in _EN_WORD_PART.split(word) if p]
    return bool(parts) and all(_PINYIN_WORD.fullmatch(p) for p in parts)


def _is_label_value(text: str, english: bool) -> bool:
    """Short enough and plain enough to be an office's or a newspaper's name."""
    if not _HAS_WORD.search(text):
        return False
    if english:
        return len(text) <= 160 and not _EN_VERBS.search(text)
    return len(text) <= 40 and not _CLAUSE_BREAK.search(text)


def _is_blank(paragraph: str) -> bool:
    return not _HAS_WORD.search(paragraph)


def _roles(text: str, english: bool) -> list[_Role]:
    roles = []
    if english:
        for match in _EN_ROLE.finditer(text):
            if match["source"]:
                roles.append(_Role(_Kind.SOURCE, match.start(), match.end()))
                continue
            word = match["role"] or match["separated"] or match["separated_after"]
            key = " ".join(word.lower().split())
            kind = _EN_ROLES.get(key) or _EN_SEPARATED_ROLES[key]
            roles.append(_Role(kind, match.start(), match.end(), key in _EN_TITLES,
                               match["employer"]))
        return roles
    for match in _ZH_ROLE.finditer(text):
        word = match["role"] or match["glued"] or match["staff"]
        glued = text[match.end():match.end() + 2]
        if _GLUED.match(glued) and not _starts_with_surname(glued):
            return []  # 记者招待会, 通讯员培训: a word, not a role and a name
        key = _SPACE_RUN.sub("", word).replace("／", "/")
        roles.append(_Role(_ZH_ROLES[key], match.start(), match.end(), key in ZH_TITLES,
                           match["employer"]))
    return roles


def _starts_with_surname(text: str) -> bool:
    return text[:1] in _COMMON_SURNAMES or text.startswith(_COMPOUND_SURNAMES)


def _tail_name(text: str, english: bool) -> tuple[str, str] | None:
    """Split ``text`` into what comes first and the name printed last (before a `/role`).

    Romanised names are told from an office's name by being pinyin, two words at most.
    """
    text = text.rstrip(_EDGE_CHARS)
    if english:
        words = text.split()
        count = 0
        while count < min(_NAME_TAIL_WORDS, len(words)) and _is_pinyin(words[-1 - count]):
            count += 1
        if not count:
            return None
        return " ".join(words[:-count]), " ".join(words[-count:])
    last = _ZH_NAME_SPLIT.split(text)[-1]
    return text[: len(text) - len(last)], last


def _read(line: str) -> Credits | None:
    """The credits of ``line``, or None when the line is anything but a credit line."""
    text = _LAST_STOP.sub("", _BULLET.sub("", line.strip()).strip())
    if not text or _SENTENCE.search(text):
        return None
    english = not _HAS_HAN.search(text)
    if not english and _SLASHED_ROLE.match(text):
        text = _unglue_slashed_roles(text)
    if len(text) > (_MAX_EN if english else _MAX_ZH):
        return None
    roles = _roles(text, english)
    if not roles:
        return None

    bounds = [0, *(p for r in roles for p in (r.start, r.end)), len(text)]
    chunks = [text[bounds[i]:bounds[i + 1]] for i in range(0, len(bounds), 2)]
    if not any(c.strip(_EDGE_CHARS) for c in chunks) and not _HAS_SEPARATOR.search(text):
        return None  # a bare `视频` over a player is a label, not a credit
    credits = _Builder(english)
    claimed = _claims(roles, chunks)
    kinds = _kinds(roles, chunks, claimed)
    for index, (chunk, claims) in enumerate(zip(chunks, claimed, strict=True)):
        if not claims:
            if chunk.strip(_EDGE_CHARS):
                return None  # words no role names: prose
            continue
        following = roles[index] if index < len(roles) else None
        if (following is not None and following.employer and not chunk.strip(_EDGE_CHARS)
                and roles[claims[0].role].kind is _Kind.SOURCE):
            chunk = following.employer  # `来源：南方日报记者 李明`: the employer is the source
        if len(claims) == 2 and not claims[1].shared:
            # `来源：本网 张三/编辑`: the role before takes the start, the role after the last name.
            split = _tail_name(chunk, english)
            if split is None:
                return None
            head, tail = split
            if not (credits.take_each(kinds[claims[0].role], head)
                    and credits.take_each(kinds[claims[1].role], tail)):
                return None
            continue
        for claim in claims:
            if not credits.take_each(kinds[claim.role], chunk):
                return None
    return credits.build()


def _unglue_slashed_roles(text: str) -> str:
    """文/刘伟图/陈静编辑/林娜 → 文/刘伟 图/陈静 编辑/林娜: in a line of `role/name` credits a
    `role/` glued to the name before it starts a credit of its own. Roles are matched from the
    left, so 责任编辑/ stays whole."""
    cuts = [m.start() for m in _SLASHED_ROLE.finditer(text)
            if m.start() and _HAS_HAN.match(text, m.start() - 1)]
    for cut in reversed(cuts):
        text = f"{text[:cut]} {text[cut:]}"
    return text


def _kinds(roles: Sequence[_Role], chunks: Sequence[str],
           claims: Sequence[Sequence[_Claim]]) -> list[tuple[_Kind, ...]]:
    """What each role says its names did: its own kind, and for a job title printed right after
    another role (`文/图 记者 李明`, `Text and pictures/… reporter Liang Hua`) that role's kind too,
    since the slash or space between them names nobody."""
    kinds: list[tuple[_Kind, ...]] = [(role.kind,) for role in roles]
    for i in range(1, len(roles)):
        lender = roles[i - 1]
        if (roles[i].title and lender.kind in _WHOLE_PERSON
                and _Claim(i - 1, shared=False) in claims[i] and not chunks[i].strip(_EDGE_CHARS)):
            kinds[i] = tuple(dict.fromkeys((*kinds[i], *kinds[i - 1])))
    return kinds


class _Claim(NamedTuple):
    role: int      # index of the role that names this chunk
    shared: bool   # the chunk is named by the role before it as well (`记者 李明 摄`)


def _claims(roles: Sequence[_Role], chunks: Sequence[str]) -> list[list[_Claim]]:
    """For each chunk between roles, the roles that name it.

    A role names what follows it when a separator follows (`编辑：张三`), what precedes
    it when a slash precedes (`张三/编辑`), and otherwise follows the line's own habit:
    names first when the line starts with a name (`李明 摄`).
    """
    names_first = bool(chunks[0].strip(_EDGE_CHARS))
    claims: list[list[_Claim]] = [[] for _ in chunks]
    for i, role in enumerate(roles):
        before, after = chunks[i], chunks[i + 1]
        separator_after = bool(_STARTS_WITH_SEPARATOR.match(after))
        if role.kind is _Kind.SOURCE or separator_after:
            role_first = True
        elif _ENDS_WITH_SLASH.search(before) and (i == 0 or before.strip(_EDGE_CHARS)):
            # `张三/编辑` names what precedes; in `文/记者 张三` the slash only joins two roles.
            role_first = False
        else:
            role_first = not names_first
        closing = i == len(roles) - 1 and not after.strip(_EDGE_CHARS) and not separator_after
        if role_first and closing:
            claims[i].append(_Claim(i, shared=True))
        elif role_first:
            claims[i + 1].append(_Claim(i, shared=False))
        else:
            claims[i].append(_Claim(i, shared=False))
    return claims


# --- finding credits inside a paragraph ---------------------------------------------------------

def _cut_prefix(paragraph: str) -> tuple[str, Credits | None]:
    """`（记者 崔小远 通讯员 陈白虹）近日，……` → the sentence, and the credits before it."""
    match = _PREFIX.match(paragraph)
    if not match:
        return paragraph, None
    credit = _read(match["credit"])
    rest = paragraph[match.end():]
    if credit is None or not rest:
        return paragraph, None
    return rest, credit


def _cut_glued_tail(paragraph: str) -> tuple[str, Credits | None]:
    """`…the Greater Bay Area.Song Xuemei …/editor` → the text, and the credits glued to it.

    The longest tail that reads as a credit line wins, so a source with a full stop
    inside (`Co., Ltd.`) stays whole.
    """
    window = max(0, len(paragraph) - _GLUE_WINDOW)
    for match in _GLUE_POINT.finditer(paragraph, window):
        point = match.start()
        head = paragraph[:point].rstrip()
        if not head or not _HAS_WORD.search(head):
            continue
        credit = _read(paragraph[point:])
        if credit is None and _SENTENCE_END.search(head):
            credit = _bracketed_byline(paragraph[point:])
        if credit is not None:
            return head, credit
    return paragraph, None


def _bracketed_byline(text: str) -> Credits | None:
    """`（张伟）`, `（张伟 李明）` after the text: names alone in brackets are the authors. Only
    names starting with a surname count, so that a bracketed word (（试行）, （续）) is no one."""
    match = _BRACKETED_NAMES.fullmatch(text.strip())
    if match is None:
        return None
    names = [name for name in _ZH_NAME_SPLIT.split(match["names"]) if name]
    if names and all(_ZH_NAME.fullmatch(name) and _starts_with_surname(name) for name in names):
        return Credits(authors=tuple(names))
    return None


def bare_names(text: str) -> tuple[str, ...]:
    """The people a bare Chinese byline names (`李强_NN1234` is 李强, `张三 李四` two people);
    nobody when it names the portal, the site or an office (网易, 新浪财经, 市政府办公室)."""
    names = [_STAFF_CODE.sub("", piece).strip(_EDGE_CHARS)
             for piece in _ZH_NAME_SPLIT.split(text.strip(_EDGE_CHARS)) if piece]
    if names and all(name and name.lower() not in PLACEHOLDER_NAMES and _HAS_HAN.search(name)
                     and is_person_name(name) for name in names):
        return tuple(names)
    return ()


def is_person_name(text: str) -> bool:
    """Whether a bare Chinese byline (a meta author) names a person rather than the portal, the
    site or an office (网易, 新浪财经, 市政府办公室); a text without Han characters passes."""
    text = text.strip(_EDGE_CHARS)
    if not _HAS_HAN.search(text):
        return True
    if _PLAIN_NAME.fullmatch(text):
        return _starts_with_surname(text)
    if len(text) == 4 and text.startswith(_COMPOUND_SURNAMES):
        return True
    return bool(_ZH_NAME.fullmatch(text))  # a transliterated name: 阿依古丽·买买提
