"""Views that join facts to their provenance (for Datasette and plain SQL)

Revision ID: 0002
Revises: 0001
"""
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

QUESTION_DOCUMENTS = """
CREATE VIEW v_question_documents AS
SELECT id AS question_id, answer_document_id AS document_id, NULL AS annex_label
  FROM questions WHERE answer_document_id IS NOT NULL
UNION ALL
SELECT question_id, document_id, label FROM annexes WHERE document_id IS NOT NULL
"""

CELLS = """
CREATE VIEW v_table_cells AS
SELECT c.fact_id, qd.question_id, q.session_year, q.number AS question_number, qd.annex_label,
       t.table_index, c.row, c.col, c.is_header, c.raw_text, c.row_label, c.column_label, c.value, c.unit,
       c.page, c.bbox, t.method AS table_method, t.confidence AS table_confidence,
       d.source_url, d.final_url, d.sha256 AS document_sha256, d.fetched_at,
       r.id AS run_id, r.extractor, r.extractor_version, r.flow_run_id
  FROM table_cells c
  JOIN extracted_tables t ON t.id = c.table_id
  JOIN extraction_runs r ON r.id = c.extraction_run_id
  JOIN documents d ON d.id = r.document_id
  JOIN v_question_documents qd ON qd.document_id = d.id
  JOIN questions q ON q.id = qd.question_id
 WHERE r.status = 'ok' AND r.superseded_by_run_id IS NULL
"""

BENEFICIARIES = """
CREATE VIEW v_beneficiaries AS
SELECT b.fact_id, qd.question_id, q.session_year, q.number AS question_number, qd.annex_label, b.call_year,
       b.name, b.normalised_name, b.kind, b.municipality, b.nis_code, b.nis_code_at_time, b.sessions,
       b.amount_eur, b.amount_cents, b.page, b.bbox,
       d.source_url, d.final_url, d.sha256 AS document_sha256, d.fetched_at,
       r.id AS run_id, r.extractor, r.extractor_version, r.flow_run_id
  FROM beneficiaries b
  JOIN extraction_runs r ON r.id = b.extraction_run_id
  JOIN documents d ON d.id = r.document_id
  JOIN v_question_documents qd ON qd.document_id = d.id
  JOIN questions q ON q.id = qd.question_id
 WHERE r.status = 'ok' AND r.superseded_by_run_id IS NULL
"""


def upgrade() -> None:
    for sql in (QUESTION_DOCUMENTS, CELLS, BENEFICIARIES):
        op.execute(sql)


def downgrade() -> None:
    for name in ("v_beneficiaries", "v_table_cells", "v_question_documents"):
        op.execute(f"DROP VIEW {name}")
