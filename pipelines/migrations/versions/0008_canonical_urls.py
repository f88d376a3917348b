"""Every stored article URL in the one form the crawl now computes (pipelines.urls, w3lib).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04

Archives written before URLs were canonicalised with w3lib hold them in an older form
(lower-case percent hex, raw non-ASCII characters, the query sorted on decoded pairs). A
crawl after the upgrade would not find such a row under the URL it computes and would store
the article a second time. This rewrites ``articles.url`` with ``canonical_url`` itself, the
function the crawl and ``zonenews article URL`` use.

Only the w3lib form is applied, without a site's ``url_rules``: the site files are not part
of the database, and the one rule that changes a URL (``mpost-twin``) was applied to every
site by the older form, so its stored URLs already have the folded form. ``raw_pages.url`` is
left as it is: it is the address each page was fetched from (later parts included), which
re-extraction reads links against, not a key anything is looked up by; no other table holds
URLs.

The archive is read in batches of ids; only the URLs that change are written to a scratch
table, so memory holds one batch whatever the archive's size. Rows whose URLs become one
are merged into the one seen first (its id kept, so links to it stay valid): the text seen
last becomes the current one, every other distinct text is kept as a version, identical texts
are kept once, and the people, facts, story membership and raw pages follow the current
text. Each merge is logged with both ids and URLs.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from pipelines.urls import canonical_url

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

logger = logging.getLogger("zonenews.migrations")

BATCH = 5_000            # articles read, groups merged or URLs rewritten per statement
SCRATCH = "url_moves"
URL_LENGTH = 2048        # articles.url
# Versions are moved above these numbers first, then numbered again from 1: the unique index on
# (article_id, version) never sees two rows with one number in between.
MOVED_VERSIONS = 1_000_000
FORMER_CURRENT = 2_000_000
# The columns of an article's text and what was read from it, taken from the article whose
# text becomes the current one.
TEXT_COLUMNS = ("section", "title", "published_at", "timezone", "language", "source", "authors",
                "photographers", "editors", "responsible_editors", "summary", "body_text",
                "body_html", "images", "tags", "content_hash", "changed_at")
VERSION_COLUMNS = ("title", "published_at", "source", "body_text", "body_html", "content_hash")
# Rows derived from an article's current text: they follow the text that stays current.
DERIVED_TABLES = ("article_people", "article_facts", "story_bands", "story_articles")


def upgrade() -> None:
    bind = op.get_bind()
    moves = op.create_table(SCRATCH, sa.Column("id", sa.Integer(), primary_key=True),
                            sa.Column("url", sa.String(URL_LENGTH), nullable=False))
    assert moves is not None
    last = 0
    while rows := bind.execute(sa.text("SELECT id, url FROM articles WHERE id > :last "
                                       "ORDER BY id LIMIT :n"), {"last": last, "n": BATCH}).all():
        changed = [{"id": i, "url": new} for i, url in rows if (new := canonical_url(url)) != url
                   and _fits(i, url, new)]
        if changed:
            bind.execute(moves.insert(), changed)
        last = rows[-1][0]
    op.create_index("ix_url_moves_url", SCRATCH, ["url"])
    merged = _merge_collisions(bind)
    _rewrite(bind)
    op.drop_table(SCRATCH)
    if merged:
        logger.warning("%d articles stored twice under two forms of one URL were merged", merged)


def _fits(article_id: int, url: str, new: str) -> bool:
    """Whether the new form fits the column: percent-encoding makes a URL longer, and a row
    PostgreSQL would refuse must not stop the migration of the rest."""
    if len(new) <= URL_LENGTH:
        return True
    logger.warning("article %d keeps its URL %s: its canonical form is longer than %d characters",
                   article_id, url, URL_LENGTH)
    return False


def downgrade() -> None:
    """Nothing to undo: the older form cannot be told back from the canonical one."""


def _merge_collisions(bind: sa.Connection) -> int:
    """Merge every group of articles whose URLs become one; the number of rows merged away.

    A group holds at least one changed row: either several changed rows with one new URL, or a
    changed row whose new URL is already stored (canonical URLs are their own canonical form,
    so that row does not change itself).
    """
    merged = 0
    after = ""
    while urls := bind.execute(sa.text(f"""
            SELECT url FROM (
                SELECT url FROM {SCRATCH} GROUP BY url HAVING count(*) > 1
                UNION SELECT m.url FROM {SCRATCH} AS m JOIN articles AS a ON a.url = m.url
            ) AS grouped WHERE url > :after ORDER BY url LIMIT :n"""),
            {"after": after, "n": BATCH}).scalars().all():
        for url in urls:
            ids = [*bind.execute(sa.text(f"SELECT id FROM {SCRATCH} WHERE url = :u"),
                                 {"u": url}).scalars(),
                   *bind.execute(sa.text("SELECT id FROM articles WHERE url = :u"),
                                 {"u": url}).scalars()]
            keep, *others = _by_first_seen(bind, ids)
            for other in others:
                _merge(bind, keep, other, url)
                merged += 1
        after = urls[-1]
    return merged


def _by_first_seen(bind: sa.Connection, ids: Sequence[int]) -> list[int]:
    return list(bind.execute(
        sa.text("SELECT id FROM articles WHERE id IN :ids ORDER BY first_seen_at, id")
        .bindparams(sa.bindparam("ids", expanding=True)), {"ids": list(ids)}).scalars())


def _merge(bind: sa.Connection, keep: int, other: int, url: str) -> None:
    """Fold article ``other`` into ``keep`` (seen first), then delete ``other``."""
    ids = {"keep": keep, "other": other}
    old_url, same_text, other_newer, keep_in_story, other_in_story = bind.execute(sa.text("""
        SELECT o.url, o.content_hash = k.content_hash,
               o.content_hash <> k.content_hash AND o.last_seen_at > k.last_seen_at,
               EXISTS (SELECT 1 FROM story_articles WHERE article_id = k.id
                       AND story_id IS NOT NULL),
               EXISTS (SELECT 1 FROM story_articles WHERE article_id = o.id
                       AND story_id IS NOT NULL)
        FROM articles AS k, articles AS o WHERE k.id = :keep AND o.id = :other"""), ids).one()
    stories = set(bind.execute(sa.text(
        "SELECT story_id FROM story_articles WHERE article_id IN (:keep, :other) "
        "AND story_id IS NOT NULL"), ids).scalars())

    _merge_versions(bind, keep, other, other_newer=bool(other_newer))
    if other_newer:
        columns = ", ".join(f"{c} = (SELECT o.{c} FROM articles AS o WHERE o.id = :other)"
                            for c in TEXT_COLUMNS)
        bind.execute(sa.text(f"UPDATE articles SET {columns} WHERE id = :keep"), ids)
    bind.execute(sa.text("""
        UPDATE articles SET last_seen_at = (SELECT o.last_seen_at FROM articles AS o
                                            WHERE o.id = :other)
        WHERE id = :keep AND last_seen_at < (SELECT o.last_seen_at FROM articles AS o
                                             WHERE o.id = :other)"""), ids)

    # What was derived from a text follows the text that stays current; for one text told
    # twice, the copy that is in a story is the one kept.
    take_other = bool(other_newer) or (bool(same_text) and other_in_story and not keep_in_story)
    source, dropped = (other, keep) if take_other else (keep, other)
    for table in DERIVED_TABLES:
        bind.execute(sa.text(f"DELETE FROM {table} WHERE article_id = :id"), {"id": dropped})
        if take_other:
            _reassign(bind, table, other, keep)
    has_pages = bind.execute(sa.text("SELECT count(*) FROM raw_pages WHERE article_id = :id"),
                             {"id": source}).scalar()
    if take_other or (same_text and not has_pages):
        # The other's pages: those of the current text, or the only copy of the same text.
        bind.execute(sa.text("DELETE FROM raw_pages WHERE article_id = :keep"), ids)
        _reassign(bind, "raw_pages", other, keep)
    bind.execute(sa.text("DELETE FROM raw_pages WHERE article_id = :other"), ids)

    bind.execute(sa.text(f"DELETE FROM {SCRATCH} WHERE id = :other"), ids)
    bind.execute(sa.text("DELETE FROM articles WHERE id = :other"), ids)
    for story in stories:
        _refresh_story(bind, story)
    logger.warning("article %d (%s) merged into article %d: both are %s%s", other, old_url,
                   keep, url, "; its newer text is the current one" if other_newer else "")


def _reassign(bind: sa.Connection, table: str, source: int, target: int) -> None:
    bind.execute(sa.text(f"UPDATE {table} SET article_id = :target WHERE article_id = :source"),
                 {"source": source, "target": target})


def _merge_versions(bind: sa.Connection, keep: int, other: int, *, other_newer: bool) -> None:
    """Give ``keep`` every distinct text of both articles as its history, numbered by date.

    The other's versions whose text ``keep`` already has (as a version or as its current
    text) are dropped; so is its current text when ``keep`` has it. When the other's text
    becomes current, ``keep``'s current text becomes a version.
    """
    ids = {"keep": keep, "other": other}
    known = ("(SELECT content_hash FROM article_versions WHERE article_id = :keep "
             "UNION SELECT content_hash FROM articles WHERE id = :keep)")
    bind.execute(sa.text(f"DELETE FROM article_versions WHERE article_id = :other "
                         f"AND content_hash IN {known}"), ids)
    bind.execute(sa.text(f"UPDATE article_versions SET article_id = :keep, "
                         f"version = version + {MOVED_VERSIONS} WHERE article_id = :other"), ids)
    former, stays = ("keep", "other") if other_newer else ("other", "keep")
    columns = ", ".join(VERSION_COLUMNS)
    bind.execute(sa.text(f"""
        INSERT INTO article_versions (article_id, version, {columns}, seen_from, seen_until)
        SELECT :keep, {FORMER_CURRENT}, {columns}, changed_at, last_seen_at
        FROM articles WHERE id = :{former} AND content_hash NOT IN
            (SELECT content_hash FROM article_versions WHERE article_id = :keep
             UNION SELECT content_hash FROM articles WHERE id = :{stays})"""), ids)
    versions = bind.execute(sa.text(
        "SELECT id FROM article_versions WHERE article_id = :keep ORDER BY seen_from, id"),
        ids).scalars().all()
    for number, version_id in enumerate(versions, 1):
        bind.execute(sa.text("UPDATE article_versions SET version = :n WHERE id = :id"),
                     {"n": -number, "id": version_id})
    bind.execute(sa.text("UPDATE article_versions SET version = -version "
                         "WHERE article_id = :keep"), ids)
    bind.execute(sa.text("UPDATE articles SET version = :n WHERE id = :keep"),
                 {"n": len(versions) + 1, "keep": keep})


def _refresh_story(bind: sa.Connection, story: int) -> None:
    """A story's representative and newest date after a member left; dissolved below two
    members (the rule of pipelines.stories.refresh_story)."""
    params = {"story": story}
    size = bind.execute(sa.text("SELECT count(*) FROM story_articles WHERE story_id = :story"),
                        params).scalar()
    if not size or size < 2:
        bind.execute(sa.text("UPDATE story_articles SET story_id = NULL, link = NULL "
                             "WHERE story_id = :story"), params)
        bind.execute(sa.text("DELETE FROM stories WHERE id = :story"), params)
        return
    bind.execute(sa.text("""
        UPDATE stories SET
            representative_id = (SELECT a.id FROM articles AS a
                                 JOIN story_articles AS s ON s.article_id = a.id
                                 WHERE s.story_id = :story
                                 ORDER BY coalesce(a.published_at, a.first_seen_at), a.id
                                 LIMIT 1),
            newest_at = (SELECT max(a.published_at) FROM articles AS a
                         JOIN story_articles AS s ON s.article_id = a.id
                         WHERE s.story_id = :story)
        WHERE id = :story"""), params)


def _rewrite(bind: sa.Connection) -> None:
    """Write the new URLs, a range of ids at a time; no two rows can share one any more."""
    last = bind.execute(sa.text(f"SELECT max(id) FROM {SCRATCH}")).scalar() or 0
    for low in range(0, last, BATCH):
        bind.execute(sa.text(f"""
            UPDATE articles SET url = (SELECT m.url FROM {SCRATCH} AS m WHERE m.id = articles.id)
            WHERE id IN (SELECT id FROM {SCRATCH} WHERE id > :low AND id <= :high)"""),
            {"low": low, "high": low + BATCH})
