"""Many leaders at once: sessions speak Streamlit's own websocket protocol to a served app, as a browser does,
so that what is timed is the server's part of every page.

    python -m bench.loadtest [--sessions 1,10,30] [--runs 4] [--pages-runs 30] [--browser N] [--url URL]

First each page is run alone, one run after another (the server time of one run); then N sessions open
pages at once, each with its own filters, and the time from asking for a page to its last message is
reported as median, p95 and worst, with every error; then the server's memory per idle session. With
`--browser N`, N headless Chromium pages open the overview at once as a check of the whole path. Only
loopback addresses are driven; counts and times are bounded. See BENCHMARKS.md for recorded runs.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

ROOT = Path(__file__).resolve().parent.parent
PAGES = ("", "areas", "categories", "case", "explorer", "time", "batches", "data", "refresh")
# What each session asks for: its own filters (as a link carries them), in its own language.
SELECTIONS = (
    "",
    f"area={quote('武汉片区')}",
    f"area={quote('宜昌片区')}&lang=en",
    f"category={quote('金融改革创新')}",
    f"area={quote('襄阳片区')}&area={quote('宜昌片区')}",
    "kind=outcome&scope=zone",
    "lang=en",
    f"category={quote('政府职能转变')}&area={quote('武汉片区')}",
)
MAX_SESSIONS = 200
RUN_TIMEOUT = 120.0  # seconds for one page to finish before it counts as an error


@dataclass
class Outcome:
    """What the runs of a load step took (seconds) and what went wrong."""

    times: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


async def run_page(socket: websockets.ClientConnection, page: str, query: str) -> tuple[float, str | None]:
    """Ask for a page as a browser does when a link is opened; return the seconds until the run finished,
    and an error (an exception shown on the page, a run that did not finish) or None."""
    message = BackMsg()
    message.rerun_script.page_name = page
    message.rerun_script.query_string = query
    start = time.perf_counter()
    await socket.send(message.SerializeToString())
    error = None
    while True:
        reply = ForwardMsg()
        reply.ParseFromString(await asyncio.wait_for(socket.recv(), RUN_TIMEOUT))
        kind = reply.WhichOneof("type")
        if kind == "delta" and reply.delta.WhichOneof("type") == "new_element":
            element = reply.delta.new_element
            if element.WhichOneof("type") == "exception":
                error = f"/{page}?{query}: {element.exception.type}: {element.exception.message}"
        if kind == "script_finished":
            if reply.script_finished not in (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_EARLY_FOR_RERUN):
                error = error or f"/{page}?{query}: finished with status {reply.script_finished}"
            return time.perf_counter() - start, error


def websocket_url(url: str) -> str:
    """Return the app's websocket address; refuse anything but loopback."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if host != "localhost" and not ipaddress.ip_address(host).is_loopback:
        raise SystemExit(f"the load test drives loopback addresses only, not {host}")
    return f"ws://{parts.netloc}{parts.path.rstrip('/')}/_stcore/stream"


async def session(url: str, visits: Sequence[tuple[str, str]], outcome: Outcome) -> None:
    """One leader: open a websocket and visit pages one after another."""
    try:
        async with websockets.connect(
            websocket_url(url),
            subprotocols=[websockets.Subprotocol("streamlit")],
            origin=websockets.Origin(url),
            max_size=None,
        ) as socket:
            for page, query in visits:
                taken, error = await run_page(socket, page, query)
                outcome.times.append(taken)
                if error:
                    outcome.errors.append(error)
    except (OSError, TimeoutError, websockets.WebSocketException) as err:
        outcome.errors.append(f"session failed: {type(err).__name__}: {err}")


def visits_of(index: int, runs: int) -> list[tuple[str, str]]:
    """Return what session `index` opens: its own filters, pages in turn, starting at the overview."""
    query = SELECTIONS[index % len(SELECTIONS)]
    readers = PAGES[1:-1]  # the pages a leader reads after the overview (not the staff's refresh page)
    start = index % len(readers)
    pages = ("", *readers[start:], *readers[:start])
    return [(pages[i % len(pages)], query) for i in range(runs)]


async def load_step(url: str, sessions: int, runs: int) -> tuple[Outcome, float]:
    """Run `sessions` sessions at once, `runs` pages each; return the outcome and the wall time."""
    outcome = Outcome()
    start = time.perf_counter()
    await asyncio.gather(*(session(url, visits_of(i, runs), outcome) for i in range(sessions)))
    return outcome, time.perf_counter() - start


async def page_times(url: str, runs: int) -> dict[str, Outcome]:
    """Return each page's runs taken alone, one session after another page's, after one untimed run."""
    found = {}
    for page in PAGES:
        outcome = Outcome()
        await session(url, [(page, "")] * (runs + 1), outcome)
        outcome.times = outcome.times[1:]
        found[page or "overview"] = outcome
    return found


def percentile(values: Sequence[float], share: float) -> float:
    """Return the value below which `share` of the values lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def rss_mb(pid: int) -> float:
    """Return a process's resident memory with its children's, in MB."""
    total = 0.0
    children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    for each in [str(pid), *children]:
        status = Path(f"/proc/{each}/status")
        if status.exists():
            for line in status.read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024
    return total


async def idle_memory(url: str, pid: int, sessions: int) -> float:
    """Return the server's memory per idle session (MB): sessions that opened the overview and wait. On a
    warm server (after the load steps); a fresh one also counts its one-time warm-up."""
    before = rss_mb(pid)
    sockets = []
    try:
        for _ in range(sessions):
            socket = await websockets.connect(
                websocket_url(url),
                subprotocols=[websockets.Subprotocol("streamlit")],
                origin=websockets.Origin(url),
                max_size=None,
            )
            sockets.append(socket)
            await run_page(socket, "", "")
        await asyncio.sleep(1)
        return (rss_mb(pid) - before) / sessions
    finally:
        for socket in sockets:
            await socket.close()


def browser_check(url: str, pages: int) -> list[float]:
    """Open the overview in `pages` headless Chromium pages at once; return the seconds until each drew
    its first chart."""
    from playwright.sync_api import sync_playwright

    from tests.conftest import CHROMIUM_ARGS, chromium_path

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        opened = []
        for _ in range(pages):
            page = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
            opened.append((page, time.perf_counter()))
            page.goto(url, wait_until="commit")
        taken = []
        for page, start in opened:
            page.locator(".js-plotly-plot .main-svg").first.wait_for(timeout=RUN_TIMEOUT * 1000)
            taken.append(time.perf_counter() - start)
        browser.close()
    return taken


def line(label: str, outcome: Outcome, extra: str = "") -> str:
    times = outcome.times or [float("nan")]
    return (
        f"{label:<28} {len(outcome.times):>5} {1000 * statistics.median(times):>9.0f} "
        f"{1000 * percentile(times, 0.95):>9.0f} {1000 * max(times):>9.0f} {len(outcome.errors):>6}  {extra}"
    )


HEADER = f"{'':<28} {'runs':>5} {'median ms':>9} {'p95 ms':>9} {'max ms':>9} {'errors':>6}"


def measure(url: str, pid: int | None, args: argparse.Namespace) -> int:
    errors: list[str] = []
    print("Each page alone (server time of one run, one session):")
    print(HEADER)
    for page, outcome in asyncio.run(page_times(url, args.pages_runs)).items():
        print(line(f"/{'' if page == 'overview' else page}", outcome))
        errors += outcome.errors
    print(f"\nSessions at once, {args.runs} pages each, each with its own filters:")
    print(HEADER)
    for sessions in args.sessions:
        outcome, wall = asyncio.run(load_step(url, sessions, args.runs))
        print(line(f"{sessions} sessions", outcome, f"wall {wall:.1f} s"))
        errors += outcome.errors
    if pid is not None and args.idle > 0:  # --idle 0 leaves the memory measure out
        per_session = asyncio.run(idle_memory(url, pid, args.idle))
        print(f"\nServer memory per idle session ({args.idle} sessions): {per_session:.2f} MB")
    if args.browser:
        taken = browser_check(url, args.browser)
        print(
            f"\n{args.browser} Chromium pages at once, first chart drawn: median {statistics.median(taken):.2f} s, "
            f"worst {max(taken):.2f} s"
        )
    for error in dict.fromkeys(errors):
        print(f"!!! {error}", file=sys.stderr)
    return 1 if errors else 0


def main(argv: list[str] | None = None) -> int:
    """Run the load test against a served app (--url) or one it serves itself; return 1 on any error."""
    parser = argparse.ArgumentParser(prog="python -m bench.loadtest", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", default="1,10,30", help="sessions at once, comma-separated (default 1,10,30)")
    parser.add_argument("--runs", type=int, default=4, help="pages each session opens (default 4)")
    parser.add_argument("--pages-runs", type=int, default=30, help="runs of each page alone (default 30)")
    parser.add_argument(
        "--idle", type=int, default=100, help="idle sessions for the memory measure (default 100; 0 leaves it out)"
    )
    parser.add_argument("--browser", type=int, default=0, metavar="N", help="also open N Chromium pages at once")
    parser.add_argument("--url", help="a served app on loopback (default: serve dashboard.py here)")
    args = parser.parse_args(argv)
    args.sessions = [int(n) for n in str(args.sessions).split(",")]
    if max([*args.sessions, args.idle]) > MAX_SESSIONS or args.runs > 50 or args.pages_runs > 200:
        parser.error(f"at most {MAX_SESSIONS} sessions (idle ones too), 50 runs each and 200 runs a page")
    if args.url:
        websocket_url(args.url)  # refuses a remote address before anything is sent
        return measure(args.url, None, args)
    from bench.run import serve_page

    with serve_page("dashboard.py", env=dict(os.environ)) as url:
        port = urlsplit(url).port
        found = subprocess.run(["pgrep", "-f", f"server.port {port}"], capture_output=True, text=True)
        return measure(url, int(found.stdout.split()[0]), args)


if __name__ == "__main__":
    sys.exit(main())
