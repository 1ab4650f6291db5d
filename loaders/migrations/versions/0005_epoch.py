"""An epoch beside the version number: a database dropped and loaded again starts its numbers at 1, and an
app server that had read version 1 of the old one must not take the new one for it.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    op.add_column(
        "ftz_state",
        sa.Column("epoch", sa.Text, nullable=False, server_default=sa.text("gen_random_uuid()::text")),
    )
