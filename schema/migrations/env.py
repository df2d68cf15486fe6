"""Alembic environment: runs on the connection `vpetl.schema.db.migrate` hands it, or on a URL."""

from alembic import context
from sqlalchemy import create_engine

from vpetl.schema.models import Base
from vpetl.settings import Settings

config = context.config
connection = config.attributes.get("connection")


def run(conn) -> None:
    context.configure(connection=conn, target_metadata=Base.metadata,
                      render_as_batch=conn.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


if connection is not None:
    run(connection)
else:
    with create_engine(config.get_main_option("sqlalchemy.url") or Settings().database_url).begin() as conn:
        run(conn)
