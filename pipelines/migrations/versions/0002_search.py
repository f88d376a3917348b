"""Search indexes that find Chinese substrings, kept in step with ``articles`` by the database.

SQLite: four contentless FTS5 tables, filled and emptied by triggers on ``articles``.
``search_trigram`` (trigram tokenizer) finds any substring of three characters or
more; ``search_bigram`` holds every two-character pair as a word, for the
two-character queries Chinese is full of (芯片, 园区), which trigrams cannot
answer. Each has a title-only twin, so title matches can be ranked first without
scanning. The FTS rowid is not the article id but a key that sorts like
"newest first" — (publication second + 1) · 2³² + id, or the bare id for an
undated article — so "the 20 newest matches" is read straight off the index.
The pairs are cut in SQL with a table of positions: chunks of 64 characters,
then pairs within each chunk, so a long body costs linear rather than quadratic
time.

PostgreSQL: pg_trgm GIN indexes on title and body for three characters or
more, GIN indexes on the set of character pairs (``search_bigrams()``) for two,
and indexes in "newest first" order with undated articles last. Bodies are kept
uncompressed in the row and page HTML out of it, so the rows a search reads
stay small.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

CHUNK = 64
POSITIONS = 65536          # texts up to CHUNK · POSITIONS characters are cut into pairs
KEY_SHIFT = 4294967296     # 2**32: article ids stay below it

FTS_TABLES = {
    "search_trigram": "tokenize='trigram'",
    "search_trigram_title": "tokenize='trigram'",
    "search_bigram": "tokenize='unicode61 remove_diacritics 0', detail='none'",
    "search_bigram_title": "tokenize='unicode61 remove_diacritics 0', detail='none'",
}


def _key(row: str) -> str:
    return (f"(CASE WHEN {row}.published_at IS NULL THEN {row}.id ELSE "
            f"(max(CAST(strftime('%s', {row}.published_at) AS INTEGER), 0) + 1) * {KEY_SHIFT}"
            f" + {row}.id END)")


def _text(row: str) -> str:
    return f"({row}.title || char(10) || {row}.body_text)"


def _pairs(text: str) -> str:
    """Every distinct two-character pair of ``text``, space-separated, in plain SQL."""
    return (
        "(SELECT group_concat(pair, ' ') FROM ("
        f"SELECT DISTINCT substr(c.part, p.n, 2) AS pair FROM ("
        f"SELECT substr({text}, (k.n - 1) * {CHUNK} + 1, {CHUNK + 1}) AS part "
        f"FROM search_positions AS k WHERE k.n <= (length({text}) + {CHUNK - 1}) / {CHUNK} "
        "LIMIT -1) AS c "
        f"JOIN search_positions AS p ON p.n <= {CHUNK} "
        "WHERE length(substr(c.part, p.n, 2)) = 2))"
    )


def _values(row: str) -> dict[str, tuple[str, ...]]:
    return {
        "search_trigram": (_text(row),),
        "search_trigram_title": (f"{row}.title",),
        "search_bigram": (_pairs(_text(row)),),
        "search_bigram_title": (_pairs(f"{row}.title"),),
    }


def _add(row: str) -> list[str]:
    return [f"INSERT INTO {table}(rowid, text) VALUES ({_key(row)}, {values[0]});"
            for table, values in _values(row).items()]


def _remove(row: str) -> list[str]:
    # Contentless tables forget a row only when told exactly what was indexed for it.
    return [f"INSERT INTO {table}({table}, rowid, text) VALUES ('delete', {_key(row)}, {values[0]});"
            for table, values in _values(row).items()]


def _upgrade_sqlite() -> None:
    op.execute("CREATE TABLE search_positions (n INTEGER PRIMARY KEY)")
    op.execute(f"INSERT INTO search_positions(n) WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL "
               f"SELECT n + 1 FROM c WHERE n < {POSITIONS}) SELECT n FROM c")
    for table, options in FTS_TABLES.items():
        op.execute(f"CREATE VIRTUAL TABLE {table} USING fts5(text, content='', columnsize=0, "
                   f"{options})")
    op.execute("CREATE TRIGGER search_articles_insert AFTER INSERT ON articles BEGIN "
               + " ".join(_add("new")) + " END")
    op.execute("CREATE TRIGGER search_articles_delete AFTER DELETE ON articles BEGIN "
               + " ".join(_remove("old")) + " END")
    op.execute("CREATE TRIGGER search_articles_update AFTER UPDATE OF title, body_text, "
               "published_at ON articles BEGIN "
               + " ".join(_remove("old") + _add("new")) + " END")
    for table, values in _values("articles").items():
        op.execute(f"INSERT INTO {table}(rowid, text) SELECT {_key('articles')}, {values[0]} "
                   "FROM articles")


def _trgm_schema() -> str:
    """Where pg_trgm lives: its operator classes are named with it, whatever the search_path."""
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    found = op.get_bind().exec_driver_sql(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
        "WHERE e.extname = 'pg_trgm'").scalar_one()
    return '"' + str(found).replace('"', '""') + '"'


def _upgrade_postgresql() -> None:
    trgm = _trgm_schema()
    # Every pair of adjacent lower-cased characters: the two-character index. Two regex passes
    # cut the pairs at even and at odd offsets, chr(1) marking the cuts; the stray single
    # characters and empty strings they leave are never looked up, and GIN drops repeats.
    op.execute(
        "CREATE FUNCTION search_bigrams(t text) RETURNS text[] LANGUAGE sql IMMUTABLE STRICT "
        "PARALLEL SAFE AS $$ SELECT "
        "string_to_array(regexp_replace(lower(t), '(..)', '\\1' || chr(1), 'g'), chr(1)) || "
        "string_to_array(regexp_replace(substr(lower(t), 2), '(..)', '\\1' || chr(1), 'g'), "
        "chr(1)) $$")
    op.execute("ALTER TABLE articles ALTER COLUMN body_text SET STORAGE MAIN")
    op.execute("ALTER TABLE articles ALTER COLUMN body_html SET STORAGE EXTERNAL")
    op.execute(f"CREATE INDEX search_title_trgm ON articles USING gin (title {trgm}.gin_trgm_ops)")
    op.execute(f"CREATE INDEX search_body_trgm ON articles USING gin "
               f"(body_text {trgm}.gin_trgm_ops)")
    op.execute("CREATE INDEX search_title_bigrams ON articles USING gin (search_bigrams(title))")
    op.execute("CREATE INDEX search_body_bigrams ON articles USING gin "
               "(search_bigrams(body_text))")
    op.execute("CREATE INDEX search_newest ON articles (published_at DESC NULLS LAST, id DESC)")
    op.execute("CREATE INDEX search_site_newest ON articles "
               "(site, published_at DESC NULLS LAST, id DESC)")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _upgrade_sqlite()
    else:
        _upgrade_postgresql()


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER search_articles_{trigger}")
        for table in FTS_TABLES:
            op.execute(f"DROP TABLE {table}")
        op.execute("DROP TABLE search_positions")
        return
    for index in ("search_title_trgm", "search_body_trgm", "search_title_bigrams",
                  "search_body_bigrams", "search_newest", "search_site_newest"):
        op.execute(f"DROP INDEX {index}")
    op.execute("DROP FUNCTION search_bigrams(text)")
    op.execute("ALTER TABLE articles ALTER COLUMN body_text SET STORAGE EXTENDED")
    op.execute("ALTER TABLE articles ALTER COLUMN body_html SET STORAGE EXTENDED")
