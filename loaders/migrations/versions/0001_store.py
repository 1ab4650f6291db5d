"""The store: the table as text cells, registers, source documents, backups, the change log and a version.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None

# The table's columns as of this revision, written out: a migration must not change when the schema does.
COLUMNS = (
    "fact_id batch case_no case_title case_title_en category area provider section indicator metric metric_en "
    "measure kind scope part_of phase value value_high unit qualifier value_text as_of source_quote"
).split()
LOG = "time who action file sha256 batches added removed changed backup note".split()


def upgrade() -> None:
    # One row: bumped by every change, so that each app server sees a change by reading one number.
    op.create_table(
        "ftz_state",
        sa.Column("id", sa.SmallInteger, primary_key=True),
        sa.Column("version", sa.BigInteger, nullable=False),
        sa.CheckConstraint("id = 1", name="ftz_state_one_row"),
    )
    # Cells as text, as the file store keeps them: typed and validated by the same code for both stores.
    op.create_table(
        "metrics",
        *(sa.Column(name, sa.Text, nullable=False, server_default="") for name in COLUMNS),
        sa.Column("place", sa.Integer, nullable=False),  # the row's place within its batch
        sa.PrimaryKeyConstraint("fact_id"),
    )
    op.create_index("metrics_batch", "metrics", ["batch", "place"])
    # Registers (areas, batches, categories, providers, measures) as the CSV text their files hold.
    op.create_table(
        "registers", sa.Column("name", sa.Text, primary_key=True), sa.Column("cells", sa.Text, nullable=False)
    )
    op.create_table(
        "documents", sa.Column("name", sa.Text, primary_key=True), sa.Column("content", sa.LargeBinary, nullable=False)
    )
    op.create_table(
        "backups",
        sa.Column("name", sa.Text, primary_key=True),
        sa.Column("kind", sa.Text, nullable=False),  # metrics or measures
        sa.Column("content", sa.LargeBinary, nullable=False),  # the CSV text, gzip-compressed
    )
    op.create_table(
        "change_log",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        *(sa.Column(name, sa.Text, nullable=False, server_default="") for name in LOG),
    )
