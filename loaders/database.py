"""The PostgreSQL store, for several app servers on one database (FTZ_DATABASE_URL).

The same cells, registers, documents, backups and log as the file store, in tables (see
loaders/migrations). A change is one transaction under an advisory lock: all of it is written or none.
Every change bumps one version number, which each app server reads on every rerun (one small query)
and reads the rest again only when it has moved. On first use the schema is created or migrated to the
newest revision, and an empty database is loaded with the shipped table, registers and documents.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import threading
from collections.abc import Hashable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import ClassVar

import pandas as pd
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.util.exc import CommandError
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from loaders import events
from loaders.filestore import read_cells, store_text, with_new_batches, with_new_categories, with_source
from loaders.measures import MEASURE_COLUMNS, Catalogue, InvalidCatalogueError, type_catalogue, validate_catalogue
from loaders.schema import COLUMN_NAMES
from loaders.sources import Source
from loaders.store import BEIJING, DATA_DIR, METRICS_PATH, LoadResult, changed_at, check_and_type, names_in
from loaders.stores import (
    EXPORT_COLUMNS,
    KEEP_BACKUPS,
    LOG_COLUMNS,
    REGISTERS,
    Change,
    Current,
    Draft,
    StoreUnavailable,
    account_entry,
)
from loaders.users import SIGNIN_COLUMNS, Account

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# The advisory lock every change and every migration holds (any number, the same for all servers).
LOCK = 0x465A_5400
_COLUMNS = ", ".join(COLUMN_NAMES)


class DatabaseStore:
    """The store kept in a PostgreSQL database: one per URL and process, sharing a pool of connections."""

    _open: ClassVar[dict[str, DatabaseStore]] = {}
    _opening = threading.Lock()

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.where = engine.url.render_as_string(hide_password=True)

    def __repr__(self) -> str:
        return f"DatabaseStore({self.where})"

    @classmethod
    def connect(cls, url: str) -> DatabaseStore:
        """Return the store at a SQLAlchemy URL, its schema brought up to date and, if it was empty, the
        shipped data loaded; StoreUnavailable with the reason when the database cannot be reached."""
        with cls._opening:
            if url not in cls._open:
                # A host that does not answer is given up after a few seconds, not the system's minutes.
                engine = sa.create_engine(
                    url, pool_pre_ping=True, pool_size=5, max_overflow=10, connect_args={"connect_timeout": 5}
                )
                store = cls(engine)
                try:
                    store.upgrade()
                except (SQLAlchemyError, CommandError) as err:  # CommandError: a schema newer than this app
                    engine.dispose()
                    raise unavailable(store.where, err) from err
                cls._open[url] = store
            return cls._open[url]

    def upgrade(self) -> None:
        """Create or migrate the schema to the newest revision, and load the shipped data into an empty
        database; under the lock, so that servers starting together do it once."""
        with self.engine.begin() as connection:
            connection.execute(sa.text("SELECT pg_advisory_xact_lock(:lock)"), {"lock": LOCK})
            command.upgrade(migrations_config(connection), "head")
            if connection.execute(sa.text("SELECT count(*) FROM ftz_state")).scalar_one() == 0:
                _load_shipped(connection)

    # --- reading ------------------------------------------------------------------------------------

    def state(self) -> Hashable:
        """Return the epoch and version number, which every change bumps; StoreUnavailable if the database
        stopped answering (every rerun asks this first, so a page says so rather than showing a traceback)."""
        try:
            with self.engine.connect() as connection:
                return _state(connection)
        except SQLAlchemyError as err:
            raise unavailable(self.where, err) from err

    def version(self) -> str:
        """Return the version number as exports print it."""
        with self.engine.connect() as connection:
            return f"db-v{_state(connection)[1]}"

    def load(self) -> LoadResult:
        """Return the typed, validated table, its rows, areas and catalogue read in one snapshot, so that a
        change committed meanwhile cannot pair rows of one version with the catalogue of another."""
        snapshot = self.engine.connect().execution_options(isolation_level="REPEATABLE READ")
        with snapshot as connection, connection.begin():
            return _Reading(connection).load(self.where)

    def register(self, name: str) -> pd.DataFrame:
        """Return a register's text cells."""
        with self.engine.connect() as connection:
            return _Reading(connection).register(name)

    def catalogue(self) -> Catalogue:
        """Return the metric catalogue."""
        with self.engine.connect() as connection:
            return _Reading(connection).catalogue()

    def catalogue_cells(self) -> pd.DataFrame:
        """Return the catalogue's text cells."""
        return self.register("measures")

    def areas(self) -> list[str]:
        """Return the area names of the register."""
        return self.register("areas")["area"].tolist()

    def english_names(self) -> dict[str, str]:
        """Return the English names the registers give."""
        return names_in(lambda register: self.register(register.removesuffix(".csv")))

    def last_changed(self) -> str:
        """Return when the data last changed (see loaders.store.changed_at)."""
        return changed_at(self.log(), self.register("batches"))

    def document(self, name: str) -> bytes | None:
        """Return a source document's bytes, None if the database has none of that name."""
        with self.engine.connect() as connection:
            content = connection.execute(
                sa.text("SELECT content FROM documents WHERE name = :name"), {"name": name}
            ).scalar_one_or_none()
        return bytes(content) if content is not None else None

    def current(self, batches: Iterable[int] | None = None, unless: Current | None = None) -> Current:
        """Return the rows of `batches` (all for None), or `unless` if the version has not moved since."""
        with self.engine.connect() as connection:
            return _Reading(connection).current(batches, unless)

    def backups(self) -> list[str]:
        """Return the names of the table's backups, newest first."""
        with self.engine.connect() as connection:
            query = sa.text("SELECT name FROM backups WHERE kind = 'metrics' ORDER BY name DESC")
            return list(connection.execute(query).scalars())

    def backup_cells(self, name: str) -> pd.DataFrame:
        """Return a backup's text cells; KeyError if there is no such backup."""
        with self.engine.connect() as connection:
            return _Reading(connection).backup_cells(name)

    def drafts(self) -> list[Draft]:
        """Return the drafts waiting to be published, oldest first."""
        with self.engine.connect() as connection:
            return _Reading(connection).drafts()

    def draft_text(self, draft_id: str) -> bytes:
        """Return a draft's rows as CSV text; KeyError if there is no such draft."""
        with self.engine.connect() as connection:
            return _Reading(connection).draft_text(draft_id)

    def log(self) -> pd.DataFrame:
        """Return the change log, newest first."""
        with self.engine.connect() as connection:
            rows = connection.execute(sa.text(f"SELECT {', '.join(LOG_COLUMNS)} FROM change_log ORDER BY id DESC"))
            return pd.DataFrame(rows.fetchall(), columns=LOG_COLUMNS)

    def incoming(self) -> Path:
        """Return this server's drop folder: FTZ_INCOMING_DIR, else data/incoming/."""
        return Path(os.environ.get("FTZ_INCOMING_DIR") or DATA_DIR / "incoming")

    # --- accounts (loaders.users) --------------------------------------------------------------------

    def accounts(self) -> dict[str, Account]:
        """Return every account by name."""
        with self.engine.connect() as connection:
            rows = connection.execute(sa.text("SELECT name, role, hash, changed FROM accounts ORDER BY name"))
            return {row.name: Account(row.name, row.role, row.hash, row.changed) for row in rows}

    def put_account(self, account: Account, who: str) -> None:
        """Add or replace an account, and log it, in one transaction (which every server sees next click)."""
        with self.changing() as change:
            assert isinstance(change, _Writing)
            known = change.connection.execute(
                sa.text("SELECT 1 FROM accounts WHERE name = :name"), {"name": account.name}
            ).first()
            change.connection.execute(
                sa.text(
                    "INSERT INTO accounts (name, role, hash, changed) VALUES (:name, :role, :hash, :changed) "
                    "ON CONFLICT (name) DO UPDATE SET role = :role, hash = :hash, changed = :changed"
                ),
                {"name": account.name, "role": account.role, "hash": account.hash, "changed": account.changed},
            )
            action = "account-change" if known else "account-add"
            change.append_log(account_entry(change.now(), action, account.name, account.role, who))

    def remove_account(self, name: str, who: str) -> bool:
        """Remove an account and log it; False if there was none."""
        with self.changing() as change:
            assert isinstance(change, _Writing)
            role = change.connection.execute(
                sa.text("DELETE FROM accounts WHERE name = :name RETURNING role"), {"name": name}
            ).scalar_one_or_none()
            if role is None:
                return False
            change.append_log(account_entry(change.now(), "account-remove", name, role, who))
            return True

    def signins(self, since: datetime) -> pd.DataFrame:
        """Return the sign-in tries since a time, oldest first, times in Beijing time."""
        return self._log_since("signins", SIGNIN_COLUMNS, since)

    def exports(self, since: datetime) -> pd.DataFrame:
        """Return the export log since a time, oldest first, times in Beijing time."""
        return self._log_since("exports", EXPORT_COLUMNS, since)

    def _log_since(self, table: str, columns: list[str], since: datetime) -> pd.DataFrame:
        query = f"SELECT {', '.join(columns)} FROM {table} WHERE time >= :since ORDER BY id"
        with self.engine.connect() as connection:
            rows = connection.execute(sa.text(query), {"since": since}).fetchall()
        lines = pd.DataFrame(rows, columns=columns)
        lines["time"] = pd.to_datetime(lines["time"], utc=True).dt.tz_convert(BEIJING)
        return lines

    def record_signin(self, when: datetime, name: str, outcome: str) -> None:
        """Add one try to the sign-in log."""
        with self.engine.begin() as connection:
            connection.execute(
                sa.text("INSERT INTO signins (time, name, outcome) VALUES (:time, :name, :outcome)"),
                {"time": when, "name": name, "outcome": outcome},
            )
        if events.enabled():
            events.event("sign-in", self, events.version_of(self), name=name, outcome=outcome)

    def record_export(self, when: datetime, who: str, what: str, filters: str) -> None:
        """Add one line to the export log."""
        with self.engine.begin() as connection:
            connection.execute(
                sa.text("INSERT INTO exports (time, who, what, filters) VALUES (:time, :who, :what, :filters)"),
                {"time": when, "who": who, "what": what, "filters": filters},
            )
        if events.enabled():
            events.event("export", self, events.version_of(self), who=who, file=what, filters=filters)

    # --- reviews in progress (loaders.review) --------------------------------------------------------

    def reviews(self, who: str) -> dict[str, bytes]:
        """Return an account's reviews in progress, by key."""
        with self.engine.connect() as connection:
            found = connection.execute(
                sa.text("SELECT key, content FROM reviews WHERE who = :who ORDER BY key"), {"who": who}
            )
            return {key: bytes(content) for key, content in found}

    def save_review(self, who: str, key: str, content: bytes | None) -> None:
        """Keep (or, for None, discard) an account's review in progress."""
        with self.engine.begin() as connection:
            if content is None:
                connection.execute(
                    sa.text("DELETE FROM reviews WHERE who = :who AND key = :key"), {"who": who, "key": key}
                )
            else:
                connection.execute(
                    sa.text(
                        "INSERT INTO reviews (who, key, content) VALUES (:who, :key, :content) "
                        "ON CONFLICT (who, key) DO UPDATE SET content = :content"
                    ),
                    {"who": who, "key": key, "content": content},
                )

    # --- changing -----------------------------------------------------------------------------------

    @contextmanager
    def changing(self) -> Iterator[Change]:
        """Hold the store's lock in one transaction: the change is committed whole when the block ends,
        and rolled back whole if it raises."""
        with self.engine.begin() as connection:
            connection.execute(sa.text("SELECT pg_advisory_xact_lock(:lock)"), {"lock": LOCK})
            change = _Writing(connection)
            yield change
            if change.wrote:
                connection.execute(sa.text("UPDATE ftz_state SET version = version + 1 WHERE id = 1"))
        # Committed: the change log's lines go to the app's own log with the version the change made.
        if change.logged and events.enabled():
            version = events.version_of(self)
            for entry in change.logged:
                events.event("change", self, version, **entry)


class _Reading:
    """What the store reads, on one connection (inside a change: the change's transaction)."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def state(self) -> Hashable:
        return _state(self.connection)

    def load(self, where: str) -> LoadResult:
        raw = self._cells(f"SELECT {_COLUMNS} FROM metrics ORDER BY batch::bigint, place")
        return check_and_type(raw, self.areas(), self.catalogue(), where)

    def register(self, name: str) -> pd.DataFrame:
        if name not in REGISTERS:
            raise KeyError(name)
        cells = self.connection.execute(
            sa.text("SELECT cells FROM registers WHERE name = :name"), {"name": name}
        ).scalar_one_or_none()
        if cells is None:
            return pd.DataFrame(columns=list(MEASURE_COLUMNS) if name == "measures" else None, dtype="object")
        return pd.read_csv(io.StringIO(cells), dtype=str, keep_default_na=False)

    def catalogue(self) -> Catalogue:
        raw = self.register("measures")
        report = validate_catalogue(raw)
        if not report.empty:
            raise InvalidCatalogueError("registers.measures", report)
        return type_catalogue(raw)

    def catalogue_cells(self) -> pd.DataFrame:
        return self.register("measures")

    def areas(self) -> list[str]:
        return self.register("areas")["area"].tolist()

    def current(self, batches: Iterable[int] | None = None, unless: Current | None = None) -> Current:
        state = _state(self.connection)
        if unless is not None and unless.state == state:
            return unless
        where = ""
        if batches is not None:
            # Whole numbers only, so the list can be written into COPY's query, which takes no parameters.
            listed = ", ".join(f"'{int(b)}'" for b in batches) or "NULL"
            where = f"WHERE batch IN ({listed})"
        return Current(state, self._cells(f"SELECT {_COLUMNS} FROM metrics {where} ORDER BY batch::bigint, place"))

    def backup_cells(self, name: str) -> pd.DataFrame:
        content = self.connection.execute(
            sa.text("SELECT content FROM backups WHERE name = :name AND kind = 'metrics'"), {"name": name}
        ).scalar_one_or_none()
        if content is None:
            raise KeyError(name)
        return read_cells(io.BytesIO(gzip.decompress(content)))

    def drafts(self) -> list[Draft]:
        rows = self.connection.execute(sa.text("SELECT meta FROM drafts"))
        return sorted((Draft(**json.loads(meta)) for meta in rows.scalars()), key=lambda draft: draft.time)

    def draft_text(self, draft_id: str) -> bytes:
        content = self.connection.execute(
            sa.text("SELECT content FROM drafts WHERE id = :id"), {"id": draft_id}
        ).scalar_one_or_none()
        if content is None:
            raise KeyError(draft_id)
        return bytes(content)

    def _cells(self, query: str) -> pd.DataFrame:
        # COPY moves the cells as CSV, many times faster than fetching rows one by one.
        out = io.BytesIO()
        cursor = self.connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor.copy(f"COPY ({query}) TO STDOUT WITH (FORMAT csv, HEADER)") as copy:
            for block in copy:
                out.write(block)
        out.seek(0)
        return read_cells(out)


class _Writing(_Reading):
    """A change in progress: writes on the change's transaction, which the store commits or rolls back."""

    def __init__(self, connection: Connection) -> None:
        super().__init__(connection)
        self.wrote = False
        self.logged: list[dict[str, object]] = []

    def write_rows(self, rows: pd.DataFrame, current: Current, report: pd.DataFrame, stamp: str) -> str:
        del current, report  # the rows are checked; the database keeps no typed copy
        saved = self._backup_table(stamp)
        batches = sorted({str(int(b)) for b in rows["batch"]})
        self.connection.execute(sa.text("DELETE FROM metrics WHERE batch = ANY(:batches)"), {"batches": batches})
        self._insert(rows)
        registered = self.register("batches")
        missing = [int(b) for b in batches if b not in set(registered["batch"])]
        if missing:
            self._set_register("batches", with_new_batches(registered, missing))
        categories = with_new_categories(self.register("categories"), rows)
        if categories is not None:
            self._set_register("categories", categories)
        self.wrote = True
        return saved

    def write_catalogue(self, merged: pd.DataFrame, stamp: str) -> str:
        name = f"measures-{stamp}.csv"
        old = self.register("measures").to_csv(index=False, lineterminator="\n").encode()
        self._keep(name, "measures", old)
        self._set_register("measures", merged)
        self.wrote = True
        return name

    def restore_rows(self, name: str, stamp: str) -> tuple[str, str]:
        cells = self.backup_cells(name)
        saved = self._backup_table(stamp)
        self.connection.execute(sa.text("DELETE FROM metrics"))
        self._insert(cells)
        self.wrote = True
        return saved, hashlib.sha256(store_text(cells).encode()).hexdigest()

    def now(self) -> datetime:
        # The database's clock: servers whose clocks differ still name backups in the order they were made.
        return self.connection.execute(sa.text("SELECT clock_timestamp()")).scalar_one().astimezone(BEIJING)

    def append_log(self, entry: dict[str, object]) -> None:
        values = {column: str(entry.get(column, "")) for column in LOG_COLUMNS}
        names = ", ".join(LOG_COLUMNS)
        self.connection.execute(
            sa.text(f"INSERT INTO change_log ({names}) VALUES ({', '.join(':' + c for c in LOG_COLUMNS)})"), values
        )
        self.logged.append(entry)
        self.wrote = True

    def write_register(self, name: str, frame: pd.DataFrame) -> None:
        self._set_register(name, frame)
        self.wrote = True

    def write_source(self, source: Source) -> None:
        self.connection.execute(
            sa.text(
                "INSERT INTO documents (name, content) VALUES (:name, :content) "
                "ON CONFLICT (name) DO UPDATE SET content = :content"
            ),
            {"name": source.name, "content": source.text.encode("utf-8")},
        )
        self._set_register("batches", with_source(self.register("batches"), source))
        self.wrote = True

    def write_draft(self, draft: Draft, text: bytes) -> None:
        self.connection.execute(
            sa.text(
                "INSERT INTO drafts (id, meta, content) VALUES (:id, :meta, :content) "
                "ON CONFLICT (id) DO UPDATE SET meta = :meta, content = :content"
            ),
            {"id": draft.id, "meta": json.dumps(asdict(draft), ensure_ascii=False), "content": text},
        )
        self.wrote = True

    def drop_draft(self, draft_id: str) -> None:
        self.connection.execute(sa.text("DELETE FROM drafts WHERE id = :id"), {"id": draft_id})
        self.wrote = True

    def _backup_table(self, stamp: str) -> str:
        name = f"metrics-{stamp}.csv"
        whole = self._cells(f"SELECT {_COLUMNS} FROM metrics ORDER BY batch::bigint, place")
        self._keep(name, "metrics", store_text(whole).encode())
        return name

    def _keep(self, name: str, kind: str, text: bytes) -> None:
        self.connection.execute(
            sa.text("INSERT INTO backups (name, kind, content) VALUES (:name, :kind, :content)"),
            {"name": name, "kind": kind, "content": gzip.compress(text, 6)},
        )
        self.connection.execute(
            sa.text(
                "DELETE FROM backups WHERE kind = :kind AND name NOT IN "
                "(SELECT name FROM backups WHERE kind = :kind ORDER BY name DESC LIMIT :keep)"
            ),
            {"kind": kind, "keep": KEEP_BACKUPS},
        )

    def _insert(self, rows: pd.DataFrame) -> None:
        cells = rows[list(COLUMN_NAMES)].astype(str)
        place = cells.groupby("batch", sort=False).cumcount()
        text = cells.assign(place=place.to_numpy()).to_csv(index=False, header=False, lineterminator="\n")
        cursor = self.connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        # An empty cell is an empty text, never NULL: the cells are kept as the file store keeps them.
        options = f"FORMAT csv, FORCE_NOT_NULL ({_COLUMNS})"
        with cursor.copy(f"COPY metrics ({_COLUMNS}, place) FROM STDIN WITH ({options})") as copy:
            copy.write(text.encode())

    def _set_register(self, name: str, frame: pd.DataFrame) -> None:
        _put_register(self.connection, name, frame.to_csv(index=False, lineterminator="\n"))


def unavailable(where: str, err: Exception) -> StoreUnavailable:
    """Return the error that names the database (without its password) and the reason it cannot be used."""
    reason = str(getattr(err, "orig", None) or err).strip()
    return StoreUnavailable(
        f"无法使用数据库 {where}，未做任何改动。 The database cannot be used; nothing changed.\n"
        f"{err.__class__.__name__}: {reason}"
    )


def migrations_config(connection: Connection | None = None) -> Config:
    """Return Alembic's configuration of the store's migrations, to run on `connection`."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def _state(connection: Connection) -> tuple[str, int]:
    """Return the database's epoch (drawn when it was first loaded) and its version number: together they
    name one state, even of a database dropped and loaded again, whose numbers start again at 1."""
    row = connection.execute(sa.text("SELECT epoch, version FROM ftz_state WHERE id = 1")).one()
    return str(row.epoch), int(row.version)


def _put_register(connection: Connection, name: str, cells: str) -> None:
    connection.execute(
        sa.text(
            "INSERT INTO registers (name, cells) VALUES (:name, :cells) "
            "ON CONFLICT (name) DO UPDATE SET cells = excluded.cells"
        ),
        {"name": name, "cells": cells},
    )


def _load_shipped(connection: Connection) -> None:
    """Load the shipped table, registers and source documents into a new database, at version 1."""
    for name in REGISTERS:
        path = DATA_DIR / f"{name}.csv"
        if path.exists():
            _put_register(connection, name, path.read_text(encoding="utf-8-sig"))
    for path in sorted((DATA_DIR / "sources").glob("*")):
        if path.is_file():
            connection.execute(
                sa.text("INSERT INTO documents (name, content) VALUES (:name, :content)"),
                {"name": f"sources/{path.name}", "content": path.read_bytes()},
            )
    writing = _Writing(connection)
    writing._insert(read_cells(METRICS_PATH))
    connection.execute(sa.text("INSERT INTO ftz_state (id, version) VALUES (1, 1)"))
