"""Labels in both languages: batches, codes, units, and no text key missing a language."""

import pytest

from ftz.i18n import TEXT, batch_label, chinese_number, code_label, unit_label
from loaders.schema import INDICATORS, KINDS, SCOPES


@pytest.mark.parametrize(("n", "zh"), [(7, "七"), (10, "十"), (12, "十二"), (20, "二十"), (28, "二十八")])
def test_chinese_number(n: int, zh: str) -> None:
    assert chinese_number(n) == zh


def test_batch_label() -> None:
    assert (batch_label(7, "zh"), batch_label(7, "en")) == ("第七批", "Batch 7")


@pytest.mark.parametrize(("column", "codes"), [("indicator", INDICATORS), ("kind", KINDS), ("scope", SCOPES)])
def test_every_code_has_both_labels(column: str, codes: dict[str, tuple[str, str]]) -> None:
    for code in codes:
        zh, en = code_label(column, code, "zh"), code_label(column, code, "en")
        assert zh and en and zh != en


def test_every_text_has_both_languages() -> None:
    for key, (zh, en) in TEXT.items():
        assert zh.strip() and en.strip(), key
        assert zh.count("{") == en.count("{"), key


def test_units_translate_in_english_only() -> None:
    assert (unit_label("家", "zh"), unit_label("家", "en"), unit_label("桶", "en")) == ("家", "firms", "桶")
