"""Read the store (data/metrics.csv) and its registers into typed frames ready for the app."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta, timezone
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from loaders.measures import Catalogue, fill_measures, load_catalogue
from loaders.schema import (
    COLUMN_NAMES,
    INDICATORS,
    KINDS,
    PHASES,
    SCOPES,
    SECTIONS,
    UNITS,
    first_problem,
    has_errors,
    make_report,
    validate_metrics,
    with_optional_columns,
)

# Times shown, exported or written into backups and logs are Beijing time.
BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")
DATA_DIR = Path(__file__).resolve().parent.parent / "data"
METRICS_PATH = DATA_DIR / "metrics.csv"
AREAS_PATH = DATA_DIR / "areas.csv"
BATCHES_PATH = DATA_DIR / "batches.csv"
CATEGORIES_PATH = DATA_DIR / "categories.csv"


class InvalidMetricsError(ValueError):
    """The store failed validation; `report` holds every problem found."""

    def __init__(self, path: object, report: pd.DataFrame) -> None:
        super().__init__(first_problem(path, report[report["severity"] == "error"]))
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


def file_digest(path: Path) -> str:
    """Return a file's SHA-256, read in chunks so that a large store is never held twice in memory."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def load_areas(path: Path = AREAS_PATH) -> pd.DataFrame:
    """Return the register of areas (area, area_en, color) in display order."""
    return read_raw_csv(path)


def history_dir(store: Path) -> Path:
    """Return the folder of backups and the change log beside the store."""
    return store.parent / "history"


# The change log's actions that change the table itself.
DATA_ACTIONS = ("ingest", "restore", "publish", "restore-archive")


def last_changed(store: Path) -> str:
    """Return when the store's data last changed, as shown (Beijing time): the last import or restore in
    its change log, else the latest revision date its register of batches records for the data as
    shipped; never a file's modification time, which a checkout sets to the moment of cloning."""
    log = history_dir(store) / "log.csv"
    entries = read_raw_csv(log) if log.exists() else pd.DataFrame(columns=["time", "action"])
    return changed_at(entries, read_raw_csv(beside(store, "batches.csv")))


def changed_at(log: pd.DataFrame, batches: pd.DataFrame) -> str:
    """Return the time of the last import or restore in a change log, else the latest revision date of a
    register of batches (see last_changed)."""
    times = log.loc[log["action"].isin(DATA_ACTIONS), "time"]
    if not times.empty:
        return str(max(times))[:16]
    revised = [str(date) for date in batches.get("revised", pd.Series(dtype=str)) if str(date).strip()]
    return max(revised) if revised else ""


def load_categories(path: Path = CATEGORIES_PATH) -> pd.DataFrame:
    """Return the register of categories (category, category_en) in document order; a new batch's new
    categories are added to it with no English name until one is written in."""
    return read_raw_csv(path) if path.exists() else pd.DataFrame(columns=["category", "category_en"])


# The registers that name the data's places and groups in English: file, the name column, the English one.
NAME_REGISTERS = (
    ("areas.csv", "area", "area_en"),
    ("categories.csv", "category", "category_en"),
    ("providers.csv", "provider", "provider_en"),
)


def english_names(store: Path) -> dict[str, str]:
    """Return the English name of each area, category and providing department the store's registers name
    in English (the document's name → the English one); a name with no English one is left out."""
    paths = {register: beside(store, register) for register, _, _ in NAME_REGISTERS}
    return names_in(lambda register: read_raw_csv(paths[register]) if paths[register].exists() else None)


def names_in(read: Callable[[str], pd.DataFrame | None]) -> dict[str, str]:
    """Return the English names the registers give, each register read by its file name (None if absent)."""
    names: dict[str, str] = {}
    for register, column, english in NAME_REGISTERS:
        frame = read(register)
        if frame is not None:
            names |= {
                str(c): str(e).strip() for c, e in zip(frame[column], frame[english], strict=True) if str(e).strip()
            }
    return names


def load_batches(path: Path = BATCHES_PATH) -> pd.DataFrame:
    """Return the register of batches (batch, title, title_en, doc_no, published, source_file, revised: the date
    the shipped data of the batch was last revised), batch as an integer."""
    return typed_batches(read_raw_csv(path))


def typed_batches(batches: pd.DataFrame) -> pd.DataFrame:
    """Return a register of batches' text cells with batch as an integer, in batch order."""
    return batches.astype({"batch": "int64"}).sort_values("batch", ignore_index=True)


def _ordered(values: pd.Series, order: list[str]) -> pd.Categorical:
    """Return values as categories: `order` first, then other values as they first appear.

    Works on text or on a categorical of any category order, in which case only its codes are touched."""
    known = set(order)
    extra = [v for v in _as_they_appear(values) if v not in known]
    return pd.Categorical(values, categories=[*order, *extra], ordered=True)


def _as_they_appear(values: pd.Series) -> np.ndarray:
    """Return the distinct values, missing ones left out, in order of first appearance."""
    return np.asarray(pd.factorize(values)[1], dtype=object)


# Text that many rows share (a case's title, a sentence with several figures) is kept once per value.
SHARED_TEXT = (
    "unit",
    "provider",
    "unit_std",
    "case_title",
    "case_title_en",
    "source_quote",
    "qualifier",
    "as_of",
    "part_of",
    "measure",
)
# Bump when the typed copy's columns or dtypes change, so that no older copy is read.
CACHE_FORMAT = 7


def type_metrics(raw: pd.DataFrame, areas: list[str]) -> pd.DataFrame:
    """Return a validated raw table with its dtypes, categoricals in document order, value_std and unit_std."""
    frame = with_optional_columns(raw).replace("", pd.NA).reset_index(drop=True)
    frame = frame.astype(
        {
            "batch": "int64",
            "case_no": "int64",
            "value": "float64",
            "value_high": "float64",
        }
    )
    for column in ("fact_id", "metric", "metric_en", "value_text"):
        frame[column] = frame[column].astype("string")
    units = [UNITS.get(str(u)) for u in frame["unit"]]
    factor = pd.Series([np.nan if u is None else u.factor for u in units], index=frame.index, dtype="float64")
    frame["unit_std"] = [str(w) if u is None else u.standard for u, w in zip(units, frame["unit"], strict=True)]
    # Unknown units keep value_std empty: they are shown as written, never converted or summed.
    frame["value_std"] = frame["value"] * factor
    frame["value_high_std"] = frame["value_high"] * factor
    # The measure of the whole a part belongs to (a whole is always a fact of the same file): a part is
    # left out of its whole's measure's totals only; a part of another measure's whole counts in its own.
    measure_of = pd.Series(frame["measure"].to_numpy(), index=frame["fact_id"].to_numpy())
    frame["whole_measure"] = frame["part_of"].map(measure_of)
    return categorize(frame[[*COLUMN_NAMES, *DERIVED]], areas)


# Columns computed when the table is typed: standard values and unit, and each part's whole's measure.
DERIVED = ("value_std", "value_high_std", "unit_std", "whole_measure")


def categorize(frame: pd.DataFrame, areas: list[str]) -> pd.DataFrame:
    """Return the table with its categorical columns in order: categories as the documents list them,
    areas as the register, codes as their lists, shared text as it first appears. The result depends
    only on the values, so a table typed in pieces equals one typed at once."""
    frame = frame.copy()
    for column in frame.select_dtypes("category"):
        frame[column] = frame[column].cat.remove_unused_categories()
    doc_order = np.lexsort((frame["case_no"].to_numpy(), frame["batch"].to_numpy()))
    frame["category"] = _ordered(frame["category"], list(_as_they_appear(frame["category"].iloc[doc_order])))
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
        frame[column] = pd.Categorical(frame[column], categories=_as_they_appear(frame[column]))
    # The same categories as measure, so that the two compare by their codes.
    frame["whole_measure"] = pd.Categorical(frame["whole_measure"], categories=frame["measure"].cat.categories)
    return frame


def replace_batches(typed: pd.DataFrame, rows: pd.DataFrame, areas: list[str]) -> pd.DataFrame:
    """Return a typed store sorted by batch with the batches of `rows` (raw cells, in store order)
    replaced or added. Only the new rows are typed: the rest is sliced from the typed store as it is."""
    new = type_metrics(rows, areas)
    groups = {int(batch): new[new["batch"] == batch] for batch in new["batch"].unique()}
    pieces = [
        typed.iloc[piece[0] : piece[1]] if isinstance(piece, tuple) else groups[piece]
        for piece in merge_plan(typed["batch"].to_numpy(), list(groups))
    ]
    return categorize(pd.concat(_common_categories(pieces), ignore_index=True), areas)


def _common_categories(pieces: list[pd.DataFrame]) -> list[pd.DataFrame]:
    # Tables whose categories differ would be concatenated as plain objects; give them the same ones.
    unions = {
        column: pd.unique(np.concatenate([piece[column].cat.categories.to_numpy(object) for piece in pieces]))
        for column in pieces[0].select_dtypes("category")
    }
    return [
        piece.assign(**{str(column): piece[column].cat.set_categories(union) for column, union in unions.items()})
        for piece in pieces
    ]


def merge_plan(old: np.ndarray, new: list[int]) -> list[tuple[int, int] | int]:
    """Return how a store sorted by batch (`old`: each row's batch) takes whole new batches: ranges
    (start, end) of old rows to keep, in order, with each new batch number where it belongs."""
    plan: list[tuple[int, int] | int] = []
    start = 0
    for batch in sorted(new):
        low, high = int(np.searchsorted(old, batch, "left")), int(np.searchsorted(old, batch, "right"))
        if low > start:
            plan.append((start, low))
        plan.append(int(batch))
        start = max(start, high)
    if start < len(old):
        plan.append((start, len(old)))
    return plan


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


def read_typed_copy(copy: Path) -> pd.DataFrame:
    """Return a typed copy (see cache_path); OSError or ValueError if there is none or it is damaged."""
    # One chunk per column: taking rows out of Arrow text split in chunks costs 2–3× more, on every click.
    frame = pq.read_table(copy).combine_chunks().to_pandas()
    # A column with no value at all comes back from Parquet as objects, not categories.
    return frame.astype({c: "category" for c in SHARED_TEXT if frame[c].dtype == object})


def store_areas(path: Path) -> list[str]:
    """Return the area names a store is checked against: its own register, else the shipped one."""
    return load_areas(beside(path, "areas.csv"))["area"].tolist()


def store_catalogue(path: Path) -> Catalogue:
    """Return the metric catalogue a store is checked against: its own, else the shipped one."""
    return load_catalogue(beside(path, "measures.csv"))


def read_metrics(path: Path = METRICS_PATH) -> LoadResult:
    """Return the typed store and its report; raise InvalidMetricsError carrying the report if it has errors.

    The store is validated once per change of the file: a valid file's typed copy is kept (see
    write_cache) and read instead while the file's size and modification time stay the same. Its
    measures are checked against the catalogue on every read, since the catalogue changes apart.
    A store written before measures existed gets each row's family catch-all (see fill_measures).
    """
    catalogue = store_catalogue(path)
    cached = cache_path(path)
    try:
        report = pd.read_csv(cached.with_suffix(".report.csv"), dtype={"row": "Int64"})
        frame = read_typed_copy(cached)
    except (OSError, ValueError):
        pass  # no copy of this state, or a damaged one: read the file itself
    else:
        measures = make_report(catalogue.issues(frame))
        if has_errors(measures):
            raise InvalidMetricsError(path, measures)
        return LoadResult(frame, report.astype(object).where(report.notna(), None))
    result = check_and_type(read_raw_csv(path), store_areas(path), catalogue, path)
    write_cache(path, result)
    return result


def check_and_type(raw: pd.DataFrame, areas: list[str], catalogue: Catalogue, where: object) -> LoadResult:
    """Return a store's text cells validated and typed; InvalidMetricsError naming `where` if they fail.
    A store written before measures existed gets each row's family catch-all (see fill_measures)."""
    raw = fill_measures(raw)
    report = validate_metrics(raw, areas, catalogue)
    if has_errors(report):
        raise InvalidMetricsError(where, report)
    return LoadResult(type_metrics(raw, areas), report)


# The store as ingest writes it: this header, UTF-8 without a BOM, LF line ends, rows sorted by batch.
HEADER = (",".join(COLUMN_NAMES) + "\n").encode()


@dataclass(frozen=True)
class Layout:
    """Where each row of one state of a store file lies, and its batch (the caller keeps the state).

    A change to some batches can then copy the other batches' bytes as they are, instead of parsing
    and rewriting the whole file."""

    ends: np.ndarray  # the byte offset just past each line: the header's, then each row's
    batch: np.ndarray  # each row's batch, from the typed copy of this very state

    def span(self, batch: int) -> tuple[int, int]:
        """Return the byte range of a batch's rows (empty if the file has none)."""
        low, high = np.searchsorted(self.batch, batch, "left"), np.searchsorted(self.batch, batch, "right")
        return int(self.ends[low]), int(self.ends[high])

    def spans(self, plan: list[tuple[int, int] | int]) -> Iterator[tuple[int, int] | int]:
        """Return a merge plan (see merge_plan) with its row ranges as byte ranges of the file."""
        for piece in plan:
            yield (int(self.ends[piece[0]]), int(self.ends[piece[1]])) if isinstance(piece, tuple) else piece


def line_ends(path: Path, chunk: int = 1 << 26) -> tuple[np.ndarray, bool]:
    """Return the byte offset just past each line of a CSV file, and whether it holds a carriage return.

    A line break inside a quoted cell follows an odd number of quotes (an escaped quote is two), so
    only breaks after an even number end a line. Read in chunks, so that memory stays flat."""
    ends, quotes, offset, carriage = [], 0, 0, False
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            data = np.frombuffer(block, np.uint8)
            quote_at, break_at = np.flatnonzero(data == ord('"')), np.flatnonzero(data == ord("\n"))
            before = np.searchsorted(quote_at, break_at) + quotes
            ends.append(break_at[before % 2 == 0] + offset + 1)
            carriage = carriage or bool((data == ord("\r")).any())
            quotes, offset = quotes + len(quote_at), offset + len(block)
    return (np.concatenate(ends) if ends else np.zeros(0, np.int64)), carriage


def find_layout(path: Path) -> Layout | None:
    """Return the layout of a store file in the form ingest writes, from its typed copy; None when the
    file is in another form (edited by hand, say) or has no typed copy, and must be read whole."""
    state = file_state(path)
    try:
        batch = pd.read_parquet(cache_path(path), columns=["batch"])["batch"].to_numpy()
        with open(path, "rb") as handle:
            header = handle.readline()
    except (OSError, ValueError):
        return None
    if header != HEADER or (len(batch) and (np.diff(batch) < 0).any()):
        return None
    ends, carriage = line_ends(path)
    if state is None or carriage or len(ends) != len(batch) + 1 or ends[-1] != state[0]:
        return None
    layout = Layout(ends, batch)
    # Each batch's first row must carry its batch in its fact id, or the copy is not of this file.
    firsts = np.flatnonzero(np.r_[True, batch[1:] != batch[:-1]]) if len(batch) else np.zeros(0, np.int64)
    with open(path, "rb") as handle:
        for row in firsts:
            handle.seek(int(ends[row]))
            if not handle.read(24).startswith(f"{batch[row]}-".encode()):
                return None
    return layout if file_state(path) == state else None


def file_state(path: Path) -> tuple[int, int] | None:
    """Return a file's size and modification time, which change whenever it is rewritten (None if missing)."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return stat.st_size, stat.st_mtime_ns


def load_metrics(path: Path = METRICS_PATH) -> pd.DataFrame:
    """Return the typed, validated store (see read_metrics for the report)."""
    return read_metrics(path).frame
