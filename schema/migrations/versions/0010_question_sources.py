"""A question keeps what its search hits said (`search_metatags`), where each of its values came
from (`sources`: "search metatag themadatum", "record procedureverloop 'Tijdig beantwoord'"),
and its title as the record spells it (`title_raw`; `title` is the whitespace-normalised form).

Revision ID: 0010
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("questions") as batch:
        batch.add_column(sa.Column("title_raw", sa.Text(), nullable=True))
        batch.add_column(sa.Column("search_metatags", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("sources", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("questions") as batch:
        batch.drop_column("sources")
        batch.drop_column("search_metatags")
        batch.drop_column("title_raw")
