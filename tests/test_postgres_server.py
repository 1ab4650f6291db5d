"""The throwaway PostgreSQL server the database tests run on: it answers, only on 127.0.0.1, one database each."""

from __future__ import annotations

import sqlalchemy as sa


def test_postgres_url_stores_and_reads_back_on_localhost_only(postgres_url: str) -> None:
    engine = sa.create_engine(postgres_url)
    try:
        with engine.begin() as connection:
            connection.execute(sa.text("CREATE TABLE areas (name text)"))
            connection.execute(sa.text("INSERT INTO areas VALUES ('武汉片区')"))
        with engine.connect() as connection:
            assert connection.execute(sa.text("SELECT name FROM areas")).scalars().all() == ["武汉片区"]
            assert connection.execute(sa.text("SHOW listen_addresses")).scalar() == "127.0.0.1"
            assert connection.execute(sa.text("SHOW server_encoding")).scalar() == "UTF8"
    finally:
        engine.dispose()


def test_postgres_url_gives_each_test_its_own_empty_database(postgres_url: str) -> None:
    engine = sa.create_engine(postgres_url)
    try:
        with engine.begin() as connection:
            assert connection.execute(sa.text("SELECT current_database()")).scalar() != "ftz"
            tables = connection.execute(sa.text("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"))
            assert tables.scalar() == 0
            # The test above creates the same table: both pass only if each has its own database.
            connection.execute(sa.text("CREATE TABLE areas (name text)"))
    finally:
        engine.dispose()
