"""One definition of the current facts: the view `v_current_runs` (a document's latest
successful run). The column `extraction_runs.superseded_by_run_id` was a second definition,
written at load and read by `vpetl trace`; it disagreed with the view when a document was
republished and then served in its first version again. It is dropped.

The view now also leaves out the runs of documents no question holds any more (an answer's
earlier version, replaced by its republication or by the first version again): their facts
were out of the other views already, but `vpetl trace` and the pictures took them as current.

The views that read `extraction_runs` (through `v_current_runs`, whose `r.*` named the column)
are dropped first and rebuilt as they are now: `v_table_cells`,
`v_beneficiaries` and `v_municipality_totals` as in 0007.

Revision ID: 0011
Revises: 0010
"""
import importlib

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

DEPENDANTS = ("v_municipality_totals", "v_beneficiaries", "v_table_cells", "v_current_runs")  # dependants first

CURRENT_RUNS = """
CREATE VIEW v_current_runs AS
SELECT r.* FROM extraction_runs r
 WHERE r.status = 'ok'
   AND r.id = (SELECT max(x.id) FROM extraction_runs x WHERE x.document_id = r.document_id AND x.status = 'ok')
   AND r.document_id IN (SELECT document_id FROM v_question_documents)
"""


def _rebuild(current_runs: str) -> None:
    """The views as their latest migrations define them, in dependency order."""
    browsing = importlib.import_module("vpetl.schema.migrations.versions.0007_browsing")
    for sql in (current_runs, browsing.CELLS, browsing.BENEFICIARIES, browsing.totals(op.get_bind().dialect.name)):
        op.execute(sql)


def upgrade() -> None:
    for name in DEPENDANTS:
        op.execute(f"DROP VIEW IF EXISTS {name}")
    with op.batch_alter_table("extraction_runs") as batch:
        batch.drop_column("superseded_by_run_id")
    _rebuild(CURRENT_RUNS)


def downgrade() -> None:
    for name in DEPENDANTS:
        op.execute(f"DROP VIEW IF EXISTS {name}")
    with op.batch_alter_table("extraction_runs") as batch:
        batch.add_column(sa.Column("superseded_by_run_id", sa.Integer(), sa.ForeignKey("extraction_runs.id",
                                   name="extraction_runs_superseded_by_run_id_fkey"),
                                   nullable=True))
    _rebuild(importlib.import_module("vpetl.schema.migrations.versions.0006_current_facts").CURRENT_RUNS)
