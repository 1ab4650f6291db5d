"""Bringing a batch file in: every encoding and header style, every broken file refused, nothing lost."""

import hashlib
import multiprocessing
import shutil
from pathlib import Path

import pandas as pd
import pytest

from loaders import ingest
from loaders.ingest import Refused, apply, list_backups, main, prepare, process_incoming, read_log, restore
from loaders.measures import load_catalogue
from loaders.read import detect_encoding, read_table
from loaders.store import DATA_DIR, english_names, load_metrics
from tests.conftest import FIXTURES, copy_data_folder

SAMPLES = [
    "batch-08-sample-gbk.csv",
    "batch-08-sample-utf8-bom.csv",
    "batch-08-sample-utf16.txt",
    "batch-08-sample.xlsx",
]
BROKEN = [
    ("missing-column.csv", "missing-column", None),
    ("unknown-column.csv", "unknown-column", None),
    ("bad-number.csv", "bad-number", 5),
    ("negative-value.csv", "negative-value", 6),
    ("unknown-area.csv", "unknown-area", 2),
    ("unknown-indicator.csv", "unknown-indicator", 6),
    ("duplicate-row.csv", "duplicate-row", 7),
    ("bad-part-of.csv", "bad-part-of", 2),
    ("unknown-measure.csv", "unknown-measure", 6),
    ("measure-family-mismatch.csv", "measure-family-mismatch", 2),
    ("measure-unit-mismatch.csv", "measure-unit-mismatch", 3),
    ("no-measure-column.csv", "missing-column", None),
    ("header-only.csv", "no-rows", None),
    ("empty.csv", "empty-file", None),
    ("binary-junk.csv", "not-a-table", None),
    ("not-really.xlsx", "bad-xlsx", None),
]


@pytest.fixture
def store(tmp_path: Path) -> Path:
    """A copy of the shipped data folder, so that tests change only their own store."""
    return copy_data_folder(tmp_path)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run(*args: object) -> int:
    return main([str(a) for a in args])


@pytest.mark.parametrize(("name", "encoding"), [
    ("batch-08-sample-gbk.csv", "gb18030"),
    ("batch-08-sample-utf8-bom.csv", "utf-8-sig"),
    ("batch-08-sample-utf16.txt", "utf-16"),
    ("batch-08-sample.xlsx", "xlsx:数据"),
])  # fmt: skip
def test_read_table_reads_each_format_staff_save(name: str, encoding: str) -> None:
    result = read_table((FIXTURES / name).read_bytes(), name)
    assert result.encoding == encoding
    assert len(result.frame) == 5 and result.frame.columns[0] == "批次"


@pytest.mark.parametrize("name", SAMPLES)
def test_each_sample_gives_the_same_rows(store: Path, name: str) -> None:
    prepared = prepare((FIXTURES / name).read_bytes(), name, store)
    rows = prepared.rows.set_index("fact_id")
    assert rows.loc["8-01-01", ["value", "value_text", "indicator", "kind", "as_of"]].tolist() == [
        "1392", "1,392 家", "enterprises", "outcome", "2023-06",
    ]  # fmt: skip
    assert rows.loc["8-02-01", "value"] == "2500.5" and rows.loc["8-01-02", "phase"] == "before"
    assert prepared.diff.added == ["8-01-01", "8-01-02", "8-01-03", "8-02-01", "8-02-02"]
    assert any("第8批没有登记原文" in note for note in prepared.notes)


@pytest.mark.parametrize(("name", "code", "row"), BROKEN, ids=[b[0] for b in BROKEN])
def test_each_broken_file_is_refused_with_its_code_and_row(store: Path, name: str, code: str, row: int | None) -> None:
    before = digest(store)
    assert run(FIXTURES / "broken" / name, "--store", store) == 1
    with pytest.raises(Refused) as refused:
        prepare((FIXTURES / "broken" / name).read_bytes(), name, store)
    report = refused.value.report
    assert code in set(report["code"]), report.to_string()
    if row is not None:
        assert row in set(report.loc[report["code"] == code, "row"])
    assert digest(store) == before
    assert not (store.parent / "history").exists()


def test_good_file_is_merged_backed_up_and_logged(store: Path) -> None:
    before = store.read_bytes()
    assert run(FIXTURES / "batch-08-sample-gbk.csv", "--store", store, "--note", "第八批", "--by", "张三") == 0
    merged = load_metrics(store)
    assert set(merged["batch"]) == {7, 8}
    assert merged[merged["batch"] == 7].shape[0] == pd.read_csv(DATA_DIR / "metrics.csv").shape[0]
    backups = list_backups(store)
    assert len(backups) == 1 and (store.parent / "history" / backups[0]).read_bytes() == before
    log = read_log(store)
    assert log.loc[0, ["who", "action", "batches", "added", "note"]].tolist() == ["张三", "ingest", "8", "5", "第八批"]
    assert "8" in set(pd.read_csv(store.parent / "batches.csv", dtype=str)["batch"])


def test_reingesting_the_same_rows_changes_nothing(store: Path) -> None:
    assert run(FIXTURES / "batch-08-sample-gbk.csv", "--store", store) == 0
    after_first = digest(store)
    for name in SAMPLES:
        assert run(FIXTURES / name, "--store", store) == 0
    assert digest(store) == after_first
    assert len(list_backups(store)) == 1


def test_dry_run_writes_nothing(store: Path) -> None:
    before = digest(store)
    assert run(FIXTURES / "batch-08-sample-gbk.csv", "--store", store, "--dry-run") == 0
    assert digest(store) == before and not (store.parent / "history").exists()


def test_replacing_rows_needs_yes(store: Path, tmp_path: Path) -> None:
    assert run(FIXTURES / "batch-08-sample-gbk.csv", "--store", store) == 0
    text = (FIXTURES / "batch-08-sample-gbk.csv").read_bytes().decode("gbk")
    corrected = tmp_path / "corrected.csv"
    corrected.write_bytes(text.replace("约 80 家", "约 90 家").replace(",80,", ",90,").encode("gbk"))
    before = digest(store)
    assert run(corrected, "--store", store) == 1
    assert digest(store) == before
    assert run(corrected, "--store", store, "--yes") == 0
    assert load_metrics(store).set_index("fact_id").loc["8-02-02", "value"] == 90


def test_restore_gives_back_a_byte_identical_store(store: Path) -> None:
    original = store.read_bytes()
    assert run(FIXTURES / "batch-08-sample-gbk.csv", "--store", store) == 0
    name = list_backups(store)[0]
    restore(store, name, who="李四", note="撤销")
    assert store.read_bytes() == original
    assert read_log(store).loc[0, "action"] == "restore"
    assert len(list_backups(store)) == 2  # the store before the restore is kept too
    with pytest.raises(ValueError):
        restore(store, "../metrics.csv", who="x")


def _ingest_in_process(args: tuple[str, str]) -> None:
    path, store = args
    prepared = prepare(Path(path).read_bytes(), Path(path).name, Path(store))
    apply(prepared, Path(store), who="p", filename=Path(path).name, note="", yes=True)


def test_two_ingests_at_once_keep_both_batches(store: Path, tmp_path: Path) -> None:
    text = (FIXTURES / "batch-08-sample-gbk.csv").read_bytes().decode("gbk")
    ninth = tmp_path / "ninth.csv"
    ninth.write_bytes(text.replace("\r\n8,", "\r\n9,").encode("gbk"))
    jobs = [(str(FIXTURES / "batch-08-sample-gbk.csv"), str(store)), (str(ninth), str(store))]
    with multiprocessing.get_context("fork").Pool(2) as pool:
        pool.map(_ingest_in_process, jobs)
    assert set(load_metrics(store)["batch"]) == {7, 8, 9}
    assert len(read_log(store)) == 2


def test_incoming_folder_sorts_files_into_done_and_rejected(store: Path) -> None:
    incoming = store.parent / "incoming"
    incoming.mkdir()
    shutil.copy(FIXTURES / "batch-08-sample-gbk.csv", incoming / "第八批.csv")
    shutil.copy(FIXTURES / "broken" / "bad-number.csv", incoming / "坏文件.csv")
    (incoming / "..evil.csv").write_text("x")
    results = dict(process_incoming(store))
    assert results == {"坏文件.csv": "rejected", "第八批.csv": "done"}
    assert (incoming / "done" / "第八批.csv").exists()
    assert "bad-number" in (incoming / "rejected" / "坏文件.csv.report.txt").read_text(encoding="utf-8")
    assert 8 in set(load_metrics(store)["batch"])


def test_usage_errors_exit_2(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("--store", store) == 2
    assert run(store, "--history", "--store", store) == 2
    with pytest.raises(SystemExit) as exited:
        main(["--no-such-option"])
    assert exited.value.code == 2


def test_help_explains_in_chinese_and_english(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    text = capsys.readouterr().out
    assert "把批次文件导入看板数据" in text and "--dry-run" in text and "exit codes" in text


def test_detect_encoding_prefers_gb18030_to_a_guess() -> None:
    assert detect_encoding("指标".encode("gbk")) == "gb18030"
    assert detect_encoding("指标".encode()) == "utf-8"


def test_importer_accepts_the_exports_own_files(store: Path) -> None:
    from ftz.export import to_csv

    # In English every label is English (areas and categories too), and still reads back as the same rows.
    english = english_names(store)
    for lang in ("zh", "en"):
        exported = to_csv(load_metrics(store), lang, load_catalogue(), english)
        prepared = prepare(exported, "export.csv", store)
        assert prepared.diff.empty
    assert "Wuhan Area" in exported.decode("utf-8-sig") and "Case (English)" in exported.decode("utf-8-sig")
    assert ingest.compute_diff(pd.read_csv(store, dtype=str, keep_default_na=False), prepared.rows).empty


def test_template_has_chinese_headers_an_example_and_drop_downs(store: Path) -> None:
    import io

    import openpyxl

    from loaders.schema import CHINESE_NAMES, COLUMN_NAMES
    from loaders.template import make_template

    catalogue = load_catalogue()
    data = make_template(["武汉片区", "襄阳片区", "宜昌片区"], catalogue)
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book["数据"]
    assert [c.value for c in sheet[1]] == [CHINESE_NAMES[c] for c in COLUMN_NAMES]
    lists = {str(v.sqref).split(":")[0].rstrip("0123456789"): v.formula1 for v in sheet.data_validations.dataValidation}
    letters = "ABCDEFGHIJKLMNOPQRSTUV"
    assert lists[letters[COLUMN_NAMES.index("measure")]].startswith("=选项!$A$2")
    assert lists[letters[COLUMN_NAMES.index("area")]].startswith("=选项!$B$2")
    measures = [c.value for c in book["选项"]["A"] if c.value][1:]
    assert measures[0] == "培育企业" and len(measures) == len(catalogue.codes)
    assert measures[-1] == catalogue.name("other_unclassified", "zh")  # catch-alls last, for units no measure has
    assert [c.value for c in book["选项"]["B"] if c.value][1:] == ["武汉片区", "襄阳片区", "宜昌片区"]
    listed = {row[1]: row for row in book["指标目录"].iter_rows(min_row=2, values_only=True)}
    assert listed["loans_granted"][0] == "发放贷款" and listed["loans_granted"][4] == "可合计"
    # the filled-in template goes straight into the importer
    prepared = prepare(data, "模板.xlsx", store)
    assert prepared.rows.loc[0, ["fact_id", "kind", "indicator", "measure"]].tolist() == [
        "8-01-01", "outcome", "enterprises", "enterprises_incubated",
    ]  # fmt: skip


def test_importer_accepts_the_exports_workbook(store: Path) -> None:
    from datetime import datetime

    from ftz.export import to_xlsx
    from loaders.store import load_batches

    for lang in ("zh", "en"):
        workbook = to_xlsx(
            load_metrics(store),
            filters={},
            lang=lang,
            batches=load_batches(),
            area_names=english_names(store),
            data_version="v",
            exported_at=datetime(2026, 1, 1),
            catalogue=load_catalogue(),
        )
        assert prepare(workbook, "export.xlsx", store).diff.empty


def test_typed_copy_after_ingest_equals_typing_the_written_file(store: Path, tmp_path: Path) -> None:
    from loaders.store import load_areas, read_metrics, read_raw_csv, type_metrics

    read_metrics(store)  # the old store's typed copy exists, so ingest types only the new rows
    assert run(FIXTURES / "batch-08-sample-gbk.csv", "--store", store) == 0
    text = (FIXTURES / "batch-08-sample-gbk.csv").read_bytes().decode("gbk")
    corrected = tmp_path / "corrected.csv"
    corrected.write_bytes(text.replace("约 80 家", "约 90 家").replace(",80,", ",90,").encode("gbk"))
    assert run(corrected, "--store", store, "--yes") == 0  # replaces batch 8 in the typed copy
    from_copy = read_metrics(store).frame
    fresh = type_metrics(read_raw_csv(store), load_areas()["area"].tolist())
    pd.testing.assert_frame_equal(from_copy, fresh)
    assert list(from_copy["category"].cat.categories)[-1] == "数字经济（样例）"


def _lines(*rows: bytes) -> tuple[bytes, list[int]]:
    """Return the file the rows make and the offset just past each of them."""
    ends, total = [], 0
    for row in rows:
        total += len(row)
        ends.append(total)
    return b"".join(rows), ends


@pytest.mark.parametrize("chunk", [1, 2, 5, 1 << 20])
def test_line_ends_skip_breaks_inside_quoted_cells(tmp_path: Path, chunk: int) -> None:
    from loaders.store import line_ends

    data, expected = _lines(b"a,b\n", b'1,"x\ny"\n', b'2,"say ""hi""\n, ok"\n', b'3,""\n', b"4,z\n")
    path = tmp_path / "table.csv"
    path.write_bytes(data)
    ends, carriage = line_ends(path, chunk)
    assert ends.tolist() == expected
    assert not carriage
    path.write_bytes(data.replace(b"\n", b"\r\n"))
    assert line_ends(path, chunk)[1]


def _two_batch_store(store: Path) -> None:
    """Make the store batch 7 and a synthetic batch 1000, so that batch 8 goes between them."""
    from bench.generate import synthetic_store
    from loaders.filestore import store_text
    from loaders.store import read_raw_csv

    shipped = read_raw_csv(store)
    store.write_text(store_text(pd.concat([shipped, synthetic_store(len(shipped))])), encoding="utf-8")


def _batch_8_with_a_quoted_line_break(tmp_path: Path) -> Path:
    frame = read_table((FIXTURES / "batch-08-sample-gbk.csv").read_bytes(), "x.csv").frame
    quote = frame["原文"].iloc[0]
    frame.loc[frame["原文"] == quote, "原文"] = quote.replace("试点已", '"试点"已').replace("，平均", "，\n平均")
    path = tmp_path / "quoted.csv"
    frame.to_csv(path, index=False, encoding="utf-8-sig")
    return path


def test_a_change_copies_the_other_batches_and_writes_what_a_full_rewrite_writes(
    store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from loaders import filestore
    from loaders.store import find_layout, load_areas, read_metrics, read_raw_csv, type_metrics

    copied: list[Path] = []
    write_batches = filestore.write_batches
    monkeypatch.setattr(
        filestore, "write_batches", lambda path, *rest: (copied.append(path), write_batches(path, *rest))
    )
    _two_batch_store(store)
    full = tmp_path / "full"
    shutil.copytree(store.parent, full)
    read_metrics(store)  # the typed copy gives the layout: only the changed batches are written out
    corrected = tmp_path / "corrected.csv"
    text = (FIXTURES / "batch-08-sample-gbk.csv").read_bytes().decode("gbk")
    corrected.write_bytes(text.replace("约 80 家", "约 90 家").replace(",80,", ",90,").encode("gbk"))
    steps = [FIXTURES / "batch-08-sample-gbk.csv", corrected, _batch_8_with_a_quoted_line_break(tmp_path)]
    for step in steps:
        shutil.rmtree(full / ".cache", ignore_errors=True)
        assert find_layout(store) is not None and find_layout(full / "metrics.csv") is None
        for target in (store, full / "metrics.csv"):
            assert run(step, "--store", target, "--yes") == 0
        assert store.read_bytes() == (full / "metrics.csv").read_bytes()
        fresh = type_metrics(read_raw_csv(store), load_areas()["area"].tolist())
        pd.testing.assert_frame_equal(read_metrics(store).frame, fresh)
    assert copied == [store] * len(steps)  # only the store with a typed copy took the copying path
    assert '""试点""已服务企业 1,392 家，\n平均'.encode() in store.read_bytes()
    assert load_metrics(store)["batch"].drop_duplicates().tolist() == [7, 8, 1000]


@pytest.mark.parametrize(
    "edit",
    [
        lambda text: text.replace("\n", "\r\n"),
        lambda text: text.replace("\n", "\r\n").replace("\r\n", "\n", 1),
        lambda text: "\ufeff" + text,
        lambda text: text.rstrip("\n"),
        lambda text: "\n".join([text.split("\n")[0], *reversed(text.rstrip("\n").split("\n")[1:])]) + "\n",
    ],
    ids=["crlf", "crlf-rows-only", "bom", "no-final-line-end", "rows-not-by-batch"],
)
def test_a_store_edited_by_hand_is_read_whole_and_written_in_order(store: Path, edit: object) -> None:
    from loaders.store import find_layout, read_metrics

    _two_batch_store(store)
    store.write_text(edit(store.read_text(encoding="utf-8")), encoding="utf-8", newline="")  # type: ignore[operator]
    read_metrics(store)  # valid, and typed, but not in the form ingest writes
    assert find_layout(store) is None
    assert run(FIXTURES / "batch-08-sample-gbk.csv", "--store", store) == 0
    assert find_layout(store) is not None
    assert b"\r" not in store.read_bytes()
    assert load_metrics(store)["batch"].drop_duplicates().tolist() == [7, 8, 1000]


def test_a_first_register_beside_a_store_keeps_the_batches_already_registered(store: Path) -> None:
    (store.parent / "batches.csv").unlink()  # the store reads the shipped register until it has its own
    assert run(FIXTURES / "batch-08-sample-gbk.csv", "--store", store) == 0
    register = pd.read_csv(store.parent / "batches.csv", dtype=str, keep_default_na=False)
    assert register["batch"].tolist() == ["7", "8"]
    assert register.loc[0, "source_file"] == "sources/batch-07.txt"


def test_a_typed_copy_of_another_file_gives_no_layout(store: Path) -> None:
    from loaders.store import cache_path, find_layout, read_metrics

    _two_batch_store(store)
    read_metrics(store)
    copy = cache_path(store)
    # Same size, other batch numbers: the copy kept under the new state's name is not of this file.
    store.write_text(store.read_text(encoding="utf-8").replace("1000", "1001"), encoding="utf-8")
    copy.rename(cache_path(store))
    assert find_layout(store) is None


# --- the catalogue grows ---------------------------------------------------------------------------

NEW_MEASURE = (
    "measure,indicator,name_zh,name_en,unit,additive,headline,definition_zh,definition_en\n"
    "carbon_reduced,other,碳减排量,Carbon emissions cut,吨,true,,企业通过碳账户核算的减排量。,"
    "Emissions cut as carbon accounts count them.\n"
)


def test_a_new_measure_is_merged_backed_up_logged_and_then_usable(store: Path, tmp_path: Path) -> None:
    catalogue = store.parent / "measures.csv"
    before = catalogue.read_bytes()
    new = tmp_path / "新口径.csv"
    new.write_text(NEW_MEASURE, encoding="gbk")  # as Excel on Chinese Windows saves it
    assert run("--measures", new, "--store", store, "--dry-run") == 0
    assert catalogue.read_bytes() == before
    assert run("--measures", new, "--store", store, "--by", "赵六", "--note", "第九批需要") == 0
    merged = pd.read_csv(catalogue, dtype=str, keep_default_na=False)
    assert merged["measure"].tolist()[-1] == "carbon_reduced" and len(merged) == len(before.splitlines())
    log = read_log(store)
    assert log.loc[0, ["who", "action", "added", "note"]].tolist() == ["赵六", "measures", "1", "第九批需要"]
    assert (store.parent / "history" / log.loc[0, "backup"]).read_bytes() == before
    # a batch may now name it, by its Chinese name
    text = (FIXTURES / "batch-08-sample-utf8-bom.csv").read_text(encoding="utf-8-sig")
    carbon = text.replace("贷款惠及企业,获得融资企业", "贷款惠及企业,碳减排量")
    batch = tmp_path / "第八批.csv"
    batch.write_text(carbon, encoding="utf-8")
    with pytest.raises(Refused) as refused:  # a row of enterprises cannot name a measure of another family
        prepare(batch.read_bytes(), batch.name, store)
    assert set(refused.value.report["code"]) == {"measure-family-mismatch"}
    carbon = carbon.replace(",企业,贷款惠及企业,碳减排量,", ",其他,贷款惠及企业,碳减排量,")
    batch.write_text(carbon, encoding="utf-8")
    with pytest.raises(Refused) as refused:  # nor count 家 in a measure of 吨
        prepare(batch.read_bytes(), batch.name, store)
    assert set(refused.value.report["code"]) == {"measure-unit-mismatch"}


def test_a_measure_rows_use_cannot_be_removed_or_changed_under_them(store: Path, tmp_path: Path) -> None:
    catalogue = store.parent / "measures.csv"
    before = catalogue.read_bytes()
    assert run("--remove-measure", "loans_granted", "--store", store) == 1
    with pytest.raises(Refused) as refused:
        ingest.prepare_measures(None, "", store, ["loans_granted"])
    [entry] = refused.value.report.to_dict("records")
    assert entry["code"] == "measure-in-use" and "7-18-11" in str(entry["message"])
    moved = pd.read_csv(catalogue, dtype=str, keep_default_na=False)
    moved.loc[moved["measure"] == "loans_granted", "unit"] = "家"
    changed = tmp_path / "changed.csv"
    moved.to_csv(changed, index=False)
    assert run("--measures", changed, "--store", store) == 1  # its rows' 万元 would no longer fit
    assert catalogue.read_bytes() == before and not (store.parent / "history").exists()
    # an unused one goes
    new = tmp_path / "new.csv"
    new.write_text(NEW_MEASURE, encoding="utf-8")
    assert run("--measures", new, "--store", store) == 0
    assert run("--remove-measure", "carbon_reduced", "--store", store) == 0
    assert catalogue.read_bytes().replace(b"\r\n", b"\n") == before


def carbon_batch(tmp_path: Path) -> Path:
    """The 8th-batch sample with one figure moved to the new measure carbon_reduced (other, 吨)."""
    text = (FIXTURES / "batch-08-sample-utf8-bom.csv").read_text(encoding="utf-8-sig")
    batch = tmp_path / "第八批-碳.csv"
    batch.write_text(
        text.replace(",企业,贷款惠及企业,获得融资企业,", ",其他,贷款惠及企业,碳减排量,")
        .replace(",80,,家,约,约 80 家,", ",80,,吨,约,约 80 吨,")
        .replace("惠及企业约 80 家", "惠及企业约 80 吨"),
        encoding="utf-8",
    )
    return batch


def test_changes_checked_apart_are_checked_again_when_written(store: Path, tmp_path: Path) -> None:
    new = tmp_path / "new.csv"
    new.write_text(NEW_MEASURE, encoding="utf-8")
    assert run("--measures", new, "--store", store) == 0
    batch = carbon_batch(tmp_path)
    prepared = prepare(batch.read_bytes(), batch.name, store)  # checked while carbon_reduced exists
    assert run("--remove-measure", "carbon_reduced", "--store", store) == 0  # no row used it yet
    before = digest(store)
    with pytest.raises(Refused) as refused:
        apply(prepared, store, who="x", filename=batch.name, note="", yes=True)
    assert set(refused.value.report["code"]) == {"unknown-measure"}
    assert digest(store) == before
    # Two merges checked against the same catalogue: the second is merged again on the first's result.
    other = tmp_path / "other.csv"
    water = NEW_MEASURE.replace("carbon_reduced", "water_saved").replace("碳减排量", "节水量")
    other.write_text(water.replace("Carbon emissions cut", "Water saved"), "utf-8")
    first = ingest.prepare_measures(new.read_bytes(), new.name, store)
    second = ingest.prepare_measures(other.read_bytes(), other.name, store)
    ingest.apply_measures(first, store, who="a", filename=new.name, note="")
    ingest.apply_measures(second, store, who="b", filename=other.name, note="")
    codes = pd.read_csv(store.parent / "measures.csv", dtype=str)["measure"].tolist()
    assert codes[-2:] == ["carbon_reduced", "water_saved"]


def test_a_backup_that_no_longer_fits_the_catalogue_is_not_restored(store: Path, tmp_path: Path) -> None:
    new = tmp_path / "new.csv"
    new.write_text(NEW_MEASURE, encoding="utf-8")
    assert run("--measures", new, "--store", store) == 0
    assert run(carbon_batch(tmp_path), "--store", store) == 0  # a figure now uses carbon_reduced
    assert run(FIXTURES / "batch-08-sample-gbk.csv", "--store", store, "--yes") == 0  # and no longer does
    assert run("--remove-measure", "carbon_reduced", "--store", store) == 0
    using = [name for name in list_backups(store) if "吨" in (store.parent / "history" / name).read_text("utf-8")]
    before = digest(store)
    with pytest.raises(ValueError, match="carbon_reduced"):
        restore(store, using[0], who="x")
    assert digest(store) == before
    assert run("--restore", using[0], "--store", store) == 1
    load_metrics(store)  # the dashboard still reads its store


def test_a_catalogue_broken_by_hand_is_reported_not_a_traceback(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (store.parent / "measures.csv").write_text("measure,indicator\nx,y\n", encoding="utf-8")
    assert run(FIXTURES / "batch-08-sample-gbk.csv", "--store", store) == 1
    assert "missing-column" in capsys.readouterr().err
