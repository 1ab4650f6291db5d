"""The sentence behind a figure, its own words marked, markup in the data shown as text."""

import pytest

from ftz.highlight import highlight_quote, occurrence_rank
from tests.conftest import make_rows

QUOTE = "已超 200 家，其中，瞪羚企业 27 家，高新技术企业 53 家，武汉上市后备企业 3 家。"


@pytest.mark.parametrize(
    ("value_text", "marked"),
    [
        ("27 家", "瞪羚企业 <mark>27 家</mark>"),
        ("3 家", "后备企业 <mark>3 家</mark>"),
        ("53 家", "技术企业 <mark>53 家</mark>"),
    ],
)
def test_highlight_marks_the_figure_not_the_tail_of_another(value_text: str, marked: str) -> None:
    html = highlight_quote(QUOTE, value_text)
    assert marked in html and html.count("<mark>") == 1


def test_highlight_takes_the_nth_occurrence() -> None:
    quote = "服务企业上门走访座谈 5 次，举办专题沙龙活动 5 次。"
    assert "活动 <mark>5 次</mark>" in highlight_quote(quote, "5 次", occurrence=1)


def test_highlight_escapes_markup() -> None:
    html = highlight_quote("<script>alert(1)</script> 共 5 家。", "5 家")
    assert "<script>" not in html and "&lt;script&gt;" in html and "<mark>5 家</mark>" in html


def test_occurrence_rank_follows_fact_order() -> None:
    quote = "走访 5 次，沙龙 5 次。"
    rows = make_rows(
        {"value": 5, "unit": "次", "value_text": "5 次", "source_quote": quote},
        {"value": 5, "unit": "次", "value_text": "5 次", "source_quote": quote},
    )
    assert occurrence_rank(rows).tolist() == [0, 1]
