"""Benchmarks against their floors, each measured in the same run on the same file.

    python -m bench.run [--sizes 10000,100000,1000000] [--repeats 3] [--browser] [--out DIR]

Prints one table of medians; see BENCHMARKS.md for the goals and the last recorded run.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

import pandas as pd
from openpyxl import Workbook

from bench.generate import synthetic_store
from ftz.aggregate import TOTAL_COLUMNS, convertible_units, headline_totals, highlights, ranked_figures, roll_up
from ftz.charts import CHART_ITEMS, make_area_category_heatmap, make_ranked_bar, make_total_bar
from ftz.export import export_frame, to_xlsx
from ftz.filters import Filters, filter_mask, filter_options, present_values
from loaders.filestore import store_text
from loaders.ingest import apply, prepare
from loaders.store import DATA_DIR, HEADER, cache_path, load_batches, read_metrics, read_raw_csv, store_catalogue
from ui import EXPLORER_COLUMNS, Store, View

ROOT = Path(__file__).resolve().parent.parent
SKELETON = "[data-testid='stSkeleton']"
NAMES = {"武汉片区": "武汉片区", "襄阳片区": "襄阳片区", "宜昌片区": "宜昌片区"}
COLORS = {"武汉片区": "#1f5fa8", "襄阳片区": "#d9822b", "宜昌片区": "#2a9d6f"}


def paired_times(
    ours: Callable[[], object], floor: Callable[[], object], repeats: int, warmup: bool = False
) -> tuple[float, float]:
    """Return the median wall times of two runs taken in turns, so that both meet the same moments of a
    shared machine (whose speed here drifts by up to 2× within minutes); one untimed run each if `warmup`."""
    if warmup:
        ours()
        floor()
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeats):
        for run, taken in zip((ours, floor), times, strict=True):
            start = time.perf_counter()
            run()
            taken.append(time.perf_counter() - start)
    return statistics.median(times[0]), statistics.median(times[1])


def first_line(path: Path) -> bytes:
    """Return a file's first line, its line end included."""
    with open(path, "rb") as handle:
        return handle.readline()


def prepare_store(rows: int, folder: Path) -> Path:
    """Return a synthetic store of `rows` rows with the registers beside it, validated once."""
    target = folder / str(rows)
    target.mkdir(parents=True, exist_ok=True)
    for name in ("batches.csv", "areas.csv", "measures.csv", "categories.csv", "providers.csv"):
        shutil.copy(DATA_DIR / name, target / name)
    store = target / "metrics.csv"
    # A store left by older code (another header) is made again: ingest would time rewriting an old store.
    if not store.exists() or first_line(store) != HEADER:
        store.write_text(store_text(synthetic_store(rows)), encoding="utf-8")
    if not cache_path(store).exists():
        read_metrics(store)
    return store


def interaction(store: Store) -> None:
    """One leader's click, as the sidebar, the overview and the explorer do it: filter, count, add up,
    and build the overview's figures and the explorer's bars of the largest figures."""
    filters = Filters(area=("武汉片区",), kind=("outcome", "context"))
    view = View("zh", filters, store, filter_mask(store.frame, filters))
    _ = view.cases  # the sidebar counts the cases
    cases = view.case_rows()
    cases["area"].nunique()
    rows = view.columns(*TOTAL_COLUMNS, "area")
    by_area = headline_totals(rows, store.catalogue, by=["area"])
    headline = roll_up(by_area, ["area"])
    highlights(rows, store.catalogue)
    for measure in headline["measure"]:
        make_total_bar(by_area[by_area["measure"] == measure], "area", "家", "zh", COLORS, NAMES, measure, height=260)
    make_area_category_heatmap(cases, "zh", NAMES)
    present_values(view.columns("indicator")["indicator"])
    chosen = view.rows_where(EXPLORER_COLUMNS, indicator="enterprises")
    ranked, _ = ranked_figures(chosen, convertible_units(chosen)[0], outcomes_only=True)
    make_ranked_bar(ranked.nlargest(CHART_ITEMS, "value_std"), "家", "zh", COLORS, NAMES, log=False)


def plain_write_only(frame: pd.DataFrame) -> bytes:
    """The export's floor: openpyxl write-only mode writing the same cells with no styling."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        sheet.append([None if pd.isna(v) else v for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def new_batch_file(rows: int, folder: Path) -> Path:
    """Return a CSV of one new batch of `rows` rows, as staff would bring it (no fact ids)."""
    batch = synthetic_store(rows).assign(batch="900")
    batch["case_title"] = batch["case_title"].str.replace(r"（第\d+批）", "（第900批）", regex=True)
    # Copies of the same fact within one batch would be duplicates: each copy gets its own metric.
    copy_number = pd.Series(range(len(batch)), index=batch.index) // len(read_raw_csv(DATA_DIR / "metrics.csv"))
    batch["metric"] = batch["metric"] + "·" + copy_number.astype(str)
    batch = batch.drop(columns=["fact_id"]).assign(part_of="")
    path = folder / f"batch-900-{rows}.csv"
    batch.to_csv(path, index=False, encoding="utf-8-sig")
    return path


def peak_rss_mb(pid: int) -> float:
    """Return a process's peak resident memory (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def measure_size(rows: int, repeats: int, folder: Path) -> list[tuple[str, int, float, float, str]]:
    """Return (measure, rows, ours, floor, goal) for one store size."""
    store = prepare_store(rows, folder)
    results = []
    ours, floor = paired_times(lambda: read_metrics(store), lambda: pd.read_csv(store), repeats)
    results.append(("load (typed, validated)", rows, ours, floor, "≤ 1.5× floor"))
    frame = read_metrics(store).frame
    catalogue = store_catalogue(store)
    served = Store(frame, filter_options(frame), "bench", "bench", catalogue, "bench")
    # A server has answered clicks before this one: each side runs once untimed, then 9+ times.
    ours, floor = paired_times(
        lambda: interaction(served),
        lambda: frame.groupby(["area", "category"], observed=True)["value"].sum(),
        max(repeats, 9),
        warmup=True,
    )
    results.append(("interaction (filter+totals+figures)", rows, ours, floor, "≤ 3× floor, < 0.3 s"))
    part = frame.head(100_000)
    batches = load_batches()
    ours, floor = paired_times(
        lambda: to_xlsx(
            part,
            filters={},
            lang="zh",
            batches=batches,
            area_names=NAMES,
            data_version="bench",
            exported_at=datetime(2026, 1, 1),
            catalogue=catalogue,
        ),
        lambda: plain_write_only(export_frame(part, "zh", catalogue)),
        repeats,
    )
    results.append((f"Excel export of {len(part):,} rows", len(part), ours, floor, "≤ 1.3× floor"))
    batch = new_batch_file(min(10_000, rows), folder)
    copy = folder / f"ingest-{rows}"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(store.parent, copy)

    def ingest() -> None:
        prepared = prepare(batch.read_bytes(), batch.name, copy / "metrics.csv")
        apply(prepared, copy / "metrics.csv", who="bench", filename=batch.name, note="", yes=True)

    start = time.perf_counter()
    ingest()
    results.append(
        (f"ingest {min(10_000, rows):,} rows into the store", rows, time.perf_counter() - start, float("nan"), "< 10 s")
    )
    return results


class Visit(NamedTuple):
    """A page to time: its URL, the text awaited (timed as "text" and "received"), whether its first
    chart is awaited (timed as "chart")."""

    url: str
    text: str | None
    chart: bool


def page_timings(pages: dict[str, Visit], repeats: int = 3) -> dict[str, dict[str, float]]:
    """Return, for each page named, medians with a cold browser cache and then warm, of when its text
    was painted ("text"), when the message carrying it reached the browser ("received": the server's
    part of the wait) and when its first chart was drawn ("chart"); keys such as "cold text".

    A server runs for days: each is warmed with one visit first. Each repeat then visits the pages in
    turn, so that all of them meet the same moments of a shared machine: an empty browser context
    (cold), then the page again in it (warm)."""
    from playwright.sync_api import Page, WebSocket, sync_playwright

    from tests.conftest import CHROMIUM_ARGS, chromium_path

    chart = ".js-plotly-plot .main-svg"
    marks: dict[str, dict[str, list[float]]] = {name: {} for name in pages}

    def wait(page: Page, visit: Visit) -> None:
        page.locator(chart if visit.chart else f"text={visit.text}").first.wait_for(timeout=300_000)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        for visit in pages.values():
            warmup = browser.new_context().new_page()
            warmup.goto(visit.url)
            wait(warmup, visit)
            warmup.context.close()
        for _ in range(repeats):
            for name, (url, text, wants_chart) in pages.items():
                page = browser.new_context().new_page()
                for cache in ("cold", "warm"):
                    received: list[float] = []

                    def listen(socket: WebSocket, received: list[float] = received, text: str | None = text) -> None:
                        def on_frame(payload: bytes | str) -> None:
                            data = payload if isinstance(payload, bytes) else payload.encode()
                            if text and not received and text.encode() in data:
                                received.append(time.perf_counter())

                        socket.on("framereceived", on_frame)

                    page.on("websocket", listen)
                    start = time.perf_counter()
                    page.goto(url)
                    taken = marks[name]
                    if text:
                        page.get_by_text(text).first.wait_for(timeout=120_000)
                        taken.setdefault(f"{cache} text", []).append(time.perf_counter() - start)
                        taken.setdefault(f"{cache} received", []).append(
                            received[0] - start if received else float("nan")
                        )
                    if wants_chart:
                        page.locator(chart).first.wait_for(timeout=120_000)
                        taken.setdefault(f"{cache} chart", []).append(time.perf_counter() - start)
                    page.remove_listener("websocket", listen)
                page.context.close()
        browser.close()
    return {name: {key: statistics.median(values) for key, values in taken.items()} for name, taken in marks.items()}


def serve_page(script: str, env: dict[str, str] | None = None) -> AbstractContextManager[str]:
    """Return a context that runs a Streamlit script headless on a free port and yields its URL."""
    from tests.conftest import free_port, serve

    port = free_port()
    command = [sys.executable, str(ROOT / "serve.py"), script, "--server.port", str(port)]
    command += ["--server.headless", "true", "--server.address", "127.0.0.1"]
    return serve(command, ROOT, port, timeout=300, env=env)


def slowest_page(url: str, rows: int) -> tuple[float, str]:
    """Open every page twice (server and browser warm the second time) and return the slowest one's
    time to settle on the second pass: title, first chart, Streamlit's running indicator and its
    placeholders gone.
    A page showing an error fails the run. Screenshots go to build/bench/, to look at the pages."""
    from playwright.sync_api import sync_playwright

    from tests.conftest import CHROMIUM_ARGS, PAGES, chromium_path

    shots = ROOT / "build" / "bench"
    shots.mkdir(parents=True, exist_ok=True)
    times = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
        for _ in ("warm up", "timed"):
            for path, charts in PAGES:
                name = path or "overview"
                start = time.perf_counter()
                page.goto(f"{url}/{path}")
                page.locator("h1").first.wait_for(timeout=120_000)
                if charts:
                    page.locator(".js-plotly-plot .main-svg").first.wait_for(timeout=120_000)
                page.locator("[data-testid='stStatusWidget']").wait_for(state="hidden", timeout=120_000)
                # Streamlit shows a placeholder for an element whose script has not loaded yet.
                page.wait_for_function(f"!document.querySelector({SKELETON!r})", timeout=120_000)
                times[name] = time.perf_counter() - start
                if page.locator("[data-testid='stException']").count():
                    raise RuntimeError(f"the {name} page shows an error with {rows:,} rows")
                page.screenshot(path=shots / f"{rows}-{name}.png")
        browser.close()
    slowest = max(times, key=lambda key: times[key])
    return times[slowest], slowest


def measure_browser(store: Path, rows: int, repeats: int) -> list[tuple[str, int, float, float, str]]:
    """Return the overview's first numbers and first chart times, cold and warm, against the floors
    timed in turn with it (a bare page with one plotly chart, one with one line of text), and the
    app's peak memory serving this store."""
    env = {**os.environ, "FTZ_METRICS_PATH": str(store)}
    with (
        serve_page("dashboard.py", env=env) as url,
        serve_page(str(ROOT / "bench" / "bare_page.py")) as chart_url,
        serve_page(str(ROOT / "bench" / "bare_text.py")) as text_url,
    ):
        pages = {
            "app": Visit(url, "案例数", chart=True),
            "chart": Visit(chart_url, None, chart=True),
            "text": Visit(text_url, "案例数", chart=False),
        }
        times = page_timings(pages, repeats)
        ours, chart, text = times["app"], times["chart"], times["text"]
        slowest, name = slowest_page(url, rows)
        port = url.rsplit(":", 1)[1].split("/")[0]
        found = subprocess.run(["pgrep", "-f", f"server.port {port}"], capture_output=True, text=True)
        rss = peak_rss_mb(int(found.stdout.split()[0]))
    return [
        ("first numbers painted, cold", rows, ours["cold text"], chart["cold chart"], "< 1.9 s (Superset 1.97 s)"),
        ("  the same vs a bare page of text", rows, ours["cold text"], text["cold text"], "(Streamlit's own floor)"),
        ("  their message received, cold", rows, ours["cold received"], float("nan"), "(the server's part)"),
        ("first numbers painted, warm", rows, ours["warm text"], text["warm text"], "(vs a bare page of text)"),
        ("  their message received, warm", rows, ours["warm received"], float("nan"), "(the server's part)"),
        ("first chart drawn, cold", rows, ours["cold chart"], chart["cold chart"], "≤ 1.1× bare page (1.5× at 1M)"),
        ("first chart drawn, warm", rows, ours["warm chart"], chart["warm chart"], "< 1.2 s"),
        (f"slowest page settled, warm ({name})", rows, slowest, float("nan"), "usable"),
        ("app peak memory (MB)", rows, rss, float("nan"), "< 1 GB"),
    ]


def format_table(results: list[tuple[str, int, float, float, str]]) -> str:
    """Return the results as one table: medians next to their floors."""
    lines = [f"{'measure':<38} {'rows':>9} {'ours':>9} {'floor':>9} {'ratio':>6}  goal"]
    for measure, rows, ours, floor, goal in results:
        ratio = "" if pd.isna(floor) or floor == 0 else f"{ours / floor:.2f}"
        floor_text = "" if pd.isna(floor) else f"{floor:.3f}"
        lines.append(f"{measure:<38} {rows:>9,} {ours:>9.3f} {floor_text:>9} {ratio:>6}  {goal}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks and print the table."""
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="store sizes in rows, comma-separated")
    parser.add_argument("--repeats", type=int, default=3, help="runs per measure; the median is shown")
    parser.add_argument("--browser", action="store_true", help="also time the pages in headless Chromium")
    parser.add_argument("--out", type=Path, default=Path("/tmp/ftz-bench"), help="where the synthetic stores go")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    print(f"{os.cpu_count()} cores, {memory:.0f} GiB, {datetime.now():%Y-%m-%d}")
    results = []
    for rows in sizes:
        results += measure_size(rows, args.repeats, args.out)
        print(format_table(results), flush=True)
    if args.browser:
        shipped = DATA_DIR / "metrics.csv"
        results += measure_browser(shipped, len(pd.read_csv(shipped)), args.repeats)
        for rows in sizes:
            results += measure_browser(prepare_store(rows, args.out), rows, args.repeats)
    print(format_table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
