"""Run the database store's migrations on the connection loaders.database hands over."""

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, version_table="ftz_schema_version")
with context.begin_transaction():
    context.run_migrations()
