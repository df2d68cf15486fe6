"""Free-length text for everything that comes from outside (URLs, headers, titles, cells)

A server decides how long an ETag, a Content-Type, a redirect URL or a session year is; on
PostgreSQL a VARCHAR(n) made the load of such a question fail. SQLite ignores the lengths, so
this migration only changes PostgreSQL. The views read these columns and are made again.

Revision ID: 0003
Revises: 0002
"""
import importlib.util
from pathlib import Path

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

COLUMNS = {
    "ingest_runs": ["api_base"],
    "documents": ["source_url", "final_url", "content_type", "etag", "last_modified"],
    "questions": ["session_year", "asker", "minister", "status", "answer_url", "record_url", "record_etag",
                  "record_last_modified", "last_modified"],
    "annexes": ["label", "url"],
    "question_items": ["number"],
    "table_cells": ["value", "unit"],
    "beneficiaries": ["municipality", "amount_eur"],
    "validations": ["expected", "actual"],
    "reviews": ["value", "reviewer"],
    "fetch_log": ["url", "requested_url"],
}
VIEWS = ("v_beneficiaries", "v_table_cells", "v_question_documents")  # dependants first


def upgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    spec = importlib.util.spec_from_file_location("views_0002", Path(__file__).with_name("0002_views.py"))
    assert spec and spec.loader
    views = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(views)
    for name in VIEWS:
        op.execute(f"DROP VIEW {name}")
    for table, columns in COLUMNS.items():
        op.execute(f"ALTER TABLE {table} " + ", ".join(f"ALTER COLUMN {c} TYPE TEXT" for c in columns))
    for sql in (views.QUESTION_DOCUMENTS, views.CELLS, views.BENEFICIARIES):
        op.execute(sql)


def downgrade() -> None:
    pass  # the lengths were a defect; text holds everything VARCHAR did
