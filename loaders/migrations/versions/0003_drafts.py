"""Drafts: checked imports waiting for a second person to publish them (FTZ_APPROVAL=1).

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    op.create_table(
        "drafts",
        sa.Column("id", sa.Text, primary_key=True),  # batch-8
        sa.Column("meta", sa.Text, nullable=False),  # who submitted it, when, the file, the counts (JSON)
        sa.Column("content", sa.LargeBinary, nullable=False),  # the rows as the store's CSV text
    )
