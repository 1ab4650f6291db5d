"""Replace a register (areas, batches, categories, providers) from a file staff edited, after a check: in the
database store this is the one way to correct a batch's English title or a department's English name.

    python -m loaders.ingest --print-register batches > 批次登记.csv      (edit it in Excel, then)
    python -m loaders.ingest --register batches 批次登记.csv

The file keeps the register's columns; every key the table uses stays (a batch, area or category of its rows);
keys are unique and filled. The previous register is in the change log's line, by its SHA-256, and the store's
backups keep the table as it was.
"""

from __future__ import annotations

import hashlib

import pandas as pd

from loaders.read import ReadError, read_table
from loaders.schema import has_errors, issue, make_report
from loaders.stores import Store

# Each register staff may replace, with its key column and the table's column that uses the key.
EDITABLE = {"areas": ("area", "area"), "batches": ("batch", "batch"), "categories": ("category", "category")}
EDITABLE |= {"providers": ("provider", "")}


class RegisterRefused(ValueError):
    """A register file that does not pass; `report` says why, row by row."""

    def __init__(self, report: pd.DataFrame) -> None:
        super().__init__("refused")
        self.report = report


def check_register(name: str, data: bytes, filename: str, store: Store) -> pd.DataFrame:
    """Return a register file's cells, checked against the register it replaces and the table; raise
    RegisterRefused with the report otherwise."""
    if name not in EDITABLE:
        raise RegisterRefused(make_report([issue(None, None, name, "register-unknown", "、".join(EDITABLE))]))
    try:
        frame = read_table(data, filename).frame.astype(str).apply(lambda column: column.str.strip())
    except ReadError as err:
        raise RegisterRefused(make_report([issue(None, None, filename, err.code, str(err.__cause__ or ""))])) from err
    key, used_by = EDITABLE[name]
    current = store.register(name)
    entries = []
    missing = [column for column in current.columns if column not in frame.columns]
    extra = [column for column in frame.columns if column not in current.columns]
    if missing or extra:
        detail = f"应为 expected {', '.join(current.columns)}"
        entries.append(issue(None, None, ", ".join(missing + extra), "register-columns", detail))
        raise RegisterRefused(make_report(entries))
    for index, value in frame[key].items():
        if not value or value == "nan":
            entries.append(issue(int(str(index)), key, value, "register-key-missing"))
        elif name == "batches" and not value.isdigit():
            entries.append(issue(int(str(index)), key, value, "register-key-missing", "批次须为整数 a whole number"))
    for index in frame.index[frame[key].duplicated()]:
        entries.append(issue(int(str(index)), key, frame.at[index, key], "register-duplicate"))
    if used_by:
        in_use = sorted(set(store.current().cells[used_by].astype(str)) - set(frame[key]))
        entries += [issue(None, key, value, "register-key-in-use") for value in in_use]
    report = make_report(entries)
    if has_errors(report):
        raise RegisterRefused(report)
    return frame[list(current.columns)].replace("nan", "")


def replace_register(name: str, frame: pd.DataFrame, store: Store, *, who: str, filename: str, data: bytes) -> None:
    """Make a checked file the register, in one change, and log it."""
    with store.changing() as change:
        change.write_register(name, frame)
        change.append_log(
            {
                "time": f"{change.now():%Y-%m-%d %H:%M:%S}",
                "who": who,
                "action": "register",
                "file": filename,
                "sha256": hashlib.sha256(data).hexdigest(),
                "note": f"{name}: {len(frame)} 行 rows",
            }
        )
