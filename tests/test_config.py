"""The parameter schema: defaults, ranges, sources, TOML loading and clear errors."""

from __future__ import annotations

import math

import pytest

from alliancesim.config import (
    Config,
    ConfigError,
    list_scenarios,
    load_config,
    load_scenario,
    parameter_names,
    parameter_table,
    parse_override,
    validate_config,
)


def test_every_parameter_declares_unit_source_and_description():
    rows = parameter_table()
    assert len(rows) > 60
    for row in rows:
        assert row["unit"], row["name"]
        assert row["source"], row["name"]
        assert row["description"], row["name"]


def test_every_default_lies_inside_its_declared_range():
    for row in parameter_table():
        value = row["default"]
        if row["min"] is not None:
            assert value >= row["min"], row["name"]
        if row["max"] is not None:
            assert value <= row["max"], row["name"]
        if row["choices"]:
            assert value in row["choices"], row["name"]


def test_numeric_behavioural_parameters_have_finite_bounds_for_sensitivity_analysis():
    for row in parameter_table():
        if row["behavioural"] and row["type"] in ("float", "int"):
            assert row["min"] is not None and row["max"] is not None, row["name"]
            assert math.isfinite(row["min"]) and math.isfinite(row["max"])


def test_names_are_dotted_section_and_field():
    names = parameter_names()
    assert "opinion.elite_consensus" in names
    assert "operation.framework" in names
    assert all(name.count(".") == 1 for name in names if not name.startswith("postures."))
    # the posture tables: postures.<posture>.<field>, one table per posture and the leader
    tables = {name.split(".")[1] for name in names if name.startswith("postures.")}
    assert tables == {"activist", "defender", "free-rider", "leader"}


def test_a_posture_table_set_in_part_keeps_the_postures_other_defaults():
    cfg = validate_config({"postures": {"free-rider": {"willingness": 0.9}}})
    assert cfg.postures.of("free-rider").willingness == 0.9
    assert cfg.postures.of("free-rider").casualty_aversion == Config().postures.free_rider.\
        casualty_aversion
    assert cfg.get("postures.free-rider.willingness") == 0.9
    again = cfg.with_overrides({"postures.free-rider.initial_caveat": 0.2})
    assert again.postures.free_rider.willingness == 0.9
    assert again.postures.free_rider.initial_caveat == 0.2
    assert validate_config(again.model_dump(mode="json")) == again


def test_a_misspelt_posture_field_is_reported_with_the_allowed_keys():
    with pytest.raises(ConfigError, match="allowed keys here: willingness"):
        validate_config({"postures": {"defender": {"willingnes": 1.0}}})
    with pytest.raises(ConfigError, match="activist, defender, free-rider, leader"):
        validate_config({"postures": {"pacifist": {}}})


def test_every_shipped_scenario_loads_and_says_what_it_shows():
    scenarios = list_scenarios()
    expected = {"baseline", "isaf", "isaf_coalition", "austerity", "smart_defence", "us_pivot",
                "threat_shock", "classroom"}
    assert expected <= set(scenarios)
    for name, description in scenarios.items():
        assert description, name
        assert load_scenario(name).name == name


def test_scenarios_differ_from_the_defaults_where_they_claim_to():
    assert load_scenario("isaf_coalition").operation.framework == "coalition"
    assert load_scenario("isaf").operation.framework == "alliance"
    assert load_scenario("us_pivot").leader.commitment_trend < 0
    assert load_scenario("smart_defence").smart_defence.pooling
    assert not load_scenario("austerity").smart_defence.pooling
    assert load_scenario("threat_shock").threat.shock_year == 2014
    classroom = load_scenario("classroom")
    postures = [m.posture for m in classroom.members.fictional]
    assert len(postures) == 6 and all(postures.count(p) == 2 for p in set(postures))


def test_overrides_apply_and_are_validated():
    cfg = load_scenario("baseline", {"opinion.elite_consensus": 0.2, "run.end_year": 2015})
    assert cfg.opinion.elite_consensus == 0.2
    assert cfg.run.end_year == 2015
    assert Config().with_overrides({"operation.framework": "coalition"}).operation.framework \
        == "coalition"


def test_unknown_key_in_a_file_names_the_key_and_the_allowed_keys(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("[opinion]\nelite_consensu = 0.5\n")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    text = str(err.value)
    assert "elite_consensu" in text and "elite_consensus" in text and str(path) in text


def test_out_of_range_value_names_field_value_and_allowed_range(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("[opinion]\nelite_consensus = 1.7\n")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    text = str(err.value)
    assert "opinion.elite_consensus" in text and "1.7" in text and "[0, 1]" in text


def test_wrong_type_is_reported_with_the_value(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('[spending]\nmax_change = "a lot"\n')
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert "spending.max_change" in str(err.value) and "a lot" in str(err.value)


def test_bad_choice_lists_the_choices():
    with pytest.raises(ConfigError) as err:
        load_scenario("isaf", {"operation.framework": "league"})
    assert "alliance" in str(err.value) and "coalition" in str(err.value)


def test_unknown_override_is_rejected_with_examples_of_valid_names():
    with pytest.raises(ConfigError, match=r"unknown parameter 'opinion\.nonsense'"):
        load_scenario("baseline", {"opinion.nonsense": 1})


def test_malformed_toml_and_missing_file_are_config_errors(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text("[run\nstart_year = 2012\n")
    with pytest.raises(ConfigError, match="malformed TOML"):
        load_config(path)
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "absent.toml")
    with pytest.raises(ConfigError, match="unknown scenario"):
        load_scenario("atlantis")


def test_end_year_must_follow_start_year():
    with pytest.raises(ConfigError, match="end_year"):
        load_scenario("baseline", {"run.end_year": 2010})


def test_parse_override_reads_toml_values_and_bare_words():
    assert parse_override("opinion.fatigue=0.05") == ("opinion.fatigue", 0.05)
    assert parse_override("smart_defence.pooling=true") == ("smart_defence.pooling", True)
    assert parse_override("operation.framework=coalition") == ("operation.framework",
                                                                 "coalition")
    with pytest.raises(ConfigError):
        parse_override("no-equals-sign")
