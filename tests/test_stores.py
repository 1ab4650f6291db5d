"""One store interface, two stores: every test here runs on the file store and on a real PostgreSQL database."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from datetime import datetime, tzinfo
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
import websockets
from alembic.script import ScriptDirectory
from google.protobuf.message import Message
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from bench.loadtest import websocket_url
from loaders.database import migrations_config
from loaders.filestore import FileStore
from loaders.ingest import Refused, apply, apply_measures, main, prepare, prepare_measures, restore
from loaders.measures import MEASURE_COLUMNS
from loaders.read import read_table
from loaders.schema import COLUMN_NAMES
from loaders.store import BEIJING, METRICS_PATH
from loaders.stores import LOG_COLUMNS, Store, StoreUnavailable, open_store
from tests.conftest import FIXTURES, ROOT, copy_data_folder, free_port, serve

BATCH_8 = FIXTURES / "batch-08-sample-gbk.csv"


@pytest.fixture
def store(either_store: Store) -> Store:
    """A store holding the shipped data, changed only by this test: once a file store, once a database."""
    return either_store


def ingest(store: Store, path: Path = BATCH_8, *, yes: bool = False, who: str = "张三") -> str:
    return apply(prepare(path.read_bytes(), path.name, store), store, who=who, filename=path.name, note="", yes=yes)


def test_a_new_store_shows_the_shipped_data_as_the_file_does(store: Store) -> None:
    shipped = FileStore(METRICS_PATH)
    pd.testing.assert_frame_equal(store.load().frame, shipped.load().frame)
    assert store.areas() == shipped.areas()
    assert store.english_names() == shipped.english_names()
    pd.testing.assert_frame_equal(store.register("batches"), shipped.register("batches"))
    assert store.document("sources/batch-07.txt") == (ROOT / "data" / "sources" / "batch-07.txt").read_bytes()
    assert store.document("sources/none.txt") is None
    assert store.last_changed() == shipped.last_changed()
    assert store.log().empty and store.backups() == []


def test_an_import_adds_its_batch_registers_it_keeps_a_backup_and_logs_who(store: Store) -> None:
    before, state = store.load().frame, store.state()
    saved = ingest(store)
    after = store.load().frame
    added = after[after["batch"] == 8]
    assert len(after) == len(before) + len(added) and len(added) > 0
    # The same values (a new batch brings new categories to the categorical columns).
    kept = after[after["batch"] == 7].reset_index(drop=True)
    pd.testing.assert_frame_equal(kept.astype(object), before.astype(object))
    assert store.state() != state
    assert "8" in set(store.register("batches")["batch"])
    assert set(added["category"].astype(str)) <= set(store.register("categories")["category"])
    assert store.backups() == [saved]
    pd.testing.assert_frame_equal(store.backup_cells(saved), FileStore(METRICS_PATH).current().cells)
    log = store.log()
    assert log.loc[0, ["who", "action", "batches", "added", "backup"]].tolist() == [
        "张三",
        "ingest",
        "8",
        str(len(added)),
        saved,
    ]
    assert store.last_changed() == log.loc[0, "time"][:16]


def test_a_change_to_rows_needs_confirming_and_a_refused_file_changes_nothing(store: Store, tmp_path: Path) -> None:
    ingest(store)
    corrected = tmp_path / "corrected.csv"
    corrected.write_bytes(
        BATCH_8.read_bytes().decode("gbk").replace("约 80 家", "约 90 家").replace(",80,", ",90,").encode("gbk")
    )
    state = store.state()
    with pytest.raises(ValueError, match="--yes"):
        ingest(store, corrected)
    with pytest.raises(Refused):
        prepare((FIXTURES / "broken" / "bad-number.csv").read_bytes(), "bad-number.csv", store)
    assert store.state() == state
    ingest(store, corrected, yes=True)
    assert 90 in set(store.load().frame.query("batch == 8")["value"])
    assert store.log().loc[0, "changed"] != "0"


def test_a_batch_written_with_a_leading_zero_is_the_same_batch(store: Store, tmp_path: Path) -> None:
    """08 and 8 name one batch: importing it again replaces its rows, never adds them twice."""
    frame = read_table(BATCH_8.read_bytes(), BATCH_8.name).frame
    padded = tmp_path / "padded.csv"
    frame.assign(批次="08", 案例序号=frame["案例序号"].map("0{}".format)).to_csv(padded, index=False)
    ingest(store, padded)
    assert ingest(store) == ""  # the same rows as batch 8: nothing to change
    rows = store.load().frame
    assert len(rows[rows["batch"] == 8]) == len(frame)
    assert set(store.register("batches")["batch"]) == {"7", "8"}


def test_a_restore_brings_back_a_backup_and_is_itself_undoable(store: Store) -> None:
    before = store.load().frame
    saved = ingest(store)
    with_batch_8 = store.load().frame
    undo = restore(store, saved, who="李四")
    pd.testing.assert_frame_equal(store.load().frame, before)
    assert store.log().loc[0, ["who", "action", "file", "backup"]].tolist() == ["李四", "restore", saved, undo]
    restore(store, undo, who="李四")
    pd.testing.assert_frame_equal(store.load().frame, with_batch_8)
    with pytest.raises(ValueError, match="没有这个备份"):
        restore(store, "metrics-19990101.csv", who="李四")


def test_the_catalogue_merges_is_kept_and_refuses_to_lose_a_measure_in_use(store: Store, tmp_path: Path) -> None:
    new = tmp_path / "new-measure.csv"
    line = "patents_pledged_test,other,质押专利,Patents pledged,件,true,,质押的专利件数。,Patents pledged."
    new.write_text(",".join(MEASURE_COLUMNS) + "\n" + line + "\n", encoding="utf-8")
    before = store.catalogue_cells()
    change = prepare_measures(new.read_bytes(), new.name, store)
    saved = apply_measures(change, store, who="王五", filename=new.name, note="")
    assert change.added == ["patents_pledged_test"] and saved
    assert list(store.catalogue_cells()["measure"]) == [*before["measure"], "patents_pledged_test"]
    assert store.log().loc[0, ["who", "action", "backup"]].tolist() == ["王五", "measures", saved]
    used = str(store.load().frame["measure"].iloc[0])
    with pytest.raises(Refused) as refused:
        prepare_measures(None, "--remove-measure", store, [used])
    assert "measure-in-use" in set(refused.value.report["code"])


def test_an_import_checked_before_another_landed_is_compared_again_with_what_is_there(
    store: Store, tmp_path: Path
) -> None:
    lines = BATCH_8.read_bytes().splitlines(keepends=True)
    shorter = tmp_path / "shorter.csv"
    shorter.write_bytes(b"".join(lines[:-1]))
    stale = prepare(BATCH_8.read_bytes(), BATCH_8.name, store)
    assert len(stale.diff.added) == len(lines) - 1
    ingest(store, shorter)  # lands between the check and the apply
    apply(stale, store, who="李四", filename=BATCH_8.name, note="", yes=False)
    assert store.log().loc[0, ["who", "added", "removed", "changed"]].tolist() == ["李四", "1", "0", "0"]
    frame = store.load().frame
    assert len(frame[frame["batch"] == 8]) == len(lines) - 1


def test_two_imports_at_once_both_land_whole(store: Store, tmp_path: Path) -> None:
    ninth = tmp_path / "ninth.csv"
    text = BATCH_8.read_bytes().decode("gbk").splitlines(keepends=True)
    ninth.write_text(text[0] + "".join("9" + line[1:] for line in text[1:]), encoding="utf-8")
    with ThreadPoolExecutor(2) as pool:
        saved = list(pool.map(lambda path: ingest(store, path, who=path.stem), [BATCH_8, ninth]))
    frame = store.load().frame
    assert {8, 9} <= set(frame["batch"]) and len(frame[frame["batch"] == 9]) == len(text) - 1
    assert sorted(store.log()["who"]) == sorted([BATCH_8.stem, "ninth"]) and len(set(saved)) == 2


def test_the_command_line_uses_the_database_of_the_apps_variable(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("FTZ_DATABASE_URL", postgres_url)
    monkeypatch.setenv("FTZ_METRICS_PATH", str(copy_data_folder(tmp_path)))
    assert main([str(BATCH_8), "--by", "赵六"]) == 0
    database = open_store(database=postgres_url)
    assert database.log().loc[0, "who"] == "赵六" and 8 in set(database.load().frame["batch"])
    assert FileStore(tmp_path / "metrics.csv").log().empty
    # --store wins over the variable.
    assert main([str(BATCH_8), "--store", str(tmp_path / "metrics.csv"), "--by", "赵六"]) == 0
    assert len(FileStore(tmp_path / "metrics.csv").log()) == 1 and len(database.log()) == 1


def test_a_database_change_is_all_or_nothing(postgres_url: str) -> None:
    store = open_store(database=postgres_url)
    before, state = store.load().frame, store.state()
    prepared = prepare(BATCH_8.read_bytes(), BATCH_8.name, store)
    with pytest.raises(RuntimeError, match="power cut"), store.changing() as change:
        change.write_rows(prepared.rows, prepared.current, prepared.report, "20261205-000000-000000")
        # Written, as far as the change can see, before it fails.
        assert len(change.current([8]).cells) == len(prepared.rows)
        raise RuntimeError("power cut")
    pd.testing.assert_frame_equal(store.load().frame, before)
    assert store.state() == state and store.backups() == [] and store.log().empty
    assert list(store.register("batches")["batch"]) == ["7"]


def test_the_database_url_wins_over_the_store_path(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("FTZ_METRICS_PATH", str(tmp_path / "metrics.csv"))
    monkeypatch.setenv("FTZ_DATABASE_URL", postgres_url)
    assert type(open_store()).__name__ == "DatabaseStore"
    assert open_store(path=tmp_path / "metrics.csv").where == str(tmp_path / "metrics.csv")
    monkeypatch.delenv("FTZ_DATABASE_URL")
    assert open_store().where == str(tmp_path / "metrics.csv")


def test_a_database_that_does_not_answer_is_named_with_the_reason_and_no_password() -> None:
    url = "postgresql+psycopg://ftz:secret@127.0.0.1:9/ftz"
    with pytest.raises(StoreUnavailable, match="无法使用数据库") as failed:
        open_store(database=url)
    assert "secret" not in str(failed.value)
    result = subprocess.run(
        [sys.executable, "-m", "loaders.ingest", "--history", "--database", url],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == 2 and "无法使用数据库" in result.stderr and "Traceback" not in result.stderr


def page_strings(url: str, page: str, *between: Callable[[], object]) -> list[list[str]]:
    """Open one session on a served app and run a page, then once more after each of `between` is done:
    return every text each run sent (labels, values, options), read off Streamlit's own messages."""
    return asyncio.run(_page_strings(url, page, between))


async def _page_strings(url: str, page: str, between: tuple[Callable[[], object], ...]) -> list[list[str]]:
    found: list[list[str]] = []
    async with websockets.connect(
        websocket_url(url), subprotocols=[websockets.Subprotocol("streamlit")], origin=websockets.Origin(url)
    ) as socket:
        for step in (None, *between):
            if step is not None:
                step()
            message = BackMsg()
            message.rerun_script.page_name = page
            await socket.send(message.SerializeToString())
            texts: list[str] = []
            while True:
                reply = ForwardMsg()
                reply.ParseFromString(await asyncio.wait_for(socket.recv(), 60))
                texts += strings_of(reply)
                # A run that ends early for a rerun is followed by the rerun, which is the page shown.
                if reply.WhichOneof("type") == "script_finished" and (
                    reply.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN
                ):
                    break
            found.append(texts)
    return found


def strings_of(message: Message) -> Iterator[str]:
    """Return every text field of a protocol message, however deep."""
    for field, value in message.ListFields():
        values = value if field.is_repeated else [value]
        if field.type == field.TYPE_STRING:
            yield from values
        elif field.type == field.TYPE_MESSAGE:
            for part in values:
                if isinstance(part, Message):
                    yield from strings_of(part)


def test_two_app_servers_on_one_database_see_an_import_on_their_next_run(postgres_url: str) -> None:
    open_store(database=postgres_url)  # created and loaded once, before the servers start
    env = {**os.environ, "FTZ_DATABASE_URL": postgres_url}
    with ExitStack() as servers:
        urls = []
        for _ in range(2):
            port = free_port()
            command = [sys.executable, "serve.py", "dashboard.py", "--server.port", str(port)]
            command += ["--server.address", "127.0.0.1", "--server.headless", "true"]
            urls.append(servers.enter_context(serve(command, ROOT, port, env=env)))
        first, second = urls
        before, after = page_strings(second, "batches", lambda: assert_imported(postgres_url))
        assert any("第七批" in text for text in before) and not any("第八批" in text for text in before)
        assert any("第八批" in text for text in after)
        (seen,) = page_strings(first, "batches")
        assert any("第八批" in text for text in seen)


def assert_imported(url: str) -> None:
    """Import batch 8 from the command line into the database, as staff on another server would."""
    result = subprocess.run(
        [sys.executable, "-m", "loaders.ingest", str(BATCH_8), "--database", url, "--by", "张三"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


def test_the_database_schema_is_the_newest_revision_and_holds_the_codes_columns(postgres_url: str) -> None:
    """A column added to the schema without a migration would be lost in the database: caught here."""
    store = open_store(database=postgres_url)
    inspector = sa.inspect(store.engine)  # type: ignore[attr-defined]
    assert [c["name"] for c in inspector.get_columns("metrics")] == [*COLUMN_NAMES, "place"]
    assert [c["name"] for c in inspector.get_columns("change_log")] == ["id", *LOG_COLUMNS]
    head = ScriptDirectory.from_config(migrations_config()).get_current_head()
    with store.engine.connect() as connection:  # type: ignore[attr-defined]
        assert connection.execute(sa.text("SELECT version_num FROM ftz_schema_version")).scalar_one() == head
    # Starting again on an up-to-date database migrates nothing and loads nothing twice.
    rows, state = len(store.load().frame), store.state()
    store.upgrade()  # type: ignore[attr-defined]
    assert len(store.load().frame) == rows and store.state() == state


def test_a_database_change_is_named_by_the_databases_clock_not_the_servers(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Servers whose clocks differ must still name backups in the order they were made: here the app
    server's clock says 2000, the database's says now."""
    import loaders.ingest

    class Slow(datetime):
        @classmethod
        def now(cls, tz: tzinfo | None = None) -> Slow:  # type: ignore[override]
            return cls(2000, 1, 1, tzinfo=tz)

    monkeypatch.setattr(loaders.ingest, "datetime", Slow)
    store = open_store(database=postgres_url)
    saved = ingest(store)
    this_year = f"{datetime.now(BEIJING):%Y}"
    assert saved.startswith(f"metrics-{this_year}") and str(store.log().loc[0, "time"]).startswith(this_year)


def test_a_database_dropped_and_loaded_again_is_not_taken_for_the_one_before(postgres_url: str) -> None:
    """Its version number starts again at 1: an app server that read version 1 of the old database must
    read the new one again, not serve what it kept."""
    store = open_store(database=postgres_url)
    before = store.state()
    with store.engine.begin() as connection:  # type: ignore[attr-defined]
        connection.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    store.upgrade()  # type: ignore[attr-defined]
    after = store.state()
    assert after != before and after[1] == before[1]  # type: ignore[index]
    assert store.version() == f"db-v{after[1]}"  # type: ignore[index]


def test_the_briefing_deck_is_built_from_the_database(postgres_url: str, tmp_path: Path) -> None:
    from pptx import Presentation

    from ftz.briefing import main as briefing_main

    database = open_store(database=postgres_url)
    ingest(database)
    out = tmp_path / "汇报.pptx"
    assert briefing_main(["--database", postgres_url, "--batch", "8", "-o", str(out)]) == 0
    notes = [
        slide.notes_slide.notes_text_frame.text for slide in Presentation(str(out)).slides if slide.has_notes_slide
    ]
    texts = [
        shape.text_frame.text
        for slide in Presentation(str(out)).slides
        for shape in slide.shapes
        if shape.has_text_frame
    ]
    assert any("第八批" in text for text in texts + notes)
    assert any(database.version() in text for text in texts + notes)


def test_a_database_newer_than_the_app_or_no_longer_readable_is_named_not_a_traceback(postgres_url: str) -> None:
    store = open_store(database=postgres_url)
    engine = store.engine  # type: ignore[attr-defined]
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE ftz_schema_version SET version_num = '9999'"))
    # A second app (a new process, say) meets a schema it does not know.
    type(store)._open.pop(postgres_url)  # type: ignore[attr-defined]
    with pytest.raises(StoreUnavailable, match="9999"):
        open_store(database=postgres_url)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE ftz_state"))
    with pytest.raises(StoreUnavailable, match="无法使用数据库"):
        store.state()
