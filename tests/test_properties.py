"""Property tests of the number reading and the encoding reader, against independent oracles."""

import csv
import io
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from loaders.ingest import normalise_number
from loaders.numbers import parse_chinese_numeral, parse_figure
from loaders.read import read_csv_bytes

FULL_WIDTH = str.maketrans("0123456789,.", "０１２３４５６７８９，．")
DIGITS = "零一二三四五六七八九"


def chinese(n: int) -> str:
    """An independent writer of Chinese numerals for 1–9999, by place value."""
    places = [(1000, "千"), (100, "百"), (10, "十"), (1, "")]
    out, zero = "", False
    for size, name in places:
        digit = n // size % 10
        if digit == 0:
            zero = bool(out)
            continue
        if zero:
            out += "零"
            zero = False
        out += ("" if (size == 10 and digit == 1 and not out) else DIGITS[digit]) + name
    return out


amounts = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)


@given(amounts, st.booleans(), st.booleans())
def test_numbers_with_separators_and_full_width_read_back(value: Decimal, full_width: bool, spaced: bool) -> None:
    text = f"{value:,}"
    if full_width:
        text = text.translate(FULL_WIDTH)
    if spaced:
        text = f" {text} "
    assert Decimal(normalise_number(text.strip())) == value


@given(amounts)
def test_written_figures_read_back(value: Decimal) -> None:
    assert Decimal(str(parse_figure(f"超 {value:,} 万元").value)).quantize(Decimal("0.01")) == value


@given(st.integers(min_value=1, max_value=9999))
def test_chinese_numerals_read_back(n: int) -> None:
    assert parse_chinese_numeral(chinese(n)) == n


CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
cell = (
    st.text(alphabet=st.one_of(CJK, st.sampled_from("abcXYZ0123456789 ·（）-")), min_size=1, max_size=12)
    .map(str.strip)
    .filter(bool)
)
tables = st.lists(st.lists(cell, min_size=3, max_size=3), min_size=2, max_size=6)


@settings(max_examples=60)
@given(tables, st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"]))
def test_encoding_reader_returns_what_was_written(table: list[list[str]], encoding: str) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter="\t" if encoding == "utf-16" else ",", lineterminator="\r\n").writerows(table)
    data = buffer.getvalue().encode(encoding)
    result = read_csv_bytes(data)
    assert [list(result.frame.columns), *result.frame.values.tolist()] == table
