"""Views for browsing: each fact's minister (to facet on), the totals per municipality and year
across all answers, and the checks with their questions.

`v_municipality_totals` counts each beneficiary fact once, however many questions hold its
annex, and sums exact cents; `total_eur` is that sum as an exact decimal string.

Revision ID: 0007
Revises: 0006
"""
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

NEW = ("v_municipality_totals", "v_checks")
REMADE = ("v_beneficiaries", "v_table_cells")

CELLS = """
CREATE VIEW v_table_cells AS
SELECT c.fact_id, qd.question_id, q.session_year, q.number AS question_number, q.minister, qd.annex_label,
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
SELECT b.fact_id, qd.question_id, q.session_year, q.number AS question_number, q.minister, qd.annex_label, b.call_year,
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



def totals(dialect: str) -> str:
    """Per current NIS code and call year; the questions as a list (each SQL has its own aggregate)."""
    if dialect == "postgresql":
        eur = "(sum(f.amount_cents) / 100.0)::numeric(20, 2)::text"
        questions = "string_agg(DISTINCT q.question_id::text, ',')"
        same_year = "q.call_year IS NOT DISTINCT FROM f.call_year"
    else:
        eur = ("CASE WHEN sum(f.amount_cents) < 0 THEN '-' ELSE '' END || (abs(sum(f.amount_cents)) / 100) || '.' "
               "|| substr('0' || (abs(sum(f.amount_cents)) % 100), -2)")
        questions = "group_concat(DISTINCT q.question_id)"
        same_year = "q.call_year IS f.call_year"  # SQLite's IS compares NULLs as equal
    return f"""
CREATE VIEW v_municipality_totals AS
SELECT f.nis_code, min(f.municipality) AS municipality, f.call_year AS year,
       count(*) AS beneficiaries, sum(f.amount_cents) AS total_cents, {eur} AS total_eur,
       (SELECT {questions} FROM v_beneficiaries q
         WHERE q.nis_code = f.nis_code AND {same_year}) AS question_ids
  FROM (SELECT DISTINCT fact_id, nis_code, municipality, call_year, amount_cents
          FROM v_beneficiaries WHERE nis_code IS NOT NULL) f
 GROUP BY f.nis_code, f.call_year
"""


CHECKS = """
CREATE VIEW v_checks AS
SELECT v.id, v.question_id, q.session_year, q.number AS question_number, q.minister, q.title,
       v."check", v.status, v.subject, v.expected, v.actual, v.detail, v.checked_at
  FROM validations v JOIN questions q ON q.id = v.question_id
"""


def upgrade() -> None:
    for name in NEW + REMADE:
        op.execute(f"DROP VIEW IF EXISTS {name}")
    dialect = op.get_bind().dialect.name
    for sql in (CELLS, BENEFICIARIES, totals(dialect), CHECKS):
        op.execute(sql)


def downgrade() -> None:
    for name in NEW:
        op.execute(f"DROP VIEW IF EXISTS {name}")
