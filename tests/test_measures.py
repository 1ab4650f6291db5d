"""The metric catalogue: its own rules (one failing file each), rows checked against it, old stores, merging."""

import pandas as pd
import pytest

from loaders.ingest import merge_catalogues
from loaders.measures import (
    MEASURES_PATH,
    InvalidCatalogueError,
    catch_all,
    fill_measures,
    load_catalogue,
    read_catalogue_file,
    type_catalogue,
    validate_catalogue,
)
from loaders.schema import INDICATORS
from tests.conftest import FIXTURES

CATALOGUES = FIXTURES / "measures"


def codes(report: pd.DataFrame) -> set[str]:
    return set(report["code"])


def test_the_shipped_catalogue_and_the_valid_fixture_pass() -> None:
    for path in (MEASURES_PATH, CATALOGUES / "valid.csv"):
        report = validate_catalogue(read_catalogue_file(path))
        assert report.empty, report.to_string()


# Each file breaks one rule of the valid fixture; the report names the rule and, for a row's rule, the
# Excel row of the line (the header is row 1).
BROKEN = [
    ("missing-column.csv", "missing-column", None),
    ("unknown-column.csv", "unknown-column", None),
    ("missing-value.csv", "missing-value", 3),
    ("bad-measure-code.csv", "bad-measure-code", 3),
    ("reserved-measure.csv", "reserved-measure", 3),
    ("duplicate-measure.csv", "duplicate-measure", 5),
    ("duplicate-measure-name.csv", "duplicate-measure-name", 3),
    ("unknown-indicator.csv", "unknown-indicator", 3),
    ("unknown-measure-unit.csv", "unknown-measure-unit", 3),
    ("bad-flag.csv", "bad-flag", 3),
    ("additive-unit.csv", "additive-unit", 4),
    ("bad-headline.csv", "bad-headline", 3),
    ("duplicate-headline.csv", "duplicate-headline", 3),
    ("headline-not-additive.csv", "headline-not-additive", 4),
]


@pytest.mark.parametrize(("name", "code", "row"), BROKEN)
def test_each_broken_catalogue_is_reported_with_its_rule(name: str, code: str, row: int | None) -> None:
    report = validate_catalogue(read_catalogue_file(CATALOGUES / name))
    assert codes(report) == {code}
    if row is not None:
        assert report["row"].tolist() == [row]
    with pytest.raises(InvalidCatalogueError):
        load_catalogue(CATALOGUES / name)


def test_every_broken_rule_has_a_fixture() -> None:
    fixtures = {path.name for path in CATALOGUES.glob("*.csv")} - {"valid.csv"}
    assert fixtures == {name for name, _, _ in BROKEN}


def test_catalogue_adds_a_catch_all_per_family_that_never_adds() -> None:
    catalogue = load_catalogue(CATALOGUES / "valid.csv")
    assert catalogue.codes[:3] == ["loans_granted", "enterprises_incubated", "processing_time"]
    assert [catch_all(code) for code in INDICATORS] == catalogue.codes[3:]
    assert catalogue.additive == {"loans_granted", "enterprises_incubated"}
    assert catalogue.headline == ["loans_granted", "enterprises_incubated"]
    assert catalogue.standard_unit("loans_granted") == "万元"


def rows(*given: tuple[str, str, str]) -> pd.DataFrame:
    return pd.DataFrame(given, columns=["measure", "indicator", "unit"])


@pytest.mark.parametrize(
    ("row", "code"),
    [
        (("loans_granted", "financing", "亿元"), None),  # 亿元 converts to 万元
        (("enterprises_incubated", "enterprises", "万家"), None),
        (("financing_unclassified", "financing", "亿美元"), None),  # a catch-all takes any unit
        (("equity_raised", "financing", "亿元"), "unknown-measure"),
        (("loans_granted", "enterprises", "万元"), "measure-family-mismatch"),
        (("enterprises_incubated", "enterprises", "个"), "measure-unit-mismatch"),
        (("processing_time", "time", "个工作日"), "measure-unit-mismatch"),  # 个工作日 is not 天
        (("loans_granted", "financing", "亿美元"), "measure-unit-mismatch"),
    ],
)
def test_rows_are_checked_against_their_measure(row: tuple[str, str, str], code: str | None) -> None:
    catalogue = load_catalogue(CATALOGUES / "valid.csv")
    found = catalogue.issues(rows(("loans_granted", "financing", "万元"), row))
    assert [entry["code"] for entry in found] == ([] if code is None else [code])
    assert all(entry["row"] == 3 for entry in found)  # the second data row, in Excel's numbering


def test_unknown_measure_lists_the_known_ones() -> None:
    catalogue = load_catalogue(CATALOGUES / "valid.csv")
    [entry] = catalogue.issues(rows(("equity_raised", "financing", "亿元")))
    assert "loans_granted（发放贷款）" in str(entry["message"])
    assert "enterprises_incubated（培育企业）" in str(entry["message"])


def test_a_store_from_before_the_catalogue_gets_catch_alls() -> None:
    old = pd.DataFrame({"metric": ["贷款", "企业"], "indicator": ["financing", "enterprises"], "value": ["1", "2"]})
    filled = fill_measures(old)
    assert list(filled.columns) == ["metric", "measure", "indicator", "value"]
    assert filled["measure"].tolist() == ["financing_unclassified", "enterprises_unclassified"]
    partly = old.assign(measure=["loans_granted", ""])
    assert fill_measures(partly)["measure"].tolist() == ["loans_granted", "enterprises_unclassified"]


def test_merge_adds_new_codes_updates_existing_and_removes_asked() -> None:
    current = read_catalogue_file(CATALOGUES / "valid.csv")
    new = current.iloc[[1]].assign(name_zh="孵化培育企业")
    new = pd.concat([new, current.iloc[[0]].assign(measure="bonds_issued", name_zh="发行债券", headline="")])
    change = merge_catalogues(current, new)
    assert (change.added, change.updated, change.removed) == (["bonds_issued"], ["enterprises_incubated"], [])
    change = merge_catalogues(current, new.iloc[[0]], remove=["processing_time"])
    assert change.removed == ["processing_time"]
    merged = type_catalogue(change.merged)
    assert merged.codes[:2] == ["loans_granted", "enterprises_incubated"]
    assert merged.name("enterprises_incubated", "zh") == "孵化培育企业"
    assert "processing_time" not in merged.codes


def test_lookup_takes_codes_and_both_names() -> None:
    catalogue = load_catalogue(CATALOGUES / "valid.csv")
    assert catalogue.lookup["发放贷款"] == catalogue.lookup["loans granted"] == "loans_granted"


def test_a_catalogue_saved_by_excel_changes_nothing() -> None:
    current = read_catalogue_file(CATALOGUES / "valid.csv")
    # Excel writes TRUE/FALSE, an .xlsx reads back True and 1.0
    saved = current.assign(
        additive=current["additive"].str.upper(), headline=current["headline"].map(lambda p: f"{p}.0" if p else "")
    )
    saved.loc[0, "additive"] = "True"
    change = merge_catalogues(current, saved)
    assert (change.added, change.updated, change.removed) == ([], [], [])
    assert change.merged["additive"].tolist() == ["true", "true", "false"]
