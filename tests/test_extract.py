"""The extractor proposes every figure of a batch document, from text, Word or PDF, for review."""

import html
from pathlib import Path

import pandas as pd
import pytest

from loaders.document import parse_document
from loaders.extract import _indicator, clean_lines, document_text, evaluate, main, propose
from loaders.measures import load_catalogue
from loaders.store import DATA_DIR, METRICS_PATH
from tests.conftest import AREAS, FIXTURES

SOURCE = DATA_DIR / "sources" / "batch-07.txt"
CATALOGUE = load_catalogue()


def one_case(*paragraphs: str) -> str:
    """A minimal batch document: cover, contents, one case with the given results paragraphs."""
    body = "\n\n".join(paragraphs)
    return (
        "鄂自贸组发〔2099〕1号\n\n第九批实践案例\n\n一、测试领域\n\n1. 样例案例 (1)\n\n样例案例\n\n"
        f"(武汉片区提供)\n\n三、实践效果\n\n{body}\n"
    )


def proposals_of(*paragraphs: str) -> pd.DataFrame:
    return propose(parse_document(clean_lines(one_case(*paragraphs)), AREAS), 9, CATALOGUE)


@pytest.mark.parametrize(
    ("sentence", "value_text", "value", "high", "unit", "qualifier"),
    [
        ("培育企业已超 200 家。", "超 200 家", 200, "", "家", "超"),
        ("金额达 4324.96 万元。", "4324.96 万元", 4324.96, "", "万元", ""),
        ("共培育学生 1,392 名。", "1,392 名", 1392, "", "名", ""),
        ("可缩减10至15天建设工期。", "10至15天", 10, 15, "天", ""),
        ("市场占有率部分高达50%至60%。", "50%至60%", 50, 60, "%", ""),
        ("占全省瞪羚企业的约四成。", "约四成", 4, "", "成", "约"),
        ("累计收结汇超亿美元。", "超亿美元", 1, "", "亿美元", "累计、超"),
        ("举办了两次活动。", "两次", 2, "", "次", ""),
        ("邀请百余家投资机构参会。", "百余家", 100, "", "家", "余"),
        ("最快可在一小时内到账。", "一小时内", 1, "", "小时", "内"),
        ("对工业设计企业最高给予奖励 100 万元。", "100 万元", 100, "", "万元", ""),
        ("涉及资金30万元至100万元不等。", "30万元至100万元", 30, 100, "万元", ""),
    ],
)
def test_each_number_form_is_proposed(
    sentence: str, value_text: str, value: float, high: object, unit: str, qualifier: str
) -> None:
    rows = proposals_of(sentence)
    assert rows["value_text"].tolist() == [value_text]
    row = rows.iloc[0]
    assert (row["value"], row["value_high"], row["unit"], row["qualifier"]) == (value, high, unit, qualifier)


@pytest.mark.parametrize(
    "sentence",
    [
        "党的二十大报告提出。",
        "省十二次党代会精神。",
        "开通12348法律服务专线。",
        "形成一批好经验。",
        "推动数十项技术。",
        "于2022年4月1日启动。",
        "实行“5个一”责任制。",
    ],
)
def test_names_dates_codes_and_vague_quantities_are_not_proposed(sentence: str) -> None:
    assert proposals_of(sentence).empty


def test_before_after_and_parts_are_linked() -> None:
    rows = proposals_of(
        "办理时间从2—3天缩短至5分钟。", "已服务企业超 200 家，其中，外资企业 27 家，带动投资 3.5 亿元。"
    )
    assert rows[["value_text", "phase"]].values.tolist()[:2] == [["2—3天", "before"], ["5分钟", "after"]]
    by_text = rows.set_index("value_text")
    assert by_text.loc["27 家", "part_of"] == by_text.loc["超 200 家", "fact_id"]
    assert by_text.loc["3.5 亿元", "part_of"] == ""  # another unit is no part of the whole


def test_kind_and_scope_are_proposed() -> None:
    rows = proposals_of(
        "力争到2025年培育企业 100 家。", "全市已有规模以上企业 19 家。", "已服务企业 30 家。"
    ).set_index("value_text")
    assert rows.loc["100 家", "kind"] == "target"
    assert (rows.loc["19 家", "kind"], rows.loc["19 家", "scope"]) == ("context", "city")
    assert (rows.loc["30 家", "kind"], rows.loc["30 家", "scope"]) == ("outcome", "zone")


def test_pdf_damage_is_repaired() -> None:
    text = one_case(
        "截至2023年6月，试点已服务企业 1,392 家，其中，外资",
        "- 4 -",
        "第九批实践案例",
        "企业 120 家。",
        "力争达到 500",
        "- 5 -",
        "第九批实践案例",
        "家。",
    )
    rows = propose(parse_document(clean_lines(text), AREAS), 9, CATALOGUE)
    assert rows["value_text"].tolist() == ["1,392 家", "120 家", "500家"]
    assert rows["source_quote"].iloc[1] == "截至2023年6月，试点已服务企业 1,392 家，其中，外资企业 120 家。"


def scores(path: Path, truth: Path = METRICS_PATH, batch: int = 7) -> dict[str, float]:
    document = parse_document(clean_lines(document_text(path)), AREAS)
    table = pd.read_csv(truth, dtype=str, keep_default_na=False)
    return evaluate(
        propose(document, batch, CATALOGUE), table[table["batch"].astype(int) == batch].reset_index(drop=True)
    )


def test_seventh_batch_from_text_meets_its_goals() -> None:
    result = scores(SOURCE)
    assert result["recall"] >= 0.95 and result["precision"] >= 0.90
    assert result["area"] == 1.0 and result["category"] == 1.0
    assert result["kind"] >= 0.90
    # The measure decides what is added: the goal is 85% of matched figures (and so their indicator).
    assert result["measure"] >= 0.85 and result["indicator"] >= 0.85


@pytest.mark.parametrize(
    ("unit", "indicator"),
    [
        ("万名", "talent"),
        ("名", "talent"),
        ("万人次", "talent"),
        ("万户", "enterprises"),
        ("家", "enterprises"),
        ("万笔", "services"),
        ("件", "services"),
        ("成", "share"),
        ("个百分点", "share"),
        ("亿美元", "output"),
    ],
)
def test_indicator_follows_the_unit_s_dimension(unit: str, indicator: str) -> None:
    assert _indicator(unit, "累计服务") == indicator


def test_evaluate_command_exits_non_zero_below_its_thresholds() -> None:
    assert (
        main(
            ["--evaluate", str(SOURCE), "--truth", str(METRICS_PATH), "--min-recall", "0.95", "--min-precision", "0.9"]
        )
        == 0
    )
    assert main(["--evaluate", str(SOURCE), "--truth", str(METRICS_PATH), "--min-recall", "0.999"]) == 1


def test_seventh_batch_from_word(tmp_path: Path) -> None:
    from docx import Document

    document = Document()
    for paragraph in SOURCE.read_text(encoding="utf-8").split("\n"):
        if paragraph.strip():
            document.add_paragraph(paragraph.strip())
    path = tmp_path / "batch-07.docx"
    document.save(str(path))
    assert scores(path) == scores(SOURCE)


def test_seventh_batch_from_a_pdf_with_page_numbers_and_running_heads(tmp_path: Path) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    style = ParagraphStyle("cn", fontName="STSong-Light", fontSize=11, leading=16, wordWrap="CJK")
    story = []
    for paragraph in SOURCE.read_text(encoding="utf-8").split("\n"):
        if paragraph.strip():
            story += [Paragraph(html.escape(paragraph.strip()), style), Spacer(1, 4)]

    def furniture(canvas, doc) -> None:  # type: ignore[no-untyped-def]
        canvas.setFont("STSong-Light", 9)
        canvas.drawString(280, 20, f"- {doc.page} -")
        canvas.drawString(200, 810, "中国（湖北）自由贸易试验区实践案例")

    path = tmp_path / "batch-07.pdf"
    SimpleDocTemplate(str(path), pagesize=A4).build(story, onFirstPage=furniture, onLaterPages=furniture)
    result = scores(path)
    assert result["recall"] >= 0.95 and result["precision"] >= 0.90 and result["area"] == 1.0


def test_fictional_batch_in_another_layout() -> None:
    result = scores(FIXTURES / "fiction-batch-09.txt", FIXTURES / "fiction-batch-09-truth.csv", batch=9)
    assert result["recall"] >= 0.9 and result["precision"] >= 0.9 and result["category"] == 1.0
    # The rules were read from the 7th batch only; this batch's score is recorded (BENCHMARKS.md), not tuned:
    # 7 of 13 right, and every miss is a measure that is never added, so an unreviewed import would leave
    # those figures out of totals rather than add them to unlike ones.
    assert result["measure"] >= 0.5
    document = parse_document(clean_lines(document_text(FIXTURES / "fiction-batch-09.txt")), AREAS)
    proposals = propose(document, 9, CATALOGUE)
    truth = pd.read_csv(FIXTURES / "fiction-batch-09-truth.csv", dtype=str, keep_default_na=False)
    assert proposals["value_text"].tolist() == truth["value_text"].tolist()  # the same figures, in order
    missed = proposals.loc[proposals["measure"] != truth["measure"], "measure"]
    assert not missed.empty and not set(missed) & CATALOGUE.additive


@pytest.mark.parametrize(
    ("sentence", "measure"),
    [
        ("累计发放贷款 2,500 万元。", "loans_granted"),
        ("共获得超 183 亿元的股权融资。", "equity_financing_raised"),
        ("共培育学生 1392 名。", "students_trained"),
        ("邀请 32 名外籍人员参加。", "event_attendees"),
        ("培育光电领域高科技企业已超 200 家。", "enterprises_incubated"),
        ("辅导 110 余家企业。", "enterprises_served"),
        ("同比增长 48.9%。", "growth_rate"),
        ("对工业设计企业最高给予奖励 100 万元。", "policy_amount"),
        ("测得土壤样本 30 吨。", "other_unclassified"),  # no rule knows it: the family's catch-all
    ],
)
def test_a_measure_is_proposed_from_the_words_of_the_figure(sentence: str, measure: str) -> None:
    row = proposals_of(sentence).iloc[0]
    assert row["measure"] == measure
    assert row["indicator"] == CATALOGUE.table.at[measure, "indicator"]  # the indicator is the measure's family


def test_a_part_counts_what_its_whole_counts() -> None:
    rows = proposals_of("已服务企业超 200 家，其中，外资企业 27 家。").set_index("value_text")
    assert rows.loc["27 家", "measure"] == rows.loc["超 200 家", "measure"] == "enterprises_served"


def test_a_document_without_contents_is_refused_with_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("会议纪要\n\n今天讨论了 3 件事。\n", encoding="utf-8")
    assert main([str(path)]) == 1
    assert "没有找到目录或案例" in capsys.readouterr().err


def test_proposals_are_written_beside_the_document(tmp_path: Path) -> None:
    path = tmp_path / "batch-07.txt"
    path.write_bytes(SOURCE.read_bytes())
    assert main([str(path)]) == 0
    written = pd.read_csv(tmp_path / "batch-07.candidates.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(written.columns)[:3] == ["fact_id", "batch", "case_no"] and len(written) > 200


def test_an_unknown_area_is_a_warning_not_a_crash(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "batch.txt"
    path.write_text(one_case("已服务企业 30 家。").replace("(武汉片区提供)", "(荆州片区提供)"), encoding="utf-8")
    assert main([str(path)]) == 0
    assert "荆州片区" in capsys.readouterr().err
    written = pd.read_csv(tmp_path / "batch.candidates.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert written[["value_text", "area", "provider"]].values.tolist() == [["30 家", "", "荆州片区"]]
