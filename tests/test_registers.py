"""Replacing a register from a file staff edited: the one way to correct English names in the database store."""

import io
from pathlib import Path

import pandas as pd
import pytest

from loaders.ingest import main
from loaders.registers import RegisterRefused, check_register, replace_register
from loaders.stores import Store, open_store

NEW_TITLE = "China (Hubei) Pilot Free Trade Zone: the 7th Batch of Practice Cases"


def edited(store: Store, name: str, change) -> bytes:  # type: ignore[no-untyped-def]
    frame = store.register(name)
    return change(frame.copy()).to_csv(index=False).encode("utf-8-sig")


def test_a_register_edited_in_excel_replaces_the_old_one_and_is_logged(either_store: Store) -> None:
    def retitle(frame: pd.DataFrame) -> pd.DataFrame:
        frame.loc[frame["batch"] == "7", "title_en"] = NEW_TITLE
        return frame

    data = edited(either_store, "batches", retitle)
    frame = check_register("batches", data, "批次登记.csv", either_store)
    replace_register("batches", frame, either_store, who="管理员", filename="批次登记.csv", data=data)
    assert either_store.register("batches").set_index("batch").loc["7", "title_en"] == NEW_TITLE
    assert either_store.log().loc[0, ["who", "action", "file"]].tolist() == ["管理员", "register", "批次登记.csv"]
    assert either_store.load().frame["batch"].nunique() == 1  # the table is untouched


@pytest.mark.parametrize(
    ("name", "change", "code"),
    [
        ("batches", lambda f: f.assign(batch="8"), "register-key-in-use"),  # the table's batch 7 is gone
        ("areas", lambda f: f[f["area"] != "宜昌片区"], "register-key-in-use"),
        ("categories", lambda f: pd.concat([f, f.iloc[:1]]), "register-duplicate"),
        ("batches", lambda f: f.assign(batch="七"), "register-key-missing"),
        ("providers", lambda f: f.drop(columns="provider_en"), "register-columns"),
    ],
)
def test_a_register_that_would_break_the_table_is_refused(either_store: Store, name: str, change, code: str) -> None:  # type: ignore[no-untyped-def]
    before = either_store.register(name)
    with pytest.raises(RegisterRefused) as refused:
        check_register(name, edited(either_store, name, change), f"{name}.csv", either_store)
    assert code in set(refused.value.report["code"])
    assert either_store.register(name).equals(before)


def test_the_command_line_prints_and_replaces_a_register(
    data_copy: Path, tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    assert main(["--print-register", "providers", "--store", str(data_copy)]) == 0
    printed = capsysbinary.readouterr().out
    assert printed.startswith("\ufeffprovider,provider_en".encode())
    providers = pd.read_csv(io.BytesIO(printed), dtype=str, keep_default_na=False, encoding="utf-8-sig")
    providers.loc[0, "provider_en"] = "Department of Commerce of Hubei Province"
    edited_file = tmp_path / "单位.csv"
    edited_file.write_bytes(providers.to_csv(index=False).encode("gbk"))  # as Excel on Chinese Windows saves it
    assert main(["--register", "providers", str(edited_file), "--store", str(data_copy), "--dry-run"]) == 0
    assert open_store(path=data_copy).register("providers").loc[0, "provider_en"] != providers.loc[0, "provider_en"]
    assert main(["--register", "providers", str(edited_file), "--store", str(data_copy), "--by", "管理员"]) == 0
    assert open_store(path=data_copy).english_names()[providers.loc[0, "provider"]] == providers.loc[0, "provider_en"]
    assert main(["--register", "measures", str(edited_file), "--store", str(data_copy)]) == 1
    assert main(["--print-register", "users", "--store", str(data_copy)]) == 2
