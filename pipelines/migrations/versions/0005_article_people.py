"""The people table: each name credited on an article, by role, indexed by name.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04

Existing articles are read in batches of ids and their credit lists unpacked by the
database itself (SQLite's json_each, PostgreSQL's json_array_elements): an archive of a
million articles is filled without moving its JSON through Python, and no statement
sorts more than a batch.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

ROLES = ("authors", "photographers", "editors", "responsible_editors")
BATCH = 50_000       # article ids per statement

# Every non-empty string of one role's list, once per article, role and name (the rule of
# pipelines.people.people_rows).
FILL = {
    "sqlite": """
        INSERT INTO article_people (article_id, role, name)
        SELECT DISTINCT a.id, '{role}', j.value
        FROM articles AS a, json_each(CASE WHEN json_type(a.{role}) = 'array'
                                           THEN a.{role} ELSE '[]' END) AS j
        WHERE a.id > :low AND a.id <= :high AND j.type = 'text' AND j.value <> ''
    """,
    "postgresql": """
        INSERT INTO article_people (article_id, role, name)
        SELECT DISTINCT a.id, '{role}', j.value #>> '{{}}'
        FROM articles AS a, json_array_elements(CASE WHEN json_typeof(a.{role}) = 'array'
                                                     THEN a.{role} ELSE '[]'::json END) AS j
        WHERE a.id > :low AND a.id <= :high AND json_typeof(j.value) = 'string'
          AND j.value #>> '{{}}' <> ''
    """,
}


def upgrade() -> None:
    op.create_table(
        "article_people",
        sa.Column("article_id", sa.Integer(),
                  sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("role", sa.String(32), primary_key=True),
        sa.Column("name", sa.Text(), primary_key=True),
    )
    bind = op.get_bind()
    statements = [sa.text(FILL[bind.dialect.name].format(role=role)) for role in ROLES]
    last = bind.execute(sa.text("SELECT max(id) FROM articles")).scalar() or 0
    for low in range(0, last, BATCH):
        for statement in statements:
            bind.execute(statement, {"low": low, "high": low + BATCH})
    # Built after the fill: one sort instead of a million insertions into the index.
    op.create_index("ix_article_people_name", "article_people", ["name", "article_id"])
    if bind.dialect.name == "postgresql":
        # Until the planner knows how few articles one name has, it walks the whole archive
        # newest first looking for them, instead of reading them from the index and sorting.
        op.execute("ANALYZE article_people")


def downgrade() -> None:
    op.drop_table("article_people")
