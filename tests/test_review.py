"""Reviewing a new batch's document: the model of a review, where it is kept, and the Refresh page's screen."""

from pathlib import Path

import pandas as pd
import pytest

from loaders.measures import Catalogue, load_catalogue
from loaders.review import (
    ACCEPTED,
    PENDING,
    REJECTED,
    Review,
    accept_rest,
    add_figure,
    edit_rows,
    orphans,
    passed_over,
    reviewed_rows,
    set_status,
    start_review,
)
from loaders.stores import Store, open_store
from tests.conftest import FIXTURES
from tests.test_app import make_app, open_page, refresh_page
from tests.test_sources import blank_pdf

FICTION = (FIXTURES / "fiction-batch-09.txt").read_bytes()
# The fictional batch with one figure the extractor passes over: a count inside a short quoted name.
WITH_A_MISSED_FIGURE = (
    FICTION.decode().replace("（一）发放算力券。", "（一）发放算力券。出台“算力 10 条”政策。").encode()
)
TRUTH = pd.read_csv(FIXTURES / "fiction-batch-09-truth.csv", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue()


def new_review(areas: list[str], catalogue: Catalogue, data: bytes = FICTION) -> Review:
    return start_review(data, "第九批.txt", areas, catalogue)


def test_a_review_starts_with_every_proposal_pending_and_the_doubtful_marked(
    areas: list[str], catalogue: Catalogue
) -> None:
    review = new_review(areas, catalogue)
    assert (review.batch, review.doc_no, review.published, review.case) == (9, "鄂自贸组发〔2099〕5号", "2099-03-08", 1)
    assert review.counts() == {PENDING: 13, ACCEPTED: 0, REJECTED: 0}
    doubt = dict(zip(review.rows["value_text"], review.rows["doubt"], strict=True))
    assert doubt["超 3.5 亿元"] == "measure"  # only the family's catch-all fitted
    assert doubt["48 家"] == "part_of"
    assert doubt["最高 50 万元"] == "kind"  # a policy parameter, not an outcome
    assert "split" in doubt["500家"]  # 500 ends a line of the document, 家 opens the next
    assert doubt["10个工作日"] == ""
    # The doubtful come first in their case.
    assert review.case_rows(1)["doubt"].ne("").tolist() == [True, True, True, False, False, False]


def test_a_measure_brings_its_indicator_and_an_indicator_its_catch_all(areas: list[str], catalogue: Catalogue) -> None:
    review = new_review(areas, catalogue)
    edit_rows(review, pd.DataFrame([{"fact_id": "9-01-04", "measure": "financing_unclassified"}]), catalogue)
    row = review.rows.set_index("fact_id").loc["9-01-04"]
    assert (row["indicator"], row["status"]) == ("financing", ACCEPTED)  # a corrected row has been looked at
    edit_rows(review, pd.DataFrame([{"fact_id": "9-01-02", "indicator": "talent"}]), catalogue)
    assert review.rows.set_index("fact_id").loc["9-01-02", "measure"] == "talent_unclassified"
    assert not edit_rows(review, pd.DataFrame([{"fact_id": "9-01-02", "indicator": "talent"}]), catalogue)


def test_a_rejected_figure_and_a_passed_over_one_can_be_added_from_their_sentence(
    areas: list[str], catalogue: Catalogue
) -> None:
    review = new_review(areas, catalogue, WITH_A_MISSED_FIGURE)
    case = review.document(areas).cases[0]
    assert [p.words for p in passed_over(review, case, catalogue)] == ["10 条"]
    set_status(review, ["9-01-03"], REJECTED)
    offered = passed_over(review, case, catalogue)
    assert [p.words for p in offered] == ["10 条", "48 家"]
    fact_id = add_figure(review, case, offered[0], catalogue)
    added = review.rows.set_index("fact_id").loc[str(fact_id)]
    assert fact_id == "9-01-07" and added["status"] == ACCEPTED
    assert (added["value"], added["unit"], added["case_title"], added["area"]) == (
        "10",
        "条",
        "虚构的算力券试点",
        "襄阳片区",
    )
    assert added["source_quote"] == "出台“算力 10 条”政策。" and added["kind"] == "outcome"
    assert [p.words for p in passed_over(review, case, catalogue)] == ["48 家"]


def test_a_part_whose_whole_is_rejected_holds_the_check_and_a_re_added_part_finds_its_whole(
    areas: list[str], catalogue: Catalogue
) -> None:
    review = new_review(areas, catalogue)
    for number in (1, 2, 3):
        accept_rest(review, number)
    set_status(review, ["9-01-02"], REJECTED)  # 126 家, the whole of 48 家
    assert orphans(review) == ["9-01-03"]
    with pytest.raises(ValueError, match="9-01-03"):
        reviewed_rows(review, areas)
    set_status(review, ["9-01-02"], ACCEPTED)
    set_status(review, ["9-01-03"], REJECTED)
    case = review.document(areas).cases[0]
    [again] = [p for p in passed_over(review, case, catalogue) if p.words == "48 家"]
    fact_id = str(add_figure(review, case, again, catalogue))
    added = review.rows.set_index("fact_id").loc[fact_id]
    assert (added["part_of"], added["measure"], added["doubt"]) == ("9-01-02", "enterprises_served", "part_of")
    rows = reviewed_rows(review, areas).set_index("value_text")
    assert rows.loc["48 家", "part_of"] == rows.loc["126 家", "fact_id"]  # counted once, inside its whole


def test_reviewed_rows_are_the_accepted_ones_numbered_in_text_order(areas: list[str], catalogue: Catalogue) -> None:
    review = new_review(areas, catalogue, WITH_A_MISSED_FIGURE)
    case = review.document(areas).cases[0]
    add_figure(review, case, passed_over(review, case, catalogue)[0], catalogue)
    for number in (1, 2, 3):
        accept_rest(review, number)
    set_status(review, ["9-02-04"], REJECTED)
    rows = reviewed_rows(review, areas)
    assert len(rows) == 13 and "500家" not in set(rows["value_text"])
    # 10 条 stands first in the text: it takes 9-01-01, and 48 家 stays a part of 126 家 under their new ids.
    first = rows[rows["case_no"] == "1"].set_index("fact_id")
    words = ["10 条", "最高 50 万元", "126 家", "48 家", "超 3.5 亿元", "10个工作日", "3个工作日"]
    assert first["value_text"].tolist() == words
    assert first.loc["9-01-04", "part_of"] == "9-01-03"
    assert rows["fact_id"].is_unique


def test_a_review_survives_being_kept_and_read_back(areas: list[str], catalogue: Catalogue) -> None:
    review = new_review(areas, catalogue)
    accept_rest(review, 2)
    review.title = "改过的标题"
    again = Review.from_json(review.to_json())
    assert again.rows.equals(review.rows) and again.title == "改过的标题" and again.key == review.key


def test_a_store_keeps_each_accounts_reviews_apart(either_store: Store, catalogue: Catalogue) -> None:
    review = new_review(either_store.areas(), catalogue)
    either_store.save_review("王五", review.key, review.to_json())
    either_store.save_review("赵六/外聘", review.key, b"{}")  # any printable name is one account
    assert set(either_store.reviews("王五")) == {review.key}
    assert Review.from_json(either_store.reviews("王五")[review.key]).counts()[PENDING] == 13
    either_store.save_review("王五", review.key, None)
    assert either_store.reviews("王五") == {} and set(either_store.reviews("赵六/外聘")) == {review.key}


# --- the screen --------------------------------------------------------------------------------------


def review_page(monkeypatch: pytest.MonkeyPatch, store: Path, data: bytes = WITH_A_MISSED_FIGURE):  # type: ignore[no-untyped-def]
    at = refresh_page(monkeypatch, store)
    at.file_uploader(key="refresh_document").upload("第九批.txt", data, "text/plain").run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    return at


def revision(at) -> int:  # type: ignore[no-untyped-def]
    """Return the number the review's widget keys carry now."""
    return at.session_state["review_revision"] if "review_revision" in at.session_state else 0  # noqa: SIM401


def test_a_staff_member_reviews_the_document_case_by_case_and_applies_it(
    monkeypatch: pytest.MonkeyPatch, data_copy: Path
) -> None:
    at = review_page(monkeypatch, data_copy)
    assert "审核原文：第九批.txt（第9批，3 个案例）" in at.subheader[0].value
    # Fix one measure, reject one figure, add the one the extractor passed over, accept the rest.
    at.selectbox(key=f"review_measure_9-01-04_{revision(at)}").set_value("financing_unclassified").run()
    [add] = [b for b in at.button if b.label.startswith("＋ 10 条")]
    add.click().run()
    at.button(key="review_accept_rest").click().run()  # and on to case 2
    at.button(key="review_reject_9-02-04").click().run()
    at.button(key="review_accept_rest").click().run()
    at.button(key="review_accept_rest").click().run()
    assert not at.exception
    at.button(key="refresh_check").click().run()
    assert not at.error, [e.value for e in at.error]
    assert any("新增 13 条" in m.value for m in at.markdown)
    assert not any("未核对原文" in c.value for c in at.caption)  # quotes were checked against the document
    at.button(key="FormSubmitter:apply-确认导入").click().run()
    assert not at.exception and "sources/batch-09.txt" in at.success[0].value
    store = open_store(path=data_copy)
    applied = store.load().frame
    batch = applied[applied["batch"] == 9].set_index("value_text")
    expected = {*TRUTH["value_text"], "10 条"} - {"500家"}
    assert set(batch.index) == expected and len(batch) == 13
    assert batch.loc["超 3.5 亿元", ["measure", "indicator"]].tolist() == ["financing_unclassified", "financing"]
    assert store.document("sources/batch-09.txt") is not None
    assert store.register("batches").set_index("batch").loc["9", "doc_no"] == "鄂自贸组发〔2099〕5号"
    assert store.log().loc[0, ["who", "action"]].tolist() == ["王五", "ingest"]
    assert store.reviews("王五") == {}  # the applied review is discarded
    # The case page shows the new batch's text, from the document kept, the added figure marked in it.
    case = open_page(make_app(monkeypatch, data_copy, case="9-1"), "pages/case.py")
    text = " ".join(m.value for m in case.markdown)
    assert "数据未登记原文" not in text and "出台“算力 <mark" in text


def test_a_review_in_progress_survives_a_reload_and_can_be_discarded(
    monkeypatch: pytest.MonkeyPatch, data_copy: Path
) -> None:
    at = review_page(monkeypatch, data_copy)
    at.button(key="review_accept_rest").click().run()
    at.button(key="review_reject_9-02-04").click().run()  # the accepting moved on to case 2
    # A reload is a new session, signed out: after signing in again the review is offered to resume.
    again = refresh_page(monkeypatch, data_copy)
    assert any("第九批" in m.value and "（第9批）：已核对 7/13 条" in m.value for m in again.markdown)
    again.button(key=next(b.key for b in again.button if str(b.key).startswith("review_resume_"))).click().run()
    assert "已采用 6 条，不采用 1 条，待核对 6 条" in " ".join(c.value for c in again.caption)
    # Uploading the same document again resumes it too, rather than starting over.
    third = review_page(monkeypatch, data_copy)
    assert "继续上次对 第九批.txt 的审核" in third.info[0].value
    third.switch_page("pages/refresh.py").run()
    other = refresh_page(monkeypatch, data_copy)
    other.button(key=next(b.key for b in other.button if str(b.key).startswith("review_discard_"))).click().run()
    assert open_store(path=data_copy).reviews("王五") == {}
    assert not any("已核对" in m.value for m in other.markdown)


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("空.txt", b"", "文件是空的"),
        ("乱码.txt", bytes(range(256)) * 4, "不是文本文件"),
        ("扫描件.pdf", blank_pdf(), "PDF 没有文字层"),
    ],
)
def test_a_bad_document_gets_a_clear_message_and_no_review(
    monkeypatch: pytest.MonkeyPatch, data_copy: Path, name: str, data: bytes, reason: str
) -> None:
    at = refresh_page(monkeypatch, data_copy)
    mime = "application/pdf" if name.endswith(".pdf") else "text/plain"
    at.file_uploader(key="refresh_document").upload(name, data, mime).run()
    assert not at.exception and reason in at.error[0].value and name in at.error[0].value
    assert open_store(path=data_copy).reviews("王五") == {}


def test_the_review_reads_in_english(monkeypatch: pytest.MonkeyPatch, data_copy: Path) -> None:
    at = refresh_page(monkeypatch, data_copy, lang="en")
    at.file_uploader(key="refresh_document").upload("batch9.txt", FICTION, "text/plain").run()
    assert not at.exception
    assert at.subheader[0].value == "Reviewing batch9.txt (batch 9, 3 cases)"
    assert at.button(key="review_accept_rest").label == "Accept the other 6 of this case, next case"
    labels = {s.label for s in at.selectbox}
    assert {"Measure", "Kind", "Scope", "Indicator", "Unit", "Part of"} <= labels
    measure = at.selectbox(key=f"review_measure_9-01-04_{revision(at)}")
    assert measure.format_func(measure.value) == load_catalogue().name("output_unclassified", "en")


def test_another_document_opened_in_the_same_session_keeps_its_own_batch(
    monkeypatch: pytest.MonkeyPatch, data_copy: Path
) -> None:
    at = review_page(monkeypatch, data_copy)
    tenth = FICTION.decode().replace("第九批", "第十批").encode()
    at.file_uploader(key="refresh_document").upload("第十批.txt", tenth, "text/plain").run()
    assert not at.exception and "（第10批，3 个案例）" in at.subheader[0].value
    kept = [Review.from_json(data) for data in open_store(path=data_copy).reviews("王五").values()]
    assert sorted(set(review.rows["batch"]) == {str(review.batch)} and review.batch for review in kept) == [9, 10]


def test_a_document_without_its_batch_number_is_numbered_by_the_reviewer(
    monkeypatch: pytest.MonkeyPatch, data_copy: Path
) -> None:
    unnumbered = FICTION.decode().replace("第九批", "新一批").encode()
    at = review_page(monkeypatch, data_copy, unnumbered)
    assert "没有写明是第几批" in at.warning[0].value
    at.number_input(key=f"review_batch_{revision(at)}").set_value(9).run()
    assert "（第9批，3 个案例）" in at.subheader[0].value
    review = Review.from_json(next(iter(open_store(path=data_copy).reviews("王五").values())))
    assert set(review.rows["batch"]) == {"9"} and review.rows["fact_id"].str.startswith("9-").all()
    assert review.rows.set_index("fact_id").loc["9-01-03", "part_of"] == "9-01-02"
