"""The audit accounts for every number of a document, and reports what is not accounted for."""

import pandas as pd
import pytest

from loaders.audit import EXCLUSIONS_PATH, find_numbers, main, read_exclusions, run_audit
from loaders.store import read_raw_csv
from tests.conftest import AREAS, FIXTURES

SAMPLE = (FIXTURES / "batch-sample.txt").read_text(encoding="utf-8")


@pytest.fixture
def sample_rows() -> pd.DataFrame:
    return read_raw_csv(FIXTURES / "batch-sample-metrics.csv")


@pytest.fixture
def sample_exclusions() -> pd.DataFrame:
    return read_exclusions(FIXTURES / "batch-sample-exclusions.csv")


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("已超 200 家，其中瞪羚企业 27 家", ["200", "27"]),
        ("金额达 4324.96 万元，共 1,392 名", ["4324.96 万", "1,392"]),
        ("举办了两次活动，约四成，百余家", ["两", "四", "百"]),
        ("累计收结汇超亿美元，上万家企业", ["亿", "万"]),
        ("十二次党代会，3551光谷人才计划", ["十二", "3551"]),
    ],
)
def test_find_numbers_is_over_inclusive(text: str, found: list[str]) -> None:
    assert [t.text for t in find_numbers(1, text) if t.rule is None] == found


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("2022年4月1日", "date"),
        ("截至 2021 年底", "date"),
        ("（一）", "name-or-ordinal"),
        ("二是", "name-or-ordinal"),
        ("第七批", "name-or-ordinal"),
        ("进一步", "not-a-number"),
    ],
)
def test_find_numbers_passes_over_forms_that_are_never_figures(text: str, rule: str) -> None:
    assert [t.rule for t in find_numbers(1, text)] == [rule]


def test_audit_is_clean_when_every_number_is_accounted_for(
    sample_rows: pd.DataFrame, sample_exclusions: pd.DataFrame
) -> None:
    audit = run_audit(SAMPLE, sample_rows, sample_exclusions, 9, AREAS)
    assert audit.clean
    # 2—3天 is two numbers, both inside one row's value_text.
    assert [c.matched for c in audit.cases] == [3, 4]


def test_audit_reports_a_number_with_no_row(sample_rows: pd.DataFrame, sample_exclusions: pd.DataFrame) -> None:
    without_27 = sample_rows[sample_rows["fact_id"] != "9-01-03"]
    audit = run_audit(SAMPLE, without_27, sample_exclusions, 9, AREAS)
    assert not audit.clean
    assert [(t.case_no, t.text) for c in audit.cases for t in c.unaccounted] == [(1, "27")]


def test_audit_reports_an_exclusion_that_matches_nothing(
    sample_rows: pd.DataFrame, sample_exclusions: pd.DataFrame
) -> None:
    stale = pd.concat(
        [
            sample_exclusions,
            pd.DataFrame([["9", "1", "三", "三方", "name-or-ordinal"]], columns=sample_exclusions.columns),
        ]
    )
    audit = run_audit(SAMPLE, sample_rows, stale.reset_index(drop=True), 9, AREAS)
    assert not audit.clean
    assert audit.unused_exclusions["context"].tolist() == ["三方"]


def test_audit_reports_a_row_whose_value_text_is_not_in_its_case(
    sample_rows: pd.DataFrame, sample_exclusions: pd.DataFrame
) -> None:
    moved = sample_rows.copy()
    moved.loc[moved["fact_id"] == "9-02-01", "case_no"] = "1"
    audit = run_audit(SAMPLE, moved, sample_exclusions, 9, AREAS)
    assert "9-02-01" in audit.unmatched_rows


def test_read_exclusions_refuses_a_reason_outside_the_list(tmp_path: pytest.TempPathFactory) -> None:
    path = tmp_path / "exclusions.csv"  # type: ignore[operator]
    path.write_text("batch,case_no,text,context,reason\n7,1,三,三方,looks-fine\n", encoding="utf-8")
    with pytest.raises(ValueError, match="looks-fine"):
        read_exclusions(path)


def test_audit_of_the_shipped_batch_is_clean(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    printed = capsys.readouterr().out
    assert "审计通过 audit clean" in printed
    assert len(read_exclusions(EXCLUSIONS_PATH)) > 0
