"""Processing-time figures: time saved stated alone is told apart from a duration now achieved."""

import pytest

from ftz.timing import is_reduction, reduction_flags, reductions_and_durations
from tests.conftest import make_rows


@pytest.mark.parametrize(
    ("quote", "text", "saved"),
    [
        ("审批时间平均减少8个工作日。", "8个工作日", True),
        ("办理时限由15天缩减10至15天。", "10至15天", True),
        ("实现最快3个工作日办结。", "3个工作日", False),
        ("压缩50%，全程5天办结。", "5天", False),  # the cut belongs to another clause
        ("材料不含此数。", "8天", False),
    ],
)
def test_is_reduction(quote: str, text: str, saved: bool) -> None:
    assert is_reduction(quote, text) is saved


def time_figures():  # type: ignore[no-untyped-def]
    return make_rows(
        {
            "indicator": "time",
            "unit": "个工作日",
            "value": 8,
            "value_text": "8个工作日",
            "source_quote": "平均减少8个工作日。",
        },
        {"indicator": "time", "unit": "天", "value": 3, "value_text": "3天", "source_quote": "最快3天办结。"},
        {
            "indicator": "time",
            "unit": "天",
            "value": 2,
            "phase": "before",
            "value_text": "2天",
            "source_quote": "从2天",
        },
        {"indicator": "enterprises", "value": 5, "value_text": "5家", "source_quote": "减少5家"},
        {"indicator": "time", "unit": "天", "value": 1, "value_text": "1天", "source_quote": "再缩短1天。"},
    )


def test_reductions_and_durations_split_the_figures_with_no_phase() -> None:
    rows = time_figures()
    saved, durations = reductions_and_durations(rows)
    assert saved["value_text"].tolist() == ["8个工作日", "1天"]
    assert durations["value_text"].tolist() == ["3天"]


def test_reductions_and_durations_take_flags_found_once_over_the_whole_table() -> None:
    rows = time_figures()
    flags = reduction_flags(rows)
    assert flags.tolist() == [True, False, True]
    part = rows.iloc[[1, 3, 4]]
    saved, durations = reductions_and_durations(part, flags)
    assert saved["value_text"].tolist() == ["1天"]
    assert durations["value_text"].tolist() == ["3天"]
    # The flags given are the ones used (here the opposite of the rule's) ...
    saved, durations = reductions_and_durations(part, ~flags)
    assert (saved["value_text"].tolist(), durations["value_text"].tolist()) == (["3天"], ["1天"])
    # ... unless they lack a figure: then the rule is applied, never a guess.
    saved, durations = reductions_and_durations(part, flags.iloc[:1])
    assert (saved["value_text"].tolist(), durations["value_text"].tolist()) == (["1天"], ["3天"])


def test_pairs_are_made_on_the_chinese_words_and_said_in_english_after() -> None:
    from ftz.i18n import localized
    from ftz.timing import time_pairs

    quote = "办理时间从2天缩短至5分钟。"
    common = {"indicator": "time", "measure": "processing_time", "metric": "办理时间", "source_quote": quote}
    rows = make_rows(
        {**common, "phase": "before", "unit": "天", "value": 2, "value_text": "2天", "metric_en": "Processing time"},
        {**common, "phase": "after", "unit": "分钟", "value": 5, "value_text": "5分钟", "metric_en": ""},
    )
    pairs = time_pairs(rows)
    assert len(pairs) == 1  # one side without an English metric does not break the pair
    assert localized(pairs, "en")["metric"].tolist() == ["办理时间"]  # the after side's (empty) English falls back
    assert pairs[["before_value", "before_unit", "after_value", "after_unit"]].values.tolist() == [[2, "天", 5, "分钟"]]
