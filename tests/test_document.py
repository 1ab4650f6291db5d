"""Reading a batch document: cover, table of contents, providers, sections and sentences."""

import pytest

from loaders.document import Sentence, clean_title, parse_document
from tests.conftest import AREAS, FIXTURES

SAMPLE = (FIXTURES / "batch-sample.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("raw", "title"),
    [
        ("建设新型研发机构 促进技术要素市场化配置 (5)", "建设新型研发机构 促进技术要素市场化配置"),
        ("打造襄阳航空研究院 建设产学研用一体化平台 ... (49)", "打造襄阳航空研究院 建设产学研用一体化平台"),
        ("双创战略团队培育模式\t(53)", "双创战略团队培育模式"),
        ("“宜网惠企”服务平台.....\t(92)", "“宜网惠企”服务平台"),
        (
            "东湖科技保险示范区打造“产、学、研、用、 孵”一体化平台\t(66)",
            "东湖科技保险示范区打造“产、学、研、用、孵”一体化平台",
        ),
        ("构建产业链“专利图谱” 助力高端装备制造业发展", "构建产业链“专利图谱” 助力高端装备制造业发展"),
    ],
)
def test_clean_title_drops_leaders_pages_and_stray_spaces(raw: str, title: str) -> None:
    assert clean_title(raw) == title


def test_parse_document_reads_the_cover() -> None:
    document = parse_document(SAMPLE, AREAS)
    assert (document.batch, document.doc_no, document.published) == (9, "鄂自贸组发〔2099〕9号", "2099-01-02")
    assert document.warnings == []


def test_parse_document_reads_the_toc_including_a_wrapped_entry() -> None:
    cases = parse_document(SAMPLE, AREAS).cases
    assert [(c.entry.case_no, c.entry.title, c.entry.category) for c in cases] == [
        (1, "样例案例甲", "测试领域"),
        (2, "样例案例乙：一个标题很长的案例 需要换行", "测试领域"),
    ]
    assert [(c.provider, c.area) for c in cases] == [("武汉片区", "武汉片区"), ("省商务厅、宜昌片区", "宜昌片区")]


def test_parse_document_joins_a_sentence_broken_across_a_page() -> None:
    first = parse_document(SAMPLE, AREAS).cases[0]
    assert first.sentences == [
        Sentence("导语", "为测试而设的导语，党的二十大以来开展工作。"),
        Sentence("主要做法", "（一）建立机制"),
        Sentence("主要做法", "共举办培训 3 场。"),
        Sentence("实践效果", "截至2099年1月，已服务企业超 200 家，其中，样例企业 27 家。"),
    ]


def test_parse_document_warns_about_an_unknown_area() -> None:
    text = SAMPLE.replace("（省商务厅、宜昌片区提供）", "（省商务厅、荆州片区提供）")
    document = parse_document(text, AREAS)
    assert document.cases[1].area is None
    assert any("荆州片区" in warning for warning in document.warnings)
