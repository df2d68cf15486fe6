"""store_info: what a store says of itself, as key and value; first the data dir where its raw
bytes are kept, so that a command finds them from the store wherever it is run from.

Revision ID: 0014
Revises: 0012
"""
import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("store_info",
                    sa.Column("key", sa.String(64), primary_key=True),
                    sa.Column("value", sa.Text(), nullable=False))


def downgrade() -> None:
    op.drop_table("store_info")
