"""A smoke run of the benchmarks on a tiny store: the code runs and prints its table (no timing asserted)."""

from pathlib import Path

import pandas as pd
import pytest

from bench.generate import synthetic_store
from bench.run import main
from loaders.measures import load_catalogue
from loaders.schema import validate_metrics
from loaders.store import load_areas, load_metrics


def test_synthetic_store_is_valid() -> None:
    frame = synthetic_store(600)
    assert len(frame) == 600 and frame["batch"].nunique() == 3
    report = validate_metrics(frame, load_areas()["area"].tolist(), load_catalogue())
    assert set(report["severity"]) <= {"warning"}


def test_bench_runs_on_a_tiny_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--sizes", "500", "--repeats", "1", "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    for measure in ("load (typed, validated)", "interaction", "Excel export", "ingest"):
        assert measure in printed
    assert 900 in load_metrics(tmp_path / "ingest-500" / "metrics.csv")["batch"].tolist()  # the ingest ran


@pytest.mark.browser
def test_browser_bench_runs_on_a_tiny_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--sizes", "500", "--repeats", "1", "--browser", "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    for measure in (
        "first numbers painted, cold",
        "first chart drawn, warm",
        "slowest page settled",
        "app peak memory",
    ):
        assert printed.count(measure) == 2, measure  # the shipped store and the tiny one
    received = [line for line in printed.splitlines() if "their message received" in line]
    assert len(received) == 4 and not any("nan" in line for line in received)  # the message was seen


def test_loadtest_drives_sessions_at_once_and_counts_no_error(capsys: pytest.CaptureFixture[str]) -> None:
    from bench.loadtest import main as loadtest

    # Two runs of each page: the second is a rerun whose client sends back no filter values at all.
    assert loadtest(["--sessions", "1,3", "--runs", "2", "--pages-runs", "2", "--idle", "2"]) == 0
    printed = capsys.readouterr().out
    assert "3 sessions" in printed and "per idle session" in printed
    for page in ("/areas", "/case", "/refresh"):
        assert f"\n{page} " in printed


def test_loadtest_reports_a_page_that_fails(tmp_path: Path) -> None:
    import asyncio

    from bench.loadtest import load_step
    from bench.run import serve_page

    broken = tmp_path / "broken.py"
    broken.write_text('import streamlit as st\nst.title("x")\nraise ValueError("boom")\n', encoding="utf-8")
    with serve_page(str(broken)) as url:
        outcome, _ = asyncio.run(load_step(url, sessions=2, runs=2))
    assert len(outcome.times) == 4
    # The app shows no error details (.streamlit/config.toml): each run's error is Streamlit's notice.
    assert len(outcome.errors) == 4 and all("encountered an error" in error for error in outcome.errors)


def test_loadtest_drives_loopback_only() -> None:
    from bench.loadtest import websocket_url

    assert websocket_url("http://127.0.0.1:8501/ftz/") == "ws://127.0.0.1:8501/ftz/_stcore/stream"
    with pytest.raises(SystemExit):
        websocket_url("http://10.0.0.8:8501")


def test_review_of_the_fictional_batch_takes_under_one_and_a_half_actions_a_figure(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from bench.review_actions import FICTION, TRUTH, replay

    truth = pd.read_csv(TRUTH, dtype=str, keep_default_na=False)
    counts, review = replay(FICTION.read_bytes(), FICTION.name, truth)  # refused unless it gives the truth
    assert counts["drop-down"] > 0 and counts["accept rest / next case"] == 3
    assert sum(counts.values()) / len(truth) < 1.5  # the goal, from upload to applied
    assert review.counts()["pending"] == 0


def test_review_count_refuses_a_replay_that_misses_the_truth() -> None:
    from bench.review_actions import FICTION, TRUTH, replay

    truth = pd.read_csv(TRUTH, dtype=str, keep_default_na=False)
    truth.loc[0, "value_text"] = "最高 60 万元"  # a figure the document does not have
    with pytest.raises(SystemExit, match="无法从原文添加"):
        replay(FICTION.read_bytes(), FICTION.name, truth)
