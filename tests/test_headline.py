"""The overview's headline tiles and highlights on the shipped 7th batch, each figure checked by hand.

Every tile is a sum a leader can say aloud: the figures below were read in the document
(data/sources/batch-07.txt), their words copied here by hand, and summed by hand.
"""

import re

import pandas as pd
import pytest

from ftz.aggregate import HIGHLIGHT_COLUMNS, TOTAL_COLUMNS, headline_totals, highlights, roll_up, summable_in
from ftz.highlight import highlight_links
from loaders.measures import load_catalogue
from loaders.store import DATA_DIR, load_metrics

CATALOGUE = load_catalogue()
SOURCE = (DATA_DIR / "sources" / "batch-07.txt").read_text(encoding="utf-8")

# measure: (the figures it adds, as fact_id → the words of the document, the sum, its bound)
TILES: dict[str, tuple[dict[str, str], float, str]] = {
    # 光电工研院培育光电领域高科技企业已超 200 家 (case 1); 襄阳航空研究院成立了…4家高科技企业 (case 12).
    # The parts of the 200 (瞪羚企业 27 家 …) are never added to it.
    "enterprises_incubated": ({"7-01-03": "超 200 家", "7-12-04": "4家"}, 204, "at_least"),
    # 107 家光谷科技企业共获得超 183 亿元的股权融资 (case 10), in 万元.
    "equity_financing_raised": ({"7-10-12": "超 183 亿元"}, 1_830_000, "at_least"),
    # 成功发放首笔贷款300万元 (case 18); 发放了 48 笔贷款，金额达 4324.96 万元 (case 19). The 4000万元 of
    # case 16 is one firm's financing given as an example (context), not a loan of the case.
    "loans_granted": ({"7-18-11": "300万元", "7-19-09": "4324.96 万元"}, 4624.96, "exact"),
    # 学院已分两批共培育学生 1392 名 (case 5); 累计招录学员538名 (case 9). Lecture and party guests
    # (case 3) are event attendees, and the legal centre's staff (case 28) are context.
    "students_trained": ({"7-05-07": "1392 名", "7-09-04": "538名"}, 1930, "exact"),
    # 新签约亿元以上产业项目 46 个，完成协议投资额 869.8 亿元 (case 11).
    "industrial_projects_signed": ({"7-11-11": "46 个"}, 46, "exact"),
    "contracted_investment": ({"7-11-12": "869.8 亿元"}, 8_698_000, "exact"),
}


@pytest.fixture(scope="module")
def store() -> pd.DataFrame:
    return load_metrics()


def test_the_catalogue_names_these_headline_measures_in_this_order() -> None:
    assert CATALOGUE.headline == list(TILES)


@pytest.mark.parametrize("measure", list(TILES))
def test_each_tile_adds_exactly_the_figures_read_by_hand(store: pd.DataFrame, measure: str) -> None:
    figures, total, bound = TILES[measure]
    added = summable_in(store, CATALOGUE, measure).set_index("fact_id")
    assert sorted(added.index) == sorted(figures)
    for fact_id, words in figures.items():
        assert added.loc[fact_id, "value_text"] == words
        assert str(added.loc[fact_id, "source_quote"]).replace(" ", "") in SOURCE.replace("\n", "").replace(" ", "")
    tile = headline_totals(store[list(TOTAL_COLUMNS)], CATALOGUE).set_index("measure").loc[measure]
    assert tile["total"] == pytest.approx(total)
    assert (tile["bound"], tile["figures"]) == (bound, len(figures))


def test_tiles_added_up_from_the_areas_equal_tiles_added_at_once(store: pd.DataFrame) -> None:
    by_area = headline_totals(store, CATALOGUE, by=["area"])
    assert roll_up(by_area, ["area"]).equals(headline_totals(store, CATALOGUE))
    wuhan_and_yichang = store[store["area"] != "襄阳片区"]
    rolled = roll_up(headline_totals(wuhan_and_yichang, CATALOGUE, by=["area"]), ["area"])
    assert rolled.equals(headline_totals(wuhan_and_yichang, CATALOGUE))


def test_tiles_are_in_the_catalogues_order_and_only_those_with_figures(store: pd.DataFrame) -> None:
    headline = headline_totals(store, CATALOGUE)
    assert headline["measure"].tolist() == list(TILES)
    wuhan = headline_totals(store[store["area"] == "武汉片区"], CATALOGUE)
    # Students and signed projects are Xiangyang's and Yichang's: no Wuhan tile, not a tile of 0.
    assert wuhan["measure"].tolist() == ["enterprises_incubated", "equity_financing_raised", "loans_granted"]


# measure: the largest single figure of the selection (fact_id, case number, the written value)
HIGHLIGHTS = {
    "enterprises_incubated": ("7-01-03", 1, "超 200 家"),
    "equity_financing_raised": ("7-10-12", 10, "超 183 亿元"),
    "loans_granted": ("7-19-09", 19, "4324.96 万元"),
    "students_trained": ("7-05-07", 5, "1392 名"),
    "industrial_projects_signed": ("7-11-11", 11, "46 个"),
    "contracted_investment": ("7-11-12", 11, "869.8 亿元"),
}


def test_highlights_are_each_headline_measures_largest_figure(store: pd.DataFrame) -> None:
    found = highlights(store[list(TOTAL_COLUMNS)], CATALOGUE)
    details = store.loc[found.index]
    assert found["measure"].astype(str).tolist() == list(HIGHLIGHTS)
    got = list(zip(details["fact_id"], details["case_no"], details["value_text"], strict=True))
    assert got == list(HIGHLIGHTS.values())


def test_highlights_read_as_links_to_their_cases_in_either_language(store: pd.DataFrame) -> None:
    found = highlights(store[list(TOTAL_COLUMNS)], CATALOGUE)
    details = store.loc[found.index, list(HIGHLIGHT_COLUMNS)]
    chinese = highlight_links(found, details, CATALOGUE, "zh")
    assert [link.case for link in chinese] == [f"7-{case_no}" for _, case_no, _ in HIGHLIGHTS.values()]
    assert chinese[1].label == "股权融资：**超 183 亿元**｜案例10 培育光谷科技型企业新模式"
    assert chinese[1].quote.startswith("「超 183 亿元」") and "股权融资" in chinese[1].quote
    english = highlight_links(found, details, CATALOGUE, "en")
    assert english[1].label.startswith("Equity financing raised: **over 18.3 billion yuan** | Case 10 ")
    assert not re.search(r"[\u4e00-\u9fff]", english[1].label)  # the case's English title
    assert english[1].quote == chinese[1].quote  # the quote stays as written
