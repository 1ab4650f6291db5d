"""Staff accounts and the sign-in log, shared by every app server (see loaders.users).

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    # One row per account: the password's Argon2id hash, never the password.
    op.create_table(
        "accounts",
        sa.Column("name", sa.Text, primary_key=True),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("hash", sa.Text, nullable=False),
        sa.Column("changed", sa.Text, nullable=False, server_default=""),
    )
    # Every try to sign in: when, the name given and the outcome (ok, wrong, locked), never the password.
    op.create_table(
        "signins",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("outcome", sa.Text, nullable=False),
    )
    op.create_index("signins_time", "signins", ["time"])
