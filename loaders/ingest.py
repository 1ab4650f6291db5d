"""Bring a batch file into the store: read, normalise, validate, show the diff, and hand it to the store.

    python -m loaders.ingest FILE [--source DOCUMENT] [--store PATH | --database URL] [--dry-run] [--yes]
                             [--note TEXT] [--by NAME]
    python -m loaders.ingest --history | --restore NAME | --incoming
    python -m loaders.ingest --print-register NAME | --register NAME FILE

This module reads and checks; the store writes (loaders.stores: the files, or a PostgreSQL database). A
file is validated as a whole; any error refuses it and the store is untouched. A valid file's rows are
handed to the store in one change, which replaces their batches (or adds new ones) all at once, after
keeping the previous table as a backup and before logging who changed what.
"""

from __future__ import annotations

import argparse
import getpass
import hashlib
import os
import re
import sys
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from functools import reduce
from pathlib import Path

import pandas as pd

from loaders.document import parse_document
from loaders.filestore import store_text
from loaders.measures import (
    FLAGS,
    MEASURE_COLUMNS,
    Catalogue,
    InvalidCatalogueError,
    type_catalogue,
    used_by,
    validate_catalogue,
)
from loaders.numbers import normalize_width
from loaders.read import ReadError, excel_serial_to_date, read_table
from loaders.registers import EDITABLE, RegisterRefused, check_register, replace_register
from loaders.schema import (
    CHINESE_NAMES,
    CODE_LISTS,
    COLUMN_NAMES,
    ENGLISH_LABELS,
    QUALIFIER_SEPARATOR,
    SECTION_ALIASES,
    has_errors,
    issue,
    make_report,
    validate_metrics,
)
from loaders.sources import Source, UnreadableDocument, document_of, source_of
from loaders.store import BEIJING, InvalidMetricsError
from loaders.stores import Change, Current, Draft, Reader, Store, StoreUnavailable, as_store, open_store

CONFIRM_MESSAGE = (
    "该文件会删除或修改已有数据，请确认（命令行加 --yes）。 This file removes or changes rows: confirm with --yes."
)
NUMBER_COLUMNS = ("batch", "case_no", "value", "value_high")
# Numbers that name things: one way of writing each (8, never 08), so that batches and cases match by text.
WHOLE_NUMBER_COLUMNS = ("batch", "case_no")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_EXCEL_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})(?:[-/.月](\d{1,2})日?)?月?$")
_SERIAL = re.compile(r"^\d{5}(\.0+)?$")


class Refused(Exception):
    """The file was refused; `report` says why."""

    def __init__(self, report: pd.DataFrame) -> None:
        super().__init__("refused")
        self.report = report


@dataclass
class Diff:
    """What applying a file changes, fact by fact."""

    batches: list[int]
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)

    @property
    def destructive(self) -> bool:
        """Whether applying would remove or change rows already in the store."""
        return bool(self.removed or self.changed)

    @property
    def empty(self) -> bool:
        """Whether applying would change nothing."""
        return not (self.added or self.removed or self.changed)

    def summary(self) -> str:
        """Return the diff as a line of counts in Chinese and English."""
        names = "、".join(f"第{b}批" for b in self.batches)
        added, removed, changed = len(self.added), len(self.removed), len(self.changed)
        return (
            f"批次 {names}：新增 {added} 条，删除 {removed} 条，修改 {changed} 条。"
            f" Batches {self.batches}: {added} added, {removed} removed, {changed} changed."
        )


@dataclass
class Prepared:
    """A file read, normalised and validated against the store, with the diff it would apply."""

    rows: pd.DataFrame
    encoding: str
    report: pd.DataFrame
    diff: Diff
    sha256: str
    notes: list[str]
    # The store's rows of the file's batches as they were checked against, and the store's state then.
    current: Current = field(default_factory=lambda: Current(None, pd.DataFrame(columns=list(COLUMN_NAMES))))
    # The batch's document the quotes were checked against, kept and registered when the rows are applied.
    source: Source | None = None


# --- normalising cells ------------------------------------------------------------------------------


def _header_map() -> dict[str, str]:
    names = {name.casefold(): name for name in COLUMN_NAMES}
    names.update({en.casefold(): name for name, en in ENGLISH_LABELS.items()})
    names.update({zh: name for name, zh in CHINESE_NAMES.items()})
    return names


def _code_map(codes: dict[str, tuple[str, str]]) -> dict[str, str]:
    mapping = {}
    for code, (zh, en) in codes.items():
        mapping[code.casefold()] = code
        mapping[zh] = code
        mapping[en.casefold()] = code
    return mapping


def normalise_number(text: str) -> str:
    """Return a number cell as plain digits: full-width folded, spaces and thousands separators dropped."""
    folded = normalize_width(text).replace(" ", "").replace("，", ",")
    return folded.replace(",", "") if _THOUSANDS.match(folded) else folded


def normalise_as_of(text: str) -> str:
    """Return an as_of cell as the schema writes it; Excel dates (2022/6/1, 44713) become 2022-06."""
    folded = normalize_width(text).strip()
    if _SERIAL.match(folded):
        day = excel_serial_to_date(float(folded))
        return f"{day:%Y-%m}" if day.day == 1 else day.isoformat()
    if match := _EXCEL_DATE.match(folded):
        year, month, day_text = match.groups()
        if not 1 <= int(month) <= 12:
            return folded
        if day_text is None or int(day_text) == 1:
            return f"{int(year):04d}-{int(month):02d}"
        return f"{int(year):04d}-{int(month):02d}-{int(day_text):02d}"
    return folded


def normalise(
    raw: pd.DataFrame, catalogue: Catalogue, english: Mapping[str, str] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the file's cells under the schema's column names with codes, numbers and dates normalised,
    measures named by their Chinese or English names as their codes, and areas and categories named in
    English (`english`: English name → the document's name, from the registers) as the document names them.

    Also returns the report of columns that cannot be placed (unknown or given twice).
    """
    headers = _header_map()
    entries, renamed, seen = [], {}, set()
    accepted = "、".join(f"{name}/{CHINESE_NAMES[name]}" for name in COLUMN_NAMES)
    for column in raw.columns:
        key = str(column).strip()
        name = headers.get(key) or headers.get(key.casefold())
        if name is None:
            entries.append(issue(None, key, None, "unknown-column", f"可用列名 accepted: {accepted}"))
        elif name in seen:
            entries.append(issue(None, key, None, "unknown-column", f"列「{name}」出现了两次 given twice"))
        else:
            seen.add(name)
            renamed[column] = name
    frame = raw[list(renamed)].rename(columns=renamed).astype(str)
    # The exports guard formula-like text with a leading ' (OWASP); only that guard is taken off, so that a
    # title that opens with a quote keeps it.
    frame = frame.apply(lambda col: col.str.strip().str.replace(r"^'(?=[=+\-@\t\r])", "", regex=True))
    for column in NUMBER_COLUMNS:
        if column in frame:
            frame[column] = frame[column].map(normalise_number)
    for column in WHOLE_NUMBER_COLUMNS:
        if column in frame:
            frame[column] = frame[column].map(lambda v: str(int(v)) if v.isascii() and v.isdigit() else v)
    for column, codes in CODE_LISTS.items():
        if column in frame:
            mapping = _code_map(codes)
            frame[column] = frame[column].map(lambda v, m=mapping: m.get(v.casefold(), m.get(v, v)) if v else v)
    for column in ("area", "category"):
        if column in frame and english:
            frame[column] = frame[column].map(lambda v: english.get(v, v))
    if "measure" in frame:
        names = catalogue.lookup
        frame["measure"] = frame["measure"].map(lambda v: names.get(v, names.get(v.casefold(), v)) if v else v)
    if "section" in frame:
        frame["section"] = frame["section"].map(lambda v: SECTION_ALIASES.get(v, v))
    if "as_of" in frame:
        frame["as_of"] = frame["as_of"].map(normalise_as_of)
    if "qualifier" in frame:
        frame["qualifier"] = frame["qualifier"].str.replace(r"\s*[,，;；/]\s*", QUALIFIER_SEPARATOR, regex=True)
    return frame, make_report(entries)


# --- fact ids, provenance, diff ---------------------------------------------------------------------


def _keys(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    parts = [frame[c].astype(str) for c in columns]
    return reduce(lambda left, right: left + "|" + right, parts)


# How a row without a fact_id finds its fact in the store: the same words of the same sentence first,
# then, for a corrected figure, the same metric and phase when that names one fact on both sides.
MATCH_KEYS = (["batch", "case_no", "source_quote", "value_text", "metric"], ["batch", "case_no", "metric", "phase"])
_FACT_ID = r"^(?P<batch>\d+)-(?P<case>\d+)-(?P<seq>\d+)$"


def assign_fact_ids(rows: pd.DataFrame, store: pd.DataFrame) -> pd.DataFrame:
    """Return rows with every empty fact_id filled: a fact already in the store keeps its id, a new one
    takes the next free number of its case, so that ids are never reused for another fact."""
    rows = rows.copy()
    if "fact_id" not in rows:
        rows.insert(0, "fact_id", "")
    rows["fact_id"] = rows["fact_id"].fillna("").astype(str).str.strip()
    taken = set(rows.loc[rows["fact_id"] != "", "fact_id"])
    if not store.empty and "batch" in rows:
        # Only facts of the file's own batches can match: the keys start with the batch.
        store = store[store["batch"].isin(set(rows["batch"].astype(str)))]
    for columns in MATCH_KEYS:
        missing = rows["fact_id"] == ""
        if store.empty or not missing.any() or not set(columns) <= set(rows.columns):
            break
        free = store[~store["fact_id"].isin(taken)]
        store_keys = _keys(free, columns)
        unique_in_store = ~store_keys.duplicated(keep=False)
        known = pd.Series(free["fact_id"].to_numpy()[unique_in_store.to_numpy()], index=store_keys[unique_in_store])
        keys = _keys(rows.loc[missing], columns)
        found = keys[~keys.duplicated(keep=False)].map(known).dropna()
        rows.loc[found.index, "fact_id"] = found
        taken |= set(found)
    missing = rows["fact_id"] == ""
    if not missing.any():
        return rows
    numbered = missing & rows["batch"].astype(str).str.isdigit() & rows["case_no"].astype(str).str.isdigit()
    used = pd.Series(sorted(set(store["fact_id"]) | taken), dtype=object).str.extract(_FACT_ID).dropna()
    highest = used.astype(int).groupby(["batch", "case"])["seq"].max().to_dict() if not used.empty else {}
    new = rows.loc[numbered, ["batch", "case_no"]].astype(int)
    offset = [int(highest.get((b, c), 0)) for b, c in zip(new["batch"], new["case_no"], strict=True)]
    seq = new.groupby(["batch", "case_no"]).cumcount() + 1 + pd.Series(offset, index=new.index)
    # A bad batch or case number is left without an id: the schema reports the number itself.
    rows.loc[numbered, "fact_id"] = (
        new["batch"].astype(str) + "-" + new["case_no"].map("{:02d}".format) + "-" + seq.map("{:02d}".format)
    )
    return rows


def check_provenance(
    rows: pd.DataFrame, store: Store, areas: list[str], given: Source | None = None
) -> tuple[list, list[str]]:
    """Return report entries for quotes not found in their batch's source (the `given` document for its
    batch, else the registered one), and notes on what was not checked."""
    entries, notes = [], []
    batches = store.register("batches")
    for batch in sorted(set(rows["batch"])):
        registered = batches[batches["batch"].astype(str) == str(batch)]
        source = str(registered["source_file"].iloc[0]) if not registered.empty else ""
        text = store.document(source)
        if given is not None and str(given.batch) == str(batch):
            source, text = given.file, given.text.encode("utf-8")
        if text is None:
            notes.append(
                f"第{batch}批没有登记原文，未核对原文句子。 Batch {batch}: no source registered; quotes not checked."
            )
            continue
        document = parse_document(text.decode("utf-8"), areas)
        sentences = {case.entry.case_no: {s.text for s in case.sentences} for case in document.cases}
        part = rows[rows["batch"] == batch]
        for index, row in part.iterrows():
            case = int(row["case_no"]) if str(row["case_no"]).isdigit() else -1
            if row["source_quote"] not in sentences.get(case, set()):
                entries.append(
                    issue(
                        int(index),
                        "source_quote",
                        row["source_quote"][:40],
                        "quote-not-in-source",
                        f"{Path(source).name} 案例 {case}",
                    )
                )
    return entries, notes


def batches_of(rows: pd.DataFrame) -> list[int]:
    """Return the batches a file's rows name (those that are numbers: the others are refused anyway)."""
    return sorted({int(b) for b in rows["batch"] if str(b).isdigit()}) if "batch" in rows else []


def compute_diff(store: pd.DataFrame, rows: pd.DataFrame) -> Diff:
    """Return what replacing the file's batches in the store with its rows changes."""
    batches = sorted({int(b) for b in rows["batch"]})
    old = store[store["batch"].astype(int).isin(batches)] if not store.empty else store
    old_by_id = old.set_index("fact_id")[list(COLUMN_NAMES[1:])]
    new_by_id = rows.set_index("fact_id")[list(COLUMN_NAMES[1:])]
    diff = Diff(batches)
    diff.added = sorted(set(new_by_id.index) - set(old_by_id.index))
    diff.removed = sorted(set(old_by_id.index) - set(new_by_id.index))
    common = sorted(set(new_by_id.index) & set(old_by_id.index))
    diff.changed = [i for i in common if not old_by_id.loc[i].equals(new_by_id.loc[i])]
    return diff


def in_store_order(rows: pd.DataFrame) -> pd.DataFrame:
    """Return rows with fact ids in the store's order (batch, case, fact) and its columns."""
    seq = rows["fact_id"].str.extract(_FACT_ID).astype(int)
    return rows.loc[seq.sort_values(["batch", "case", "seq"]).index, list(COLUMN_NAMES)]


# --- the steps --------------------------------------------------------------------------------------


def prepare(data: bytes, filename: str, store: Store | Path, source: Source | None = None) -> Prepared:
    """Read, normalise and validate a file against the store, its quotes against `source` for its batch (a
    new batch's document) or the registered one; raise Refused with the report on any error."""
    store = as_store(store)
    digest = hashlib.sha256(data).hexdigest()
    try:
        read = read_table(data, filename)
    except ReadError as err:
        detail = str(err.__cause__) if err.__cause__ else ""
        raise Refused(make_report([issue(None, None, filename, err.code, detail)])) from err
    catalogue = store.catalogue()
    # A file exported in English names areas and categories in English: read back as the document names them.
    from_english = {en: zh for zh, en in store.english_names().items()}
    rows, column_report = normalise(read.frame, catalogue, from_english)
    current = store.current(batches_of(rows))
    if {"batch", "case_no"} <= set(rows.columns):
        rows = assign_fact_ids(rows, current.cells)
    areas = store.areas()
    report = pd.concat([column_report, validate_metrics(rows, areas, catalogue)], ignore_index=True)
    notes: list[str] = []
    if not has_errors(report):
        if source is not None and source.batch not in batches_of(rows):
            entries = [
                issue(
                    None,
                    "batch",
                    str(source.batch),
                    "source-batch-missing",
                    f"{source.file} 是第{source.batch}批原文 (batch {source.batch})",
                )
            ]
        else:
            entries, notes = check_provenance(rows, store, areas, source)
        report = pd.concat([report, make_report(entries)], ignore_index=True)
    report = report.drop_duplicates(subset=["row", "column", "code"]).reset_index(drop=True)
    if has_errors(report):
        raise Refused(report)
    rows = rows.reindex(columns=list(COLUMN_NAMES), fill_value="")
    diff = compute_diff(current.cells, rows)
    return Prepared(rows, read.encoding, report, diff, digest, notes, current, source)


def apply(prepared: Prepared, store: Store | Path, *, who: str, filename: str, note: str, yes: bool) -> str:
    """Hand the prepared rows to the store in one change; return the backup's name ('' if unchanged).

    Refuses (ValueError) to remove or change existing rows without `yes`.
    """
    store = as_store(store)
    with store.changing() as change:
        diff, current = _checked_change(change, prepared, yes)
        if diff.empty and prepared.source is None:
            return ""
        return _write(
            change,
            prepared.rows,
            current,
            prepared.report,
            _entry(change, who, "ingest", filename, prepared, diff, note),
            prepared.source,
        )


def approval_required() -> bool:
    """Return whether imports wait for a second person to publish them (FTZ_APPROVAL=1)."""
    return os.environ.get("FTZ_APPROVAL", "").strip() == "1"


def submit(prepared: Prepared, store: Store | Path, *, who: str, filename: str, note: str, yes: bool) -> str:
    """Keep the prepared rows as a draft for a second person to publish (FTZ_APPROVAL=1); return its id
    ('' if they change nothing). Leaders' pages do not show a draft; a newer draft of the same batches
    replaces it; a draft of other batches that overlap is refused until that one is published or sent back."""
    store = as_store(store)
    with store.changing() as change:
        diff, _ = _checked_change(change, prepared, yes)
        if diff.empty and prepared.source is None:
            return ""
        draft_id = "batch-" + "-".join(str(b) for b in diff.batches)
        for other in change.drafts():
            if other.id != draft_id and set(other.batches.split()) & {str(b) for b in diff.batches}:
                raise ValueError(
                    f"第{other.batches}批已有待审核的草稿（{other.who} 提交），请先发布或退回。"
                    f" Batch {other.batches} already has a draft waiting; publish or send it back first."
                )
        entry = _entry(change, who, "submit", filename, prepared, diff, note)
        draft = Draft(
            draft_id,
            entry["batches"],
            filename,
            prepared.sha256,
            who,
            entry["time"],
            note,
            len(diff.added),
            len(diff.removed),
            len(diff.changed),
            asdict(prepared.source) if prepared.source is not None else None,
        )
        change.write_draft(draft, store_text(in_store_order(prepared.rows)).encode("utf-8"))
        change.append_log({**entry, "file": filename, "backup": draft_id})
        return draft_id


def publish(store: Store | Path, draft_id: str, *, who: str, note: str = "") -> str:
    """Make a draft part of the data leaders see, checked again against the store as it is now; only
    someone other than who submitted it may (ValueError otherwise). Return the backup's name."""
    store = as_store(store)
    draft = _draft(store, draft_id)
    if draft.who == who:
        raise ValueError("不能发布自己提交的数据，须由另一位审核人发布。 A draft is published by someone else.")
    source = Source(**draft.source) if draft.source else None  # type: ignore[arg-type]
    prepared = prepare(store.draft_text(draft_id), f"{draft_id}.csv", store, source)  # kept as CSV, whatever came in
    with store.changing() as change:
        if draft_id not in {d.id for d in change.drafts()}:
            raise ValueError(f"草稿 {draft_id} 已被发布或退回。 The draft was published or sent back meanwhile.")
        diff, current = _checked_change(change, prepared, yes=True)
        said = f"提交人 submitted by {draft.who}" + (f"；{note}" if note else "")
        saved = _write(
            change,
            prepared.rows,
            current,
            prepared.report,
            _entry(change, who, "publish", draft.file, prepared, diff, said),
            source,
        )
        change.drop_draft(draft_id)
        return saved


def send_back(store: Store | Path, draft_id: str, *, who: str, note: str) -> None:
    """Drop a draft with a note saying why, for its submitter to fix and submit again."""
    store = as_store(store)
    draft = _draft(store, draft_id)
    with store.changing() as change:
        change.drop_draft(draft_id)
        change.append_log(
            {
                "time": f"{change.now():%Y-%m-%d %H:%M:%S}",
                "who": who,
                "action": "return",
                "file": draft.file,
                "sha256": draft.sha256,
                "batches": draft.batches,
                "note": f"提交人 submitted by {draft.who}" + (f"；{note}" if note else ""),
            }
        )


def _draft(store: Store, draft_id: str) -> Draft:
    for draft in store.drafts():
        if draft.id == draft_id:
            return draft
    raise ValueError(f"没有这个草稿：{draft_id}。 No such draft.")


def _checked_change(change: Change, prepared: Prepared, yes: bool) -> tuple[Diff, Current]:
    """Return the diff of the prepared rows against the store as it is inside the change (read again if
    it changed since prepare()), refusing a destructive one without `yes` and rows whose measures the
    catalogue has lost since."""
    current = change.current(prepared.diff.batches, unless=prepared.current)
    diff = prepared.diff if current is prepared.current else compute_diff(current.cells, prepared.rows)
    if not diff.empty:
        if diff.destructive and not yes:
            raise ValueError(CONFIRM_MESSAGE)
        misfits = make_report(change.catalogue().issues(prepared.rows))
        if has_errors(misfits):
            raise Refused(misfits)
    return diff, current


def _entry(
    change: Change, who: str, action: str, filename: str, prepared: Prepared, diff: Diff, note: str
) -> dict[str, str]:
    """Return the change log's line of an import, submission or publication (the backup is added after)."""
    return {
        "time": f"{change.now():%Y-%m-%d %H:%M:%S}",
        "who": who,
        "action": action,
        "file": filename,
        "sha256": prepared.sha256,
        "batches": " ".join(str(b) for b in diff.batches),
        "added": str(len(diff.added)),
        "removed": str(len(diff.removed)),
        "changed": str(len(diff.changed)),
        "note": note,
    }


def _write(
    change: Change,
    rows: pd.DataFrame,
    current: Current,
    report: pd.DataFrame,
    entry: dict[str, str],
    source: Source | None = None,
) -> str:
    """Write the rows' batches with a backup, keep and register their document (if given), and log the
    entry naming both; return the backup's name."""
    saved = change.write_rows(in_store_order(rows), current, report, stamp(change.now()))
    if source is not None:
        change.write_source(source)
        said = f"原文 source {source.name}"
        entry = {**entry, "note": f"{entry['note']}；{said}" if entry.get("note") else said}
    change.append_log({**entry, "backup": saved})
    return saved


def stamp(now: datetime) -> str:
    """Return the time a backup's name carries, to the microsecond so that names sort as they were made."""
    return f"{now:%Y%m%d-%H%M%S-%f}"


def list_backups(store: Store | Path) -> list[str]:
    """Return the names of the store's backups, newest first."""
    return as_store(store).backups()


def describe_backup(store: Store | Path, name: str) -> str:
    """Return what a backup holds: its rows per batch."""
    rows = as_store(store).backup_cells(name)
    counts = rows.groupby("batch").size()
    parts = "，".join(f"第{b}批 {n} 条" for b, n in counts.items())
    return f"{name}：共 {len(rows)} 条（{parts}）。 {len(rows)} rows."


def restore(store: Store | Path, name: str, *, who: str, note: str = "") -> str:
    """Bring a backup back as the store's table (itself backed up and logged); return the new backup's name."""
    store = as_store(store)
    if name not in store.backups():
        raise ValueError(f"没有这个备份：{name}。 No such backup; see --history.")
    with store.changing() as change:
        # The catalogue may have changed since the backup was made (a measure it uses removed): a backup
        # that no longer fits it is refused, or the dashboard would stop on an invalid store.
        misfits = make_report(change.catalogue().issues(change.backup_cells(name)))
        if has_errors(misfits):
            raise ValueError(
                "该备份中的指标口径与现有指标目录不符，请先在指标目录中恢复这些口径。"
                " The backup names measures the catalogue no longer has; add them back first.\n"
                + format_report(misfits.head(20))
            )
        now = change.now()
        saved, digest = change.restore_rows(name, stamp(now))
        change.append_log(
            {
                "time": f"{now:%Y-%m-%d %H:%M:%S}",
                "who": who,
                "action": "restore",
                "file": name,
                "sha256": digest,
                "backup": saved,
                "note": note,
            }
        )
    return saved


def read_log(store: Store | Path) -> pd.DataFrame:
    """Return the change log, newest first."""
    return as_store(store).log()


# --- the metric catalogue ---------------------------------------------------------------------------


@dataclass
class CatalogueChange:
    """A catalogue file merged into the store's catalogue by code, checked, with what it changes."""

    merged: pd.DataFrame  # the whole catalogue after the change, cells as text
    added: list[str]
    updated: list[str]
    removed: list[str]
    # What was asked (the file's bytes and name, the codes to remove), to merge again under the lock.
    asked: tuple[bytes | None, str, tuple[str, ...]] = (None, "", ())
    # The state of the store (its table and catalogue among it) it was checked against.
    state: Hashable = None

    @property
    def sha256(self) -> str:
        """Return the SHA-256 of the catalogue file asked for (of nothing, for a removal alone)."""
        return hashlib.sha256(self.asked[0] or b"").hexdigest()

    @property
    def empty(self) -> bool:
        """Whether applying would change nothing."""
        return not (self.added or self.updated or self.removed)

    def summary(self) -> str:
        """Return the change as a line of codes in Chinese and English."""
        parts = [
            (label, codes) for label, codes in (("新增", self.added), ("修改", self.updated), ("删除", self.removed))
        ]
        described = "；".join(f"{label} {len(codes)} 个：{'、'.join(codes)}" for label, codes in parts if codes)
        return (
            f"指标目录：{described or '没有变化'}。 Catalogue: {len(self.added)} added, "
            f"{len(self.updated)} updated, {len(self.removed)} removed."
        )


def _as_written(catalogue: pd.DataFrame) -> pd.DataFrame:
    """Return catalogue cells as the file writes them: a flag true/false (Excel saves TRUE, or True from
    an .xlsx), a headline place a whole number (1.0 from a spreadsheet is 1), no stray spaces; so that a
    catalogue opened and saved in Excel compares equal to the one it came from."""
    frame = catalogue.apply(lambda column: column.str.strip())
    flags = frame["additive"].str.casefold().map(FLAGS)
    frame["additive"] = flags.map({True: "true", False: "false"}).fillna(frame["additive"])
    places = pd.to_numeric(frame["headline"], errors="coerce")
    whole = places.notna() & (places == places.round())
    frame.loc[whole, "headline"] = places[whole].astype(int).astype(str)
    return frame


def merge_catalogues(current: pd.DataFrame, new: pd.DataFrame, remove: Iterable[str] = ()) -> CatalogueChange:
    """Return the current catalogue (cells as text) with the new file's measures merged in by code: new
    codes added at the end, existing ones replaced by the file's line; the `remove` codes left out."""
    current = _as_written(current.reindex(columns=list(MEASURE_COLUMNS), fill_value="").fillna("").astype(str))
    new = _as_written(new.reindex(columns=list(MEASURE_COLUMNS), fill_value="").fillna("").astype(str))
    gone = [code for code in dict.fromkeys(remove) if code in set(current["measure"])]
    by_code = current.set_index("measure", drop=False)
    added, updated = [], []
    for row in new.to_dict("records"):
        code = row["measure"]
        if code in by_code.index:
            if [str(v) for v in by_code.loc[code].tolist()] != [row[c] for c in MEASURE_COLUMNS]:
                updated.append(code)
            by_code.loc[code] = pd.Series(row)
        else:
            added.append(code)
            by_code = pd.concat([by_code, pd.DataFrame([row]).set_index("measure", drop=False)])
    merged = by_code[~by_code["measure"].isin(gone)].reset_index(drop=True)
    return CatalogueChange(merged, added, updated, gone)


def prepare_measures(
    data: bytes | None, filename: str, store: Reader | Path, remove: Iterable[str] = ()
) -> CatalogueChange:
    """Read a catalogue file (or none, to only remove), merge it into the store's catalogue, and check
    the result: the file's and the merged catalogue's rules, that no removed measure is still used by a
    row, and that every row of the store still fits its measure. Raise Refused with the report."""
    new = pd.DataFrame(columns=list(MEASURE_COLUMNS))
    if data is not None:
        try:
            new = read_table(data, filename).frame
        except ReadError as err:
            raise Refused(make_report([issue(None, None, filename, err.code, str(err))])) from err
        report = validate_catalogue(new)
        if has_errors(report):
            raise Refused(report)
    store = as_store(store) if isinstance(store, Path) else store
    state = store.state()
    merged = merge_catalogues(store.catalogue_cells(), new, remove)
    change = replace(merged, asked=(data, filename, tuple(remove)), state=state)
    unknown = [code for code in remove if code not in change.removed]
    entries = [issue(None, "measure", code, "unknown-measure", "目录中没有这个口径") for code in unknown]
    report = pd.concat([make_report(entries), validate_catalogue(change.merged)], ignore_index=True)
    if not has_errors(report):
        # The cells as written, not the typed store: a store that no longer fits the catalogue (restored
        # by hand, say) must still be repairable by adding the measures it names back.
        frame = store.current().cells
        in_use = used_by(frame, change.removed)
        for code, rows in in_use.groupby("measure", observed=True)["fact_id"]:
            ids = "、".join(rows.astype(str).head(50))
            report = pd.concat(
                [report, make_report([issue(None, "measure", code, "measure-in-use", f"{len(rows)} 条：{ids}")])]
            )
        if in_use.empty:
            misfits = type_catalogue(change.merged).issues(frame)
            report = pd.concat([report, make_report(misfits)], ignore_index=True)
    if has_errors(report):
        raise Refused(report.reset_index(drop=True))
    return change


def apply_measures(change: CatalogueChange, store: Store | Path, *, who: str, filename: str, note: str) -> str:
    """Hand the merged catalogue to the store in one change, which keeps the previous one and logs it;
    return the backup's name ('' if nothing changed)."""
    if change.empty:
        return ""
    with as_store(store).changing() as writing:
        # The store or the catalogue may have changed since the change was checked (a batch now using a
        # measure to remove, another merge applied): then merge and check again on what is there now.
        if change.state != writing.state():
            data, filename, remove = change.asked
            change = prepare_measures(data, filename, writing, remove)
        now = writing.now()
        saved = writing.write_catalogue(change.merged, stamp(now))
        writing.append_log(
            {
                "time": f"{now:%Y-%m-%d %H:%M:%S}",
                "who": who,
                "action": "measures",
                "file": filename,
                "sha256": change.sha256,
                "added": len(change.added),
                "removed": len(change.removed),
                "changed": len(change.updated),
                "backup": saved,
                "note": note,
            }
        )
    return saved


# --- the drop folder --------------------------------------------------------------------------------

SAFE_NAME = re.compile(r"^[\w\u4e00-\u9fff][\w\u4e00-\u9fff .()（）-]*\.(csv|txt|tsv|xlsx)$", re.IGNORECASE)


def process_incoming(store: Store | Path, who: str = "incoming") -> list[tuple[str, str]]:
    """Process every file in the store's drop folder (data/incoming/): each claimed by an atomic rename,
    then moved to done/ or rejected/ with its report beside it. Returns (file name, outcome) pairs."""
    store = as_store(store)
    incoming = store.incoming()
    results = []
    for folder in ("claimed", "done", "rejected"):
        (incoming / folder).mkdir(parents=True, exist_ok=True)
    for path in sorted(p for p in incoming.iterdir() if p.is_file() and not p.name.startswith(".")):
        name = path.name
        if not SAFE_NAME.match(name):
            target = incoming / "rejected" / f"{datetime.now(BEIJING):%Y%m%d-%H%M%S}-unsafe-name"
            os.replace(path, target)
            target.with_suffix(".report.txt").write_text(f"文件名不安全，已拒绝：{name!r}\n", encoding="utf-8")
            results.append((name, "rejected"))
            continue
        claimed = incoming / "claimed" / name
        try:
            os.replace(path, claimed)  # atomic: only one process gets each file
        except FileNotFoundError:
            continue
        outcome, report = _ingest_claimed(claimed, store, who)
        os.replace(claimed, incoming / outcome / name)
        (incoming / outcome / f"{name}.report.txt").write_text(report, encoding="utf-8")
        results.append((name, outcome))
    return results


def _ingest_claimed(path: Path, store: Store, who: str) -> tuple[str, str]:
    try:
        prepared = prepare(path.read_bytes(), path.name, store)
        if approval_required():
            draft = submit(prepared, store, who=who, filename=path.name, note="incoming", yes=True)
            return "done", f"{prepared.diff.summary()}\n草稿 draft: {draft or '—'}\n"
        saved = apply(prepared, store, who=who, filename=path.name, note="incoming", yes=True)
    except Refused as refused:
        return "rejected", format_report(refused.report)
    except ValueError as err:  # a draft of other batches overlaps this file's
        return "rejected", f"{err}\n"
    return "done", f"{prepared.diff.summary()}\n备份 backup: {saved or '—'}\n"


# --- the command line -------------------------------------------------------------------------------


def format_report(report: pd.DataFrame) -> str:
    """Return a validation report as lines a person reads: row, column, value, reason, code."""
    lines = []
    for entry in report.to_dict("records"):
        where = f"第 {entry['row']} 行" if pd.notna(entry["row"]) else "文件"
        column = f"「{entry['column']}」" if entry["column"] else ""
        value = f" 值「{entry['value']}」" if entry["value"] not in (None, "") and pd.notna(entry["value"]) else ""
        level = "错误" if entry["severity"] == "error" else "提示"
        lines.append(f"{level} {where}{column}{value}：{entry['message']} [{entry['code']}]")
    return "\n".join(lines) + "\n"


HELP = """把批次文件导入看板数据 Bring a batch file into the dashboard's store.

示例 examples:
  python -m loaders.ingest 第八批.csv --dry-run      只检查并显示变化 check and show the diff only
  python -m loaders.ingest 第八批.xlsx --note 新批次   导入 import
  python -m loaders.ingest 更正.csv --yes            替换已有批次需确认 replacing rows needs --yes
  python -m loaders.ingest 第九批.csv --source 第九批.docx
                                                     按原文核对引文，成功后保存并登记原文
                                                     check quotes against the document, then keep it
  python -m loaders.ingest --history                 列出备份与变更记录 list backups and the change log
  python -m loaders.ingest --restore NAME            恢复备份 restore a backup
  python -m loaders.ingest --incoming                处理 data/incoming/ 中的文件 process the drop folder
  python -m loaders.ingest --measures 新口径.csv       合并指标目录（按代码新增或修改） merge into the catalogue
  python -m loaders.ingest --remove-measure CODE     删除未被使用的口径 remove a measure no row uses
  python -m loaders.ingest --print-register batches > 批次登记.csv   导出登记表 a register as CSV
  python -m loaders.ingest --register batches 批次登记.csv           替换登记表（校验后）replace it, checked

文件可为 UTF-8、带 BOM 的 UTF-8、GBK/GB18030、Excel「Unicode 文本」(UTF-16) 的 CSV，或 .xlsx；列名可用中文或英文。
退出码 exit codes: 0 成功 success, 1 文件被拒绝 refused, 2 用法错误 usage error."""


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m loaders.ingest", description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("file", nargs="?", type=Path, help="批次文件 the batch file (.csv or .xlsx)")
    parser.add_argument(
        "--store",
        type=Path,
        help="数据文件 the store file (default: FTZ_METRICS_PATH, else data/metrics.csv)",
    )
    parser.add_argument(
        "--database",
        metavar="URL",
        help="数据库 a PostgreSQL store, e.g. postgresql+psycopg://ftz@db/ftz (default: FTZ_DATABASE_URL)",
    )
    parser.add_argument(
        "--source",
        type=Path,
        metavar="DOCUMENT",
        help="批次原文 (.txt/.docx/.pdf)：核对引文，导入后保存并登记 check quotes against it; keep and register it",
    )
    parser.add_argument("--dry-run", action="store_true", help="只检查不写入 check and show the diff, change nothing")
    parser.add_argument("--yes", action="store_true", help="确认删除或修改已有数据 confirm removing or changing rows")
    parser.add_argument("--note", default="", help="变更说明 a note for the change log")
    parser.add_argument("--by", default=getpass.getuser(), help="操作人 who makes the change (default: login name)")
    parser.add_argument("--history", action="store_true", help="列出备份和变更记录 list backups and the log")
    parser.add_argument("--restore", metavar="NAME", help="恢复一个备份 restore a backup by name")
    parser.add_argument("--incoming", action="store_true", help="处理 data/incoming/ 投递目录 process the drop folder")
    parser.add_argument(
        "--measures", type=Path, metavar="FILE", help="合并指标目录 merge a catalogue file into data/measures.csv"
    )
    parser.add_argument(
        "--remove-measure",
        action="append",
        default=[],
        metavar="CODE",
        help="删除口径（仍有数据使用时拒绝） remove a measure (refused while rows use it)",
    )
    parser.add_argument(
        "--register",
        nargs=2,
        metavar=("NAME", "FILE"),
        help="替换登记表 areas/batches/categories/providers（如英文名称）replace a register from a file, checked",
    )
    parser.add_argument("--print-register", metavar="NAME", help="以 CSV 输出登记表 print a register as CSV")
    args = parser.parse_args(argv)
    if args.store is not None and args.database:
        parser.print_usage(sys.stderr)
        print("--store 与 --database 只能选一个。 Give --store or --database, not both.", file=sys.stderr)
        return 2
    catalogue_mode = args.measures is not None or bool(args.remove_measure)
    register_mode = args.register is not None or args.print_register is not None
    modes = sum(
        [args.file is not None, args.history, args.restore is not None, args.incoming, catalogue_mode, register_mode]
    )
    if modes != 1 or (args.source is not None and args.file is None):
        parser.print_usage(sys.stderr)
        print(
            "请给出一个文件，或 --history / --restore / --incoming 之一。 Give one FILE or one of the options.",
            file=sys.stderr,
        )
        return 2
    try:
        return _run(args)
    except StoreUnavailable as err:
        print(err, file=sys.stderr)
        return 2
    except (InvalidMetricsError, InvalidCatalogueError) as err:
        # The store or the catalogue on disk is itself invalid (edited by hand): say where, never a traceback.
        print(
            f"数据或指标目录未通过校验，未做任何改动。 The store or catalogue is invalid; nothing changed.\n{err}",
            file=sys.stderr,
        )
        print(format_report(err.report), file=sys.stderr, end="")
        return 1


def _run(args: argparse.Namespace) -> int:
    catalogue_mode = args.measures is not None or bool(args.remove_measure)
    store = open_store(database=args.database, path=args.store)
    if args.history:
        print("备份 backups:\n" + "\n".join(f"  {name}" for name in list_backups(store)))
        print("变更记录 change log:\n" + read_log(store).to_string(index=False))
        return 0
    if args.restore:
        try:
            saved = restore(store, args.restore, who=args.by, note=args.note)
        except ValueError as err:
            print(err, file=sys.stderr)
            return 1
        print(f"已恢复 {args.restore}；之前的数据已备份为 {saved}。 Restored; previous store kept as {saved}.")
        return 0
    if args.incoming:
        for name, outcome in process_incoming(store, who=args.by):
            print(f"{outcome}: {name}")
        return 0
    if catalogue_mode:
        return _change_measures(args.measures, args.remove_measure, store, args)
    if args.print_register is not None:
        if args.print_register not in EDITABLE:
            print(f"登记表 registers: {', '.join(EDITABLE)}", file=sys.stderr)
            return 2
        # With a BOM, so that Excel on Chinese Windows opens it as UTF-8.
        sys.stdout.buffer.write(store.register(args.print_register).to_csv(index=False).encode("utf-8-sig"))
        return 0
    if args.register is not None:
        return _replace_register(args.register[0], Path(args.register[1]), store, args)
    path: Path = args.file
    if not path.is_file():
        print(f"找不到文件 file not found: {path}", file=sys.stderr)
        return 2
    source = None
    if args.source is not None:
        try:
            source = _source_for(args.source, path, store)
        except (OSError, UnreadableDocument) as err:
            print(err, file=sys.stderr)
            return 1 if isinstance(err, UnreadableDocument) else 2
    try:
        prepared = prepare(path.read_bytes(), path.name, store, source)
    except Refused as refused:
        print(f"文件被拒绝，数据未改动。 Refused; the store is unchanged. ({path.name})", file=sys.stderr)
        print(format_report(refused.report), file=sys.stderr, end="")
        return 1
    print(f"编码 encoding: {prepared.encoding}；{len(prepared.rows)} 行 rows")
    for note in prepared.notes:
        print(note)
    if not prepared.report.empty:
        print(format_report(prepared.report), end="")
    print(prepared.diff.summary())
    if args.dry_run:
        print("试运行，未写入。 Dry run: nothing written.")
        return 0
    change = submit if approval_required() else apply
    try:
        saved = change(prepared, store, who=args.by, filename=path.name, note=args.note, yes=args.yes)
    except Refused as refused:
        print(f"文件被拒绝，数据未改动。 Refused; the store is unchanged. ({path.name})", file=sys.stderr)
        print(format_report(refused.report), file=sys.stderr, end="")
        return 1
    except ValueError as err:
        print(err, file=sys.stderr)
        return 1
    if not saved:
        print("没有变化。 Nothing changed.")
    elif change is submit:
        print(f"已提交审核（草稿 {saved}），审核人在“数据更新”页发布后才显示。 Submitted as draft {saved}.")
    else:
        print(f"已写入；之前的数据备份为 {saved}。 Applied.")
    if saved and source is not None:
        print(f"原文已保存并登记为 {source.name}。 The document is kept and registered as {source.name}.")
    return 0


def _replace_register(name: str, path: Path, store: Store, args: argparse.Namespace) -> int:
    if not path.is_file():
        print(f"找不到文件 file not found: {path}", file=sys.stderr)
        return 2
    data = path.read_bytes()
    try:
        frame = check_register(name, data, path.name, store)
    except RegisterRefused as refused:
        print(f"登记表被拒绝，数据未改动。 Refused; the store is unchanged. ({path.name})", file=sys.stderr)
        print(format_report(refused.report), file=sys.stderr, end="")
        return 1
    if args.dry_run:
        print(f"登记表 {name} 校验通过，共 {len(frame)} 行；试运行，未写入。 Checked; dry run: nothing written.")
        return 0
    replace_register(name, frame, store, who=args.by, filename=path.name, data=data)
    print(f"已替换登记表 {name}（{len(frame)} 行）。 Register {name} replaced ({len(frame)} rows).")
    return 0


def _source_for(document: Path, path: Path, store: Store) -> Source:
    """Return the document given with a batch file: of the batch it names, else of the file's only batch."""
    text, parsed = document_of(document.read_bytes(), document.name, store.areas())
    batch = parsed.batch
    if batch is None:
        try:
            named = batches_of(normalise(read_table(path.read_bytes(), path.name).frame, store.catalogue(), {})[0])
        except ReadError:
            named = []
        batch = named[0] if len(named) == 1 else None
    if batch is None:
        raise UnreadableDocument(
            f"{document.name}：原文没有写明“第×批”，文件也不止一批。 Neither the document nor the file names one batch."
        )
    return source_of(text, parsed, document.name, batch)


def _change_measures(path: Path | None, remove: list[str], store: Store, args: argparse.Namespace) -> int:
    if path is not None and not path.is_file():
        print(f"找不到文件 file not found: {path}", file=sys.stderr)
        return 2
    name = path.name if path is not None else "--remove-measure"
    try:
        change = prepare_measures(path.read_bytes() if path is not None else None, name, store, remove)
    except Refused as refused:
        print(f"指标目录未改动。 Refused; the catalogue is unchanged. ({name})", file=sys.stderr)
        print(format_report(refused.report), file=sys.stderr, end="")
        return 1
    print(change.summary())
    if args.dry_run:
        print("试运行，未写入。 Dry run: nothing written.")
        return 0
    try:
        saved = apply_measures(change, store, who=args.by, filename=name, note=args.note)
    except Refused as refused:
        print(f"指标目录未改动。 Refused; the catalogue is unchanged. ({name})", file=sys.stderr)
        print(format_report(refused.report), file=sys.stderr, end="")
        return 1
    print("没有变化。 Nothing changed." if change.empty else f"已写入；之前的目录备份为 {saved or '—'}。 Applied.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
