"""The sentence behind a figure, its own words marked, markup in the data shown as text."""

import html as html_module
import re

import pytest

from ftz.highlight import Mark, highlight_quote, mark_case, mark_sentence, occurrence_rank
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


def test_mark_sentence_marks_each_figure_once_and_apart_when_not_counted() -> None:
    quote = "走访 5 次，沙龙 5 次，惠及企业 80 余家。"
    html = mark_sentence(
        quote,
        [
            Mark("5 次", 0, "a", True),
            Mark("5 次", 1, "b", False),
            Mark("80 余家", 0, "c <x>", True),
            Mark("80", 0, "overlaps c", True),
        ],
    )
    assert html.count("<mark") == 3
    assert '走访 <mark title="a">5 次</mark>' in html
    assert '沙龙 <mark title="b" class="apart"' in html
    assert 'title="c &lt;x&gt;"' in html  # notes are escaped too


def test_every_case_of_the_seventh_batch_reads_once_with_every_figure_marked_once() -> None:
    from loaders.document import parse_document
    from loaders.store import DATA_DIR, load_metrics
    from tests.conftest import AREAS

    document = parse_document((DATA_DIR / "sources" / "batch-07.txt").read_text(encoding="utf-8"), AREAS)
    store = load_metrics()
    for case in document.cases:
        figures = store[store["case_no"] == case.entry.case_no]
        sentences = [(s.section, s.text) for s in case.sentences]
        notes = {str(f): f"{f} note" for f in figures["fact_id"]}
        sections, left_out = mark_case(sentences, figures, notes, counted=set())
        text = "".join(sections_text(sections))
        assert not left_out, case.entry.case_no  # every figure's sentence is in the document
        # each sentence once: the words shown are the distinct sentences, in document order, nothing else
        shown = html_module.unescape(re.sub(r"<[^>]+>", "", "".join(text for text in sections_text(sections))))
        assert shown == "".join(dict.fromkeys(s for _, s in sentences))
        for fact_id in notes:  # in exactly one mark (the parts of a ratio share the ratio's)
            assert len(re.findall(rf'<mark title="[^"]*\b{fact_id} note', text)) == 1, fact_id


def sections_text(sections: dict[str, list[str]]) -> list[str]:
    return [paragraph for paragraphs in sections.values() for paragraph in paragraphs]


def test_without_a_document_the_figures_sentences_are_the_text_each_once() -> None:
    from ftz.highlight import mark_case_figures
    from loaders.measures import load_catalogue

    quote = "已培育企业超 200 家，其中瞪羚企业 27 家。"
    rows = make_rows(
        {"value": 200, "qualifier": "超", "value_text": "超 200 家", "source_quote": quote},
        {"value": 27, "value_text": "27 家", "source_quote": quote, "part_of": "7-01-01"},
    )
    sections, left_out = mark_case_figures(rows, load_catalogue(), "zh", None)
    text = "".join(sections_text(sections))
    assert not left_out and text.count("已培育企业") == 1
    assert re.search(r'<mark title="7-01-01 · 成效 · 片区 · 培育企业">超 200 家</mark>', text)
    assert re.search(r'<mark title="7-01-02 · [^"]*不计入合计" class="apart"[^>]*>27 家</mark>', text)
