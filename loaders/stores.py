"""The store interface: what the app and an import ask of a store, whichever keeps the data.

Two stores implement it: the embedded files (loaders.filestore, data/metrics.csv and the registers beside
it, the default) and a PostgreSQL database (loaders.database, for several app servers). `open_store`
chooses between them, in this one place.

Reading is the app's side: a cheap `state()` every rerun, and the typed table, registers, documents, log
and backups again only when it changes. Writing is an import's side: checked rows are handed over once,
inside `changing()`, where the store holds its lock (or transaction), keeps a backup, writes and logs.
"""

from __future__ import annotations

import os
from collections.abc import Hashable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

import pandas as pd

from loaders.measures import Catalogue
from loaders.sources import Source
from loaders.store import METRICS_PATH, LoadResult
from loaders.users import Accounts

# What the change log records of each change, in this order (the file store's log.csv, the database's table).
# What the export log records of each file downloaded: who, when, which file and which filters.
EXPORT_COLUMNS = ["time", "who", "what", "filters"]
LOG_COLUMNS = ["time", "who", "action", "file", "sha256", "batches", "added", "removed", "changed", "backup", "note"]
# How many backups of the table (and of the catalogue) a store keeps.
KEEP_BACKUPS = 30
# The registers a store keeps beside its table, by name: each a small table of text cells.
REGISTERS = ("areas", "batches", "categories", "providers", "measures")


class StoreUnavailable(RuntimeError):
    """The store cannot be reached or used (a database that does not answer); the message says why."""


@dataclass(frozen=True)
class Current:
    """The store's rows of some batches as text cells, and the state of the store they were read in."""

    state: Hashable
    cells: pd.DataFrame
    # What the store needs to write those batches without reading them again (a file's layout), or None.
    hint: object = None


@dataclass(frozen=True)
class Draft:
    """A checked import waiting for a second person to publish it (FTZ_APPROVAL=1): leaders do not see it."""

    id: str  # batch-8, or batch-8-9 for a file of two batches
    batches: str  # "8 9"
    file: str
    sha256: str
    who: str  # who submitted it
    time: str
    note: str
    added: int
    removed: int
    changed: int
    # The batch's document when the rows came from it (loaders.sources.Source's fields), registered on publish.
    source: dict[str, object] | None = None


class Reader(Protocol):
    """What both a store and a change in progress read: the rows, and what rows are checked against."""

    def state(self) -> Hashable:
        """Return a cheap token that changes whenever the table, a register, the catalogue or the log does."""
        ...

    def current(self, batches: Iterable[int] | None = None, unless: Current | None = None) -> Current:
        """Return the rows of `batches` (every row for None) as they are now: `unless` itself when it was
        read from the rows as they are now."""
        ...

    def catalogue(self) -> Catalogue:
        """Return the metric catalogue rows are checked against."""
        ...

    def catalogue_cells(self) -> pd.DataFrame:
        """Return the catalogue as its text cells."""
        ...

    def areas(self) -> list[str]:
        """Return the area names rows are checked against, in the register's order."""
        ...

    def backup_cells(self, name: str) -> pd.DataFrame:
        """Return a backup of the table as text cells; KeyError if there is no such backup."""
        ...

    def drafts(self) -> list[Draft]:
        """Return the drafts waiting to be published, oldest first."""
        ...

    def draft_text(self, draft_id: str) -> bytes:
        """Return a draft's rows as the store's CSV text; KeyError if there is no such draft."""
        ...


class Change(Reader, Protocol):
    """A store while a change holds its lock: what is read here cannot change before the change ends."""

    def write_rows(self, rows: pd.DataFrame, current: Current, report: pd.DataFrame, stamp: str) -> str:
        """Replace the batches of `rows` (cells in store order) with them, after keeping the table as it was
        under a name made from `stamp`; register new batches and categories. Return the backup's name."""
        ...

    def write_catalogue(self, merged: pd.DataFrame, stamp: str) -> str:
        """Replace the catalogue with `merged` (text cells), after keeping the old one; return its backup's name."""
        ...

    def restore_rows(self, name: str, stamp: str) -> tuple[str, str]:
        """Make a backup the table, after keeping the table as it was; return (that backup's name, the
        restored backup's SHA-256)."""
        ...

    def append_log(self, entry: dict[str, object]) -> None:
        """Add one line to the change log."""
        ...

    def write_register(self, name: str, frame: pd.DataFrame) -> None:
        """Replace a register (one of REGISTERS) with these text cells (checked by loaders.registers)."""
        ...

    def write_source(self, source: Source) -> None:
        """Keep a batch's document under source.name and register it with its batch (title, document number,
        date and file), replacing the one it had: its quotes are checked against it from then on."""
        ...

    def now(self) -> datetime:
        """Return the time by the store's clock (the database's, for every server alike), in Beijing time:
        what a change's backup and log line are named by, so that they sort as they were made."""
        ...

    def write_draft(self, draft: Draft, text: bytes) -> None:
        """Keep a draft (replacing one of the same id) with its rows as the store's CSV text."""
        ...

    def drop_draft(self, draft_id: str) -> None:
        """Remove a draft, once published or sent back."""
        ...


class Store(Reader, Accounts, Protocol):
    """A store of the table and its registers: read by the app, changed by imports inside `changing()`."""

    where: str  # how messages name the store: a path, or a database URL without its password

    def load(self) -> LoadResult:
        """Return the typed, validated table; InvalidMetricsError if it does not pass."""
        ...

    def version(self) -> str:
        """Return a short name of the table's content as it is now, which exports and decks print."""
        ...

    def register(self, name: str) -> pd.DataFrame:
        """Return a register (one of REGISTERS) as text cells; an empty one if the store has none."""
        ...

    def english_names(self) -> dict[str, str]:
        """Return the English name of each area, category and providing department the registers name."""
        ...

    def last_changed(self) -> str:
        """Return when the data last changed, as shown (Beijing time)."""
        ...

    def document(self, name: str) -> bytes | None:
        """Return a registered source document's bytes by its file name, None if the store has none."""
        ...

    def backups(self) -> list[str]:
        """Return the names of the table's backups, newest first."""
        ...

    def log(self) -> pd.DataFrame:
        """Return the change log, newest first."""
        ...

    def incoming(self) -> Path:
        """Return the drop folder whose files an import takes in."""
        ...

    def record_export(self, when: datetime, who: str, what: str, filters: str) -> None:
        """Add one line to the export log (kept when pages ask for an account, FTZ_VIEWER_LOGIN=1)."""
        ...

    def exports(self, since: datetime) -> pd.DataFrame:
        """Return the export log since a time (EXPORT_COLUMNS; times as datetimes), oldest first."""
        ...

    def reviews(self, who: str) -> dict[str, bytes]:
        """Return an account's reviews in progress (loaders.review), by the key each is kept under."""
        ...

    def save_review(self, who: str, key: str, content: bytes | None) -> None:
        """Keep an account's review in progress under a key, replacing what was there; None discards it."""
        ...

    def changing(self) -> AbstractContextManager[Change]:
        """Hold the store's lock (a transaction, for a database) for one change, which ends all at once."""
        ...


def account_entry(now: datetime, action: str, name: str, role: str, who: str) -> dict[str, object]:
    """Return the change log's line for a change of an account (account-add, -change or -remove)."""
    return {"time": f"{now:%Y-%m-%d %H:%M:%S}", "who": who, "action": action, "note": f"{name} ({role})"}


def open_store(database: str | None = None, path: Path | None = None) -> Store:
    """Return the store to use: a database URL or a path given here, else FTZ_DATABASE_URL, else
    FTZ_METRICS_PATH, else data/metrics.csv. The command line passes its --database / --store."""
    if path is None and database is None:
        database = os.environ.get("FTZ_DATABASE_URL") or None
    if database:
        from loaders.database import DatabaseStore  # SQLAlchemy is imported only for a database store

        return DatabaseStore.connect(database)
    from loaders.filestore import FileStore

    return FileStore(path or Path(os.environ.get("FTZ_METRICS_PATH") or METRICS_PATH))


def as_store(store: Store | Path) -> Store:
    """Return a store given as itself or as the path of a store file."""
    return open_store(path=store) if isinstance(store, Path) else store
