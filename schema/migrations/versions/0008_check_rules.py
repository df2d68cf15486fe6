"""Each check records the rule that tied the answer's value to the annex and what it read the
value to mean ('names 'Bijlage 2'; labelled 'sessie''), so a reader can judge the match.

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

CHECKS = """
CREATE VIEW v_checks AS
SELECT v.id, v.question_id, q.session_year, q.number AS question_number, q.minister, q.title,
       v."check", v.status, v.subject, v.expected, v.actual, v.rule, v.detail, v.checked_at
  FROM validations v JOIN questions q ON q.id = v.question_id
"""


def upgrade() -> None:
    op.execute("DROP VIEW IF EXISTS v_checks")
    with op.batch_alter_table("validations") as batch:
        batch.add_column(sa.Column("rule", sa.Text(), nullable=True))
    op.execute(CHECKS)


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS v_checks")
    with op.batch_alter_table("validations") as batch:
        batch.drop_column("rule")
