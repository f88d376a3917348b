"""Facts that link across languages (organisation and zone keys) and the rules stamp of a
derivation.

``article_facts.link_key`` holds the key an organisation or a zone has in Chinese and in
English alike (pipelines.crosslang). ``story_articles.rules`` records the version of the
derivation rules an article was derived with: an article derived with older rules is pending
again, so the first derivation after an upgrade brings the archive up to the new rules.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("article_facts") as batch:
        batch.add_column(sa.Column("link_key", sa.String(64), nullable=True))
    op.create_index("ix_article_facts_link", "article_facts", ["link_key"])
    with op.batch_alter_table("story_articles") as batch:
        batch.add_column(sa.Column("rules", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("story_articles") as batch:
        batch.drop_column("rules")
    op.drop_index("ix_article_facts_link", table_name="article_facts")
    with op.batch_alter_table("article_facts") as batch:
        batch.drop_column("link_key")
