"""The export log: who downloaded which file of which filters, when pages ask for an account.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    op.create_table(
        "exports",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("who", sa.Text, nullable=False),
        sa.Column("what", sa.Text, nullable=False),  # the file's name
        sa.Column("filters", sa.Text, nullable=False),
    )
    op.create_index("exports_time", "exports", ["time"])
