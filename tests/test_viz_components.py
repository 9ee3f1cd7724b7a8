"""The browser app's parts, rendered with Solara in-process (no browser).

The end-to-end browser tests are in ``test_viz_browser.py``; these check the same behaviour
faster, plus the pure pieces (tile layout, SVG charts, parameter specs, the model factory, the
command line).
"""

from __future__ import annotations

import html
import math
import re
import sys
import types
import xml.dom.minidom

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

solara = pytest.importorskip("solara")
v = pytest.importorskip("ipyvuetify")

from alliancesim import AllianceModel, load_scenario  # noqa: E402
from alliancesim.cli import main as cli_main  # noqa: E402
from alliancesim.config import list_scenarios, parameter_table  # noqa: E402
from alliancesim.data import members_table  # noqa: E402
from alliancesim.viz import charts, svg, tilemap  # noqa: E402
from alliancesim.viz import cli as viz_cli  # noqa: E402
from alliancesim.viz.app import Page  # noqa: E402
from alliancesim.viz.controls import (  # noqa: E402
    ControlState,
    css_class,
    nice_step,
    parameter_specs,
    plain_source,
)
from alliancesim.viz.factory import VizModel, parse_seed, scenario_choices  # noqa: E402

# --------------------------------------------------------------------------- page helpers


@solara.component
def AppWithSidebar():
    """The page inside Solara's app layout, so SolaraViz's sidebar is rendered too."""
    with solara.AppLayout():
        Page()


@pytest.fixture
def page():
    _box, rc = solara.render(AppWithSidebar(), handle_error=False)
    yield rc
    rc.close()


def every_widget(rc, cls=object) -> list:
    """All widgets of a class in the rendered tree (reacton's find stops at a match)."""
    from ipywidgets import Widget

    found, seen, queue = [], set(), list(rc.find().widgets)
    while queue:
        widget = queue.pop(0)
        if id(widget) in seen:
            continue
        seen.add(id(widget))
        if isinstance(widget, cls):
            found.append(widget)
        for name in widget.keys:
            value = getattr(widget, name)
            values = value if isinstance(value, (list, tuple)) else [value]
            queue.extend(x for x in values if isinstance(x, Widget))
    return found


def html_texts(rc) -> list[str]:
    return [w.unsafe_innerHTML for w in every_widget(rc, v.VuetifyTemplate)
            if getattr(w, "unsafe_innerHTML", None)]


def span_texts(rc) -> list[str]:
    return [c for w in every_widget(rc, v.Html) for c in w.children if isinstance(c, str)]


def alert_texts(rc) -> str:
    return " ".join(str(c) for w in every_widget(rc, v.Alert) for c in w.children)


def banner(rc) -> str:
    """The banner's text (tags removed)."""
    blocks = [t for t in html_texts(rc) if "alliancesim-year" in t]
    assert len(blocks) == 1, blocks
    return html.unescape(re.sub(r"<[^>]+>", " ", blocks[0]))


def year_on_page(rc) -> int:
    years = re.findall(r"Year: (\d{4})", banner(rc))
    assert len(years) == 1, years
    return int(years[0])


def click(rc, label: str) -> None:
    rc.find(v.Btn, children=[label]).widget.click()


def stat(rc, slug: str) -> str:
    block = next(t for t in html_texts(rc) if "alliancesim-year" in t)
    value = re.search(rf"stat-{slug}'.*?class='stat-value'[^>]*>([^<]*)<", block)
    assert value, slug
    return html.unescape(value.group(1))


def choose_scenario(rc, label: str) -> None:
    rc.find(v.Select, label="Scenario").widget.v_model = label


# --------------------------------------------------------------------------- the page


def test_page_opens_at_the_start_year_and_step_adds_one_year(page):
    assert year_on_page(page) == 2012
    click(page, "Step")
    assert year_on_page(page) == 2013
    click(page, "Step")
    assert year_on_page(page) == 2014


def test_page_has_every_control_the_issue_asks_for(page):
    buttons = {c for w in every_widget(page, v.Btn) for c in w.children if isinstance(c, str)}
    assert {"Reset", "Step", "▶"} <= buttons
    assert page.find(v.Select, label="Scenario").widget.items == list(scenario_choices())
    assert page.find(v.TextField, label="Seed (a whole number)").widget.v_model == "1"
    sliders = every_widget(page, v.Slider)
    assert any(w.label == "Pause between years when playing" for w in sliders)  # Play speed
    for spec in parameter_specs():
        assert page.find(v.Html, class_=css_class(spec.name)).widgets, spec.name


def test_clicking_a_tile_shows_that_members_history(page):
    page.find(v.Btn, class_="alliancesim-tile tile-DEU").widget.click()
    assert page.find(v.Tabs).widget.v_model == 0  # the ally's tab, beside the map
    assert page.find(v.Html, class_="alliancesim-member-name").widget.children == [
        "Germany (DEU)"]
    charts_shown = [t for t in html_texts(page) if t.startswith("<svg") and "Burden" in t]
    assert charts_shown, "the member's burden history is drawn"
    tile = page.find(v.Btn, class_="alliancesim-tile tile-DEU").widget
    assert "3px solid" in tile.style_  # the selected tile is outlined
    click(page, "Close")
    assert not page.find(v.Html, class_="alliancesim-member-name").widgets
    assert any("One ally over time" in t for t in html_texts(page))


def test_map_switches_between_declared_and_revealed_posture_and_shades(page):
    def fills() -> dict[str, str]:
        out = {}
        for w in every_widget(page, v.Btn):
            if "alliancesim-tile" in (w.class_ or ""):
                code = w.class_.split("tile-")[-1]
                out[code] = w.style_.split("background:")[1].split(";")[0]
        return out

    declared = fills()
    assert set(declared) == set(members_table().query("joined <= 2012")["iso3"])
    page.find(v.BtnToggle, class_="map-shade-by").widget.v_model = 1  # troops
    by_troops = fills()
    assert by_troops != declared
    page.find(v.BtnToggle, class_="map-colour-by").widget.v_model = 1  # revealed
    revealed = fills()
    assert revealed != by_troops  # some allies behave unlike their declared posture


def test_slider_change_applies_on_reset_and_changes_the_run(page):
    for _ in range(5):
        click(page, "Step")
    before = float(stat(page, "mean-burden").split("%")[0])
    control = page.find(v.Html, class_=css_class("incentives.peer_pressure"))
    control.find(v.Slider).widget.v_model = 1.0
    assert "1 change waiting: press Reset" in alert_texts(page)
    click(page, "Reset")
    assert year_on_page(page) == 2012
    assert "Changed from the scenario: incentives.peer_pressure = 1.0" in banner(page)
    for _ in range(5):
        click(page, "Step")
    assert float(stat(page, "mean-burden").split("%")[0]) > before  # a stronger pull to 2%


def test_switching_scenario_takes_effect_on_reset(page):
    choose_scenario(page, "classroom")
    assert year_on_page(page) == 2012  # nothing changes before Reset
    click(page, "Reset")
    assert year_on_page(page) == 2020
    assert "classroom · seed 1" in banner(page)
    tiles = {w.class_.split("tile-")[-1] for w in every_widget(page, v.Btn)
             if "alliancesim-tile" in (w.class_ or "")}
    assert tiles == {"BIG", "ARD", "FOR", "MUR", "LAX", "SNO"}


def test_the_run_ends_at_the_end_year_and_step_is_disabled(page):
    choose_scenario(page, "classroom")
    click(page, "Reset")
    for _ in range(2035 - 2020):
        click(page, "Step")
    assert year_on_page(page) == 2035
    assert "the run has ended" in banner(page)
    assert page.find(v.Btn, children=["Step"]).widget.disabled
    click(page, "Reset")
    assert year_on_page(page) == 2020
    assert not page.find(v.Btn, children=["Step"]).widget.disabled


def test_seed_field_sets_the_seed_and_a_bad_seed_is_reported(page):
    field = page.find(v.TextField, label="Seed (a whole number)").widget
    field.v_model = "7"
    click(page, "Reset")
    assert "baseline · seed 7" in banner(page)
    field.v_model = "seven"
    click(page, "Reset")
    assert "seed 'seven' is not a whole number" in alert_texts(page)


@pytest.mark.parametrize("tab, marker", [("Burden", "Defence spending by declared posture"),
                                         ("Capabilities", "which allies hold each"),
                                         ("Operation", "Troops in the operation"),
                                         ("Opinion", "Support for the operation"),
                                         ("About", "Three things to try")])
def test_each_view_tab_shows_its_content(page, tab, marker):
    tabs = page.find(v.Tabs).widget
    labels = [c.children[0] for c in tabs.children if isinstance(c, v.Tab)]
    tabs.v_model = labels.index(tab)
    assert any(marker in t for t in html_texts(page)), tab


def test_views_redraw_when_the_year_advances(page):
    page.find(v.Tabs).widget.v_model = 3  # operation
    assert any("troops in 2012" in t for t in html_texts(page))
    click(page, "Step")
    assert any("troops in 2013" in t for t in html_texts(page))
    assert not any("troops in 2012" in t for t in html_texts(page))


def test_about_panel_explains_the_model_each_view_and_three_things_to_try():
    from alliancesim.viz.about import ABOUT_HTML

    for view in ("Alliance map", "Burden", "Capabilities", "Operation", "Opinion", "Play",
                 "Download"):
        assert f"<strong>{view}</strong>" in ABOUT_HTML
    tries = ABOUT_HTML.split("Three things to try")[1]
    assert tries.count("<li>") == 3
    for scenario in ("baseline", "austerity", "smart_defence", "isaf", "isaf_coalition"):
        assert scenario in list_scenarios()  # the suggestions name real scenarios


def test_a_step_past_the_end_year_does_nothing():
    model = VizModel(scenario_name="classroom")
    model.run_model()
    year, rows = model.year, model.history.rows
    model.step()  # a second click on Step in the last year
    model.step()
    assert (model.year, model.history.rows) == (year, rows)
    assert not model.running


def test_views_draw_consistent_snapshots_while_a_thread_steps_the_model():
    import threading

    model = VizModel(scenario_name="baseline",
                     controls=ControlState.create(overrides={"leader.pressure": 0.9}))
    errors: list[BaseException] = []

    def play() -> None:
        try:
            while model.running:
                model.step()
        except BaseException as err:
            errors.append(err)

    thread = threading.Thread(target=play)
    thread.start()
    seen = []
    while thread.is_alive() or not seen:
        snap = model.snapshot()
        assert int(snap.results.timeseries["year"].iloc[-1]) == snap.year
        assert snap.reference is not None
        assert int(snap.reference.timeseries["year"].iloc[-1]) == snap.year
        charts.burden_panels(snap)
        charts.capability_panels(snap)
        charts.operation_panels(snap)
        seen.append(snap.year)
    thread.join()
    assert not errors
    assert seen == sorted(seen)


def test_pause_stops_the_play_loop_before_it_returns():
    import threading
    import time as clock

    from alliancesim.viz.app import PlayLoop

    model = VizModel(scenario_name="baseline")
    loop, ended = PlayLoop(), []
    thread = threading.Thread(target=loop.run, args=(model, lambda: 0.01,
                                                     lambda: ended.append(True), print))
    thread.start()
    while model.year < 2015:
        clock.sleep(0.005)
    loop.stop(model)
    stopped = model.year
    clock.sleep(0.3)
    thread.join(timeout=5)
    assert model.year == stopped and not thread.is_alive()
    assert ended == []  # stopped by the user, not by the end of the run


def test_a_failing_view_shows_a_plain_message_and_logs_the_details(monkeypatch, caplog):
    def broken(snap):
        raise RuntimeError("cannot read /srv/secret/alliancesim/viz/charts.py")

    monkeypatch.setattr(charts, "burden_panels", broken)
    _box, rc = solara.render(AppWithSidebar(), handle_error=False)
    try:
        text = alert_texts(rc)
        assert "the burden view could not be drawn (RuntimeError)" in text
        assert "/srv/secret" not in text and "/srv/secret" not in " ".join(html_texts(rc))
        assert year_on_page(rc) == 2012  # the rest of the page is there
        click(rc, "Step")
        assert year_on_page(rc) == 2013
    finally:
        rc.close()
    assert any("/srv/secret" in str(r.exc_info[1]) for r in caplog.records if r.exc_info)


def test_banner_labels_what_each_headline_counts(page):
    text = banner(page)
    assert "Areas with at most 2 European holders" in text
    assert "Holdings abandoned" in text and "Large allies carry more" in text
    blocks = " ".join(t for t in html_texts(page) if "alliancesim-year" in t)
    assert "not Canada" in html.unescape(blocks)  # the tooltip says who counts as a holder


def test_a_lesson_preset_shows_what_to_watch(page):
    from alliancesim.viz.lessons import LESSON_PRESETS

    preset = LESSON_PRESETS["specialisation_by_default"]
    choose_scenario(page, "Lesson: " + preset["title"])
    click(page, "Reset")
    text = " ".join(banner(page).split())
    assert "What to watch: " + preset["what_to_watch"] in text


def test_scenario_and_seed_changes_say_press_reset(page):
    choose_scenario(page, "classroom")
    assert "Scenario changed: press Reset to apply." in alert_texts(page)
    page.find(v.TextField, label="Seed (a whole number)").widget.v_model = "5"
    assert "Scenario and Seed changed: press Reset to apply." in alert_texts(page)
    click(page, "Reset")
    assert "press Reset to apply" not in alert_texts(page)


def test_parameter_changes_do_not_carry_into_the_next_scenario(page):
    control = page.find(v.Html, class_=css_class("incentives.peer_pressure"))
    control.find(v.Slider).widget.v_model = 1.0
    choose_scenario(page, "austerity")
    assert "your slider changes were cleared" in alert_texts(page)
    click(page, "Reset")
    assert "Changed from the scenario" not in banner(page)


def test_after_a_change_the_charts_show_the_scenarios_own_run_faintly():
    plain = VizModel(scenario_name="baseline", seed=3)
    changed = VizModel(scenario_name="baseline", seed=3,
                       controls=ControlState.create(overrides={"incentives.peer_pressure": 1.0}))
    assert plain.reference is None
    for _ in range(4):
        plain.step()
        changed.step()
    snap = changed.snapshot()
    pd.testing.assert_frame_equal(snap.reference.timeseries, plain.viz_results().timeseries)
    assert "faint: the scenario&#x27;s own run" in charts.burden_panels(snap)[0]
    assert "faint" not in charts.burden_panels(plain.snapshot())[0]


def test_the_run_on_screen_downloads_as_csv_tables(page):
    from io import StringIO

    from alliancesim.results import MEMBER_COLUMNS, TIMESERIES_COLUMNS

    click(page, "Step")
    tabs = page.find(v.Tabs).widget
    labels = [c.children[0] for c in tabs.children if isinstance(c, v.Tab)]
    tabs.v_model = labels.index("Download")
    downloads = every_widget(page, solara.widgets.FileDownload) if hasattr(
        solara.widgets, "FileDownload") else []
    buttons = [c for w in every_widget(page, v.Btn) for c in w.children if isinstance(c, str)]
    assert any(b.startswith("Download timeseries.csv (2 rows)") for b in buttons), buttons
    snap = page.find(v.Tabs).widget  # noqa: F841 - the page is rendered
    from alliancesim.viz.components import DownloadButtons  # noqa: F401
    model = VizModel(scenario_name="baseline")
    model.step()
    tables = model.snapshot().results
    ts = pd.read_csv(StringIO(tables.timeseries.to_csv(index=False)))
    assert tuple(ts.columns) == TIMESERIES_COLUMNS and list(ts["year"]) == [2012, 2013]
    members = pd.read_csv(StringIO(tables.members.to_csv(index=False)))
    assert tuple(members.columns) == MEMBER_COLUMNS
    del downloads


def test_lesson_one_burden_table_keeps_the_leader_apart_and_shows_the_exploitation_statistic():
    model = VizModel(scenario_name="baseline")
    for _ in range(3):
        model.step()
    snap = model.snapshot()
    table = charts.burden_by_posture(snap)
    assert list(table.index)[-1] == "leader" and table.loc["leader", "allies"] == 1
    m = snap.results.members
    activists = m[(m["posture"] == "activist") & ~m["member"].isin(charts.leaders(model))]
    assert table.loc["activist", "mean over the run"] == pytest.approx(
        activists["burden_pct"].mean())
    html_text = charts.burden_table_html(snap)
    rho = snap.results.timeseries["exploitation_rho"].iloc[-1]
    assert f"{rho:+.2f} in 2015" in html_text


# --------------------------------------------------------------------------- plug-ins


def test_lesson_presets_become_scenario_menu_entries(monkeypatch):
    lessons = types.ModuleType("alliancesim.viz.lessons")
    lessons.LESSON_PRESETS = {"coalition": {"scenario": "isaf", "title": "Coalition test",
                                            "overrides": {"operation.framework": "coalition"}}}
    monkeypatch.setitem(sys.modules, "alliancesim.viz.lessons", lessons)
    choices = scenario_choices()
    assert "Lesson: Coalition test" in choices
    model = VizModel(scenario_name="Lesson: Coalition test", seed=2)
    assert model.config.operation.framework == "coalition"
    assert model.year == 2003


def test_a_broken_lesson_preset_is_reported_and_baseline_shown(monkeypatch):
    lessons = types.ModuleType("alliancesim.viz.lessons")
    lessons.LESSON_PRESETS = {"bad": {"scenario": "no-such", "title": "Broken"}}
    monkeypatch.setitem(sys.modules, "alliancesim.viz.lessons", lessons)
    model = VizModel(scenario_name="Lesson: Broken")
    assert model.config.name == "baseline"
    assert "'Lesson: Broken' cannot be run" in " ".join(model.notices)


def test_play_panel_plugin_gets_a_tab(monkeypatch):
    play = types.ModuleType("alliancesim.viz.play")

    @solara.component
    def PlayPanel(snap, controls):
        solara.Text(f"play panel for {snap.model.choice.label}")

    play.PlayPanel = PlayPanel
    monkeypatch.setitem(sys.modules, "alliancesim.viz.play", play)
    _box, rc = solara.render(AppWithSidebar(), handle_error=False)
    try:
        tabs = rc.find(v.Tabs).widget
        labels = [c.children[0] for c in tabs.children if isinstance(c, v.Tab)]
        assert "Play" in labels
        tabs.v_model = labels.index("Play")
        assert "play panel for baseline" in span_texts(rc)
    finally:
        rc.close()


# --------------------------------------------------------------------------- the model factory


def test_viz_model_runs_exactly_the_command_line_model():
    overrides = {"opinion.fatigue": 0.05}
    plain = AllianceModel(load_scenario("baseline", overrides), seed=4)
    viz = VizModel(scenario_name="baseline", seed="4",
                   controls=ControlState.create(overrides=overrides))
    for _ in range(6):
        plain.step()
        viz.step()
    pd.testing.assert_frame_equal(plain.results().timeseries, viz.viz_results().timeseries)


def test_only_real_changes_are_listed_as_changes():
    default_fatigue = load_scenario("baseline").opinion.fatigue
    controls = ControlState.create(overrides={"opinion.fatigue": default_fatigue,
                                              "leader.pressure": 0.9})
    model = VizModel(scenario_name="baseline", controls=controls)
    assert model.overrides == {"leader.pressure": 0.9}


def test_unusable_inputs_are_reported_not_applied():
    model = VizModel(scenario_name="no-such-scenario", seed="-3",
                     controls=ControlState.create(controlled_member="XYZ"))
    assert model.choice.scenario == "baseline"
    assert model.seed == 1
    assert model.controlled_member is None
    text = " ".join(model.notices)
    assert "unknown scenario 'no-such-scenario'" in text
    assert "seed -3 is out of range" in text
    assert "XYZ is not a member" in text


def test_parse_seed_accepts_whole_numbers_only():
    assert parse_seed(" 42 ") == 42
    for bad in ("", "1.5", "abc", "-1", str(2**32)):
        with pytest.raises(Exception, match="seed"):
            parse_seed(bad)


def test_results_are_computed_once_per_year():
    model = VizModel(scenario_name="classroom")
    first = model.viz_results()
    assert model.viz_results() is first
    model.step()
    assert model.viz_results() is not first
    assert int(model.viz_results().timeseries["year"].iloc[-1]) == 2021


# --------------------------------------------------------------------------- parameter panel


def test_parameter_specs_come_from_the_schema():
    table = {row["name"]: row for row in parameter_table()}
    specs = parameter_specs()
    sliders = [s for s in specs if s.kind == "slider"]
    assert len(sliders) >= 8
    assert all(table[s.name]["behavioural"] for s in sliders)
    for spec in specs:
        row = table[spec.name]
        assert spec.default == row["default"]
        assert (spec.minimum, spec.maximum) == (row["min"], row["max"])
        assert spec.unit == row["unit"]
        assert row["description"] in spec.tooltip
        assert plain_source(row["source"]) in spec.tooltip
        assert "index 0-1" not in spec.tooltip and "(seed" not in spec.tooltip  # plain words
    kinds = {s.kind for s in specs}
    assert kinds == {"slider", "switch", "choice"}


def test_slider_steps_are_round_and_reach_the_default():
    for spec in parameter_specs():
        if spec.kind != "slider":
            continue
        positions = (spec.maximum - spec.minimum) / spec.step
        assert 40 <= positions <= 101, spec.name
        assert spec.snap(spec.default) == pytest.approx(spec.default), spec.name
        assert spec.snap(spec.maximum + 1) == spec.maximum
        assert spec.snap(spec.minimum - 1) == spec.minimum


@given(st.floats(-1e3, 1e3), st.floats(1e-6, 1e3))
def test_nice_step_is_one_two_or_five_times_a_power_of_ten(low, span):
    step = nice_step(low, low + span)
    mantissa = step / 10 ** math.floor(math.log10(step) + 1e-12)
    assert any(math.isclose(mantissa, m, rel_tol=1e-6) for m in (1, 2, 5, 10))
    assert span / step <= 100.5


def test_restoring_the_scenario_values_clears_every_change():
    controls = ControlState.create()
    controls.set("opinion.fatigue", 0.1)
    controls.set("smart_defence.pooling", True)
    assert controls.current_overrides() == {"opinion.fatigue": 0.1, "smart_defence.pooling": True}
    controls.clear()
    assert controls.current_overrides() == {}


# --------------------------------------------------------------------------- tile map


def test_every_real_ally_has_its_own_tile_inside_the_grid():
    codes = list(members_table()["iso3"])
    layout = tilemap.tile_layout(codes, list(members_table()["region"]))
    assert set(layout) == set(codes)
    assert len(set(layout.values())) == len(codes)
    cols, rows = tilemap.GRID_SIZE
    assert all(0 <= c < cols and 0 <= r < rows for c, r in layout.values())
    assert layout["USA"][0] < layout["GBR"][0] < layout["POL"][0]  # west to east
    assert layout["NOR"][1] < layout["DEU"][1] < layout["ITA"][1]  # north to south


@given(st.lists(st.sampled_from(sorted(tilemap.REGION_ANCHORS)), min_size=1, max_size=40))
@settings(max_examples=50)
def test_unknown_members_get_distinct_tiles_near_their_region(regions):
    codes = [f"X{k:02d}" for k in range(len(regions))]
    layout = tilemap.tile_layout(codes, regions)
    assert len(set(layout.values())) == len(codes)
    first = tilemap.REGION_ANCHORS[regions[0]]
    assert layout[codes[0]] == first  # the first of a region sits on its anchor


def test_too_many_members_for_the_map_is_an_error():
    cols, rows = tilemap.GRID_SIZE
    n = cols * rows + 1
    with pytest.raises(ValueError, match="do not fit"):
        tilemap.tile_layout([f"M{k}" for k in range(n)], ["west"] * n)


def test_members_sit_in_a_mesa_grid_and_new_allies_get_a_tile_when_they_join():
    model = VizModel(scenario_name="isaf")  # starts in 2003; seven allies join in 2004
    on_grid = tilemap.tiles_on_grid(model.grid)
    assert "EST" not in on_grid and "DEU" in on_grid
    assert on_grid["DEU"] == tilemap.TILE_POSITIONS["DEU"]
    model.step()
    on_grid = tilemap.tiles_on_grid(model.grid)
    assert on_grid["EST"] == tilemap.TILE_POSITIONS["EST"]
    assert len(on_grid) == len(model.members)


@given(st.sampled_from(["#c0392b", "#2e86c1", "#7f8c8d"]), st.floats(0, 1), st.floats(0, 1))
def test_shading_is_monotone_and_full_intensity_is_the_colour(colour, a, b):
    assert tilemap.shade(colour, 1.0) == colour

    def lightness(hex_colour: str) -> int:
        return sum(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))

    low, high = sorted((a, b))
    assert lightness(tilemap.shade(colour, low)) >= lightness(tilemap.shade(colour, high))


def test_tile_text_is_readable_on_its_fill():
    assert tilemap.text_colour("#ffffff") != tilemap.text_colour("#111111")
    assert tilemap.text_colour(tilemap.shade("#c0392b", 1.0)) == "#ffffff"
    assert tilemap.text_colour(tilemap.shade("#c0392b", 0.0)) != "#ffffff"


# --------------------------------------------------------------------------- charts


@pytest.mark.parametrize("scenario", sorted(list_scenarios()))
def test_every_view_draws_well_formed_svg_for_every_scenario(scenario):
    model = VizModel(scenario_name=scenario,
                     controls=ControlState.create(overrides={"opinion.fatigue": 0.05}))
    for steps in (0, 3):
        for _ in range(steps):
            model.step()
        snap = model.snapshot()
        panels = (charts.burden_panels(snap) + charts.capability_panels(snap)
                  + charts.operation_panels(snap) + charts.opinion_panels(snap)
                  + charts.member_panels(snap, model.codes[0]))
        for panel in panels:
            doc = xml.dom.minidom.parseString(panel)
            assert doc.documentElement.tagName == "svg"
            assert not re.search(r'="[^"]*\bnan\b', panel), "no NaN coordinates"


def test_coverage_matrix_matches_the_capabilities_table():
    model = VizModel(scenario_name="austerity", seed=3)
    for _ in range(8):
        model.step()
    res = model.viz_results()
    matrix, _order = charts.coverage_matrix(model.snapshot())
    now = res.capabilities[res.capabilities["year"] == model.year]
    assert matrix.shape == (10, now["member"].nunique())
    held = now[now["held"]].groupby("area")["member"].nunique()
    for row, area in enumerate(charts.CAPABILITY_AREAS):
        assert (matrix[row] == 3).sum() == held.get(area, 0)
    assert (matrix == 1).any(), "austerity makes some allies abandon areas"


def test_a_member_not_yet_joined_has_an_empty_history_panel():
    model = VizModel(scenario_name="isaf")
    panels = charts.member_panels(model.snapshot(), "EST")
    assert len(panels) == 1 and "joins later" in panels[0]


@given(st.floats(-1e6, 1e6), st.floats(1e-3, 1e6))
def test_nice_ticks_cover_the_range_in_order(low, span):
    ticks = svg.nice_ticks(low, low + span)
    assert ticks == sorted(ticks)
    assert 2 <= len(ticks) <= 12
    assert all(low - 1e-6 * span <= t <= low + span * (1 + 1e-6) for t in ticks)


@given(st.integers(1900, 2100), st.integers(1, 200))
def test_year_ticks_are_whole_years_within_the_run(first, span):
    ticks = svg.year_ticks(first, first + span)
    assert ticks and all(first <= t <= first + span for t in ticks)
    assert len(ticks) <= 8


def test_lines_break_at_missing_values():
    plot = svg.Plot(400, 200, (2000, 2010), (0, 1))
    plot.line([2000, 2001, 2002, 2003, 2004], [0.1, 0.2, np.nan, 0.4, 0.5], "#000")
    assert plot.render().count("<polyline") == 2


# --------------------------------------------------------------------------- command line


@pytest.mark.parametrize("argv, message", [
    (["viz", "--scenario", "nope"], "--scenario 'nope' is not a shipped scenario"),
    (["viz", "--port", "0"], "--port 0 is out of range"),
    (["viz", "--port", "70000"], "--port 70000 is out of range"),
    (["viz", "--host", "no-such-host.invalid"], "--host 'no-such-host.invalid'"),
])
def test_viz_command_rejects_bad_options_with_exit_code_2(argv, message, capsys):
    assert cli_main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_viz_command_refuses_a_port_in_use(capsys):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert cli_main(["viz", "--port", str(port)]) == 2
    assert f"cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err


@pytest.mark.parametrize("host, warned", [("127.0.0.1", False), ("0.0.0.0", True)])
def test_viz_command_prints_the_address_and_warns_off_localhost(host, warned, monkeypatch,
                                                                capsys):
    served = []

    def fake_run_server(host, port, on_ready):
        served.append((host, port))
        on_ready()
        return 0

    monkeypatch.setattr(viz_cli, "run_server", fake_run_server)
    monkeypatch.setattr(viz_cli, "check_inputs", lambda *a: None)
    monkeypatch.setattr(viz_cli, "network_addresses", lambda: ["192.168.7.20"])
    monkeypatch.setattr(viz_cli.os, "environ", dict(viz_cli.os.environ))
    assert cli_main(["viz", "--host", host, "--port", "8765", "--scenario", "isaf"]) == 0
    out, err = capsys.readouterr()
    first = "192.168.7.20" if host == "0.0.0.0" else "127.0.0.1"
    assert f"serving scenario 'isaf' at http://{first}:8765/" in out.splitlines()[0]
    if host == "0.0.0.0":
        assert "also at http://127.0.0.1:8765/" in out
    assert ("warning: listening on 0.0.0.0" in err) is warned
    assert served == [(host, 8765)]
    env = viz_cli.os.environ
    assert env[viz_cli.SCENARIO_ENV] == "isaf"
    assert env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"
    assert env["SOLARA_MODE"] == "production"


def test_network_addresses_are_not_the_loopback():
    assert all(not a.startswith("127.") for a in viz_cli.network_addresses())


def test_a_player_who_withdrew_is_told_they_cannot_send_troops_again():
    from alliancesim.viz.play import PlayPanel

    controls = ControlState.create(controlled_member="DEU", scenario="isaf")
    model = VizModel(scenario_name="isaf", controls=controls)
    model.set_policy("DEU", withdraw=True)
    model.step()
    model.step()  # nothing set: the agent decides
    snap = model.snapshot()
    assert snap.player.withdrawn
    assert [(e.year, e.chosen_by) for e in snap.player.log] == [(2004, "you"),
                                                                (2005, "the agent")]
    _box, rc = solara.render(PlayPanel(snap, controls), handle_error=False)
    try:
        texts = " ".join(span_texts(rc))
        assert "DEU has withdrawn from the operation: it cannot send troops again." in texts
        assert "In 2005 you set nothing, so the agent chose" in texts
        assert not any("Troops in the operation" in (w.label or "")
                       for w in every_widget(rc, v.Slider))
    finally:
        rc.close()
    assert int(snap.results.members.query("member == 'DEU' and year == 2005")
               ["troops_deployed"].iloc[0]) == 0
