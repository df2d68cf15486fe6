"""Who asked: people (members and ministers) and party groups by the service's ids, each member's
party periods, and on each question the asker's and minister's ids and the asker's party on the
day asked. Views: the parties' names over time, the questions with their party, and questions
and grants per party and session year.

Revision ID: 0012
Revises: 0011
"""
import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

VIEWS = ("v_party_session_years", "v_questions", "v_party_names")  # dependants first

PARTY_NAMES = """
CREATE VIEW v_party_names AS
SELECT m.party_id, m.party_name AS name, min(m.since_day) AS first_day,
       CASE WHEN count(*) > count(m.until_day) THEN NULL ELSE max(m.until_day) END AS last_day,
       count(DISTINCT m.person_id) AS members
  FROM memberships m
 GROUP BY m.party_id, m.party_name
"""

QUESTIONS = """
CREATE VIEW v_questions AS
SELECT q.id AS question_id, q.session_year, q.number AS question_number, q.title, q.date_asked, q.date_answered,
       q.asker, q.asker_id, q.asker_party_name, q.asker_party_id, q.asker_party_status, p.name AS party_name_now,
       q.minister, q.minister_id, q.status, q.answer_url, q.record_url
  FROM questions q LEFT JOIN parties p ON p.id = q.asker_party_id
"""


def party_session_years(dialect: str) -> str:
    """Per party (by id, under its newest name; `names_then`, the names it had when the questions
    were asked) and session year: questions asked, and the grants their annexes list, each
    beneficiary fact once, with exact sums (as 0007 does)."""
    if dialect == "postgresql":
        eur = "(sum(f.amount_cents) / 100.0)::numeric(20, 2)::text"
        names = "string_agg(DISTINCT asker_party_name, ',')"
    else:
        names = "group_concat(DISTINCT asker_party_name)"
        eur = ("CASE WHEN sum(f.amount_cents) < 0 THEN '-' ELSE '' END || (abs(sum(f.amount_cents)) / 100) || '.' "
               "|| substr('0' || (abs(sum(f.amount_cents)) % 100), -2)")
    return f"""
CREATE VIEW v_party_session_years AS
SELECT n.party_id, p.name AS party_name, n.names_then, n.session_year, n.questions, n.askers,
       coalesce(g.grants, 0) AS grants, g.total_cents, g.total_eur
  FROM (SELECT asker_party_id AS party_id, session_year, count(*) AS questions,
               count(DISTINCT asker_id) AS askers, {names} AS names_then
          FROM questions GROUP BY asker_party_id, session_year) n
  LEFT JOIN parties p ON p.id = n.party_id
  LEFT JOIN (SELECT f.party_id, f.session_year, count(*) AS grants, sum(f.amount_cents) AS total_cents,
                    {eur} AS total_eur
               FROM (SELECT DISTINCT q.asker_party_id AS party_id, q.session_year, b.fact_id, b.amount_cents
                       FROM v_beneficiaries b JOIN questions q ON q.id = b.question_id) f
              GROUP BY f.party_id, f.session_year) g
    ON coalesce(g.party_id, -1) = coalesce(n.party_id, -1)
   AND coalesce(g.session_year, '') = coalesce(n.session_year, '')
"""


def upgrade() -> None:
    for name in VIEWS:
        op.execute(f"DROP VIEW IF EXISTS {name}")
    op.create_table(
        "people",
        sa.Column("id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("first_name", sa.Text()), sa.Column("last_name", sa.Text()), sa.Column("name", sa.Text()),
        sa.Column("names_from", sa.Text(), nullable=False), sa.Column("current_party_id", sa.BigInteger()),
        sa.Column("record", sa.JSON()), sa.Column("record_url", sa.Text()), sa.Column("record_sha256", sa.String(64)),
        sa.Column("record_fetched_at", sa.DateTime(timezone=True)), sa.Column("record_etag", sa.Text()),
        sa.Column("record_last_modified", sa.Text()),
        sa.Column("record_ingest_run_id", sa.Integer(), sa.ForeignKey("ingest_runs.id")),
    )
    op.create_table(
        "parties",
        sa.Column("id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("name", sa.Text()), sa.Column("colour", sa.Text()), sa.Column("logo", sa.Text()),
        sa.Column("seats", sa.Integer()), sa.Column("seen_in", sa.Text(), nullable=False),
    )
    op.create_table(
        "memberships",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("person_id", sa.BigInteger(), sa.ForeignKey("people.id"), nullable=False, index=True),
        sa.Column("party_id", sa.BigInteger(), sa.ForeignKey("parties.id"), nullable=False, index=True),
        sa.Column("party_name", sa.Text()), sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("since_raw", sa.Text()), sa.Column("until_raw", sa.Text()),
        sa.Column("since_day", sa.Date()), sa.Column("until_day", sa.Date()),
    )
    with op.batch_alter_table("questions") as batch:
        for name in ("asker_id", "minister_id", "asker_party_id"):
            batch.add_column(sa.Column(name, sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("asker_party_name", sa.Text(), nullable=True))
        batch.add_column(sa.Column("asker_party_status", sa.Text(), nullable=True))
    for name in ("asker_id", "minister_id", "asker_party_id"):
        op.create_index(f"ix_questions_{name}", "questions", [name])
    for sql in (PARTY_NAMES, QUESTIONS, party_session_years(op.get_bind().dialect.name)):
        op.execute(sql)


def downgrade() -> None:
    for name in VIEWS:
        op.execute(f"DROP VIEW IF EXISTS {name}")
    for name in ("asker_id", "minister_id", "asker_party_id"):
        op.drop_index(f"ix_questions_{name}", "questions")
    with op.batch_alter_table("questions") as batch:
        for name in ("asker_party_status", "asker_party_name", "asker_party_id", "minister_id", "asker_id"):
            batch.drop_column(name)
    for name in ("memberships", "parties", "people"):
        op.drop_table(name)
