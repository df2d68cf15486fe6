"""One definition of the current facts, for the views as for the export: a document's facts are
those of its latest successful extraction run. Documents loaded on their own (`vpetl ingest
--file/--url`) are marked, and their facts are in the views with no question.

Before, the views took the runs not superseded by another: when an answer was republished and
then served in its first version again, the views dropped its facts while the export kept them.

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

VIEWS = ("v_beneficiaries", "v_table_cells", "v_question_documents", "v_current_runs")  # dependants first

CURRENT_RUNS = """
CREATE VIEW v_current_runs AS
SELECT r.* FROM extraction_runs r
 WHERE r.status = 'ok'
   AND r.id = (SELECT max(x.id) FROM extraction_runs x WHERE x.document_id = r.document_id AND x.status = 'ok')
"""

QUESTION_DOCUMENTS = """
CREATE VIEW v_question_documents AS
SELECT id AS question_id, answer_document_id AS document_id, NULL AS annex_label
  FROM questions WHERE answer_document_id IS NOT NULL
UNION
SELECT question_id, document_id, label FROM annexes WHERE document_id IS NOT NULL
UNION
SELECT NULL, d.id, NULL FROM documents d
 WHERE d.standalone AND NOT EXISTS (SELECT 1 FROM questions q WHERE q.answer_document_id = d.id)
   AND NOT EXISTS (SELECT 1 FROM annexes a WHERE a.document_id = d.id)
"""

CELLS = """
CREATE VIEW v_table_cells AS
SELECT c.fact_id, qd.question_id, q.session_year, q.number AS question_number, qd.annex_label,
       t.table_index, c.row, c.col, c.is_header, c.raw_text, c.row_label, c.column_label, c.value, c.unit,
       c.page, c.bbox, c.sheet, c.cell_ref, t.method AS table_method, t.confidence AS table_confidence,
       d.source_url, d.final_url, d.sha256 AS document_sha256, d.media_type AS document_media_type, d.fetched_at,
       r.id AS run_id, r.extractor, r.extractor_version, r.flow_run_id
  FROM table_cells c
  JOIN extracted_tables t ON t.id = c.table_id
  JOIN v_current_runs r ON r.id = c.extraction_run_id
  JOIN documents d ON d.id = r.document_id
  JOIN v_question_documents qd ON qd.document_id = d.id
  LEFT JOIN questions q ON q.id = qd.question_id
"""

BENEFICIARIES = """
CREATE VIEW v_beneficiaries AS
SELECT b.fact_id, qd.question_id, q.session_year, q.number AS question_number, qd.annex_label, b.call_year,
       b.name, b.normalised_name, b.kind, b.municipality, b.nis_code, b.nis_code_at_time, b.sessions,
       b.amount_eur, b.amount_cents, b.page, b.bbox, b.sheet, b.cell_ref,
       d.source_url, d.final_url, d.sha256 AS document_sha256, d.media_type AS document_media_type, d.fetched_at,
       r.id AS run_id, r.extractor, r.extractor_version, r.flow_run_id
  FROM beneficiaries b
  JOIN v_current_runs r ON r.id = b.extraction_run_id
  JOIN documents d ON d.id = r.document_id
  JOIN v_question_documents qd ON qd.document_id = d.id
  LEFT JOIN questions q ON q.id = qd.question_id
"""


def upgrade() -> None:
    for name in VIEWS:
        op.execute(f"DROP VIEW IF EXISTS {name}")
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("standalone", sa.Boolean(), nullable=False, server_default=sa.false()))
    for sql in (CURRENT_RUNS, QUESTION_DOCUMENTS, CELLS, BENEFICIARIES):
        op.execute(sql)


def downgrade() -> None:
    for name in VIEWS:
        op.execute(f"DROP VIEW IF EXISTS {name}")
