"""End-to-end: ``alliancesim viz`` serves the app, headless Chromium uses it like a person.

Drives Debian's Chromium (``/usr/bin/chromium``, installed by ``scripts/browser_deps.sh``)
through Playwright; no browser is downloaded. The server is started on a free port with the
real command and stopped at the end. Screenshots go to ``test-artifacts/`` and the time each
Step takes to render is printed and written to ``test-artifacts/step_render_times.txt``.
"""

from __future__ import annotations

import os
import queue
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = Path(os.environ.get("ALLIANCESIM_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--no-first-run"]
SERVER_START_TIMEOUT_S = 120
PAGE_TIMEOUT_MS = 60_000
STEP_TIMEOUT_MS = 20_000

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} not found: install Debian's chromium (scripts/browser_deps.sh)",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server_url():
    """Run ``alliancesim viz`` on a free port; yield the address it prints; stop it."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "alliancesim.cli", "viz", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: queue.Queue[str] = queue.Queue()
    output: list[str] = []

    def read() -> None:
        for line in process.stdout:
            output.append(line)
            lines.put(line)

    threading.Thread(target=read, daemon=True).start()
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    url = None
    while url is None and time.monotonic() < deadline:
        try:
            line = lines.get(timeout=1.0)
        except queue.Empty:
            if process.poll() is not None:
                break
            continue
        if "alliancesim viz: serving" in line:
            url = line.split(" at ", 1)[1].split()[0]
    if url is None:
        process.kill()
        pytest.fail("alliancesim viz did not print its address:\n" + "".join(output))
    assert url == f"http://127.0.0.1:{port}/"
    yield url
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail("alliancesim viz did not stop on SIGTERM")
    with socket.socket() as probe:  # the solara child stopped too: nothing listens any more
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(("127.0.0.1", port))


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


class Session:
    """One browser tab on the app, recording console errors and off-machine requests."""

    def __init__(self, browser, url: str) -> None:
        self.page = browser.new_page(viewport={"width": 1500, "height": 1900})
        self.page.set_default_timeout(PAGE_TIMEOUT_MS)
        self.errors: list[str] = []
        self.external: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))
        self.page.on("request", self._request)
        self.page.goto(url, timeout=PAGE_TIMEOUT_MS)
        self.page.wait_for_selector(".alliancesim-year", timeout=PAGE_TIMEOUT_MS)
        self.page.wait_for_selector(".alliancesim-tile", timeout=PAGE_TIMEOUT_MS)

    def _console(self, message) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def _request(self, request) -> None:
        if not request.url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:",
                                       "blob:", "about:")):
            self.external.append(request.url)

    def year(self) -> int:
        return int(self.page.inner_text(".alliancesim-year").removeprefix("Year: "))

    def wait_year(self, year: int) -> None:
        self.page.wait_for_function(
            "y => document.querySelector('.alliancesim-year')?.textContent === 'Year: ' + y",
            arg=year, timeout=STEP_TIMEOUT_MS)

    def button(self, name: str):
        return self.page.get_by_role("button", name=name, exact=True)

    def stat(self, slug: str) -> str:
        return self.page.inner_text(f".stat-{slug} .stat-value")

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"viz-{name}.png"
        self.page.wait_for_timeout(700)  # let tab and tooltip transitions finish
        self.page.screenshot(path=str(path))
        return path

    def close(self) -> None:
        self.page.close()


def mean_burden(session: Session) -> float:
    return float(session.stat("mean-burden").split("%")[0])


@pytest.fixture
def session(browser, server_url):
    s = Session(browser, server_url)
    yield s
    s.close()


def test_page_loads_offline_with_no_console_errors(session):
    assert session.year() == 2012
    for text in ("Scenario", "Seed (a whole number)", "Behaviour parameters", "Alliance map",
                 "One ally over time", "Play Interval (ms)"):
        assert session.page.get_by_text(text, exact=True).first.is_visible(), text
    expect(session.page.locator(".alliancesim-tile")).to_have_count(28)
    expect(session.page.locator(".view-burden svg")).to_have_count(2)
    session.screenshot("start")
    assert session.errors == []
    assert session.external == [], "the page must not fetch anything from the internet"


def timed_steps(session: Session, years: range, chart: str) -> list[float]:
    """Seconds from each Step click to the new year on screen and the chart redrawn."""
    timings = []
    for expected in years:
        before = session.page.inner_html(chart)
        start = time.perf_counter()
        session.button("Step").click()
        session.wait_year(expected)
        session.page.wait_for_function(
            "([sel, old]) => document.querySelector(sel)?.innerHTML !== old",
            arg=[chart, before], timeout=STEP_TIMEOUT_MS)
        timings.append(time.perf_counter() - start)
        assert session.year() == expected
    return timings


def describe_timings(label: str, timings: list[float]) -> str:
    return (f"{label}: median {statistics.median(timings) * 1000:.0f} ms, max "
            f"{max(timings) * 1000:.0f} ms over {len(timings)} steps ("
            + ", ".join(f"{t * 1000:.0f}" for t in timings) + " ms)")


def test_step_moves_the_year_forward_by_one_and_renders_quickly(session):
    light = timed_steps(session, range(2013, 2019), ".view-burden .alliancesim-chart")
    session.screenshot("after-steps")
    session.page.locator(".tile-DEU").click()
    session.page.get_by_text("Germany (DEU)", exact=True).wait_for()
    session.page.locator(".tab-capabilities").click()
    session.page.locator(".view-coverage svg").wait_for()
    heavy = timed_steps(session, range(2019, 2025), ".view-coverage .alliancesim-chart")
    session.screenshot("after-steps-capabilities")
    report = "\n".join([
        "per-Step render time in headless Chromium (click on Step to the new year on screen "
        "and the chart redrawn)",
        describe_timings("burden tab, no ally selected", light),
        describe_timings("capabilities tab and an ally's history", heavy)])
    print("\n" + report)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "step_render_times.txt").write_text(report + "\n")
    assert session.errors == []


def test_play_runs_several_years_and_pause_stops(session):
    session.button("▶").click()
    session.wait_year(2015)
    session.button("❚❚").click()
    stopped = session.year()
    time.sleep(2.0)
    assert session.year() in (stopped, stopped + 1)  # at most the year already under way
    settled = session.year()
    time.sleep(1.5)
    assert session.year() == settled
    assert settled >= 2015
    session.screenshot("after-play")
    assert session.errors == []


def test_slider_change_then_reset_changes_the_model(session):
    for year in (2013, 2014, 2015, 2016):
        session.button("Step").click()
        session.wait_year(year)
    before = mean_burden(session)
    thumb = session.page.locator(".param-incentives-peer-pressure [role=slider]")
    thumb.focus()
    thumb.press("End")  # the slider's maximum: the strongest pull toward 2%
    session.page.get_by_text("1 change waiting: press Reset to apply.").wait_for()
    session.screenshot("slider-pending")
    session.button("Reset").click()
    session.wait_year(2012)
    expect(session.page.locator(".alliancesim-overrides")).to_contain_text(
        "incentives.peer_pressure = 1.0")
    for year in (2013, 2014, 2015, 2016):
        session.button("Step").click()
        session.wait_year(year)
    assert mean_burden(session) > before
    session.screenshot("slider-applied")
    assert session.errors == []


def test_switching_scenario_works(session):
    session.page.locator(".v-select").filter(has_text="Scenario").click()
    session.page.get_by_role("option", name="classroom", exact=True).click()
    session.button("Reset").click()
    session.wait_year(2020)
    expect(session.page.locator(".alliancesim-scenario")).to_have_text("classroom · seed 1")
    expect(session.page.locator(".alliancesim-tile")).to_have_count(6)
    session.page.locator(".tile-BIG").wait_for()
    session.page.locator(".tab-capabilities").click()
    session.page.locator(".view-coverage svg").wait_for()
    session.screenshot("classroom-capabilities")
    assert session.errors == []


def test_clicking_a_map_tile_shows_that_member(session):
    session.button("Step").click()
    session.wait_year(2013)
    session.page.locator(".tile-DEU").click()
    session.page.get_by_text("Germany (DEU)", exact=True).wait_for()
    expect(session.page.locator(".alliancesim-member svg")).to_have_count(4)
    session.page.locator(".tile-POL").click()
    session.page.get_by_text("Poland (POL)", exact=True).wait_for()
    session.screenshot("member-POL")
    assert session.errors == []


@pytest.mark.parametrize("tab", ["capabilities", "operation", "opinion", "about"])
def test_each_view_renders_in_the_browser(session, tab):
    for year in (2013, 2014):
        session.button("Step").click()
        session.wait_year(year)
    session.page.locator(f".tab-{tab}").click()
    selector = ".alliancesim-about" if tab == "about" else f".view-{tab} svg"
    session.page.locator(selector).first.wait_for()
    session.screenshot(f"tab-{tab}")
    assert session.errors == []


def test_a_student_takes_control_of_an_ally_and_sees_their_choices(session):
    session.page.locator(".tab-play").click()
    session.page.locator(".v-select").filter(has_text="Ally to play").click()
    session.page.get_by_role("option", name="DEU", exact=True).click()
    session.button("Take control").click()
    session.page.locator(".play-waiting").wait_for()
    session.button("Reset").click()
    session.wait_year(2012)
    session.page.locator(".play-who").wait_for()
    expect(session.page.locator(".play-who")).to_contain_text("Germany (DEU)")
    thumb = session.page.locator(".play-burden [role=slider]")
    thumb.focus()
    thumb.press("End")  # the panel's highest burden, 6% of GDP
    expect(session.page.locator(".play-burden-value")).to_have_text("6.00% of GDP")
    session.button("Set my choices for next year").click()
    expect(session.page.locator(".play-message")).to_contain_text(
        "Choices set for 2013: burden 6.00% of GDP")
    session.button("Step").click()
    session.wait_year(2013)
    history = session.page.locator(".play-history tr").filter(has_text="2013")
    expect(history).to_contain_text("6.00")
    session.button("Debrief: compare with the agent").click()
    expect(session.page.locator(".play-debrief")).to_contain_text("mean burden, % of GDP")
    session.screenshot("play-debrief")
    assert session.errors == []
