"""The shipped table of the 7th batch: valid, traced to its sentences, consistent with the document, complete."""

import pandas as pd
import pytest

from loaders.audit import excluded_spans, find_numbers, read_exclusions
from loaders.document import Document, parse_document
from loaders.filestore import FileStore
from loaders.ingest import check_provenance
from loaders.measures import load_catalogue
from loaders.schema import WARNING, validate_metrics
from loaders.store import DATA_DIR, METRICS_PATH, load_areas, load_batches, read_raw_csv
from tests.conftest import FIXTURES

SOURCE = DATA_DIR / "sources" / "batch-07.txt"


@pytest.fixture(scope="module")
def rows() -> pd.DataFrame:
    table = read_raw_csv(METRICS_PATH)
    return table[table["batch"] == "7"]


@pytest.fixture(scope="module")
def document() -> Document:
    return parse_document(SOURCE.read_text(encoding="utf-8"), load_areas()["area"].tolist())


def test_source_is_the_registered_copy_of_the_document() -> None:
    batch = load_batches().set_index("batch").loc[7]
    assert DATA_DIR / batch["source_file"] == SOURCE
    assert batch["doc_no"] == "鄂自贸组发〔2022〕2号"


def test_shipped_rows_validate(rows: pd.DataFrame) -> None:
    report = validate_metrics(rows, load_areas()["area"].tolist(), load_catalogue())
    # 年产值50亿 states no currency: its unit 亿 is kept as written and never converted or summed.
    assert set(report["severity"]) <= {WARNING}, report.to_string()
    assert set(report["code"]) <= {"unknown-unit"}


def test_each_quote_is_one_sentence_of_its_case_and_section(rows: pd.DataFrame, document: Document) -> None:
    sentences = {c.entry.case_no: {s.text: s.section for s in c.sentences} for c in document.cases}
    for row in rows.itertuples():
        case = sentences[int(row.case_no)]
        assert row.source_quote in case, f"{row.fact_id}: not a sentence of case {row.case_no}"
        assert case[row.source_quote] == row.section, row.fact_id


def test_importers_provenance_check_passes_the_table_and_catches_a_moved_quote(rows: pd.DataFrame) -> None:
    """The importer's own check agrees with the table, and fails a quote given to another case."""
    areas = load_areas()["area"].tolist()
    shipped = FileStore(DATA_DIR / "metrics.csv")
    table = rows.reset_index(drop=True)
    assert check_provenance(table, shipped, areas) == ([], [])
    moved = table.copy()
    moved.loc[0, "case_no"] = "2"
    entries, _ = check_provenance(moved, shipped, areas)
    assert [(e["row"], e["code"]) for e in entries] == [(2, "quote-not-in-source")]


def test_wrong_number_of_its_sentence_is_rejected() -> None:
    """A row that pins another number of the same sentence (27 家 for the 200) fails validation."""
    raw = read_raw_csv(FIXTURES / "wrong-number-of-sentence.csv")
    report = validate_metrics(raw, load_areas()["area"].tolist(), load_catalogue())
    assert report["code"].tolist() == ["value-text-mismatch"]


def test_case_fields_agree_with_the_document(rows: pd.DataFrame, document: Document) -> None:
    parsed = {c.entry.case_no: (c.entry.title, c.entry.category, c.area, c.provider) for c in document.cases}
    for row in rows.drop_duplicates("case_no").itertuples():
        assert (row.case_title, row.category, row.area, row.provider) == parsed[int(row.case_no)], row.case_no


def test_every_case_appears(rows: pd.DataFrame, document: Document) -> None:
    assert len(document.cases) == 28
    assert sorted(rows["case_no"].astype(int).unique()) == list(range(1, 29))


# Cases whose results section holds numbers that are all background, with the reason.
RESULTS_ALL_CONTEXT = {
    8: "实践效果 reports what the patent analysis found about the whole city's industry, not what the case achieved",
    16: "实践效果 gives one firm's financing as a typical example (典型代表), not a total of the case",
}


def test_every_case_with_results_has_an_outcome(rows: pd.DataFrame, document: Document) -> None:
    outcomes = set(rows.loc[rows["kind"] == "outcome", "case_no"].astype(int))
    exclusions = read_exclusions()
    without = set()
    for case in document.cases:
        results = "".join(s.text for s in case.sentences if s.section == "实践效果")
        excluded = excluded_spans(exclusions[exclusions["case_no"] == str(case.entry.case_no)], results)
        numbers = [
            t
            for t in find_numbers(case.entry.case_no, results)
            if t.rule is None and not any(s <= t.start and t.end <= e for s, e, _ in excluded)
        ]
        if numbers and case.entry.case_no not in outcomes:
            without.add(case.entry.case_no)
    assert without == set(RESULTS_ALL_CONTEXT)
    assert set(rows.loc[rows["case_no"] == "8", "kind"]) == {"context"}


def test_same_span_of_a_sentence_is_recorded_once(rows: pd.DataFrame) -> None:
    keys = rows[["case_no", "source_quote", "value_text", "metric"]]
    assert not keys.duplicated().any()


def test_every_before_has_its_after(rows: pd.DataFrame) -> None:
    phased = rows[rows["phase"] != ""]
    pairs = phased.groupby(["case_no", "metric"])["phase"].apply(sorted)
    assert pairs.tolist() == [["after", "before"]] * len(pairs)
    assert len(pairs) >= 1
