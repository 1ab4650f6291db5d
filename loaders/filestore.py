"""The embedded store: data/metrics.csv, the registers and sources beside it, backups and log in history/.

It owns all of its writing: a change holds a lock file, replaces files in one step (os.replace), keeps
the previous table as a hard link in history/, rewrites only the batches that change when the file is
in the form it writes, keeps the typed copy up to date and appends to history/log.csv.
"""

from __future__ import annotations

import csv
import fcntl
import hashlib
import io
import json
import os
import shutil
import tempfile
import urllib.parse
from collections.abc import Hashable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

import pandas as pd

from loaders import events
from loaders.measures import Catalogue, fill_measures, read_catalogue_file
from loaders.schema import COLUMN_NAMES, with_optional_columns
from loaders.sources import Source
from loaders.store import (
    BEIJING,
    HEADER,
    Layout,
    LoadResult,
    beside,
    cache_path,
    english_names,
    file_digest,
    file_state,
    find_layout,
    history_dir,
    last_changed,
    load_categories,
    merge_plan,
    read_metrics,
    read_raw_csv,
    read_typed_copy,
    replace_batches,
    store_areas,
    store_catalogue,
    type_metrics,
    write_cache,
)
from loaders.stores import EXPORT_COLUMNS, KEEP_BACKUPS, LOG_COLUMNS, REGISTERS, Change, Current, Draft, account_entry
from loaders.users import SIGNIN_COLUMNS, Account, read_users_file, users_file_text


class FileStore:
    """The store kept in files: a table (data/metrics.csv by default) with its registers beside it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.where = str(path)
        self._version: tuple[object, str] | None = None

    def __repr__(self) -> str:
        return f"FileStore({self.path!s})"

    # --- reading ------------------------------------------------------------------------------------

    def state(self) -> Hashable:
        """Return the size and modification time of the table, the catalogue, the log and the registers."""
        files = [self.path, history_dir(self.path) / "log.csv", self.users_path]
        files += [beside(self.path, f"{name}.csv") for name in REGISTERS]
        # A source document edited by hand is read again too.
        sources = beside(self.path, "batches.csv").parent / "sources"
        files += sorted(sources.iterdir()) if sources.is_dir() else []
        files += sorted(self.drafts_dir.glob("*.json")) if self.drafts_dir.is_dir() else []
        return tuple(file_state(path) for path in files)

    def load(self) -> LoadResult:
        """Return the typed, validated table (see loaders.store.read_metrics)."""
        return read_metrics(self.path)

    def version(self) -> str:
        """Return the first 16 hex digits of the table file's SHA-256, read again only when the file changed
        (every sign-in and export line names the version: a large table is not hashed for each)."""
        state = file_state(self.path)
        if state is None or self._version is None or self._version[0] != state:
            self._version = (state, file_digest(self.path)[:16])
        return self._version[1]

    def register(self, name: str) -> pd.DataFrame:
        """Return a register kept beside the table, else the shipped one; an empty one if neither exists."""
        path = beside(self.path, f"{name}.csv")
        if name == "categories":
            return load_categories(path)
        return read_raw_csv(path)

    def catalogue(self) -> Catalogue:
        """Return the metric catalogue beside the table, else the shipped one."""
        return store_catalogue(self.path)

    def catalogue_cells(self) -> pd.DataFrame:
        """Return the catalogue's text cells."""
        return read_catalogue_file(beside(self.path, "measures.csv"))

    def areas(self) -> list[str]:
        """Return the area names of the register beside the table, else the shipped one."""
        return store_areas(self.path)

    def english_names(self) -> dict[str, str]:
        """Return the English names the registers give (see loaders.store.english_names)."""
        return english_names(self.path)

    def last_changed(self) -> str:
        """Return when the data last changed (see loaders.store.last_changed)."""
        return last_changed(self.path)

    def document(self, name: str) -> bytes | None:
        """Return a source document kept beside the registers (data/sources/…), None if it is not there."""
        if not name:
            return None
        path = beside(self.path, "batches.csv").parent / name
        return path.read_bytes() if path.is_file() else None

    def current(self, batches: Iterable[int] | None = None, unless: Current | None = None) -> Current:
        """Return the rows of `batches` (all for None): only theirs when the file is in the form this store
        writes, every row otherwise; `unless` itself when it was read from the file as it is now.

        The state is taken before the content: if the file is replaced in between, the change sees a
        different state and reads it again, rather than trusting content older than its state."""
        state = file_state(self.path)
        if unless is not None and unless.state is not None and unless.state == state:
            return unless
        layout = find_layout(self.path) if state is not None and batches is not None else None
        return Current(state, read_cells(self.path, layout, batches or ()), layout)

    def backups(self) -> list[str]:
        """Return the names of the table's backups, newest first."""
        return sorted((p.name for p in history_dir(self.path).glob(f"{self.path.stem}-*.csv")), reverse=True)

    def backup_cells(self, name: str) -> pd.DataFrame:
        """Return a backup's text cells; KeyError if there is no such backup."""
        if name != Path(name).name or name not in self.backups():
            raise KeyError(name)
        return read_cells(history_dir(self.path) / name)

    def log(self) -> pd.DataFrame:
        """Return the change log, newest first."""
        log = history_dir(self.path) / "log.csv"
        if not log.exists():
            return pd.DataFrame(columns=LOG_COLUMNS)
        return read_raw_csv(log).iloc[::-1].reset_index(drop=True)

    def incoming(self) -> Path:
        """Return data/incoming/ beside the table."""
        return self.path.parent / "incoming"

    # --- drafts (FTZ_APPROVAL=1) ---------------------------------------------------------------------

    @property
    def drafts_dir(self) -> Path:
        """Return drafts/ beside the table: each draft's rows (ID.csv) and what it is (ID.json)."""
        return self.path.parent / "drafts"

    def drafts(self) -> list[Draft]:
        """Return the drafts waiting to be published, oldest first."""
        found = [json.loads(p.read_text(encoding="utf-8")) for p in self.drafts_dir.glob("*.json")]
        return sorted((Draft(**meta) for meta in found), key=lambda draft: draft.time)

    def draft_text(self, draft_id: str) -> bytes:
        """Return a draft's rows as CSV text; KeyError if there is no such draft."""
        if not (self.drafts_dir / f"{draft_id}.json").exists():  # what it is, written last, makes it a draft
            raise KeyError(draft_id)
        return (self.drafts_dir / f"{draft_id}.csv").read_bytes()

    def write_draft(self, draft: Draft, text: bytes) -> None:
        """Keep a draft: its rows first, then what it is (which makes it a draft), each in one step."""
        self.drafts_dir.mkdir(parents=True, exist_ok=True)
        with replacing(self.drafts_dir / f"{draft.id}.csv") as out:
            out.write(text)
        write_atomically(self.drafts_dir / f"{draft.id}.json", json.dumps(asdict(draft), ensure_ascii=False))

    def drop_draft(self, draft_id: str) -> None:
        """Remove a draft: what it is first, so that a draft is never half there."""
        (self.drafts_dir / f"{draft_id}.json").unlink(missing_ok=True)
        (self.drafts_dir / f"{draft_id}.csv").unlink(missing_ok=True)

    # --- accounts (loaders.users) --------------------------------------------------------------------

    @property
    def users_path(self) -> Path:
        """Return users.toml beside the table: the accounts, kept out of version control."""
        return self.path.parent / "users.toml"

    def accounts(self) -> dict[str, Account]:
        """Return every account by name."""
        return read_users_file(self.users_path)

    def put_account(self, account: Account, who: str) -> None:
        """Add or replace an account in users.toml, and log it (the file, made by mkstemp, is readable
        by its owner only)."""
        with locked(self.path):
            accounts = self.accounts()
            action = "account-change" if account.name in accounts else "account-add"
            accounts[account.name] = account
            write_atomically(self.users_path, users_file_text(accounts))
            self.append_log(account_entry(self.now(), action, account.name, account.role, who))

    def remove_account(self, name: str, who: str) -> bool:
        """Remove an account from users.toml and log it; False if there was none."""
        with locked(self.path):
            accounts = self.accounts()
            gone = accounts.pop(name, None)
            if gone is None:
                return False
            write_atomically(self.users_path, users_file_text(accounts))
            self.append_log(account_entry(self.now(), "account-remove", name, gone.role, who))
            return True

    def signins(self, since: datetime) -> pd.DataFrame:
        """Return the sign-in tries of history/signins.csv since a time, oldest first."""
        return _read_log_since(history_dir(self.path) / "signins.csv", SIGNIN_COLUMNS, since)

    def record_signin(self, when: datetime, name: str, outcome: str) -> None:
        """Append one try to history/signins.csv: time, name, outcome, never the password."""
        row = [when.isoformat(timespec="milliseconds"), name, outcome]
        _append_csv(history_dir(self.path) / "signins.csv", SIGNIN_COLUMNS, row)
        if events.enabled():
            events.event("sign-in", self, events.version_of(self), name=name, outcome=outcome)

    def exports(self, since: datetime) -> pd.DataFrame:
        """Return the lines of history/exports.csv since a time, oldest first."""
        return _read_log_since(history_dir(self.path) / "exports.csv", EXPORT_COLUMNS, since)

    def record_export(self, when: datetime, who: str, what: str, filters: str) -> None:
        """Append one line to history/exports.csv."""
        _append_csv(
            history_dir(self.path) / "exports.csv",
            EXPORT_COLUMNS,
            [when.isoformat(timespec="seconds"), who, what, filters],
        )
        if events.enabled():
            events.event("export", self, events.version_of(self), who=who, file=what, filters=filters)

    # --- reviews in progress (loaders.review) --------------------------------------------------------

    def _reviews_dir(self, who: str) -> Path:
        # An account's name is any printable text: quoted and prefixed (so that not even "." or ".." is a
        # path of its own), it is one safe folder name.
        return self.path.parent / "reviews" / f"u-{urllib.parse.quote(who, safe='')}"

    def reviews(self, who: str) -> dict[str, bytes]:
        """Return an account's reviews kept in reviews/ beside the table, by key."""
        folder = self._reviews_dir(who)
        return {path.stem: path.read_bytes() for path in sorted(folder.glob("*.json"))} if folder.is_dir() else {}

    def save_review(self, who: str, key: str, content: bytes | None) -> None:
        """Write (in one step) or remove an account's review."""
        path = self._reviews_dir(who) / f"{key}.json"
        if content is None:
            path.unlink(missing_ok=True)
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        with replacing(path) as out:
            out.write(content)

    # --- changing -----------------------------------------------------------------------------------

    @contextmanager
    def changing(self) -> Iterator[Change]:
        """Hold the store's lock file, so that two changes at once cannot lose each other's work."""
        with locked(self.path):
            yield self

    def write_rows(self, rows: pd.DataFrame, current: Current, report: pd.DataFrame, stamp: str) -> str:
        """Replace the rows' batches in the file, keep the old file in history/, the typed copy up to date,
        and register new batches and categories; return the backup's name ('' if there was no file)."""
        saved = backup(self.path, stamp) if self.path.exists() else ""
        areas = self.areas()
        layout = current.hint if isinstance(current.hint, Layout) else None
        # Validated on write: the old table was valid and the rows are, so keep the typed copy and spare
        # every dashboard re-validating a large store.
        typed_before = _typed_copy(self.path) if layout is not None else None
        if layout is not None and typed_before is not None:
            # The file's layout is known: only the new rows are written out and typed.
            write_batches(self.path, layout, rows)
            typed = replace_batches(typed_before, rows, areas)
        else:
            whole = current.cells if layout is None else read_cells(self.path)
            merged = merged_store(whole, rows)
            write_atomically(self.path, store_text(merged))
            typed = type_metrics(merged, areas)
        write_cache(self.path, LoadResult(typed, report))
        self._register_batches(sorted({int(b) for b in rows["batch"]}))
        self._register_categories(rows)
        return saved

    def write_catalogue(self, merged: pd.DataFrame, stamp: str) -> str:
        """Write the catalogue beside the table, after keeping the one it was read from in history/."""
        target = self.path.parent / "measures.csv"
        source = beside(self.path, "measures.csv")
        saved = ""
        if source.exists():
            # The catalogue the store was read with is kept, even when it was the shipped one.
            if source != target:
                shutil.copy2(source, target)
            saved = backup(target, stamp)
        write_atomically(target, merged.to_csv(index=False, lineterminator="\n"))
        return saved

    def restore_rows(self, name: str, stamp: str) -> tuple[str, str]:
        """Make a backup the table (itself backed up first); return that backup's name and the SHA-256."""
        data = (history_dir(self.path) / name).read_bytes()
        saved = backup(self.path, stamp) if self.path.exists() else ""
        with replacing(self.path) as out:
            out.write(data)
        return saved, hashlib.sha256(data).hexdigest()

    def now(self) -> datetime:
        """Return this machine's time in Beijing time (the one machine that writes the files)."""
        return datetime.now(BEIJING)

    def append_log(self, entry: dict[str, object]) -> None:
        """Append one line to history/log.csv (created with a BOM so that Excel opens it), and to the app's
        own log (loaders.events) with the version the change made."""
        log = history_dir(self.path) / "log.csv"
        log.parent.mkdir(parents=True, exist_ok=True)
        new = not log.exists()
        with open(log, "a", encoding="utf-8-sig" if new else "utf-8", newline="") as out:
            writer = csv.DictWriter(out, LOG_COLUMNS, lineterminator="\r\n", restval="")
            if new:
                writer.writeheader()
            writer.writerow(entry)
        if events.enabled():
            events.event("change", self, events.version_of(self), **entry)

    def write_register(self, name: str, frame: pd.DataFrame) -> None:
        """Write a register beside the table, in one step (the shipped one stays where it was)."""
        write_atomically(self.path.parent / f"{name}.csv", frame.to_csv(index=False, lineterminator="\n"))

    def write_source(self, source: Source) -> None:
        """Write the document into sources/ beside the registers, then register it with its batch."""
        folder = self.path.parent
        (folder / "sources").mkdir(exist_ok=True)
        write_atomically(folder / source.name, source.text)
        registered = with_source(self.register("batches"), source)
        write_atomically(folder / "batches.csv", registered.to_csv(index=False, lineterminator="\n"))

    def _register_batches(self, batches: list[int]) -> None:
        # Read where the dashboard reads it (the shipped register when the folder has none), so that a
        # first register written beside a store keeps the batches already registered.
        existing = self.register("batches")
        missing = [b for b in batches if str(b) not in set(existing["batch"])]
        if missing:
            write_atomically(
                self.path.parent / "batches.csv",
                with_new_batches(existing, missing).to_csv(index=False, lineterminator="\n"),
            )

    def _register_categories(self, rows: pd.DataFrame) -> None:
        combined = with_new_categories(self.register("categories"), rows)
        if combined is not None:
            write_atomically(self.path.parent / "categories.csv", combined.to_csv(index=False, lineterminator="\n"))


# --- what both stores do with registers and rows --------------------------------------------------------


def with_new_batches(existing: pd.DataFrame, batches: list[int]) -> pd.DataFrame:
    """Return the register of batches with new ones added in order; their title, number and date are
    filled in later."""
    added = pd.DataFrame([{**dict.fromkeys(existing.columns, ""), "batch": str(b)} for b in batches])
    combined = pd.concat([existing, added], ignore_index=True)
    return combined.sort_values("batch", key=lambda s: s.astype(int), ignore_index=True)


def with_source(existing: pd.DataFrame, source: Source) -> pd.DataFrame:
    """Return the register of batches with the document's title, number, date and file in its batch's row
    (added when missing); what the document does not give, and the English title, are kept as they were."""
    register = existing.copy()
    if str(source.batch) not in set(register["batch"].astype(str)):
        register = with_new_batches(register, [source.batch])
    at = register["batch"].astype(str) == str(source.batch)
    for column, value in source.register_row().items():
        if value:
            if column not in register:
                register[column] = ""
            register.loc[at, column] = value
    return register


def with_new_categories(existing: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame | None:
    """Return the register of categories with the rows' new ones added in the order they come (their
    English names written in later; until then the Chinese name is shown), None if none is new."""
    known = set(existing["category"])
    missing = [c for c in dict.fromkeys(rows["category"].astype(str)) if c and c not in known]
    if not missing:
        return None
    return pd.concat([existing, pd.DataFrame({"category": missing, "category_en": ""})], ignore_index=True)


def merged_store(store: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """Return the table's cells with the rows' batches replaced by them (rows in store order), in batch,
    case and fact order. The table is kept in that order, so the batches need only be placed."""
    batches = set(rows["batch"].astype(int))
    kept = store[~store["batch"].astype(int).isin(batches)] if not store.empty else store
    merged = pd.concat([kept, rows], ignore_index=True)
    by_batch = merged["batch"].astype(int).sort_values(kind="stable").index
    return merged.loc[by_batch].reset_index(drop=True)


def store_text(frame: pd.DataFrame, *, header: bool = True) -> str:
    """Return the table as the file holds it: UTF-8 CSV, the schema's columns, LF line ends."""
    return frame[list(COLUMN_NAMES)].to_csv(index=False, header=header, lineterminator="\n")


def read_cells(path: Path | io.BytesIO, layout: Layout | None = None, batches: Iterable[int] = ()) -> pd.DataFrame:
    """Return a store file's cells as strings: every row, or given its layout only the rows of `batches`
    (an empty table with the schema's columns if the file does not exist)."""
    if isinstance(path, Path) and not path.exists():
        return pd.DataFrame(columns=list(COLUMN_NAMES), dtype="object")
    source: Path | io.BytesIO = path
    if layout is not None and isinstance(path, Path):
        with open(path, "rb") as handle:
            parts = [HEADER]
            for start, end in (layout.span(batch) for batch in sorted(set(batches))):
                handle.seek(start)
                parts.append(handle.read(end - start))
        source = io.BytesIO(b"".join(parts))
    # Arrow's reader gives the same cells several times faster; a BOM left by a hand edit is dropped.
    frame = pd.read_csv(source, dtype=str, keep_default_na=False, engine="pyarrow")
    # A store written before measures existed reads with each row's family catch-all, as the app shows it.
    return with_optional_columns(fill_measures(frame.rename(columns=lambda name: str(name).lstrip("\ufeff"))))


# --- files written in one step ------------------------------------------------------------------------


def _read_log_since(path: Path, columns: list[str], since: datetime) -> pd.DataFrame:
    """Return a log file's lines since a time (its first column, ISO 8601), oldest first."""
    if not path.exists():
        return pd.DataFrame({column: pd.Series(dtype=str) for column in columns}).astype(
            {columns[0]: "datetime64[ns, UTC]"}
        )
    lines = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    lines[columns[0]] = pd.to_datetime(lines[columns[0]], format="ISO8601")
    return lines[lines[columns[0]] >= since].reset_index(drop=True)


def _append_csv(path: Path, header: list[str], row: list[str]) -> None:
    """Append one row to a log file, made with its header and a BOM (so that Excel opens it) if new."""
    path.parent.mkdir(parents=True, exist_ok=True)
    new = not path.exists()
    with open(path, "a", encoding="utf-8-sig" if new else "utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        if new:
            writer.writerow(header)
        writer.writerow(row)


@contextmanager
def locked(store: Path) -> Iterator[None]:
    """Hold the store's lock, so that two changes at once cannot lose each other's work."""
    store.parent.mkdir(parents=True, exist_ok=True)
    with open(store.parent / f".{store.name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def replacing(path: Path) -> Iterator[BinaryIO]:
    """Yield a temporary file in the same folder that replaces `path` in one step (os.replace) when
    the block ends, and is dropped if it fails, so that nobody ever reads a half-written file."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_atomically(path: Path, text: str) -> None:
    """Replace a file's content with UTF-8 text in one step."""
    with replacing(path) as out:
        out.write(text.encode("utf-8"))


def write_batches(store: Path, layout: Layout, rows: pd.DataFrame) -> None:
    """Replace the store with the rows' batches (in store order) in place, copying the bytes of every
    other batch as they are: the same file a full rewrite gives, without parsing the rest."""
    batch = rows["batch"].astype(int)
    plan = merge_plan(layout.batch, sorted(set(batch)))
    with replacing(store) as out, open(store, "rb") as old:
        out.write(HEADER)
        for piece in layout.spans(plan):
            if isinstance(piece, int):
                out.write(store_text(rows[batch == piece], header=False).encode("utf-8"))
                continue
            start, end = piece
            old.seek(start)
            while start < end:
                block = old.read(min(1 << 24, end - start))
                out.write(block)
                start += len(block)


def backup(path: Path, stamp: str) -> str:
    """Keep a file under history/ (a hard link: no copy) and return the backup's name; the oldest go."""
    folder = history_dir(path)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{path.stem}-{stamp}.csv"
    target = folder / name
    try:
        os.link(path, target)
    except OSError:
        shutil.copy2(path, target)
    backups = sorted(folder.glob(f"{path.stem}-*.csv"))
    for old in backups[:-KEEP_BACKUPS]:
        old.unlink()
    return name


def _typed_copy(store: Path) -> pd.DataFrame | None:
    try:
        return read_typed_copy(cache_path(store))
    except (OSError, ValueError):
        return None
