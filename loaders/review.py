"""A staff member's review of a new batch's document, case by case: the extractor's proposals accepted,
corrected or rejected, numbers it passed over added from their sentences, kept beside the store (per
document and account) until the reviewed rows are applied or the review is discarded.

Every change a reviewer makes on the page is one function here, so that what a review takes (the actions
per figure that bench/review_actions.py counts) is what the page asks of a person.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
from dataclasses import asdict, dataclass, field

import pandas as pd

from loaders.audit import audit_case, row_spans
from loaders.document import Case, Document, Sentence, parse_document
from loaders.extract import propose, propose_figure
from loaders.measures import Catalogue, catch_all, is_catch_all
from loaders.numbers import plain_number
from loaders.schema import COLUMN_NAMES
from loaders.sources import Source, document_of, english_title, source_of

PENDING, ACCEPTED, REJECTED = "pending", "accepted", "rejected"
STATUSES = (PENDING, ACCEPTED, REJECTED)
# What the extractor may have got wrong of a proposal, in the order a reviewer should look at them.
DOUBTS = ("measure", "kind", "part_of", "split")
# The fields a reviewer edits on the page, in the order the page shows them.
EDITABLE = ("indicator", "measure", "kind", "scope", "value", "unit", "qualifier", "part_of")
REVIEW_COLUMNS = [*COLUMN_NAMES, "status", "doubt"]


@dataclass
class Review:
    """A document under review: its text, what its batch's register will record, and its rows (the
    proposals and the added figures as text cells, each with a status and the extractor's doubts)."""

    file: str
    sha256: str
    text: str
    batch: int
    title: str
    doc_no: str
    published: str
    rows: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=REVIEW_COLUMNS))
    case: int = 0  # the case in view, where a resumed review opens
    updated: str = ""
    title_en: str = ""

    @property
    def key(self) -> str:
        """Return the name a review is kept under for its account: the document's digest."""
        return self.sha256[:16]

    def document(self, areas: list[str]) -> Document:
        """Return the parsed document, parsed once per text and areas (the screen asks on every rerun)."""
        return _parsed(self.text, tuple(areas))

    def counts(self) -> dict[str, int]:
        """Return how many rows are pending, accepted and rejected."""
        found = self.rows["status"].value_counts()
        return {status: int(found.get(status, 0)) for status in STATUSES}

    def case_rows(self, case_no: int) -> pd.DataFrame:
        """Return a case's rows, the doubtful first, then in the order of the text."""
        rows = self.rows[self.rows["case_no"] == str(case_no)]
        doubtful = rows["doubt"].eq("").map({True: 1, False: 0})
        return (
            rows.assign(_doubtful=doubtful)
            .sort_values(["_doubtful", "fact_id"], kind="stable")
            .drop(columns="_doubtful")
        )

    def source(self) -> Source:
        """Return the document as the batch's source, with the register's fields as the reviewer left them."""
        return Source(self.batch, self.text, self.file, self.title, self.doc_no, self.published, self.title_en)

    def to_json(self) -> bytes:
        """Return the review as JSON text, to keep it beside the store."""
        fields = {**asdict(self), "rows": self.rows[REVIEW_COLUMNS].to_dict("records")}
        return json.dumps(fields, ensure_ascii=False).encode("utf-8")

    @classmethod
    def from_json(cls, data: bytes) -> Review:
        """Return a review kept by to_json."""
        fields = json.loads(data.decode("utf-8"))
        rows = as_cells(pd.DataFrame(fields.pop("rows"), columns=REVIEW_COLUMNS))
        return cls(**fields, rows=rows)


@functools.lru_cache(maxsize=4)
def _parsed(text: str, areas: tuple[str, ...]) -> Document:
    # Read, never changed, by its callers.
    return parse_document(text, list(areas))


def as_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a frame as text cells, an empty text where a value is missing (as a batch file has it)."""
    return frame.astype(object).where(frame.notna(), "").astype(str)


def start_review(data: bytes, filename: str, areas: list[str], catalogue: Catalogue) -> Review:
    """Return a new review of an uploaded document with every proposal pending, the doubtful marked;
    UnreadableDocument when the document cannot be read (see loaders.sources.document_of)."""
    text, document = document_of(data, filename, areas)
    batch = document.batch or 0
    source = source_of(text, document, filename, batch)
    proposals = propose(document, batch, catalogue)
    for column in ("value", "value_high"):  # 50, as written, rather than 50.0
        proposals[column] = proposals[column].map(lambda v: plain_number(v) if v != "" and pd.notna(v) else "")
    proposals = as_cells(proposals)
    rows = proposals.assign(status=PENDING, doubt=doubts(proposals, text))
    digest = hashlib.sha256(data).hexdigest()
    first = document.cases[0].entry.case_no
    return Review(
        filename, digest, text, batch, source.title, source.doc_no, source.published, rows, first, "", source.title_en
    )


def doubts(rows: pd.DataFrame, text: str) -> pd.Series:
    """Return, per proposal, what the extractor is unsure of (DOUBTS, space-separated; '' when nothing):
    a measure it could only file under its family's catch-all, a kind other than an outcome, a part of
    another figure, and a number whose unit stands on the next line of the document."""
    lines = text.splitlines()

    def of(row: pd.Series) -> str:
        found = []
        if is_catch_all(str(row["measure"])):
            found.append("measure")
        if row["kind"] != "outcome":
            found.append("kind")
        if row["part_of"]:
            found.append("part_of")
        value_text = str(row["value_text"])
        if value_text and not any(value_text in line for line in lines):
            found.append("split")
        return " ".join(found)

    return rows.apply(of, axis=1) if not rows.empty else pd.Series(dtype=str)


def set_batch(review: Review, batch: int) -> None:
    """Number the review's batch (a document that does not say which it is reads as batch 0): every row's
    batch, fact id and part_of follow."""
    old = f"{review.batch}-"

    def renamed(fact_id: str) -> str:
        return f"{batch}-{fact_id.removeprefix(old)}" if fact_id.startswith(old) else fact_id

    review.rows["batch"] = str(batch)
    review.rows["fact_id"] = review.rows["fact_id"].map(renamed)
    review.rows["part_of"] = review.rows["part_of"].map(renamed)
    if review.title_en == english_title(review.title, review.batch):  # made from the title, not typed
        review.title_en = english_title(review.title, batch)
    review.batch = batch


def set_status(review: Review, fact_ids: list[str], status: str) -> None:
    """Set the status of some rows (accept, reject, or back to pending)."""
    review.rows.loc[review.rows["fact_id"].isin(fact_ids), "status"] = status


def accept_rest(review: Review, case_no: int) -> int:
    """Accept every pending row of a case (the reviewer has checked them); return how many."""
    pending = (review.rows["case_no"] == str(case_no)) & (review.rows["status"] == PENDING)
    review.rows.loc[pending, "status"] = ACCEPTED
    return int(pending.sum())


def edit_rows(review: Review, edited: pd.DataFrame, catalogue: Catalogue) -> bool:
    """Take a reviewer's edits of some rows (fact_id and EDITABLE and status columns, as text); a measure
    brings its indicator, and an indicator whose family the measure is not of brings its catch-all.
    An edited row is accepted unless it is marked rejected. Return whether anything changed."""
    changed = False
    for row in edited.to_dict("records"):
        at = review.rows.index[review.rows["fact_id"] == row["fact_id"]]
        if at.empty:
            continue
        before = review.rows.loc[at[0]]
        new = {column: str(row[column]) for column in (*EDITABLE, "status") if column in row}
        if new.get("measure", before["measure"]) != before["measure"] and new["measure"] in catalogue.codes:
            new["indicator"] = str(catalogue.table.at[new["measure"], "indicator"])
        elif new.get("indicator", before["indicator"]) != before["indicator"] and new.get(
            "measure", before["measure"]
        ) not in catalogue.family(new["indicator"]):
            new["measure"] = catch_all(new["indicator"])
        fields_changed = any(new[c] != before[c] for c in new if c != "status")
        if fields_changed and new.get("status", before["status"]) == PENDING:
            new["status"] = ACCEPTED  # a corrected row has been looked at
        if any(new[c] != before[c] for c in new):
            for column, value in new.items():
                review.rows.loc[at[0], column] = value
            changed = True
    return changed


@dataclass(frozen=True)
class Passed:
    """A number of a case's text that no live row covers: where it stands, for the reviewer to add."""

    sentence: int  # index into the case's sentences
    start: int  # within the sentence
    end: int
    words: str  # the figure's words as a row would take them: 10 条


def passed_over(review: Review, case: Case, catalogue: Catalogue) -> list[Passed]:
    """Return the numbers of a case's text that no pending or accepted row covers and that read as a
    figure with a unit (dates, ordinals, 一窗受理 are left out), each placed in its sentence."""
    live = review.rows[(review.rows["case_no"] == str(case.entry.case_no)) & (review.rows["status"] != REJECTED)]
    empty = pd.DataFrame(columns=["batch", "case_no", "text", "context", "reason"])
    audit, _ = audit_case(case, live, empty, set())
    places = []
    at = 0
    for index, sentence in enumerate(case.sentences):
        found = case.text.find(sentence.text, at)
        if found >= 0:
            places.append((found, index))
            at = found + len(sentence.text)
    passed = []
    for token in audit.unaccounted:
        holding = [(begin, index) for begin, index in places if begin <= token.start]
        if not holding:
            continue
        begin, index = holding[-1]
        sentence = case.sentences[index]
        start, end = token.start - begin, token.end - begin
        # Offered only where the words make a figure with a unit, as the extractor would read it.
        row = propose_figure(case, sentence, start, end, review.batch, catalogue) if end <= len(sentence.text) else None
        if row is not None:
            passed.append(Passed(index, start, end, str(row["value_text"])))
    return passed


def add_figure(review: Review, case: Case, passed: Passed, catalogue: Catalogue) -> str | None:
    """Add the figure at a passed-over number as an accepted row filled in from its context, with the
    case's next fact id; return that id, None when the words there are no figure (a bare 30 with no unit)."""
    sentence: Sentence = case.sentences[passed.sentence]
    row = propose_figure(case, sentence, passed.start, passed.end, review.batch, catalogue)
    if row is None:
        return None
    case_ids = review.rows.loc[review.rows["case_no"] == str(case.entry.case_no), "fact_id"]
    next_seq = max((int(str(i).rsplit("-", 1)[1]) for i in case_ids), default=0) + 1
    fact_id = f"{review.batch}-{case.entry.case_no:02d}-{next_seq:02d}"
    cells = {column: "" if value is None else str(value) for column, value in row.items()}
    whole = _whole_of(review, sentence.text, passed.start, str(row["unit"]))
    if whole is not None:  # 其中 … : a part counts what its whole counts, as the extractor has it
        cells.update(part_of=str(whole["fact_id"]), measure=str(whole["measure"]), indicator=str(whole["indicator"]))
    cells["value"] = plain_number(float(cells["value"]))
    cells["value_high"] = plain_number(float(cells["value_high"])) if cells["value_high"] else ""
    doubt = "part_of" if whole is not None else ""
    added = pd.DataFrame([{**cells, "fact_id": fact_id, "status": ACCEPTED, "doubt": doubt}], columns=REVIEW_COLUMNS)
    review.rows = pd.concat([review.rows, as_cells(added)], ignore_index=True)
    return fact_id


def orphans(review: Review) -> list[str]:
    """Return the accepted rows that are a part of a row not accepted: numbered afresh, their part_of would
    name another figure, so the check waits until each is given its whole again, or none."""
    accepted = review.rows[review.rows["status"] == ACCEPTED]
    wholes = set(accepted["fact_id"])
    parts = accepted[(accepted["part_of"] != "") & ~accepted["part_of"].isin(wholes)]
    return parts["fact_id"].tolist()


def _whole_of(review: Review, sentence: str, start: int, unit: str) -> pd.Series | None:
    """Return the live row a figure at `start` of a sentence is a part of: after 其中, the last figure of the
    same unit before it (126 家 for 48 家 in 已为 126 家企业…，其中，高新技术企业 48 家), else None."""
    other_at = sentence.find("其中")
    if other_at < 0 or start < other_at:
        return None
    live = review.rows[(review.rows["source_quote"] == sentence) & (review.rows["status"] != REJECTED)]
    before = [
        row
        for _, row in live.iterrows()
        if row["unit"] == unit and 0 <= sentence.find(str(row["value_text"])) < other_at
    ]
    return before[-1] if before else None


def reviewed_rows(review: Review, areas: list[str]) -> pd.DataFrame:
    """Return the accepted rows under the store's columns, numbered afresh in the order of their case's
    text (part_of following), ready to check as a batch file; pending and rejected rows are left out.
    ValueError while a part's whole is not accepted (see orphans)."""
    if lost := orphans(review):
        raise ValueError(f"所属的数字未被采用 the whole of these is not accepted: {', '.join(lost)}")
    accepted = review.rows[review.rows["status"] == ACCEPTED]
    texts = {case.entry.case_no: case.text for case in review.document(areas).cases}
    renamed: dict[str, str] = {}
    ordered = []
    for case_no, rows in accepted.groupby(accepted["case_no"].astype(int), sort=True):
        spans = {fact_id: start for start, _, fact_id in row_spans(rows, texts.get(int(case_no), ""))}
        rows = rows.assign(_at=rows["fact_id"].map(spans).fillna(len(texts.get(int(case_no), ""))))
        rows = rows.sort_values(["_at", "fact_id"], kind="stable").drop(columns="_at")
        for seq, fact_id in enumerate(rows["fact_id"], start=1):
            renamed[str(fact_id)] = f"{review.batch}-{int(case_no):02d}-{seq:02d}"
        ordered.append(rows)
    if not ordered:
        return pd.DataFrame(columns=list(COLUMN_NAMES))
    result = pd.concat(ordered)[list(COLUMN_NAMES)].copy()
    result["fact_id"] = result["fact_id"].map(renamed)
    result["part_of"] = result["part_of"].map(lambda whole: renamed[whole] if whole else "")
    return result.reset_index(drop=True)


def reviewed_csv(review: Review, areas: list[str]) -> bytes:
    """Return the reviewed rows as a batch file (UTF-8 CSV), as an import reads it."""
    out = io.StringIO()
    reviewed_rows(review, areas).to_csv(out, index=False, lineterminator="\n")
    return out.getvalue().encode("utf-8")
