"""Reading figures as written: Arabic and Chinese numerals, ranges, qualifiers, units."""

import pytest

from loaders.numbers import INFIX_QUALIFIERS, PREFIX_QUALIFIERS, SUFFIX_QUALIFIERS, Figure, parse_figure
from loaders.schema import QUALIFIERS


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("超 200 家", Figure(200, None, "家", ("超",))),
        ("27 家", Figure(27, None, "家", ())),
        ("4324.96 万元", Figure(4324.96, None, "万元", ())),
        ("1,392 家", Figure(1392, None, "家", ())),
        ("１２３家", Figure(123, None, "家", ())),
        ("2—3天", Figure(2, 3, "天", ())),
        ("10至15天", Figure(10, 15, "天", ())),
        ("50%至60%", Figure(50, 60, "%", ())),
        ("30万元至100万元", Figure(30, 100, "万元", ())),
        ("1—2 年", Figure(1, 2, "年", ())),
        ("两次", Figure(2, None, "次", ())),
        ("百余家", Figure(100, None, "家", ("余",))),
        ("20 余场", Figure(20, None, "场", ("余",))),
        ("300多万元", Figure(300, None, "万元", ("多",))),
        ("约四成", Figure(4, None, "成", ("约",))),
        ("一小时", Figure(1, None, "小时", ())),
        ("两周", Figure(2, None, "周", ())),
        ("十二个", Figure(12, None, "个", ())),
        ("一百二十名", Figure(120, None, "名", ())),
        ("近千家", Figure(1000, None, "家", ("近",))),
        ("超亿美元", Figure(1, None, "亿美元", ("超",))),
        ("1.2万人", Figure(1.2, None, "万人", ())),
        ("5分钟内", Figure(5, None, "分钟", ("内",))),
        ("2个工作日内", Figure(2, None, "个工作日", ("内",))),
        ("20%以上", Figure(20, None, "%", ("以上",))),
        ("不超过 3 个工作日", Figure(3, None, "个工作日", ("不超过",))),
        ("累计、超 500 人次", Figure(500, None, "人次", ("累计", "超"))),
        ("九大", Figure(9, None, "个", ())),
        ("6 大类", Figure(6, None, "类", ())),
        ("3.5个百分点", Figure(3.5, None, "个百分点", ())),
    ],
)
def test_parse_figure_reads_written_forms(text: str, expected: Figure) -> None:
    assert parse_figure(text) == expected


@pytest.mark.parametrize("text", ["", "家", "数十项", "数千亿", "2—天", "30万元至100万美元", "200"])
def test_parse_figure_refuses_what_is_not_a_figure(text: str) -> None:
    with pytest.raises(ValueError):
        parse_figure(text)


def test_qualifier_words_of_the_reader_are_the_schema_list() -> None:
    assert set(PREFIX_QUALIFIERS + INFIX_QUALIFIERS + SUFFIX_QUALIFIERS) == set(QUALIFIERS)
