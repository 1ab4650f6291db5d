"""A new batch's document: read or refused with a reason, checked against, kept and registered on apply."""

import io
from pathlib import Path

import pandas as pd
import pytest

from loaders.extract import propose_from
from loaders.ingest import Refused, apply, main, prepare, publish, submit
from loaders.sources import UnreadableDocument, document_of, english_title, source_of, title_of
from loaders.stores import Store, open_store
from tests.conftest import FIXTURES, copy_data_folder

FICTION = FIXTURES / "fiction-batch-09.txt"


def fiction_source(store: Store):  # type: ignore[no-untyped-def]
    text, document = document_of(FICTION.read_bytes(), "第九批.txt", store.areas())
    return source_of(text, document, "第九批.txt", document.batch or 0)


def proposals(store: Store) -> bytes:
    rows, _ = propose_from(FICTION.read_bytes(), ".txt", store.areas(), store.catalogue())
    return rows.to_csv(index=False).encode("utf-8")


def test_source_of_reads_batch_title_number_and_date_from_the_document(areas: list[str]) -> None:
    text, document = document_of(FICTION.read_bytes(), "第九批.txt", areas)
    source = source_of(text, document, "第九批.txt", 9)
    assert (source.batch, source.title, source.doc_no, source.published) == (
        9,
        "中国（湖北）自由贸易试验区第九批实践案例",
        "鄂自贸组发〔2099〕5号",
        "2099-03-08",
    )
    assert source.name == "sources/batch-09.txt" and "- 4 -" not in source.text  # page numbers are gone
    assert source.title_en == "China (Hubei) Pilot Free Trade Zone: Practice Cases, Batch 9"


@pytest.mark.parametrize(
    ("title", "batch", "english"),
    [
        ("中国（湖北）自由贸易试验区第九批实践案例", 9, "China (Hubei) Pilot Free Trade Zone: Practice Cases, Batch 9"),
        (
            "中国（湖北）自由贸易试验区第十二批实践案例",
            12,
            "China (Hubei) Pilot Free Trade Zone: Practice Cases, Batch 12",
        ),
        ("中国（湖北）自由贸易试验区第九批实践案例", 8, ""),  # the title names another batch: no guess
        ("湖北自贸试验区制度创新成果汇编", 9, ""),  # another title: translated by someone
    ],
)
def test_english_title_follows_the_series_usual_title_only(title: str, batch: int, english: str) -> None:
    assert english_title(title, batch) == english


@pytest.mark.parametrize(
    ("line", "title"),
    [
        ("关于印发中国（湖北）自由贸易试验区 第七批实践案例的通知", "中国（湖北）自由贸易试验区第七批实践案例"),
        ("中国（湖北）自由贸易试验区第八批实践案例", "中国（湖北）自由贸易试验区第八批实践案例"),
        ("各市、州、县人民政府：", ""),
    ],
)
def test_title_of_reads_the_notice_or_the_title_line(line: str, title: str) -> None:
    assert title_of(f"附件\n{line}\n") == title


def blank_pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("空.txt", b"  \n", "文件是空的"),
        ("图片.txt", bytes(range(256)) * 8, "不是文本文件"),
        ("扫描件.pdf", blank_pdf(), "PDF 没有文字层"),
        ("坏.docx", b"PK\x03\x04 not really a zip", "无法读取"),
        ("表格.xlsx", b"whatever", "只能读取"),
        ("通知.txt", "关于开展调研的通知\n请各单位于月底前报送材料。\n".encode(), "没有找到案例"),
    ],
)
def test_document_of_refuses_what_is_no_batch_document_and_says_why(
    areas: list[str], name: str, data: bytes, reason: str
) -> None:
    with pytest.raises(UnreadableDocument, match=reason) as refused:
        document_of(data, name, areas)
    assert name in str(refused.value)


def test_applying_with_the_document_keeps_and_registers_it_and_checks_later_quotes(either_store: Store) -> None:
    source = fiction_source(either_store)
    prepared = prepare(proposals(either_store), "第九批.csv", either_store, source)
    assert not any("未核对原文" in note for note in prepared.notes)
    assert apply(prepared, either_store, who="王五", filename="第九批.csv", note="", yes=False)
    assert either_store.document("sources/batch-09.txt") == source.text.encode("utf-8")
    registered = either_store.register("batches").set_index("batch").loc["9"]
    assert registered[["title", "title_en", "doc_no", "published", "source_file"]].tolist() == [
        "中国（湖北）自由贸易试验区第九批实践案例",
        "China (Hubei) Pilot Free Trade Zone: Practice Cases, Batch 9",
        "鄂自贸组发〔2099〕5号",
        "2099-03-08",
        "sources/batch-09.txt",
    ]
    assert either_store.log().loc[0, "note"] == "原文 source sources/batch-09.txt"
    # From now on the batch's quotes are checked against the kept document, with no document given.
    rows = pd.read_csv(io.BytesIO(proposals(either_store)), dtype=str, keep_default_na=False)
    rows.loc[0, "source_quote"] = "对符合条件的企业给予最高 50 万元的补贴。"
    with pytest.raises(Refused) as refused:
        prepare(rows.to_csv(index=False).encode(), "第九批.csv", either_store)
    assert refused.value.report["code"].tolist() == ["quote-not-in-source"]


def test_a_document_of_another_batch_refuses_the_file(either_store: Store) -> None:
    source = fiction_source(either_store)
    other = type(source)(8, source.text, "第八批.txt")
    with pytest.raises(Refused) as refused:
        prepare(proposals(either_store), "第九批.csv", either_store, other)
    assert refused.value.report["code"].tolist() == ["source-batch-missing"]
    assert either_store.document("sources/batch-08.txt") is None


def test_a_draft_keeps_its_document_until_it_is_published(either_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FTZ_APPROVAL", "1")
    prepared = prepare(proposals(either_store), "第九批.csv", either_store, fiction_source(either_store))
    draft_id = submit(prepared, either_store, who="王五", filename="第九批.csv", note="", yes=False)
    assert either_store.document("sources/batch-09.txt") is None  # leaders' batch list does not show it yet
    publish(either_store, draft_id, who="李四")
    assert either_store.document("sources/batch-09.txt") is not None
    assert either_store.register("batches").set_index("batch").loc["9", "doc_no"] == "鄂自贸组发〔2099〕5号"


def test_the_command_line_checks_quotes_against_source_and_registers_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = copy_data_folder(tmp_path)
    store = open_store(path=path)
    rows = tmp_path / "第九批.csv"
    rows.write_bytes(proposals(store))
    wrong = pd.read_csv(rows, dtype=str, keep_default_na=False)
    wrong.loc[3, "source_quote"] = "带动企业研发投入超 3.5 亿元，成效显著。"
    (tmp_path / "wrong.csv").write_text(wrong.to_csv(index=False), encoding="utf-8")
    assert main([str(tmp_path / "wrong.csv"), "--store", str(path), "--source", str(FICTION)]) == 1
    assert "quote-not-in-source" in capsys.readouterr().err and store.document("sources/batch-09.txt") is None
    assert main([str(rows), "--store", str(path), "--source", str(FICTION), "--by", "王五"]) == 0
    assert "sources/batch-09.txt" in capsys.readouterr().out
    assert (path.parent / "sources" / "batch-09.txt").read_text(encoding="utf-8") == fiction_source(store).text
    assert main([str(rows), "--store", str(path), "--source", str(tmp_path / "none.txt")]) == 2
    (tmp_path / "empty.txt").write_bytes(b"")
    assert main([str(rows), "--store", str(path), "--source", str(tmp_path / "empty.txt")]) == 1
    assert "文件是空的" in capsys.readouterr().err
