"""Word and spreadsheet facts: pages and boxes may be null, a cell's sheet and A1 reference,
and a document's media type as sniffed from its bytes

SQLite alters a column's nullability by copying the table; the views that read these tables
are dropped first and made again after.

Revision ID: 0005
Revises: 0004
"""
import importlib.util
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

VIEWS = ("v_beneficiaries", "v_table_cells", "v_question_documents")  # dependants first


def _views():
    spec = importlib.util.spec_from_file_location("views_0002", Path(__file__).with_name("0002_views.py"))
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def upgrade() -> None:
    for name in VIEWS:
        op.execute(f"DROP VIEW IF EXISTS {name}")
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("media_type", sa.String(128), nullable=True))
    for table in ("table_cells", "beneficiaries"):
        with op.batch_alter_table(table) as batch:
            batch.alter_column("page", existing_type=sa.Integer(), nullable=True)
            batch.alter_column("bbox", existing_type=sa.JSON(), nullable=True)
            batch.add_column(sa.Column("sheet", sa.Text(), nullable=True))
            batch.add_column(sa.Column("cell_ref", sa.String(16), nullable=True))
    with op.batch_alter_table("extracted_tables") as batch:
        batch.alter_column("page", existing_type=sa.Integer(), nullable=True)
        batch.alter_column("bbox", existing_type=sa.JSON(), nullable=True)
    with op.batch_alter_table("question_items") as batch:
        batch.alter_column("page", existing_type=sa.Integer(), nullable=True)
    op.execute("UPDATE documents SET media_type = 'application/pdf' WHERE is_pdf")
    views = _views()
    for sql in (views.QUESTION_DOCUMENTS, views.CELLS, views.BENEFICIARIES):
        op.execute(sql)


def downgrade() -> None:
    pass  # the columns only widen what was stored
