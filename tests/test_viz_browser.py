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


#: Everything the server printed (shared by the tests of this module).
SERVER_OUTPUT: list[str] = []


@pytest.fixture(scope="module")
def server_url():
    """Run ``alliancesim viz`` on a free port; yield the address it prints; stop it."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "alliancesim.cli", "viz", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: queue.Queue[str] = queue.Queue()
    output = SERVER_OUTPUT
    output.clear()

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
        code = process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail("alliancesim viz did not stop on SIGTERM")
    assert code == 0 and "alliancesim viz: stopped" in "".join(output)
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

    def __init__(self, browser, url: str, width: int = 1500, height: int = 1900,
                 context=None) -> None:
        if context is None:
            self.page = browser.new_page(viewport={"width": width, "height": height})
        else:
            self.page = context.new_page()
            self.page.set_viewport_size({"width": width, "height": height})
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

    def playing(self) -> bool:
        return self.page.locator(".run-play").inner_text().strip() == "❚❚"

    def set_play_interval(self, key: str) -> None:
        """Move the Play speed slider with a key (Home: the shortest pause)."""
        thumb = self.page.locator(".run-interval [role=slider]")
        thumb.focus()
        thumb.press(key)

    def choose_scenario(self, label: str) -> None:
        self.page.locator(".v-select").filter(has_text="Scenario").click()
        self.page.get_by_role("option", name=label, exact=True).click()

    def assert_healthy(self) -> None:
        """The page still shows the year and no Python traceback or error box."""
        expect(self.page.locator(".alliancesim-year")).to_be_visible()
        assert "Traceback" not in self.page.inner_text("body")
        assert self.page.locator(".alliancesim-view-error, .run-error").count() == 0

    def wait_year(self, year: int) -> None:
        self.page.wait_for_function(
            "y => document.querySelector('.alliancesim-year')?.textContent === 'Year: ' + y",
            arg=year, timeout=STEP_TIMEOUT_MS)

    def wait_year_at_least(self, year: int) -> None:
        """Wait while playing: years can pass between two looks at the page."""
        self.page.wait_for_function(
            "y => parseInt(document.querySelector('.alliancesim-year')?.textContent"
            ".replace('Year: ', '')) >= y", arg=year, timeout=STEP_TIMEOUT_MS * 2)

    def keep_playing(self) -> bool:
        """Press ▶ if not playing; after the end year, Reset first. True if it restarted."""
        if self.playing():
            return False
        restarted = False
        if self.page.locator(".alliancesim-banner").inner_text().find("the run has ended") >= 0:
            self.button("Reset").click()
            self.wait_year(2012)
            restarted = True
        play = self.page.locator(".run-play")
        if play.is_enabled() and play.inner_text().strip() == "▶":
            play.click(timeout=5_000)
        return restarted

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
                 "Pause between years when playing"):
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


def test_pause_and_reset_during_play_run_no_extra_year(session):
    session.button("▶").click()
    session.wait_year_at_least(2015)
    clicked = session.year()
    session.button("❚❚").click()
    expect(session.button("▶")).to_be_visible()
    paused = session.year()
    assert paused in (clicked, clicked + 1)  # at most the year under way at the click
    time.sleep(2.0)
    assert session.year() == paused  # Pause ran no extra year
    session.button("▶").click()
    session.wait_year_at_least(paused + 2)
    session.button("Reset").click()
    session.wait_year(2012)
    expect(session.button("▶")).to_be_visible()
    time.sleep(2.0)
    assert session.year() == 2012  # Reset during Play starts at the start year and stays
    session.screenshot("after-play")
    session.assert_healthy()
    assert session.errors == []


def test_play_at_the_shortest_interval_for_20_seconds_does_not_crash(session):
    session.set_play_interval("Home")
    expect(session.page.locator(".run-interval")).to_contain_text("50 ms")
    tiles = ["DEU", "POL", "USA", "FRA"]
    tabs = ["capabilities", "operation", "burden", "member"]
    deadline, runs, k = time.monotonic() + 20, 0, 0
    session.button("▶").click()
    while time.monotonic() < deadline:
        runs += session.keep_playing()
        # Use the page while it plays, as a student does.
        session.page.locator(f".tile-{tiles[k % 4]}").click()
        session.page.locator(f".tab-{tabs[k % 4]}").click()
        k += 1
        time.sleep(0.3)
    session.screenshot("fast-play")
    session.assert_healthy()
    assert runs >= 1, "the run ended and was restarted within the 20 s"
    assert session.errors == []


def test_double_click_on_step_in_the_last_year_and_quick_clicks_do_not_crash(session):
    session.choose_scenario("classroom")
    session.button("Reset").click()
    session.wait_year(2020)
    for year in range(2021, 2035):
        session.button("Step").click()
        session.wait_year(year)
    session.button("Step").dblclick()
    session.wait_year(2035)
    time.sleep(1.0)
    assert session.year() == 2035
    expect(session.page.locator(".alliancesim-banner")).to_contain_text("the run has ended")
    session.button("Reset").click()
    session.wait_year(2020)
    # Twenty clicks sent at once, before the server can disable the button.
    session.page.evaluate("""() => { const b = document.querySelector('.run-step');
        for (let k = 0; k < 20; k++) b.click(); }""")
    session.page.wait_for_function(
        "() => document.querySelector('.run-step')?.disabled || "
        "document.querySelector('.alliancesim-year')?.textContent === 'Year: 2035'",
        timeout=STEP_TIMEOUT_MS * 3)
    time.sleep(1.0)
    assert session.year() <= 2035
    session.assert_healthy()
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
    session.choose_scenario("classroom")
    expect(session.page.locator(".inputs-pending")).to_contain_text("press Reset to apply")
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
    expect(session.page.locator(".alliancesim-member .view-member svg")).to_have_count(4)
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
    expect(session.page.locator(".play-pending")).to_contain_text("Nothing set for 2013")
    session.button("Set my choices for 2013").click()
    expect(session.page.locator(".play-pending")).to_contain_text(
        "Your choices for 2013: burden 6.00% of GDP")
    session.button("Step").click()
    session.wait_year(2013)
    history = session.page.locator(".play-history tr").filter(has_text="2013")
    expect(history).to_contain_text("6.00")
    expect(history).to_contain_text("you")
    session.button("Step").click()  # nothing set: the agent decides, and the panel says so
    session.wait_year(2014)
    expect(session.page.locator(".play-last")).to_contain_text(
        "In 2014 you set nothing, so the agent chose")
    expect(session.page.locator(".play-history tr").filter(has_text="2014")).to_contain_text(
        "the agent")
    session.button("Debrief: compare with the agent").click()
    expect(session.page.locator(".play-debrief")).to_contain_text("mean burden, % of GDP")
    expect(session.page.locator(".play-debrief-chart svg")).to_have_count(1)
    session.screenshot("play-debrief")
    assert session.errors == []


def luminance(css_colour: str) -> float:
    """Relative luminance of an ``rgb(...)``/``rgba(...)`` colour."""
    r, g, b = (float(v) / 255 for v in css_colour.split("(")[1].split(")")[0].split(",")[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_dark_mode_preference_keeps_every_text_readable(browser, server_url):
    """A browser in dark mode, with a dark theme remembered from Solara: the page stays light."""
    context = browser.new_context(color_scheme="dark")
    context.add_init_script("localStorage.setItem(':solara:theme.variant', '\"dark\"')")
    s = Session(browser, server_url, 1366, 768, context=context)
    try:
        year = s.page.locator(".alliancesim-year")
        expect(year).to_be_visible()
        colours = s.page.evaluate("""() => {
            const bg = el => { while (el) { const c = getComputedStyle(el).backgroundColor;
                if (c && c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent') return c;
                el = el.parentElement; } return 'rgb(255, 255, 255)'; };
            const y = document.querySelector('.alliancesim-year');
            const t = document.querySelector('.alliancesim-parameters .param-value');
            return {year: getComputedStyle(y).color, yearBg: bg(y),
                    param: getComputedStyle(t).color, paramBg: bg(t)}; }""")
        for text, background in (("year", "yearBg"), ("param", "paramBg")):
            assert luminance(colours[background]) - luminance(colours[text]) > 0.5, colours
        s.screenshot("dark-preference-1366x768")
    finally:
        s.close()
        context.close()


@pytest.mark.parametrize("width, height", [(1366, 768), (1400, 900)])
def test_a_chart_and_the_clicked_allys_history_are_in_view_without_scrolling(
        browser, server_url, width, height):
    s = Session(browser, server_url, width, height)
    try:
        chart = s.page.locator(".view-burden svg").first
        box = chart.bounding_box()
        assert box["y"] + box["height"] <= height, box  # a whole chart in the first view
        assert s.page.locator(".alliancesim-map").bounding_box()["y"] < height / 2
        s.screenshot(f"start-{width}x{height}")
        s.page.locator(".tile-ITA").click()
        s.page.get_by_text("Italy (ITA)", exact=True).wait_for()
        first = s.page.locator(".view-member svg").first.bounding_box()
        assert first["y"] + first["height"] <= height, first
        assert s.page.evaluate("() => window.scrollY") == 0
        s.screenshot(f"member-{width}x{height}")
        assert s.page.locator("text=runs on Solara").count() == 0  # no badge over the page
        for selector in (".alliancesim-year", ".alliancesim-tile", "svg text"):
            sizes = s.page.eval_on_selector_all(
                selector + ", " + selector + " *",
                "els => els.map(e => parseFloat(getComputedStyle(e).fontSize))")
            assert min(sizes) >= 11, (selector, min(sizes))
        assert s.errors == []
    finally:
        s.close()


def test_a_classroom_of_ten_tabs_playing_for_a_minute(browser, server_url):
    """Ten students on one server, each playing at the default speed for 60 s."""
    tabs = [Session(browser, server_url, 1366, 768) for _ in range(10)]
    try:
        deadline, restarts = time.monotonic() + 60, 0
        for tab in tabs:
            tab.button("▶").click()
        while time.monotonic() < deadline:
            for tab in tabs:
                restarts += tab.keep_playing()
            time.sleep(1.0)
        for k, tab in enumerate(tabs):
            tab.assert_healthy()
            assert tab.page.inner_text(".alliancesim-year").startswith("Year: "), k
        # The Step time of one student while the nine others keep playing.
        timer = tabs[-1]
        if timer.playing():
            timer.button("❚❚").click()
            expect(timer.button("▶")).to_be_visible()
        timer.button("Reset").click()
        timer.wait_year(2012)
        busy = timed_steps(timer, range(2013, 2019), ".view-burden .alliancesim-chart")
        report = describe_timings("burden tab, nine other tabs playing", busy)
        print("\n" + report + f" ({restarts} runs restarted in the minute)")
        ARTIFACTS.mkdir(exist_ok=True)
        with (ARTIFACTS / "step_render_times.txt").open("a") as out:
            out.write(report + "\n")
        tabs[0].screenshot("classroom-tab-1")
        assert all(tab.errors == [] for tab in tabs)
        assert not any("Traceback" in line for line in SERVER_OUTPUT), "".join(SERVER_OUTPUT)
    finally:
        for tab in tabs:
            tab.close()
