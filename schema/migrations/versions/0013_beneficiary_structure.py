"""Beneficiary lists read by their structure: each grantee keeps the group it stands under
(`group_name`, the export's `group`: a province heading its rows; `group` is a reserved word in
SQL), the header of the column its amount was read from (`amount_column`, the granted one), the list's other money columns (`requested_amount_eur`,
`paid_amount_eur`: facts of the row, never summed as grants), and whether the list is a table
of the answer itself (`in_answer`; such rows have no annex label).

`v_beneficiaries` is remade from its current definition (0007) with the new columns, and
`v_municipality_totals`, which reads it, from its own (0007).

Revision ID: 0013
Revises: 0010
"""
import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0010"
branch_labels = None
depends_on = None

VIEWS = ("v_municipality_totals", "v_beneficiaries")  # dependants first

BENEFICIARIES = """
CREATE VIEW v_beneficiaries AS
SELECT b.fact_id, qd.question_id, q.session_year, q.number AS question_number, q.minister, qd.annex_label, b.call_year,
       b.name, b.normalised_name, b.kind, b.municipality, b.nis_code, b.nis_code_at_time, b.sessions,
       b.amount_eur, b.amount_cents, b.page, b.bbox, b.sheet, b.cell_ref,
       b.group_name, b.amount_column, b.requested_amount_eur, b.paid_amount_eur, b.in_answer,
       d.source_url, d.final_url, d.sha256 AS document_sha256, d.media_type AS document_media_type, d.fetched_at,
       r.id AS run_id, r.extractor, r.extractor_version, r.flow_run_id
  FROM beneficiaries b
  JOIN v_current_runs r ON r.id = b.extraction_run_id
  JOIN documents d ON d.id = r.document_id
  JOIN v_question_documents qd ON qd.document_id = d.id
  LEFT JOIN questions q ON q.id = qd.question_id
"""

OLD_BENEFICIARIES = """
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
    """v_municipality_totals as 0007 defines it: each beneficiary fact counted once."""
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


def upgrade() -> None:
    for name in VIEWS:
        op.execute(f"DROP VIEW IF EXISTS {name}")
    with op.batch_alter_table("beneficiaries") as batch:
        batch.add_column(sa.Column("group_name", sa.Text(), nullable=True))
        batch.add_column(sa.Column("amount_column", sa.Text(), nullable=True))
        batch.add_column(sa.Column("requested_amount_eur", sa.Text(), nullable=True))
        batch.add_column(sa.Column("paid_amount_eur", sa.Text(), nullable=True))
        batch.add_column(sa.Column("in_answer", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute(BENEFICIARIES)
    op.execute(totals(op.get_bind().dialect.name))


def downgrade() -> None:
    for name in VIEWS:
        op.execute(f"DROP VIEW IF EXISTS {name}")
    with op.batch_alter_table("beneficiaries") as batch:
        for column in ("in_answer", "paid_amount_eur", "requested_amount_eur", "amount_column", "group_name"):
            batch.drop_column(column)
    op.execute(OLD_BENEFICIARIES)
    op.execute(totals(op.get_bind().dialect.name))
