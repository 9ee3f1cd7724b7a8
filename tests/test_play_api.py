"""Play as a member state: the public API, the debrief, and the browser panel's component."""

from __future__ import annotations

import ipyvuetify as v
import pandas as pd
import pytest
import solara

from alliancesim import AllianceModel, ConfigError, load_scenario
from alliancesim.play import debrief


def _game(code: str = "DEU", scenario: str = "isaf", seed: int = 4) -> AllianceModel:
    return AllianceModel(load_scenario(scenario), seed=seed, controlled_member=code)


def test_the_players_choices_are_that_years_record():
    game = _game()
    game.set_policy("DEU", burden_pct=2.5, caveat=0.1, troops=3000.0)
    game.step()
    row = game.results().members.query("member == 'DEU' and year == 2004").iloc[0]
    assert row["burden_pct"] == pytest.approx(2.5)
    assert row["caveat"] == pytest.approx(0.1)
    assert row["troops_deployed"] == pytest.approx(3000.0)


def test_a_policy_lasts_one_year_then_the_rules_take_over():
    game = _game()
    game.set_policy("DEU", burden_pct=3.0)
    game.step()
    game.step()
    burden = game.results().members.query("member == 'DEU'").set_index("year")["burden_pct"]
    assert burden[2004] == pytest.approx(3.0)
    assert burden[2005] != pytest.approx(3.0)


def test_withdrawing_is_a_unilateral_defection_that_costs_reputation():
    game, agent = _game(), AllianceModel(load_scenario("isaf"), seed=4)
    for _ in range(3):
        game.step()
        agent.step()
    game.set_policy("DEU", withdraw=True)
    game.step()
    agent.step()
    mine = game.results().members.query("member == 'DEU'").iloc[-1]
    theirs = agent.results().members.query("member == 'DEU'").iloc[-1]
    assert bool(mine["withdrawn"]) and mine["troops_deployed"] == 0
    assert mine["reputation"] < theirs["reputation"]
    assert game.results().timeseries["defections"].iloc[-1] >= 1


def test_before_any_policy_the_game_is_the_agents_run():
    game, agent = _game(), AllianceModel(load_scenario("isaf"), seed=4)
    game.step()
    agent.step()
    pd.testing.assert_frame_equal(game.results().members, agent.results().members)


def test_out_of_range_choices_are_rejected_clearly():
    game = _game()
    with pytest.raises(ConfigError, match="burden_pct = 20"):
        game.set_policy("DEU", burden_pct=20)
    with pytest.raises(ConfigError, match="troops"):
        game.set_policy("DEU", troops=1e9)
    with pytest.raises(ConfigError, match="not the controlled member"):
        game.set_policy("FRA", caveat=0.1)


def test_debrief_compares_the_player_with_the_agent_in_the_same_seat():
    game = _game("POL", "baseline", 2)
    for _ in range(3):
        game.set_policy("POL", burden_pct=3.0)
        game.step()
    report = debrief(game)
    assert report.member == "POL"
    burden = report.summary.loc["mean burden, % of GDP"]
    assert burden["you"] == pytest.approx(3.0)
    assert burden["agent"] < 3.0
    assert burden["difference"] == pytest.approx(burden["you"] - burden["agent"])
    assert list(report.by_year.index) == [2012, 2013, 2014, 2015]
    with pytest.raises(ConfigError):
        debrief(AllianceModel(load_scenario("baseline"), seed=1))


def test_play_panel_sets_the_policy_and_shows_the_history():
    from alliancesim.viz.controls import ControlState
    from alliancesim.viz.factory import VizModel
    from alliancesim.viz.play import PlayPanel

    controls = ControlState.create(controlled_member="DEU")
    model = VizModel(scenario_name="baseline", seed=1, controls=controls)
    assert model.controlled_member == "DEU"
    _, rc = solara.render(PlayPanel(model.snapshot(), controls), handle_error=False)
    rc.find(v.Btn, children=["Set my choices for 2013"]).widget.click()
    assert model._pending_policy["DEU"].burden_pct == pytest.approx(1.31, abs=0.01)
    rc.find(v.Btn, children=["Debrief: compare with the agent"]).widget.click()
    model.step()
    assert model.results().members.query("member == 'DEU'")["year"].max() == 2013
    rc.close()
