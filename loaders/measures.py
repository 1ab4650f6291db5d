"""The metric catalogue (指标口径, data/measures.csv): what each measure counts, its unit, whether it adds.

Only figures of one measure are ever added. A measure belongs to one indicator family and is added in
one unit; a measure marked non-additive (a rate, a duration, a cap, a single firm's record) is never
summed. Each family also has a catch-all measure, `<indicator>_unclassified`, made here rather than
written in the file: a store written before measures existed gets it on load, and it never adds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from loaders.schema import INDICATORS, UNITS, blank_to_na, excel_row, first_problem, issue, make_report

MEASURES_PATH = Path(__file__).resolve().parent.parent / "data" / "measures.csv"
MEASURE_COLUMNS = (
    "measure",
    "indicator",
    "name_zh",
    "name_en",
    "unit",
    "additive",
    "headline",
    "definition_zh",
    "definition_en",
)
MEASURE_REQUIRED = frozenset(c for c in MEASURE_COLUMNS if c != "headline")
UNCLASSIFIED = "_unclassified"
CODE = re.compile(r"^[a-z][a-z0-9_]*$")
TRUE, FALSE = "true", "false"
# How a spreadsheet may write the additive flag.
FLAGS = {"true": True, "false": False, "是": True, "否": False, "1": True, "0": False}


def catch_all(indicator: str) -> str:
    """Return the code of an indicator family's catch-all measure (enterprises_unclassified)."""
    return f"{indicator}{UNCLASSIFIED}"


def is_catch_all(measure: str) -> bool:
    """Return whether a measure is a family's catch-all, which takes any unit and never adds."""
    return measure.endswith(UNCLASSIFIED)


def _catch_alls() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "measure": catch_all(code),
                "indicator": code,
                "name_zh": f"{zh}（未分类口径）",
                "name_en": f"{en} (no measure yet)",
                "unit": "",
                "additive": False,
                "headline": pd.NA,
                "definition_zh": "尚未归入指标目录中具体口径的数据；从不合计。重新导入带有指标口径的批次文件即可归类。",
                "definition_en": "Figures not yet given a measure of the catalogue; never added. "
                "Re-import the batch with measures to classify them.",
            }
            for code, (zh, en) in INDICATORS.items()
        ]
    )


@dataclass(frozen=True)
class Catalogue:
    """The measures, indexed by code in file order, followed by each family's catch-all."""

    table: pd.DataFrame

    @cached_property
    def codes(self) -> list[str]:
        """Return every measure's code, in catalogue order."""
        return [str(code) for code in self.table.index]

    @cached_property
    def additive(self) -> frozenset[str]:
        """Return the codes of the measures whose figures may be added."""
        return frozenset(str(code) for code in self.table.index[self.table["additive"].astype(bool)])

    @cached_property
    def headline(self) -> list[str]:
        """Return the overview's headline measures, in their places."""
        placed = self.table["headline"].dropna().astype(int).sort_values(kind="stable")
        return [str(code) for code in placed.index]

    def family(self, indicator: str) -> list[str]:
        """Return the measures of one indicator family, in catalogue order."""
        return [str(code) for code in self.table.index[self.table["indicator"] == indicator]]

    def name(self, measure: str, lang: str) -> str:
        """Return a measure's name in the language (its code when the catalogue does not know it)."""
        if measure not in self.table.index:
            return measure
        return str(self.table.at[measure, "name_en" if lang == "en" else "name_zh"])

    def names(self, lang: str) -> dict[str, str]:
        """Return every measure's name in the language, by code: for labelling many rows at once."""
        return dict(zip(self.codes, self.table["name_en" if lang == "en" else "name_zh"].astype(str), strict=True))

    def definition(self, measure: str, lang: str) -> str:
        """Return what a measure counts and does not, in the language."""
        if measure not in self.table.index:
            return ""
        return str(self.table.at[measure, "definition_en" if lang == "en" else "definition_zh"])

    def unit(self, measure: str) -> str:
        """Return the unit a measure's figures are added in, as the catalogue writes it."""
        return str(self.table.at[measure, "unit"])

    def standard_unit(self, measure: str) -> str:
        """Return the standard unit a measure's figures are converted to before they are added."""
        unit = UNITS.get(self.unit(measure))
        return unit.standard if unit else ""

    @cached_property
    def lookup(self) -> dict[str, str]:
        """Return how a file may name a measure: its code, Chinese name or English name, to its code."""
        names: dict[str, str] = {}
        for code, row in self.table.iterrows():
            for name in (str(code), str(row["name_zh"]), str(row["name_en"]).casefold()):
                names.setdefault(name, str(code))
        return names

    def issues(self, frame: pd.DataFrame) -> list[dict[str, object]]:
        """Return report entries for rows whose measure is unknown, of another family than the row's
        indicator, or in a unit that does not convert to the measure's. Checked once per distinct
        (measure, indicator, unit), so a large store costs little."""
        if "measure" not in frame.columns:
            return []
        columns = [c for c in ("measure", "indicator", "unit") if c in frame.columns]
        # One integer per row names its combination, from each column's codes (a categorical's own): no
        # text copy of a large store is made, and the combinations are counted, not sorted.
        key = np.zeros(len(frame), dtype=np.int64)
        decoded: list[pd.Index] = []
        for column in columns:
            values = frame[column]
            if isinstance(values.dtype, pd.CategoricalDtype):
                positions, distinct = values.cat.codes.to_numpy(), values.cat.categories
            else:
                positions, distinct = pd.factorize(values)
            key = key * (len(distinct) + 1) + (positions + 1)
            decoded.append(pd.Index(distinct))
        size = int(key.max()) + 1 if len(key) else 0
        combos = np.flatnonzero(np.bincount(key, minlength=size)) if size <= 50_000_000 else np.unique(key)
        entries = []
        for combo in combos:
            values_of: dict[str, str] = {}
            rest = int(combo)
            for column, distinct in zip(reversed(columns), reversed(decoded), strict=True):
                rest, position = divmod(rest, len(distinct) + 1)
                values_of[column] = _text(distinct[position - 1]) if position else ""
            found = self._combo_issue(values_of)
            if found is None:
                continue
            column, code, detail = found
            for row in np.flatnonzero(key == combo):
                entries.append(issue(int(row), column, values_of[column], code, detail))
        return entries

    def _combo_issue(self, values: dict[str, str]) -> tuple[str, str, str] | None:
        measure = values["measure"]
        if not measure:
            return None  # an empty cell is reported as missing by the schema
        if measure not in self.table.index:
            known = "、".join(f"{code}（{self.name(code, 'zh')}）" for code in self.codes if not is_catch_all(code))
            return "measure", "unknown-measure", f"指标目录 data/measures.csv 中的口径：{known}"
        family = str(self.table.at[measure, "indicator"])
        indicator = values.get("indicator", "")
        if indicator and indicator in INDICATORS and indicator != family:
            return "measure", "measure-family-mismatch", f"{measure} 属于指标类别 {family}，本行为 {indicator}"
        unit = values.get("unit", "")
        if is_catch_all(measure) or not unit:
            return None
        given, wanted = UNITS.get(unit), UNITS.get(self.unit(measure))
        if given is None or wanted is None or given.dimension != wanted.dimension:
            return "unit", "measure-unit-mismatch", f"{measure} 的单位为 {self.unit(measure)}，本行为 {unit}"
        return None


def _text(value: object) -> str:
    if isinstance(value, str):
        return value.strip()
    return "" if value is None or value is pd.NA or value != value else str(value).strip()


class InvalidCatalogueError(ValueError):
    """The catalogue failed validation; `report` holds every problem found."""

    def __init__(self, path: object, report: pd.DataFrame) -> None:
        super().__init__(first_problem(path, report))
        self.report = report


def validate_catalogue(raw: pd.DataFrame) -> pd.DataFrame:
    """Return the report of every problem of a catalogue as read (cells as text): missing or unknown
    columns, bad or reserved or repeated codes, unknown family or unit, missing names or definitions,
    a flag that is not true/false, a headline place that is not a whole number, taken twice, or given
    to a measure that does not add."""
    frame = blank_to_na(raw.reset_index(drop=True))
    entries = [
        issue(None, column, None, "missing-column", f"{column}：指标目录 data/measures.csv 的列")
        for column in MEASURE_COLUMNS
        if column not in frame.columns
    ]
    entries += [
        issue(None, str(column), None, "unknown-column", "可用列名：" + "、".join(MEASURE_COLUMNS))
        for column in frame.columns
        if column not in MEASURE_COLUMNS
    ]
    if entries:
        return make_report(entries)
    seen: dict[str, int] = {}
    places: dict[int, str] = {}
    for index, row in enumerate(frame.to_dict("records")):
        entries += _catalogue_row_issues(index, row, seen, places)
    entries += _name_issues(frame)
    return make_report(entries)


def _name_issues(frame: pd.DataFrame) -> list[dict[str, object]]:
    """A file may name a measure by its code, Chinese or English name: each must name one measure only,
    or a figure would silently go to another measure's total on its way back in."""
    entries: list[dict[str, object]] = []
    named: dict[str, tuple[str, int]] = {}
    for index, row in enumerate(frame.to_dict("records")):
        code = str(row["measure"])
        for column in ("measure", "name_zh", "name_en"):
            if pd.isna(row[column]):
                continue
            name = str(row[column]).strip()
            key = name.casefold() if column != "name_zh" else name
            owner = named.setdefault(key, (code, index))
            if owner[0] != code:
                detail = f"已是第 {excel_row(owner[1])} 行 {owner[0]} 的代码或名称"
                entries.append(issue(index, column, name, "duplicate-measure-name", detail))
    return entries


def _catalogue_row_issues(
    index: int, row: dict, seen: dict[str, int], places: dict[int, str]
) -> list[dict[str, object]]:
    entries = []
    for column in MEASURE_REQUIRED:
        if pd.isna(row[column]):
            entries.append(issue(index, column, None, "missing-value"))
    code, family, unit = row["measure"], row["indicator"], row["unit"]
    if pd.notna(code):
        if not CODE.match(str(code)):
            entries.append(issue(index, "measure", code, "bad-measure-code"))
        elif is_catch_all(str(code)):
            entries.append(issue(index, "measure", code, "reserved-measure"))
        if code in seen:
            entries.append(issue(index, "measure", code, "duplicate-measure", f"第 {excel_row(seen[code])} 行"))
        seen.setdefault(str(code), index)
    if pd.notna(family) and family not in INDICATORS:
        entries.append(issue(index, "indicator", family, "unknown-indicator", "可用：" + "、".join(INDICATORS)))
    if pd.notna(unit) and unit not in UNITS:
        entries.append(issue(index, "unit", unit, "unknown-measure-unit"))
    additive = FLAGS.get(str(row["additive"]).strip().casefold()) if pd.notna(row["additive"]) else None
    if pd.notna(row["additive"]) and additive is None:
        entries.append(issue(index, "additive", row["additive"], "bad-flag"))
    if additive and unit in UNITS and not UNITS[unit].additive:
        entries.append(issue(index, "additive", row["additive"], "additive-unit", str(unit)))
    headline = row["headline"]
    if pd.notna(headline):
        place = str(headline).strip()
        if not (place.isascii() and place.isdigit() and int(place) > 0):
            entries.append(issue(index, "headline", headline, "bad-headline"))
        elif int(place) in places:
            entries.append(issue(index, "headline", headline, "duplicate-headline", places[int(place)]))
        else:
            places[int(place)] = str(code)
        if additive is False:
            entries.append(issue(index, "headline", headline, "headline-not-additive"))
    return entries


def type_catalogue(raw: pd.DataFrame) -> Catalogue:
    """Return a validated catalogue as read, typed and indexed by code, with the catch-alls after it."""
    frame = blank_to_na(raw.reset_index(drop=True))[list(MEASURE_COLUMNS)]
    frame = frame.assign(
        additive=frame["additive"].map(lambda flag: FLAGS[str(flag).strip().casefold()]),
        headline=pd.to_numeric(frame["headline"]).astype("Int64"),
    )
    for column in ("name_zh", "name_en", "definition_zh", "definition_en", "unit", "indicator", "measure"):
        frame[column] = frame[column].astype(str)
    whole = pd.concat([frame, _catch_alls().astype({"headline": "Int64"})], ignore_index=True)
    return Catalogue(whole.set_index("measure"))


def read_catalogue_file(path: Path) -> pd.DataFrame:
    """Return a catalogue file's cells as text (a missing file reads as an empty catalogue)."""
    if not path.exists():
        return pd.DataFrame(columns=list(MEASURE_COLUMNS), dtype="object")
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def load_catalogue(path: Path = MEASURES_PATH) -> Catalogue:
    """Return the catalogue; raise InvalidCatalogueError carrying the report if it has errors."""
    raw = read_catalogue_file(path)
    report = validate_catalogue(raw)
    if not report.empty:
        raise InvalidCatalogueError(path, report)
    return type_catalogue(raw)


def fill_measures(raw: pd.DataFrame) -> pd.DataFrame:
    """Return a store's cells with a measure on every row: a store written before measures existed
    (no column, or empty cells) gets each row's family catch-all, so that it still loads."""
    if "measure" not in raw.columns:
        names = list(raw.columns)
        position = names.index("metric") + 1 if "metric" in names else len(names)
        raw = raw.copy()
        raw.insert(position, "measure", "")
    empty = raw["measure"].fillna("").astype(str).str.strip() == ""
    if not empty.any() or "indicator" not in raw.columns:
        return raw
    raw = raw.copy()
    raw.loc[empty, "measure"] = [catch_all(str(code)) for code in raw.loc[empty, "indicator"]]
    return raw


def unclassified_rows(measures: pd.Series) -> int:
    """Return how many rows still carry a catch-all measure (counted on a categorical's codes)."""
    counts = measures.value_counts(sort=False)
    return int(sum(n for code, n in counts.items() if is_catch_all(str(code))))


def used_by(frame: pd.DataFrame, codes: Iterable[str]) -> pd.DataFrame:
    """Return the rows (fact_id, measure) of a store that use any of these measures."""
    wanted = set(codes)
    return frame.loc[frame["measure"].astype(str).isin(wanted), ["fact_id", "measure"]]
