"""A large generated archive written straight into a database, so queries can be timed at scale.

Words follow a Zipf-like law, so a query set can pick terms that match almost every article,
a few percent of them, or a handful — the spread a real archive has.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import random
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import ModuleType
from typing import Any

from alembic import command
from sqlalchemy import Engine, insert, text

from pipelines.db import alembic_config
from pipelines.models import Article

# Common words of zone news, most frequent first (their weight falls as 1/rank).
ZH_WORDS = (
    "高新区 企业 发展 项目 创新 建设 产业 科技 推进 服务 管委会 工作 园区 技术 合作 经济 平台 "
    "投资 重点 加快 数字 智能 制造 人才 招商 签约 政策 会议 活动 新区 集成电路 生物医药 "
    "新能源 人工智能 半导体 芯片 数字经济 高质量 营商环境 产业链 孵化器 专精特新 研发 转化 "
    "成果 基金 融资 上市 总部 落地 开工 投产 竣工 调研 座谈 考察 交流 培训 论坛 展会 路演 "
    "对接 洽谈 签署 协议 框架 战略 规划 方案 实施 意见 通知 公告 申报 认定 补贴 奖励 资助 "
    "园区 厂房 用地 审批 许可 备案 知识产权 专利 商标 标准 检测 认证 质量 安全 环保 节能 "
    "低碳 绿色 海洋 航空 装备 机器人 无人机 软件 信息 网络 数据 算力 云计算 物联网 区块链 "
    "新材料 光电 显示 储能 氢能 电池 汽车 医疗器械 疫苗 药品 健康 养老 教育 高校 院所 "
    "实验室 工程中心 博士后 院士 工作站 众创空间 加速器 产业园 科学城 大湾区 横琴 唐家湾 "
    "港珠澳 粤港澳 深圳 广州 珠海 中山 江门 佛山 东莞 惠州 澳门 香港 国际 出口 进口 贸易 "
    "物流 港口 跨境 电商 金融 银行 保险 税务 财政 统计 营收 产值 增长 同比 环比 季度 年度"
).split()
EN_WORDS = (
    "zone high-tech park enterprise development project innovation industry technology "
    "investment cooperation platform semiconductor integrated circuit biomedicine energy "
    "artificial intelligence talent policy signing ceremony forum delegation incubator "
    "headquarters manufacturing supply chain export logistics finance startup research "
    "laboratory university patent equipment robotics software data cloud computing"
).split()
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建国文斌宇浩凯健俊帆帅旭宁龙林欣雪梅楠"
# Company names are the rare terms: many of them, each in a few articles.
NAME_CHARS = "华芯睿博联拓鼎晟源泰瑞宏达诚信恒通汇丰创盛嘉元安康远航星辰海峰云天金石立德和光明智慧弘毅卓越精工"
SECTIONS = ("高新动态", "园区新闻", "招商引资", "政策解读", "企业风采", "通知公告")
TAGS = ("集成电路", "生物医药", "人工智能", "新能源", "数字经济", "招商", "政策", "人才")
START = datetime(2015, 1, 1, tzinfo=UTC)
SPAN_MINUTES = 10 * 365 * 24 * 60


@dataclass(frozen=True)
class Corpus:
    """How many articles over how many sites; ``seed`` makes every run write the same archive."""

    articles: int
    sites: int = 40
    seed: int = 20240601

    def site_keys(self) -> list[str]:
        return [f"zone-{n:02d}" for n in range(1, self.sites + 1)]


class Writer:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.zh_weights = [1.0 / (rank + 1) for rank in range(len(ZH_WORDS))]
        self.companies = [
            "".join(rng.sample(NAME_CHARS, 2)) + rng.choice(("科技", "半导体", "生物", "智能"))
            + "有限公司" for _ in range(4000)]
        self.people = [rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.randint(1, 2)))
                       for _ in range(3000)]

    def zh_sentence(self) -> str:
        rng = self.rng
        words = rng.choices(ZH_WORDS, self.zh_weights, k=rng.randint(6, 12))
        if rng.random() < 0.15:
            words.insert(rng.randrange(len(words)), rng.choice(self.companies))
        if rng.random() < 0.2:
            words.append(f"{rng.randint(2, 500)}亿元")
        return "".join(words) + rng.choice("，，，。")

    def zh_paragraph(self) -> str:
        return "".join(self.zh_sentence() for _ in range(self.rng.randint(2, 4))).rstrip("，") + "。"

    def en_paragraph(self) -> str:
        words = self.rng.choices(EN_WORDS, k=self.rng.randint(25, 50))
        return " ".join(words).capitalize() + "."

    def title(self, english: bool) -> str:
        rng = self.rng
        if english:
            return " ".join(rng.choices(EN_WORDS, k=rng.randint(5, 9))).title()
        parts = rng.choices(ZH_WORDS[:80], self.zh_weights[:80], k=rng.randint(3, 5))
        if rng.random() < 0.2:
            parts.insert(1, rng.choice(self.companies))
        return "".join(parts)


def generate(corpus: Corpus) -> Iterator[dict[str, Any]]:
    """The article rows, ready for ``INSERT INTO articles``; deterministic for a given corpus."""
    rng = random.Random(corpus.seed)
    writer = Writer(rng)
    sites = corpus.site_keys()
    # Some zones publish far more than others.
    site_weights = [1.0 / (n + 1) ** 0.8 for n in range(len(sites))]
    now = datetime(2025, 6, 1, tzinfo=UTC)
    for n in range(corpus.articles):
        english = rng.random() < 0.05
        paragraphs = [writer.en_paragraph() if english else writer.zh_paragraph()
                      for _ in range(rng.randint(3, 6))]
        title = writer.title(english)
        body = "\n".join(paragraphs)
        published = START + timedelta(minutes=rng.randrange(SPAN_MINUTES))
        site = rng.choices(sites, site_weights)[0]
        authors = [rng.choice(writer.people) for _ in range(rng.randint(1, 2))]
        yield {
            "url": f"http://{site}.example.cn/content/post_{n + 1}.html",
            "site": site,
            "section": rng.choice(SECTIONS),
            "title": title,
            "published_at": published,
            "timezone": "Asia/Shanghai",
            "language": "en" if english else "zh",
            "source": rng.choice(("本网", "珠海特区报", "南方日报", "广州日报")),
            "authors": authors,
            "photographers": [],
            "editors": [rng.choice(writer.people)],
            "responsible_editors": [],
            "summary": body[:160],
            "body_text": body,
            "body_html": "".join(f"<p>{p}</p>" for p in paragraphs),
            "images": [],
            "tags": rng.sample(TAGS, rng.randint(0, 2)),
            "content_hash": hashlib.sha256(f"{title}\n{body}".encode()).hexdigest(),
            "version": 1,
            "first_seen_at": now,
            "last_seen_at": now,
            "changed_at": now,
        }


def _pg_row(row: dict[str, Any], columns: list[str]) -> tuple[Any, ...]:
    return tuple(json.dumps(v, ensure_ascii=False) if isinstance(v, list) else v
                 for v in (row[c] for c in columns))


def _migrate(engine: Engine, revision: str) -> None:
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def load(engine: Engine, corpus: Corpus) -> None:
    """Build an archive of ``corpus`` in an empty database, as the migrations leave a user's.

    The migrations run first on the empty database, so every table, index, trigger and
    setting is theirs. The indexes and triggers of the two big tables are then set aside,
    the rows written in bulk, the derived tables (search, people) filled in one pass each
    and the indexes built once over all rows — the same archive, in minutes rather than
    the hours of a million row-by-row index updates.
    """
    _migrate(engine, "head")
    if engine.dialect.name == "postgresql":
        _load_postgresql(engine, corpus)
    else:
        _load_sqlite(engine, corpus)


def _migration(name: str) -> ModuleType:
    return importlib.import_module(f"pipelines.migrations.versions.{name}")


def _fill_people(conn: Any, dialect: str) -> None:
    """The people table filled by the statements of its migration (one rule for both)."""
    people = _migration("0005_article_people")
    last = conn.execute(text("SELECT max(id) FROM articles")).scalar() or 0
    for role in people.ROLES:
        statement = text(people.FILL[dialect].format(role=role))
        for low in range(0, last, people.BATCH * 4):
            conn.execute(statement, {"low": low, "high": low + people.BATCH * 4})


def search_pairs(value: str | None) -> str | None:
    """What the search migration's SQL cuts a text into: its distinct two-character pairs,
    space-separated (None when there are none). The same set, five times faster than the SQL."""
    if value is None:
        return None
    pairs = {value[i:i + 2] for i in range(len(value) - 1)}
    return " ".join(pairs) if pairs else None


def _load_sqlite(engine: Engine, corpus: Corpus, batch: int = 5000) -> None:
    search = _migration("0002_search")
    with engine.connect() as conn:
        # A build that fails is built again: it needs no durability, only room to sort.
        raw = conn.connection.dbapi_connection
        assert raw is not None
        for pragma in ("synchronous=OFF", "cache_size=-1000000", "temp_store=MEMORY"):
            raw.execute(f"PRAGMA {pragma}")
        raw.create_function("search_pairs", 1, search_pairs, deterministic=True)
        aside = conn.exec_driver_sql(
            "SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') "
            "AND tbl_name IN ('articles', 'article_people') AND sql IS NOT NULL").all()
        for kind, name, _sql in aside:
            conn.exec_driver_sql(f'DROP {kind.upper()} "{name}"')
        chunk: list[dict[str, Any]] = []
        for row in generate(corpus):
            chunk.append(row)
            if len(chunk) >= batch:
                conn.execute(insert(Article), chunk)
                chunk = []
        if chunk:
            conn.execute(insert(Article), chunk)
        conn.commit()
        # FTS5 writes a segment each time a row key goes backwards: the rows go in key order.
        for table in search.FTS_TABLES:
            conn.exec_driver_sql(
                f"INSERT INTO {table}(rowid, text) SELECT {search._key('articles')} AS key, "
                f"{_sqlite_value(table, search)} FROM articles ORDER BY key")
        conn.commit()
        _fill_people(conn, "sqlite")
        for _kind, _name, sql in aside:
            conn.exec_driver_sql(sql)
        conn.commit()
        raw.execute("PRAGMA synchronous=NORMAL")


def _sqlite_value(table: str, search: ModuleType) -> str:
    """What the migration indexes in ``table``, with the pairs cut by :func:`search_pairs`."""
    if table == "search_bigram":
        return f"search_pairs({search._text('articles')})"
    if table == "search_bigram_title":
        return "search_pairs(articles.title)"
    return str(search._values("articles")[table][0])


def _load_postgresql(engine: Engine, corpus: Corpus) -> None:
    with engine.begin() as conn:
        aside = conn.exec_driver_sql(
            "SELECT i.indexname, i.indexdef FROM pg_indexes AS i "
            "WHERE i.schemaname = current_schema() AND i.tablename IN ('articles', 'article_people') "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint AS c "
            "WHERE c.conindid = to_regclass(quote_ident(i.schemaname) || '.' || "
            "quote_ident(i.indexname)))").all()
        for name, _sql in aside:
            conn.exec_driver_sql(f'DROP INDEX "{name}"')
    columns = list(Article.__table__.columns.keys())
    columns.remove("id")
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        with cur.copy(f"COPY articles ({', '.join(columns)}) FROM STDIN") as copy:
            for row in generate(corpus):
                copy.write_row(_pg_row(row, columns))
        raw.commit()
    finally:
        raw.close()
    with engine.begin() as conn:
        _fill_people(conn, "postgresql")
    # The index builds share out over two connections: each is one long single-core sort.
    statements = [sql for _name, sql in sorted(aside, key=lambda a: "gin" not in a[1])]
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda sql: _pg_execute(engine, sql), statements))
    with engine.begin() as conn:
        # As migration 0005 does once it has filled the table (here it ran on an empty one).
        conn.exec_driver_sql("ANALYZE article_people")


def _pg_execute(engine: Engine, sql: str) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql("SET maintenance_work_mem = '1GB'")
        conn.exec_driver_sql(sql)
