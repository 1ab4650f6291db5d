"""Reviews in progress: a staff member's review of a new batch's document, kept per account and document
until its rows are applied or it is discarded.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"


def upgrade() -> None:
    op.create_table(
        "reviews",
        sa.Column("who", sa.Text, primary_key=True),
        sa.Column("key", sa.Text, primary_key=True),  # the document's digest
        sa.Column("content", sa.LargeBinary, nullable=False),  # loaders.review.Review.to_json
    )
