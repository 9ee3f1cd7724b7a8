"""Shared fixtures: small, fast runs of the shipped scenarios."""

from __future__ import annotations

import pytest

from alliancesim import AllianceModel, load_scenario


@pytest.fixture(scope="session")
def baseline_run():
    """One baseline run (seed 1), shared by tests that only read its results."""
    model = AllianceModel(load_scenario("baseline"), seed=1)
    model.run_model()
    return model


@pytest.fixture(scope="session")
def isaf_run():
    """One ISAF replay (seed 1), shared by tests that only read its results."""
    model = AllianceModel(load_scenario("isaf"), seed=1)
    model.run_model()
    return model
