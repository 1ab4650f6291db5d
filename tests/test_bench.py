"""A smoke run of the benchmarks on a tiny store: the code runs and prints its table (no timing asserted)."""

from pathlib import Path

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
