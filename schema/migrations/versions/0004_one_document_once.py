"""One document, one set of facts: how the answer was identified, and other routes to a document

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("questions") as batch:
        batch.add_column(sa.Column("answer_identified_by", sa.String(32), nullable=True))
        batch.add_column(sa.Column("answer_other_urls", sa.JSON(), nullable=True))
    with op.batch_alter_table("annexes") as batch:
        batch.add_column(sa.Column("other_urls", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("annexes") as batch:
        batch.drop_column("other_urls")
    with op.batch_alter_table("questions") as batch:
        batch.drop_column("answer_other_urls")
        batch.drop_column("answer_identified_by")
