"""Raw pages kept for re-extraction, and each site's latest health state.

``raw_pages`` holds the compressed bytes of every page an article's current
version was read from; an article stored before this migration simply has
none. ``site_health`` remembers the last state computed for a site and the
last state its alert targets were told of, so a change is noticed once.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from pipelines.models import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "raw_pages",
        sa.Column("article_id", sa.Integer(),
                  sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("part", sa.Integer(), primary_key=True),
        sa.Column("url", sa.String(2048), nullable=False),
        sa.Column("content_type", sa.String(255), nullable=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("context", sa.JSON(), nullable=False),
        sa.Column("fetched_at", UTCDateTime(), nullable=False),
    )
    if op.get_bind().dialect.name == "postgresql":
        # The bytes are zlib-compressed already: PostgreSQL need not try again.
        op.execute("ALTER TABLE raw_pages ALTER COLUMN body SET STORAGE EXTERNAL")
    op.create_table(
        "site_health",
        sa.Column("site", sa.String(64), primary_key=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("checked_at", UTCDateTime(), nullable=False),
        sa.Column("changed_at", UTCDateTime(), nullable=False),
        sa.Column("notified_state", sa.String(16), nullable=True),
        sa.Column("notified_at", UTCDateTime(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("site_health")
    op.drop_table("raw_pages")
