"""The served dashboard in headless Chromium: every page draws, in both languages and both widths."""

import dataclasses
import io
import re
import sys
from collections.abc import Iterator
from urllib.parse import quote

import pytest

from tests.conftest import CHROMIUM_ARGS, PAGES, ROOT, SCREENSHOTS, chromium_path, free_port, serve

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": (1366, 768), "phone": (390, 844)}


@pytest.fixture(scope="module")
def app_url() -> Iterator[str]:
    port = free_port()
    command = [sys.executable, "serve.py", "dashboard.py"]
    command += ["--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true"]
    with serve(command, ROOT, port) as url:
        yield url


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def wait_for_page(page, charts: bool) -> None:  # type: ignore[no-untyped-def]
    page.locator("h1").first.wait_for(timeout=30_000)
    if charts:
        page.locator(".js-plotly-plot .main-svg").first.wait_for(timeout=30_000)
    # Streamlit shows a placeholder for an element whose script has not loaded yet.
    page.wait_for_function("!document.querySelector(\"[data-testid='stSkeleton']\")", timeout=30_000)
    page.wait_for_timeout(800)  # let the last frame paint before the screenshot
    assert page.locator("[data-testid='stException']").count() == 0


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_browser_every_page_draws(app_url: str, browser, lang: str, width: str) -> None:  # type: ignore[no-untyped-def]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport=dict(zip(("width", "height"), WIDTHS[width], strict=True)))
    page = context.new_page()
    for path, charts in PAGES:
        page.goto(f"{app_url}/{path}?lang={lang}")
        wait_for_page(page, charts)
        page.screenshot(path=SCREENSHOTS / f"{path or 'overview'}-{lang}-{width}.png", full_page=True)
        name = path or "overview"
        assert not titles_under_legends(page), f"a legend covers a chart's title on {name}"
        assert not cut_off(page), f"cut off on {name} ({lang}, {width}): {cut_off(page)}"
        if lang == "en":
            share, sample = chinese_share(page)
            assert share < 0.02, f"{share:.1%} of the English {name} page is Chinese: {sample}"
    context.close()


# Text a reader of English may meet in Chinese: quotes of the document (marked lang="zh-CN") and document
# numbers (鄂自贸组发〔2022〕2号), which are names.
DOC_NO = re.compile(r"[\u4e00-\u9fff]+〔\d{4}〕\d+号")
CJK = re.compile(r"[\u3400-\u9fff]")
MAIN_TEXT = """() => {
    const main = document.querySelector("[data-testid='stMain']") || document.body;
    const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
    const parts = [];
    while (walker.nextNode()) {
        const parent = walker.currentNode.parentElement;
        if (!parent || parent.closest("[lang^='zh'], style, script")) continue;
        parts.push(walker.currentNode.textContent);
    }
    return parts.join(" ");
}"""


def quotes() -> list[str]:
    """The shipped table's source sentences and figures' words, longest first: quotes, in any language."""
    from loaders.store import load_metrics

    frame = load_metrics()
    return sorted({*frame["source_quote"].astype(str), *frame["value_text"].astype(str)}, key=len, reverse=True)


QUOTES = quotes()


def chinese_share(page) -> tuple[float, str]:  # type: ignore[no-untyped-def]
    """Return the share of Chinese characters in the main area's text (charts' SVG text included), quotes
    (marked as such, or sentences and figures' words of the table, as a grid shows them) and document
    numbers left out, and the Chinese found."""
    text = DOC_NO.sub("", page.evaluate(MAIN_TEXT))
    for quoted in QUOTES:
        text = text.replace(quoted, " ")
    letters = re.sub(r"\s", "", text)
    chinese = CJK.findall(letters)
    return (len(chinese) / len(letters) if letters else 0.0), "".join(chinese)[:80]


def cut_off(page) -> list[str]:  # type: ignore[no-untyped-def]
    """Return the tiles whose value is cut (an ellipsis drawn by CSS) and the chart titles that run past
    their chart's right edge."""
    return page.evaluate(
        """() => {
        const cut = [];
        // A tile's value is cut by CSS (an ellipsis), which leaves the text whole: compare the width the
        // text needs with the width it is given.
        for (const value of document.querySelectorAll("[data-testid='stMetricValue']")) {
            const range = document.createRange();
            range.selectNodeContents(value);
            if (range.getBoundingClientRect().width > value.clientWidth + 0.5) cut.push(value.textContent);
        }
        for (const chart of document.querySelectorAll(".js-plotly-plot")) {
            const svg = chart.querySelector(".main-svg");
            const title = chart.querySelector(".gtitle");
            if (!svg || !title) continue;
            const box = title.getBoundingClientRect(), frame = svg.getBoundingClientRect();
            if (box.right > frame.right + 1 || box.left < frame.left - 1) cut.push(title.textContent);
        }
        return cut;
    }"""
    )


def titles_under_legends(page) -> list[str]:  # type: ignore[no-untyped-def]
    """Return the titles of the page's charts that their legend covers (by more than the few pixels by
    which the boxes around two lines of text may touch)."""
    covered = []
    for chart in page.locator(".js-plotly-plot").all():
        title, legend = chart.locator(".gtitle"), chart.locator(".legend")
        if not title.count() or not legend.count():
            continue
        a, b = title.first.bounding_box(), legend.first.bounding_box()
        across = min(a["x"] + a["width"], b["x"] + b["width"]) - max(a["x"], b["x"])
        down = min(a["y"] + a["height"], b["y"] + b["height"]) - max(a["y"], b["y"])
        if across > 4 and down > 4:
            covered.append(title.first.text_content() or "")
    return covered


def test_browser_a_link_opened_first_on_a_fresh_server_finds_its_page(browser) -> None:  # type: ignore[no-untyped-def]
    port = free_port()
    command = [sys.executable, "serve.py", "dashboard.py"]
    command += ["--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true"]
    with serve(command, ROOT, port) as url:
        page = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
        page.goto(f"{url}/time?lang=en")
        wait_for_page(page, charts=True)
        assert page.locator("h1").first.text_content() == "Time savings"
        assert page.get_by_text("Page not found").count() == 0
        page.context.close()


def test_browser_a_copied_link_keeps_its_filters_across_pages(app_url: str, browser) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    link = f"{app_url}/areas?area={quote('宜昌片区')}&category={quote('政府职能转变')}&lang=en"
    page.goto(link)
    wait_for_page(page, charts=True)
    sidebar = page.locator("[data-testid='stSidebar']")
    assert sidebar.get_by_text("Yichang Area").count() >= 1
    assert sidebar.get_by_text("Transformation of government functions").count() >= 1
    sidebar.get_by_text("Overview", exact=True).first.click()
    page.get_by_text("Hubei FTZ Practice Case Metrics").first.wait_for(timeout=30_000)
    wait_for_page(page, charts=True)
    assert "area=%E5%AE%9C%E6%98%8C%E7%89%87%E5%8C%BA" in page.url and "lang=en" in page.url
    assert page.get_by_text("Matching: 3 cases").count() == 1
    page.screenshot(path=SCREENSHOTS / "followed-link-en-desktop.png", full_page=True)
    context.close()


def test_browser_filters_open_from_one_button_and_say_what_is_chosen(app_url: str, browser) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.goto(f"{app_url}/areas")
    wait_for_page(page, charts=True)
    sidebar = page.locator("[data-testid='stSidebar']")
    assert sidebar.get_by_text("全部数据，未筛选").count() == 1
    sidebar.get_by_role("button", name="筛选", exact=True).click()
    page.get_by_label("片区", exact=True).click()
    page.get_by_role("option", name="宜昌片区").click()
    sidebar.get_by_text("符合条件：7 个案例").wait_for(timeout=30_000)
    # The list stays open for the next choice, and the button counts what is chosen.
    assert page.get_by_label("领域").is_visible()
    page.keyboard.press("Escape")
    page.mouse.click(900, 400)
    assert sidebar.get_by_role("button", name="筛选（已选 1 项）").count() == 1
    assert sidebar.get_by_text("片区：宜昌片区").count() == 1
    assert "area=%E5%AE%9C%E6%98%8C%E7%89%87%E5%8C%BA" in page.url
    page.screenshot(path=SCREENSHOTS / "filters-chosen-zh-desktop.png")
    context.close()


@pytest.mark.parametrize(("label", "suffix"), [("下载 Excel", ".xlsx"), ("下载 CSV", ".csv")])
def test_browser_download_buttons_save_files_that_open(
    app_url: str, browser, label: str, suffix: str, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    import csv
    import io

    import openpyxl

    context = browser.new_context(viewport={"width": 1366, "height": 768}, accept_downloads=True)
    page = context.new_page()
    page.goto(f"{app_url}/data?area={quote('宜昌片区')}")
    wait_for_page(page, charts=False)
    with page.expect_download(timeout=60_000) as download_info:
        page.get_by_role("button", name=label).click()
    download = download_info.value
    assert download.suggested_filename.startswith("湖北自贸试验区实践案例指标_第七批_宜昌片区_")
    assert download.suggested_filename.endswith(suffix)
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    if suffix == ".xlsx":
        book = openpyxl.load_workbook(saved)
        assert book.sheetnames == ["数据", "汇总", "说明"]
        rows = list(book["数据"].iter_rows(values_only=True))
    else:
        rows = list(csv.reader(io.StringIO(saved.read_bytes().decode("utf-8-sig"))))
    assert rows[0][0] == "编号"
    area = list(rows[0]).index("片区")
    assert {row[area] for row in rows[1:]} == {"宜昌片区"} and len(rows) > 10
    context.close()


def test_browser_briefing_button_saves_the_deck_of_the_selection(app_url: str, browser, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from pptx import Presentation

    from ftz.briefing import to_pptx
    from ftz.filters import Filters, apply_filters
    from loaders.store import load_metrics
    from tests.test_briefing import made_at_of, make_briefing, summary

    context = browser.new_context(viewport={"width": 1366, "height": 768}, accept_downloads=True)
    page = context.new_page()
    page.goto(f"{app_url}/?area={quote('宜昌片区')}")
    wait_for_page(page, charts=True)
    with page.expect_download(timeout=60_000) as download_info:
        page.get_by_role("button", name="下载汇报 PPT").click()
    download = download_info.value
    assert download.suggested_filename.startswith("湖北自贸试验区实践案例指标_第七批_宜昌片区_")
    assert download.suggested_filename.endswith(".pptx")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    deck = Presentation(str(saved))
    filters = Filters(area=("宜昌片区",))
    expected = make_briefing(apply_filters(load_metrics(), filters), "zh", filters, made_at_of(deck))
    version = re.search(
        r"数据版本 ([0-9a-f]{16})",
        "\n".join(p.text for s in deck.slides[-1].shapes if s.has_text_frame for p in s.text_frame.paragraphs),
    )
    assert version is not None
    expected = dataclasses.replace(expected, data_version=version.group(1))
    assert summary(deck) == summary(Presentation(io.BytesIO(to_pptx(expected))))
    context.close()


def test_browser_a_staff_member_turns_a_document_into_data_in_one_sitting(browser, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Sign in, upload the fictional 9th batch, reject one figure, accept the rest case by case, reload in
    the middle and resume, check and apply: the store holds the reviewed rows and keeps the document."""
    import os
    from datetime import datetime

    from loaders.store import BEIJING
    from loaders.stores import open_store
    from loaders.users import new_account
    from tests.conftest import FIXTURES, copy_data_folder

    path = copy_data_folder(tmp_path)
    store = open_store(path=path)
    password = "长江大桥-2026-stays"
    store.put_account(new_account("王五", "editor", password, datetime.now(BEIJING)), who="管理员")
    port = free_port()
    command = [sys.executable, "serve.py", "dashboard.py"]
    command += ["--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true"]
    env = {**os.environ, "FTZ_METRICS_PATH": str(path)}
    with serve(command, ROOT, port, env=env) as url:
        page = browser.new_context(viewport={"width": 1440, "height": 1000}).new_page()

        def sign_in() -> None:
            page.goto(f"{url}/refresh")
            page.get_by_label("账号").fill("王五")
            page.locator("input[type=password]").fill(password)
            page.keyboard.press("Enter")
            page.get_by_text("已登录：王五（编辑）").first.wait_for(timeout=30_000)

        def click(name: str) -> None:
            page.get_by_role("button", name=name).first.click()
            page.wait_for_timeout(300)
            page.wait_for_function("!document.querySelector('[data-testid=stStatusWidget]')", timeout=30_000)

        sign_in()
        page.locator("input[type=file]").nth(1).set_input_files(str(FIXTURES / "fiction-batch-09.txt"))
        page.get_by_text("审核原文：fiction-batch-09.txt（第9批，3 个案例）").wait_for(timeout=30_000)
        # The case's text has its figures marked where they stand.
        page.locator("mark", has_text="126 家").wait_for(timeout=30_000)
        click("采用本案例其余 6 条，转到下一个案例")
        page.locator(".st-key-review_card_9-02-04").wait_for(timeout=30_000)  # on to case 2
        page.locator(".st-key-review_card_9-02-04").get_by_role("button", name="✗ 不采用").click()
        page.get_by_text("已采用 6 条，不采用 1 条，待核对 6 条").wait_for(timeout=30_000)
        # A reload ends the session; signed in again, the review is there to resume.
        sign_in()
        page.get_by_text("fiction-batch-09.txt（第9批）：已核对 7/13 条").wait_for(timeout=30_000)
        click("继续审核")
        page.get_by_text("已采用 6 条，不采用 1 条，待核对 6 条").wait_for(timeout=30_000)
        click("采用本案例其余 3 条，转到下一个案例")
        click("采用本案例其余 3 条，转到下一个案例")
        click("校验核对后的数据")
        page.get_by_text("新增 12 条").first.wait_for(timeout=30_000)
        page.screenshot(path=str(SCREENSHOTS / "review-checked.png"), full_page=True)
        click("确认导入")
        page.get_by_text("原文已保存并登记为 sources/batch-09.txt").wait_for(timeout=30_000)
        assert page.locator("[data-testid='stException']").count() == 0
        page.context.close()
    applied = open_store(path=path).load().frame
    kept = [
        "最高 50 万元",
        "126 家",
        "48 家",
        "超 3.5 亿元",
        "10个工作日",
        "3个工作日",
        "1,204 笔",
        "约 2 周",
        "约四成",
    ]
    kept += ["2,310 家", "860 家", "12.6 万吨"]
    assert sorted(applied.loc[applied["batch"] == 9, "value_text"]) == sorted(kept)
    assert (path.parent / "sources" / "batch-09.txt").is_file()
    assert open_store(path=path).reviews("王五") == {}
