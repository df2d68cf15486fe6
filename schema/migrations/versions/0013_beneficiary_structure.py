"""Beneficiary lists read by their structure: each grantee keeps the group it stands under
(`group_name`, the export's `group`: a province heading its rows; `group` is a reserved word in
SQL), the header of the column its amount was read from (`amount_column`, the granted one), the list's other money columns (`requested_amount_eur`,
`paid_amount_eur`: facts of the row, never summed as grants), and whether the list is a table
of the answer itself (`in_answer`; such rows have no annex label).

`v_beneficiaries` is remade from its current definition (0007) with the new columns, and the
views that read it from theirs: `v_municipality_totals` (0007), `v_party_session_years` (0012).
(Written as 0013 on 0010 and chained after main's head 0014 when main was merged.)

Revision ID: 0013
Revises: 0014
"""
import importlib

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0014"
branch_labels = None
depends_on = None

VIEWS = ("v_party_session_years", "v_municipality_totals", "v_beneficiaries")  # dependants first

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



def _dependants(beneficiaries: str) -> None:
    """v_beneficiaries and the views that read it, as their latest migrations define them:
    v_municipality_totals (0007) and v_party_session_years (0012)."""
    dialect = op.get_bind().dialect.name
    browsing = importlib.import_module("vpetl.schema.migrations.versions.0007_browsing")
    people = importlib.import_module("vpetl.schema.migrations.versions.0012_people_and_parties")
    for sql in (beneficiaries, browsing.totals(dialect), people.party_session_years(dialect)):
        op.execute(sql)


def upgrade() -> None:
    for name in VIEWS:
        op.execute(f"DROP VIEW IF EXISTS {name}")
    with op.batch_alter_table("beneficiaries") as batch:
        batch.add_column(sa.Column("group_name", sa.Text(), nullable=True))
        batch.add_column(sa.Column("amount_column", sa.Text(), nullable=True))
        batch.add_column(sa.Column("requested_amount_eur", sa.Text(), nullable=True))
        batch.add_column(sa.Column("paid_amount_eur", sa.Text(), nullable=True))
        batch.add_column(sa.Column("in_answer", sa.Boolean(), nullable=False, server_default=sa.false()))
    _dependants(BENEFICIARIES)


def downgrade() -> None:
    for name in VIEWS:
        op.execute(f"DROP VIEW IF EXISTS {name}")
    # Not a batch: SQLite (3.35 and later) drops a column in place once no view names it.
    for column in ("in_answer", "paid_amount_eur", "requested_amount_eur", "amount_column", "group_name"):
        op.drop_column("beneficiaries", column)
    _dependants(importlib.import_module("vpetl.schema.migrations.versions.0007_browsing").BENEFICIARIES)
