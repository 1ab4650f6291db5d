"""Read the store (data/metrics.csv) and its registers into typed frames ready for the app."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta, timezone
from pathlib import Path

import numpy as np
import pandas as pd

from loaders.schema import (
    COLUMN_NAMES,
    INDICATORS,
    KINDS,
    PHASES,
    SCOPES,
    SECTIONS,
    UNITS,
    has_errors,
    validate_metrics,
)

# Times shown, exported or written into backups and logs are Beijing time.
BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")
DATA_DIR = Path(__file__).resolve().parent.parent / "data"
METRICS_PATH = DATA_DIR / "metrics.csv"
AREAS_PATH = DATA_DIR / "areas.csv"
BATCHES_PATH = DATA_DIR / "batches.csv"


class InvalidMetricsError(ValueError):
    """The store failed validation; `report` holds every problem found."""

    def __init__(self, path: Path, report: pd.DataFrame) -> None:
        errors = report[report["severity"] == "error"]
        first = errors.iloc[0]
        super().__init__(
            f"{path}：{len(errors)} 处错误，例如第 {first['row']} 行 {first['column']}：{first['message']}"
        )
        self.report = report


@dataclass(frozen=True)
class LoadResult:
    """The typed table and the validation report it was read with (warnings only when it loaded)."""

    frame: pd.DataFrame
    report: pd.DataFrame


def read_raw_csv(path: Path) -> pd.DataFrame:
    """Return a UTF-8 CSV's cells as strings, nothing inferred, empty cells as empty strings."""
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def beside(store: Path, register: str) -> Path:
    """Return a register (areas.csv, batches.csv) kept beside a store, else the shipped one."""
    path = store.parent / register
    return path if path.exists() else DATA_DIR / register


def load_areas(path: Path = AREAS_PATH) -> pd.DataFrame:
    """Return the register of areas (area, area_en, color) in display order."""
    return read_raw_csv(path)


def load_batches(path: Path = BATCHES_PATH) -> pd.DataFrame:
    """Return the register of batches (batch, title, doc_no, published, source_file), batch as an integer."""
    batches = read_raw_csv(path)
    return batches.astype({"batch": "int64"}).sort_values("batch", ignore_index=True)


def _ordered(values: pd.Series, order: list[str]) -> pd.Categorical:
    extra = [v for v in pd.unique(values.dropna()) if v not in order]
    return pd.Categorical(values, categories=[*order, *extra], ordered=True)


# Text that many rows share (a case's title, a sentence with several figures) is kept once per value.
SHARED_TEXT = ("unit", "provider", "unit_std", "case_title", "source_quote")
# Bump when the typed copy's columns or dtypes change, so that no older copy is read.
CACHE_FORMAT = 2


def type_metrics(raw: pd.DataFrame, areas: list[str]) -> pd.DataFrame:
    """Return a validated raw table with its dtypes, categoricals in document order, value_std and unit_std."""
    frame = raw.replace("", pd.NA).reset_index(drop=True)
    frame = frame.astype(
        {
            "batch": "int64",
            "case_no": "int64",
            "value": "float64",
            "value_high": "float64",
        }
    )
    for column in ("fact_id", "metric", "part_of", "qualifier", "value_text", "as_of"):
        frame[column] = frame[column].astype("string")
    units = [UNITS.get(str(u)) for u in frame["unit"]]
    factor = pd.Series([np.nan if u is None else u.factor for u in units], index=frame.index, dtype="float64")
    frame["unit_std"] = [str(w) if u is None else u.standard for u, w in zip(units, frame["unit"], strict=True)]
    # Unknown units keep value_std empty: they are shown as written, never converted or summed.
    frame["value_std"] = frame["value"] * factor
    frame["value_high_std"] = frame["value_high"] * factor
    return categorize(frame[[*COLUMN_NAMES, "value_std", "value_high_std", "unit_std"]], areas)


def categorize(frame: pd.DataFrame, areas: list[str]) -> pd.DataFrame:
    """Return the table with its categorical columns in order: categories as the documents list them,
    areas as the register, codes as their lists. Works on text or on categoricals of another table."""
    frame = frame.copy()
    categorical = ("category", "area", "indicator", "kind", "scope", "phase", "section", *SHARED_TEXT)
    for column in categorical:
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    doc_order = frame.sort_values(["batch", "case_no"], kind="stable")
    frame["category"] = _ordered(frame["category"], list(pd.unique(doc_order["category"].dropna())))
    frame["area"] = _ordered(frame["area"], areas)
    for column, codes in (
        ("indicator", INDICATORS),
        ("kind", KINDS),
        ("scope", SCOPES),
        ("phase", PHASES),
        ("section", SECTIONS),
    ):
        frame[column] = _ordered(frame[column], list(codes))
    for column in SHARED_TEXT:
        frame[column] = frame[column].astype("category")
    return frame


def replace_batches(typed: pd.DataFrame, rows: pd.DataFrame, order: pd.Series, areas: list[str]) -> pd.DataFrame:
    """Return a typed store with the batches of `rows` (raw cells) replaced, rows in `order` of fact ids.

    Only the new rows are typed: the rest comes from the typed store as it is.
    """
    batches = set(rows["batch"].astype(int))
    kept = typed[~typed["batch"].isin(batches)]
    combined = pd.concat([kept.astype({c: object for c in kept.select_dtypes("category")}), type_metrics(rows, areas)])
    combined = combined.set_index("fact_id").loc[order.to_numpy()].reset_index()
    return categorize(combined, areas)


def cache_path(path: Path) -> Path:
    """Return where the typed copy of a store file of this exact size and modification time is kept."""
    stat = path.stat()
    return path.parent / ".cache" / f"{path.stem}-{stat.st_size}-{stat.st_mtime_ns}-v{CACHE_FORMAT}.parquet"


def write_cache(path: Path, result: LoadResult) -> None:
    """Keep the typed, validated store as Parquet beside it, so that the next load skips parsing and
    validation; older copies go. A store folder that cannot be written just goes without the copy."""
    target = cache_path(path)
    try:
        target.parent.mkdir(exist_ok=True)
        temporary = target.with_suffix(f".{os.getpid()}.tmp")
        result.frame.to_parquet(temporary, index=False)
        result.report.to_csv(target.with_suffix(".report.csv"), index=False)
        os.replace(temporary, target)
        for old in target.parent.glob(f"{path.stem}-*"):
            if not old.name.startswith(target.stem):
                old.unlink(missing_ok=True)
    except OSError:
        return


def read_metrics(path: Path = METRICS_PATH, areas_path: Path = AREAS_PATH) -> LoadResult:
    """Return the typed store and its report; raise InvalidMetricsError carrying the report if it has errors.

    The store is validated once per change of the file: a valid file's typed copy is kept (see
    write_cache) and read instead while the file's size and modification time stay the same.
    """
    cached = cache_path(path)
    if cached.exists():
        try:
            report = pd.read_csv(cached.with_suffix(".report.csv"), dtype={"row": "Int64"})
            return LoadResult(pd.read_parquet(cached), report.astype(object).where(report.notna(), None))
        except (OSError, ValueError):
            pass  # a damaged copy: read the file itself
    raw = read_raw_csv(path)
    areas = load_areas(areas_path)["area"].tolist()
    report = validate_metrics(raw, areas)
    if has_errors(report):
        raise InvalidMetricsError(path, report)
    result = LoadResult(type_metrics(raw, areas), report)
    write_cache(path, result)
    return result


def load_metrics(path: Path = METRICS_PATH) -> pd.DataFrame:
    """Return the typed, validated store (see read_metrics for the report)."""
    return read_metrics(path).frame
