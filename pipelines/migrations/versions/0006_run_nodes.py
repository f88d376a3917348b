"""The Scrapyd node and job a run was dispatched to.

``node`` is the node's address without credentials and ``job_id`` the job id
Scrapyd knows the crawl by; both stay empty for a crawl run on the machine
that started it.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("crawl_runs", sa.Column("node", sa.String(255), nullable=True))
    op.add_column("crawl_runs", sa.Column("job_id", sa.String(64), nullable=True))


def downgrade() -> None:
    op.drop_column("crawl_runs", "job_id")
    op.drop_column("crawl_runs", "node")
