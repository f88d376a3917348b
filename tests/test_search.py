"""Search finds exactly the articles a substring scan finds — Chinese of any length, English in any
case — ranks title matches first and then the newest, and its indexes follow every write,
on SQLite and on PostgreSQL."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, delete, event, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from pipelines import search as search_module
from pipelines.db import open_database
from pipelines.dedupe import content_hash
from pipelines.models import Article
from pipelines.queries import (
    ArticleFilter,
    article_page,
    count_matches,
    list_articles,
    search_articles,
)
from pipelines.record import ArticleRecord
from pipelines.search import make_snippet, parse_terms, search_key
from pipelines.store import save_articles

WORDS = ["高新区", "集成电路", "芯片", "园区", "招商", "签约", "人工智能", "横琴", "澳门", "新能源",
         "企业", "专利", "光", "的", "Semiconductor", "supply chain", "AI", "robotics", "Zone"]
SITES = ["zone-a", "zone-b", "zone-c"]
SECTIONS = ["高新动态", "招商引资"]
PEOPLE = ["宋雪梅", "李明", "周楠", "陈白虹"]
TAGS = ["集成电路", "人才", "政策"]
START = datetime(2023, 1, 1, tzinfo=UTC)


def _sentence(rng: random.Random) -> str:
    return "".join(rng.choice(WORDS) + rng.choice(["", "", "，", " "]) for _ in range(rng.randint(2, 6)))


def archive(n: int = 150, seed: int = 3) -> list[ArticleRecord]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        title = _sentence(rng)[:24] or "标题"
        body = "\n".join(_sentence(rng) + "。" for _ in range(rng.randint(1, 4)))
        published = None if i % 17 == 0 else START + timedelta(hours=rng.randint(0, 20000))
        if i % 23 == 0 and out:
            published = out[-1].published_at           # same moment: ties are broken by id
        out.append(ArticleRecord(
            url=f"http://{SITES[i % 3]}.cn/content/post_{i}.html", site=SITES[i % 3], title=title,
            body_text=body, body_html=f"<p>{body}</p>", timezone="Asia/Shanghai",
            published_at=published, section=rng.choice(SECTIONS),
            authors=[rng.choice(PEOPLE)], editors=[rng.choice(PEOPLE)],
            tags=rng.sample(TAGS, rng.randint(0, 2)), content_hash=content_hash(title, body)))
    return out


@pytest.fixture
def stored(db_url: str) -> Iterator[tuple[sessionmaker[Session], list[Article]]]:
    sessions = open_database(db_url)
    with sessions.begin() as session:
        save_articles(session, archive())
    with sessions() as session:
        rows = list(session.scalars(select(Article)))
    yield sessions, rows
    sessions.kw["bind"].dispose()


def _has(term: str, value: str) -> bool:
    return term.lower() in value.lower()


def reference(rows: list[Article], query: str, flt: ArticleFilter) -> list[int]:
    """What search must return, by brute force: every term in title or body, title-only first."""
    terms = parse_terms(query)
    chosen = [a for a in rows if all(_has(t, a.title) or _has(t, a.body_text) for t in terms)
              and (flt.site is None or a.site == flt.site)
              and (flt.section is None or a.section == flt.section)
              and (flt.author is None or flt.author in a.authors + a.editors)
              and (flt.tag is None or flt.tag in a.tags)
              and (flt.since is None or (a.published_at is not None and a.published_at >= flt.since))
              and (flt.until is None or (a.published_at is not None and a.published_at < flt.until))]

    def newest(a: Article) -> tuple[bool, datetime, int]:
        return (a.published_at is not None, a.published_at or START, a.id)

    titled = sorted((a for a in chosen if all(_has(t, a.title) for t in terms)), key=newest,
                    reverse=True)
    rest = sorted((a for a in chosen if a not in titled), key=newest, reverse=True)
    ids = [a.id for a in titled + rest]
    return ids[:flt.limit] if flt.limit else ids


QUERIES = [
    "集成电路",              # four characters: the trigram index
    "高新区",                # three
    "芯片",                  # two: the pair index
    "园区", "签约", "澳门",
    "光",                    # one character: checked row by row
    "的",
    "semiconductor",         # English, whatever the case
    "SEMICONDUCTOR", "ai", "Zone",
    '"supply chain"',        # a phrase with a space
    "芯片 集成电路",          # several terms: all must appear
    "招商 光", "AI 横琴 企业",
    "电路芯",                # characters that only meet across word boundaries
    "量子通信",              # nothing
    "芯",                    # half a word
]
FILTERS = [
    ArticleFilter(),
    ArticleFilter(limit=0),
    ArticleFilter(limit=3),
    ArticleFilter(site="zone-b"),
    ArticleFilter(site="zone-c", section="招商引资"),
    ArticleFilter(since=datetime(2024, 1, 1, tzinfo=UTC)),
    ArticleFilter(since=datetime(2023, 6, 1, 12, 30, tzinfo=UTC),
                  until=datetime(2024, 6, 1, tzinfo=UTC)),
    ArticleFilter(until=datetime(2023, 3, 1, 0, 0, 0, 500000, tzinfo=UTC)),
    ArticleFilter(author="宋雪梅"),
    ArticleFilter(author="李明", site="zone-a", limit=3),
    ArticleFilter(tag="人才", limit=0),
]


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("flt", FILTERS, ids=lambda f: " ".join(
    f"{k}={v}" for k, v in vars(f).items() if v and k != "query") or "plain")
def test_search_finds_what_a_substring_scan_finds_ranked_title_first_then_newest(
        stored: tuple[sessionmaker[Session], list[Article]], query: str,
        flt: ArticleFilter) -> None:
    sessions, rows = stored
    flt = ArticleFilter(**{**vars(flt), "query": query})
    found = search_articles(sessions, flt)
    assert [f.article.id for f in found] == reference(rows, query, flt)
    assert [f.rank for f in found] == list(range(1, len(found) + 1))
    terms = parse_terms(query)
    assert all(f.in_title == all(_has(t, f.article.title) for t in terms) for f in found)


@pytest.mark.parametrize("walk_rows", [3, 400])
@pytest.mark.parametrize("flt", [ArticleFilter(site="zone-b"), ArticleFilter(author="宋雪梅"),
                                 ArticleFilter(site="zone-a", section="招商引资", limit=4)])
def test_a_page_counts_the_matches_its_ranking_holds(
        stored: tuple[sessionmaker[Session], list[Article]], flt: ArticleFilter, walk_rows: int,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The first page of a search and a later page's count agree with a scan of every row, up
    to the cap, whether the scope's newest rows or the indexes answer."""
    sessions, rows = stored
    monkeypatch.setattr(search_module, "WALK_ROWS", walk_rows)
    for query in ("集成电路", "芯片", "光", "高新区 企业", "量子通信"):
        for cap in (5, 200):
            asked = ArticleFilter(**{**vars(flt), "query": query})
            expected = reference(rows, query, ArticleFilter(**{**vars(asked), "limit": 0}))
            page = article_page(sessions, asked, count_to=cap)
            assert [a.id for a in page.articles] == expected[:asked.limit]
            assert (page.matches, page.more_matches) == (min(len(expected), cap),
                                                         len(expected) > cap)
            assert count_matches(sessions, asked, cap) == (min(len(expected), cap),
                                                           len(expected) > cap)


@contextmanager
def statements_of(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements ``engine`` sends while the block runs."""
    statements: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", seen)


@pytest.mark.parametrize("walk_rows", [2, 400])
@pytest.mark.parametrize("query", ["企业", "高新区", "园区 企业", "的", "量子通信"])
def test_a_common_term_is_counted_among_the_newest_rows_up_to_the_cap(
        stored: tuple[sessionmaker[Session], list[Article]], query: str, walk_rows: int,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Counted over the whole archive, a term most articles hold stops at the cap among the
    newest rows, without the index that would list every article holding it; a rare one, or
    a walk too short, falls back to the indexes. Either way the count is the scan's, capped."""
    sessions, rows = stored
    monkeypatch.setattr(search_module, "WALK_ROWS", walk_rows)
    monkeypatch.setattr(search_module, "WALK_MAX_ROWS", walk_rows)
    expected = len(reference(rows, query, ArticleFilter(limit=0)))
    engine = sessions.kw["bind"]
    with statements_of(engine) as statements:
        for cap in (5, 200):
            counted = count_matches(sessions, ArticleFilter(query=query), cap)
            assert counted == (min(expected, cap), expected > cap)
            page = article_page(sessions, ArticleFilter(query=query), count_to=cap)
            assert (page.matches, page.more_matches) == counted
    counts = [s for s in statements if s.lstrip().upper().startswith("SELECT COUNT")]
    if engine.dialect.name == "postgresql":
        # 400 rows are the whole archive: the walk answered every count, no index was asked.
        # Two rows answer none but the cap of 5 of a term in most articles.
        assert (counts == []) if walk_rows == 400 else (len(counts) >= 2)


@pytest.mark.parametrize("flt", [ArticleFilter(author="宋雪梅"),
                                 ArticleFilter(author="李明", site="zone-a", limit=3),
                                 ArticleFilter(limit=4), ArticleFilter(site="zone-b", limit=2)])
@pytest.mark.parametrize("query", ["企业", "集成电路", "芯片 园区", "semiconductor", "量子通信"])
@pytest.mark.parametrize("walk_rows", [2, 400])
def test_a_counted_page_reads_the_archive_as_few_times_as_its_answer_allows(
        stored: tuple[sessionmaker[Session], list[Article]], query: str,
        flt: ArticleFilter, walk_rows: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first page of a search with its count on PostgreSQL: with a person, one read of the
    person's articles gives both tiers and the count; without, the walk that counts gives both
    tiers too when it saw enough rows (400 rows: the whole archive in its first stage). Two
    rows seldom hold a match: the walk then goes on over the archive, or when they hold
    none the indexes count, and their matches, fewer than the count asks for, are both
    tiers. The page and its count are the scan's either way."""
    sessions, rows = stored
    monkeypatch.setattr(search_module, "WALK_ROWS", walk_rows)
    asked = ArticleFilter(**{**vars(flt), "query": query})
    expected = reference(rows, query, ArticleFilter(**{**vars(asked), "limit": 0}))
    engine = sessions.kw["bind"]
    with statements_of(engine) as statements:
        page = article_page(sessions, asked, count_to=200)
    assert [a.id for a in page.articles] == expected[:asked.limit]
    assert (page.matches, page.more_matches) == (min(len(expected), 200), len(expected) > 200)
    if engine.dialect.name == "postgresql":
        reads = [s for s in statements if "FROM articles" in s and "LIKE" in s.upper()]
        assert len(reads) == 1 if flt.author or walk_rows == 400 else len(reads) <= 2


@pytest.mark.parametrize("query", ["高新区", "芯片", "集成电路 芯片", "光", "AI", "量子通信"])
def test_rare_terms_searched_through_widening_windows_find_the_same(
        stored: tuple[sessionmaker[Session], list[Article]], query: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """PostgreSQL reads a few newest rows, then asks its indexes window by window."""
    sessions, rows = stored
    with sessions.begin() as session:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("ANALYZE articles"))   # the windows come from planner stats
    monkeypatch.setattr(search_module, "WALK_ROWS", 4)
    for flt in (ArticleFilter(query=query, limit=5), ArticleFilter(query=query, site="zone-a")):
        assert [f.article.id for f in search_articles(sessions, flt)] == reference(rows, query, flt)


@pytest.mark.parametrize("walk_rows", [2, 400])
@pytest.mark.parametrize("flt", [ArticleFilter(tag="人才"), ArticleFilter(author="周楠", site="zone-a"),
                                 ArticleFilter(section="招商引资", limit=30),
                                 ArticleFilter(tag="政策", since=datetime(2024, 1, 1, tzinfo=UTC))])
def test_a_listing_checked_row_by_row_walks_the_newest_rows_then_asks_the_table(
        stored: tuple[sessionmaker[Session], list[Article]], flt: ArticleFilter, walk_rows: int,
        monkeypatch: pytest.MonkeyPatch) -> None:
    sessions, rows = stored
    monkeypatch.setattr(search_module, "WALK_ROWS", walk_rows)
    assert [a.id for a in list_articles(sessions, flt)] == reference(rows, "", flt)


def test_list_articles_with_a_query_returns_the_ranked_articles(
        stored: tuple[sessionmaker[Session], list[Article]]) -> None:
    sessions, rows = stored
    flt = ArticleFilter(query="芯片")
    assert [a.id for a in list_articles(sessions, flt)] == reference(rows, "芯片", flt)


# ---------------------------------------------------------------- the write path keeps indexes true

def record(url: str, title: str, body: str, published: datetime | None = START) -> ArticleRecord:
    return ArticleRecord(url=url, site="zone-a", title=title, body_text=body,
                         body_html=f"<p>{body}</p>", timezone="Asia/Shanghai",
                         published_at=published, content_hash=content_hash(title, body))


def found_urls(sessions: sessionmaker[Session], query: str) -> list[str]:
    return [f.article.url for f in search_articles(sessions, ArticleFilter(query=query, limit=0))]


@pytest.mark.parametrize("query", ["芯片", "集成电路", "园区签约", "robotics"])
def test_an_edited_article_is_found_by_its_new_text_and_not_its_old(db_url: str, query: str) -> None:
    sessions = open_database(db_url)
    url = "http://a.cn/content/post_1.html"
    with sessions.begin() as s:
        save_articles(s, [record(url, "高新区动态", f"今天{query}项目落地。")])
    assert found_urls(sessions, query) == [url]
    with sessions.begin() as s:
        assert save_articles(s, [record(url, "高新区动态", "更正后的正文。")])["updated"] == 1
    assert found_urls(sessions, query) == []
    assert found_urls(sessions, "更正后") == [url]


def test_a_deleted_article_leaves_the_indexes(db_url: str) -> None:
    sessions = open_database(db_url)
    with sessions.begin() as s:
        save_articles(s, [record("http://a.cn/p/1", "芯片项目", "集成电路产业园区。"),
                          record("http://a.cn/p/2", "新能源", "电池企业。")])
    with sessions.begin() as s:
        s.execute(delete(Article).where(Article.url == "http://a.cn/p/1"))
    for query in ("芯片", "集成电路", "园区", "芯片项目"):
        assert found_urls(sessions, query) == []
    assert found_urls(sessions, "电池") == ["http://a.cn/p/2"]


def test_a_new_publication_date_moves_an_article_in_the_ranking(db_url: str) -> None:
    sessions = open_database(db_url)
    with sessions.begin() as s:
        save_articles(s, [record("http://a.cn/p/old", "一", "芯片。", START),
                          record("http://a.cn/p/new", "二", "芯片。", START + timedelta(days=9)),
                          record("http://a.cn/p/none", "三", "芯片。", None)])
    assert found_urls(sessions, "芯片") == ["http://a.cn/p/new", "http://a.cn/p/old",
                                           "http://a.cn/p/none"]
    with sessions.begin() as s:
        s.execute(update(Article).where(Article.url == "http://a.cn/p/none")
                  .values(published_at=START + timedelta(days=30)))
    assert found_urls(sessions, "芯片") == ["http://a.cn/p/none", "http://a.cn/p/new",
                                           "http://a.cn/p/old"]


@pytest.mark.parametrize("title, body, query", [
    ("高新区项目签约", "正文。", "签约"),          # two characters ending the title
    ("签约仪式", "正文。", "签约"),                # and starting it
    ("标题", "芯片", "芯片"),                      # a body of exactly the term
    ("标题", "国产芯片", "芯片"),
    ("AI 赋能制造", "正文。", "ai"),
    ("标题", "Supply Chain resilience", '"supply chain"'),
    ("标题", "研发投入同比增长 12%", "12%"),
    ("标题", '他说"创新"很重要', '创新"很'),
])
def test_short_and_odd_terms_are_found_wherever_they_sit(db_url: str, title: str, body: str,
                                                         query: str) -> None:
    sessions = open_database(db_url)
    with sessions.begin() as s:
        save_articles(s, [record("http://a.cn/p/1", title, body),
                          record("http://a.cn/p/2", "无关", "无关的正文。")])
    assert found_urls(sessions, query) == ["http://a.cn/p/1"]


def test_the_sqlite_index_key_sorts_newest_first_as_the_triggers_compute_it(tmp_path: object
                                                                          ) -> None:
    sessions = open_database(f"sqlite:///{tmp_path}/keys.db")
    moments = [START, START + timedelta(seconds=1), datetime(2030, 5, 1, 8, 0, 59, tzinfo=UTC),
               None]
    with sessions.begin() as s:
        save_articles(s, [record(f"http://a.cn/p/{n}", "芯片", "正文。", m)
                          for n, m in enumerate(moments)])
    with sessions() as s:
        keys = set(s.scalars(text("SELECT rowid FROM search_bigram_title "
                                  "WHERE search_bigram_title MATCH '芯片'")))
        expected = {search_key(a.published_at, a.id) for a in s.scalars(select(Article))}
    assert keys == expected
    ordered = sorted(expected, reverse=True)
    assert [k & search_module.KEY_MASK for k in ordered] == [3, 2, 1, 4]


SEARCH_OBJECTS = {
    "sqlite": {"search_trigram", "search_trigram_title", "search_bigram", "search_bigram_title",
               "search_positions", "search_articles_insert", "search_articles_delete",
               "search_articles_update"},
    "postgresql": {"search_title_trgm", "search_body_trgm", "search_title_bigrams",
                   "search_body_bigrams", "search_newest", "search_site_newest"},
}


def test_the_migrations_build_the_search_structures_of_each_database(db_url: str) -> None:
    """What the model comparison in test_store.py leaves out, because it differs per database."""
    sessions = open_database(db_url)
    with sessions() as s:
        dialect = s.get_bind().dialect.name
        if dialect == "sqlite":
            names = set(s.scalars(text("SELECT name FROM sqlite_master")))
        else:
            names = set(s.scalars(text("SELECT indexname FROM pg_indexes "
                                       "WHERE schemaname = current_schema()")))
    assert SEARCH_OBJECTS[dialect] <= names
    assert all(search_module.is_search_object(n) for n in SEARCH_OBJECTS[dialect])


# ---------------------------------------------------------------- plans: indexes, no sorting

def _plan(session: Session, sql: str) -> str:
    if session.get_bind().dialect.name == "sqlite":
        return " | ".join(str(r[-1]) for r in session.execute(text("EXPLAIN QUERY PLAN " + sql)))
    session.execute(text("SET LOCAL enable_seqscan = off"))
    return " | ".join(str(r[0]) for r in session.execute(text("EXPLAIN " + sql)))


def test_a_filtered_listing_reads_an_index_in_order_without_sorting(
        stored: tuple[sessionmaker[Session], list[Article]]) -> None:
    sessions, _rows = stored
    from sqlalchemy.dialects import postgresql, sqlite

    from pipelines.queries import _scope
    from pipelines.search import NEWEST_FIRST

    scope = _scope(ArticleFilter(site="zone-a", since=START))
    query = select(Article.id).where(*scope.where()).order_by(*NEWEST_FIRST).limit(20)
    with sessions() as s:
        dialect = postgresql.dialect() if s.get_bind().dialect.name == "postgresql" else sqlite.dialect()
        sql = str(query.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
        plan = _plan(s, sql)
    assert "ix_articles_site_published" in plan or "search_site_newest" in plan
    assert "TEMP B-TREE" not in plan and "Sort" not in plan


# ---------------------------------------------------------------- terms and snippets

@pytest.mark.parametrize("query, terms", [
    ("集成电路", ["集成电路"]),
    ("集成电路 珠海", ["集成电路", "珠海"]),
    ('"supply chain" 珠海', ["supply chain", "珠海"]),
    ("“高新区 管委会” 签约", ["高新区 管委会", "签约"]),
    ("  芯片   芯片 ", ["芯片"]),
    ("AI ai", ["AI"]),
    ("", []),
])
def test_a_query_is_words_or_quoted_phrases(query: str, terms: list[str]) -> None:
    assert parse_terms(query) == terms


@pytest.mark.parametrize("title, body, terms, shown", [
    ("标题", "高新区管委会与多家企业签署战略合作框架协议，共同推进集成电路产业链建设。",
     ["集成电路"], "…署战略合作框架协议，共同推进[集成电路]产业链建设。"),
    ("标题", "集成电路项目签约落地。", ["集成电路"], "[集成电路]项目签约落地。"),
    ("标题", "第一段。\n第二段提到芯片和芯片产业。", ["芯片"], "第一段。 第二段提到[芯片]和[芯片]产业。"),
    ("标题", "The Semiconductor park.", ["semiconductor"], "The [Semiconductor] park."),
    ("芯片新政发布", "正文没有这个词。", ["芯片"], "[芯片]新政发布"),
    ("标题", "正文没有这个词。", ["芯片"], "正文没有这个词。"),
    ("标题", "集成电路与芯片。", ["芯片", "集成电路"], "[集成电路]与[芯片]。"),
])
def test_a_snippet_shows_the_first_match_with_its_context(title: str, body: str, terms: list[str],
                                                         shown: str) -> None:
    assert make_snippet(title, body, terms, width=24).highlighted() == shown


def test_a_snippet_is_about_as_wide_as_asked() -> None:
    body = "前文" * 100 + "集成电路" + "后文" * 100
    snippet = make_snippet("标题", body, ["集成电路"], width=30)
    assert "集成电路" in snippet.text
    assert len(snippet.text) <= 30 + 2
    assert snippet.highlighted("<b>", "</b>").count("<b>集成电路</b>") == 1


def test_the_most_terms_a_query_may_hold_are_searched_and_one_more_is_refused(
        stored: tuple[sessionmaker[Session], list[Article]]) -> None:
    sessions, rows = stored
    # 64 different pieces of the longest article: it holds them all, so it must be found.
    longest = max(rows, key=lambda a: len(a.title + a.body_text))
    pieces = [part[i:i + n] for part in (longest.title, longest.body_text) for n in (2, 3, 4)
              for i in range(len(part))]
    terms = list(dict.fromkeys(p for p in pieces if parse_terms(p) == [p] and len(p) > 1))
    assert len(terms) >= search_module.MAX_TERMS
    widest = " ".join(terms[:search_module.MAX_TERMS])
    flt = ArticleFilter(query=widest, limit=0)
    found = [f.article.id for f in search_articles(sessions, flt)]
    assert longest.id in found and found == reference(rows, widest, flt)
    with pytest.raises(ValueError, match="more than 64 terms"):
        search_articles(sessions, ArticleFilter(query=widest + " 另一个词", limit=0))
