"""Facts read from articles (amounts, organisations, industries, events) and story clusters.

Revision ID: 0004
Revises: 0002
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from pipelines.models import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "article_facts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("article_id", sa.Integer(),
                  sa.ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("amount", sa.String(48), nullable=True),
        sa.Column("amount_high", sa.String(48), nullable=True),
        sa.Column("amount_key", sa.String(32), nullable=True),
        sa.Column("currency", sa.String(3), nullable=True),
        sa.Column("approximate", sa.Boolean(), nullable=True),
        sa.Column("sentence", sa.Text(), nullable=True),
    )
    op.create_index("ix_article_facts_article", "article_facts", ["article_id"])
    op.create_index("ix_article_facts_kind_value", "article_facts", ["kind", "value"])
    op.create_index("ix_article_facts_amount", "article_facts", ["amount_key", "currency"])

    op.create_table(
        "stories",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("representative_id", sa.Integer(), nullable=False),
        sa.Column("newest_at", UTCDateTime(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_stories_newest", "stories", ["newest_at"])

    op.create_table(
        "story_articles",
        sa.Column("article_id", sa.Integer(),
                  sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("story_id", sa.Integer(),
                  sa.ForeignKey("stories.id", ondelete="SET NULL"), nullable=True),
        sa.Column("link", sa.String(8), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("signature", sa.Text(), nullable=True),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("derived_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_story_articles_story", "story_articles", ["story_id"])

    op.create_table(
        "story_bands",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.BigInteger(), nullable=False),
        sa.Column("article_id", sa.Integer(),
                  sa.ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    )
    op.create_index("ix_story_bands_key", "story_bands", ["key"])
    op.create_index("ix_story_bands_article", "story_bands", ["article_id"])


def downgrade() -> None:
    op.drop_table("story_bands")
    op.drop_table("story_articles")
    op.drop_table("stories")
    op.drop_table("article_facts")
