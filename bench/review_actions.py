"""Count what a reviewer does to turn a batch document into the dashboard's data on the Refresh page:
clicks and keystrokes from upload to applied, per figure of the batch.

    python -m bench.review_actions [DOC] [--truth CSV]

The review is replayed through the same functions the page calls (loaders.review), each counted as the
page asks it of a person:
  - upload the document: 2 (open the file dialog, pick the file);
  - accept the rest of a case and go to the next: 1; go to the next case when nothing is left: 1;
  - reject a proposal: 1; add a passed-over number: 1;
  - change a drop-down: 2 (open, choose), and 2 more keystrokes to filter the list when the choice is not
    among the first 8 shown; a text field: 1 click and one keystroke a character;
  - an indicator changed first when the right measure is of another family (it brings the family's
    catch-all, and the measure list then opens on that family);
  - check, then apply: 2.
The replayed review must give back the truth file's rows (on the truth's columns), or the count is refused.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import pandas as pd

from loaders.measures import Catalogue, load_catalogue
from loaders.review import (
    PENDING,
    Review,
    accept_rest,
    add_figure,
    edit_rows,
    passed_over,
    reviewed_rows,
    set_status,
    start_review,
)
from loaders.store import load_areas

ROOT = Path(__file__).resolve().parent.parent
FICTION = ROOT / "tests" / "fixtures" / "fiction-batch-09.txt"
TRUTH = ROOT / "tests" / "fixtures" / "fiction-batch-09-truth.csv"
SHOWN = 8  # the options a drop-down shows before one types to filter it
DROP_DOWNS = ("indicator", "measure", "kind", "scope", "unit")
TEXTS = ("value", "qualifier")


def choose(options: list[str], value: str) -> int:
    """Return the actions to pick a value from a drop-down."""
    return 2 + (2 if value not in options[:SHOWN] else 0)


def fix(review: Review, fact_id: str, truth: pd.Series, catalogue: Catalogue, counts: Counter[str]) -> None:
    """Correct a row's fields to the truth's, field by field as the card offers them, counting each."""
    row = review.rows.set_index("fact_id").loc[fact_id]
    wanted = {c: str(truth[c]) for c in (*DROP_DOWNS, *TEXTS) if c in truth.index}
    if "value" in wanted:
        wanted["value"] = _plain(wanted["value"])
    if wanted.get("indicator", row["indicator"]) != row["indicator"]:
        counts["drop-down"] += choose(sorted(catalogue.table["indicator"].unique()), wanted["indicator"])
        edit_rows(review, pd.DataFrame([{"fact_id": fact_id, "indicator": wanted["indicator"]}]), catalogue)
        row = review.rows.set_index("fact_id").loc[fact_id]
    for field, value in wanted.items():
        if field == "indicator" or value == row[field]:
            continue
        if field == "measure":
            family = catalogue.family(str(row["indicator"]))
            options = [*family, *(m for m in catalogue.codes if m not in family)]
            counts["drop-down"] += choose(options, value)
        elif field in DROP_DOWNS:
            counts["drop-down"] += choose([value], value)
        else:
            counts["typing"] += 1 + len(value)
        edit_rows(review, pd.DataFrame([{"fact_id": fact_id, field: value}]), catalogue)
        row = review.rows.set_index("fact_id").loc[fact_id]


def _plain(value: str) -> str:
    from loaders.numbers import plain_number

    return plain_number(float(value)) if value else ""


def replay(data: bytes, name: str, truth: pd.DataFrame) -> tuple[Counter[str], Review]:
    """Review a document into the truth's rows as a reviewer would on the page; return the actions."""
    areas = load_areas()["area"].tolist()
    catalogue = load_catalogue()
    counts: Counter[str] = Counter(upload=2)
    review = start_review(data, name, areas, catalogue)
    for case in review.document(areas).cases:
        number = case.entry.case_no
        wanted = truth[truth["case_no"].astype(int) == number]
        left = wanted.copy()
        for row in review.case_rows(number).to_dict("records"):
            match = left[left["value_text"] == row["value_text"]]
            if match.empty:
                set_status(review, [row["fact_id"]], "rejected")
                counts["reject"] += 1
                continue
            fix(review, row["fact_id"], match.iloc[0], catalogue, counts)
            left = left.drop(match.index[0])
        for _, missing in left.iterrows():
            offered = [p for p in passed_over(review, case, catalogue) if p.words == missing["value_text"]]
            if not offered:
                raise SystemExit(f"案例 {number} 的「{missing['value_text']}」无法从原文添加 cannot be added")
            fact_id = add_figure(review, case, offered[0], catalogue)
            counts["add"] += 1
            fix(review, str(fact_id), missing, catalogue, counts)
        pending = (review.rows["case_no"] == str(number)) & (review.rows["status"] == PENDING)
        counts["accept rest / next case"] += 1  # accept the rest and go on, or just go on
        if pending.any():
            accept_rest(review, number)
    counts["check and apply"] += 2
    check(review, truth, areas)
    return counts, review


def check(review: Review, truth: pd.DataFrame, areas: list[str]) -> None:
    """Refuse a count whose review does not give the truth's rows."""
    got = reviewed_rows(review, areas)
    columns = [c for c in truth.columns if c in got.columns and c != "value_high"]
    got = got[columns].astype(str).assign(value=lambda f: f["value"].map(_plain))
    expected = truth[columns].astype(str).assign(value=lambda f: f["value"].map(_plain))
    key = ["case_no", "value_text"]
    if not got.sort_values(key).reset_index(drop=True).equals(expected.sort_values(key).reset_index(drop=True)):
        raise SystemExit("复现的审核结果与标准答案不一致 The replayed review does not give the truth's rows.")


def main(argv: list[str] | None = None) -> int:
    """Print the actions of a review, by kind, and per figure."""
    parser = argparse.ArgumentParser(prog="python -m bench.review_actions", description=__doc__.splitlines()[0])
    parser.add_argument("document", nargs="?", type=Path, default=FICTION)
    parser.add_argument("--truth", type=Path, default=TRUTH)
    args = parser.parse_args(argv)
    truth = pd.read_csv(args.truth, dtype=str, keep_default_na=False)
    counts, _ = replay(args.document.read_bytes(), args.document.name, truth)
    total = sum(counts.values())
    for kind, n in counts.items():
        print(f"  {kind:<26} {n:>4}")
    print(f"  {'total':<26} {total:>4}")
    print(f"{len(truth)} figures: {total / len(truth):.2f} actions per figure")
    return 0


if __name__ == "__main__":
    sys.exit(main())
