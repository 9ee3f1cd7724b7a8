"""Tidy output tables and writing them to disk with provenance.

Three tables with stable column names (documented in the README):
``timeseries`` (one row per year), ``members`` (one row per member-year) and
``capabilities`` (one row per member-year-area).
"""

from __future__ import annotations

import json
import platform
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import mesa
import numpy as np
import pandas as pd

from . import metrics
from .air_campaign import CAMPAIGN_AREAS, CONTRIBUTION_COLUMNS
from .capabilities import EXPEDITIONARY_AREAS
from .config import CAPABILITY_AREAS
from .operation import sector_of

if TYPE_CHECKING:
    from .model import AllianceModel

TIMESERIES_COLUMNS = (
    "year", "alliance_spending_usd", "leader_share", "mean_burden_pct", "members_at_2pct",
    "exploitation_rho", "burden_gini", "capability_gap_index", "capability_gap_index_europe",
    "single_provider_areas", "uncovered_areas", "areas_abandoned", "areas_handed_over",
    "viability_losses", "areas_rebuilt", "pooled_holdings", "cluster_units",
    "europe_capability_index", "mean_areas_held",
    "contributors", "defections", "coordinated_drawdowns", "mean_caveat", "troops_deployed",
    "troops_deployed_europe", "troop_requirement", "troop_shortfall", "partner_troops",
    "leader_share_operation", "casualties",
    "risk_gini", "cohesion_index", "mean_support_operation", "mean_support_defence",
    "leader_commitment", "common_threat", "members", "mean_portfolio_concentration",
    "leader_share_of_enablers", "european_strikers",
    *(f"gap_{area}" for area in CAPABILITY_AREAS),
    *(f"gap_europe_{area}" for area in CAPABILITY_AREAS),
    *(f"providers_{area}" for area in CAPABILITY_AREAS))
MEMBER_COLUMNS = (
    "year", "member", "posture", "revealed_posture", "gdp_usd", "burden_pct", "budget_usd",
    "equipment_share", "deployable_troops", "troops_deployed", "caveat", "withdrawn",
    "support_operation", "support_defence", "reputation", "areas_held", "casualties",
    "sector", "share_south_east", "commitment_received", "membership_value", "value_at_stake",
    "exit_cost", "domestic_pressure", "elite_consensus", "government_type", "election_year",
    "government_change", "defected")
CAPABILITY_COLUMNS = ("year", "member", "area", "stock", "held", "abandoned", "handed_over",
                      "pooled", "rebuilding")


@dataclass(frozen=True)
class Results:
    """The output tables of one run (``contributions`` is empty without an air campaign)."""

    timeseries: pd.DataFrame
    members: pd.DataFrame
    capabilities: pd.DataFrame
    contributions: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=list(CONTRIBUTION_COLUMNS)))


def recorded_arrays(model: AllianceModel) -> dict[str, np.ndarray]:
    """The recorded member-year arrays, plus burden (% GDP) and areas held."""
    h = model.history
    rows = h.rows
    m = {k: v[:rows] for k, v in h.member.items()}
    m["burden"] = m["budget"] / m["gdp"] * 100.0  # every member has a GDP
    m["areas_held"] = h.area["held"][:rows].sum(axis=2)
    return m


def _revealed_postures(model: AllianceModel, m: dict[str, np.ndarray]) -> np.ndarray:
    h = model.history
    rows = h.rows
    stocks = h.area["stocks"][:rows]
    burden = m["burden"]
    effort = np.divide(m["troops"], m["requested"], out=np.zeros_like(burden),
                       where=m["requested"] > 0)
    totals = stocks.sum(axis=2)
    expeditionary = np.divide(stocks[:, :, EXPEDITIONARY_AREAS].sum(axis=2), totals,
                              out=np.zeros_like(totals), where=totals > 0)
    running = h.yearly["operation_running"][:rows] > 0
    revealed = np.empty(burden.shape, dtype=object)
    for r in range(rows):
        revealed[r] = metrics.revealed_posture(burden[r], effort[r], m["caveat"][r],
                                               expeditionary[r], bool(running[r]))
    revealed[:, model.leader_mask] = "activist"
    return revealed


def _member_frame(model: AllianceModel, m: dict[str, np.ndarray]) -> pd.DataFrame:
    h = model.history
    rows = h.rows
    gdp, budget, burden = m["gdp"], m["budget"], m["burden"]
    revealed = _revealed_postures(model, m)
    active = m["active"]
    years = np.repeat(h.years[:rows, None], len(model.codes), axis=1)
    codes = np.broadcast_to(np.array(model.codes, dtype=object), burden.shape)
    postures = np.broadcast_to(np.array(model.postures, dtype=object), burden.shape)
    equipment_share = np.divide(m["equipment_spend"], budget, out=np.zeros_like(budget),
                                where=budget > 0)
    frame = pd.DataFrame({
        "year": years[active].astype(int),
        "member": codes[active],
        "posture": postures[active],
        "revealed_posture": revealed[active],
        "gdp_usd": gdp[active],
        "burden_pct": burden[active],
        "budget_usd": budget[active],
        "equipment_share": equipment_share[active],
        "deployable_troops": m["deployable"][active],
        "troops_deployed": m["troops"][active],
        "caveat": m["caveat"][active],
        "withdrawn": m["withdrawn"][active],
        "support_operation": m["support_operation"][active],
        "support_defence": m["support_defence"][active],
        "reputation": m["reputation"][active],
        "areas_held": m["areas_held"][active].astype(int),
        "casualties": m["casualties"][active],
        "sector": sector_of(m["share_south_east"], m["troops"])[active],
        "share_south_east": m["share_south_east"][active],
        "commitment_received": m["commitment_received"][active],
        "membership_value": m["membership_value"][active],
        "value_at_stake": m["value_at_stake"][active],
        "exit_cost": m["exit_cost"][active],
        "domestic_pressure": m["domestic_pressure"][active],
        "elite_consensus": m["elite_consensus"][active],
        "government_type": np.broadcast_to(model.government_type, burden.shape)[active],
        "election_year": m["election"][active],
        "government_change": m["new_government"][active],
        "defected": m["defected_now"][active],
    })
    return frame


def timeseries_columns(model: AllianceModel, m: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The timeseries table as named columns (arrays over years), in TIMESERIES_COLUMNS order."""
    h = model.history
    rows = h.rows
    y = {k: v[:rows] for k, v in h.yearly.items()}
    active = m["active"]
    leader = model.leader_mask
    budget = np.where(active, m["budget"], 0.0)
    burden = m["burden"]
    troops = np.where(active, m["troops"], 0.0)
    running = y["operation_running"] > 0
    out: dict[str, np.ndarray] = {"year": h.years[:rows].astype(int)}
    out["alliance_spending_usd"] = budget.sum(axis=1)
    out["leader_share"] = metrics.leader_share(budget, leader)
    has_budget = active & (burden > 0)
    out["mean_burden_pct"] = metrics.masked_mean(burden, has_budget)
    norm = model.config.incentives.spending_norm_pct
    out["members_at_2pct"] = (active & (burden >= norm - 1e-9)).sum(axis=1)
    out["exploitation_rho"] = metrics.exploitation_rho_rows(m["gdp"], burden, active)
    out["burden_gini"] = metrics.gini_rows(burden, has_budget)
    out["capability_gap_index"] = h.gap[:rows].mean(axis=1)
    out["capability_gap_index_europe"] = h.gap_europe[:rows].mean(axis=1)
    held = h.area["held"][:rows] & active[:, :, None]
    pooled = h.area["pooled"][:rows] & active[:, :, None]
    # Every area has the leader (and Canada most); what matters is what Europe keeps
    # (Keohane, seed lines 1400-1405): European national holders outside viable cluster
    # units, and each viable cluster unit (all European) once -- recorded by the model
    # (capabilities.providers), which knows which units are viable.
    providers = h.providers[:rows]
    out["single_provider_areas"] = metrics.single_provider_areas(providers)
    out["uncovered_areas"] = (providers == 0).sum(axis=1)
    out["areas_abandoned"] = (h.area["abandoned"][:rows] & active[:, :, None]).sum(axis=(1, 2))
    out["areas_handed_over"] = (h.area["handed_over"][:rows]
                                & active[:, :, None]).sum(axis=(1, 2))
    out["viability_losses"] = y["viability_losses"].astype(int)
    out["areas_rebuilt"] = y["areas_rebuilt"].astype(int)
    out["pooled_holdings"] = pooled.sum(axis=(1, 2))
    out["cluster_units"] = h.cluster_units[:rows].sum(axis=1)
    out["europe_capability_index"] = y["europe_capability"]
    out["leader_share_of_enablers"] = y["leader_share_of_enablers"]
    out["european_strikers"] = y["european_strikers"]
    out["mean_areas_held"] = metrics.masked_mean(held.sum(axis=2), active)
    allies_in = (troops > 0) & ~leader
    out["contributors"] = allies_in.sum(axis=1)
    out["defections"] = y["defections"].astype(int)
    out["coordinated_drawdowns"] = y["coordinated_drawdowns"].astype(int)
    out["mean_caveat"] = metrics.masked_mean(m["caveat"], allies_in)
    out["troops_deployed"] = troops.sum(axis=1)
    out["troops_deployed_europe"] = troops[:, model.europeans].sum(axis=1)
    out["troop_requirement"] = y["requirement"]
    out["troop_shortfall"] = np.maximum(y["requirement"] - troops.sum(axis=1)
                                        - y["partner_troops"], 0.0)
    out["partner_troops"] = y["partner_troops"]
    in_theatre = troops.sum(axis=1) + y["partner_troops"]
    out["leader_share_operation"] = np.where(
        running & (in_theatre > 0), troops[:, leader].sum(axis=1) / np.maximum(in_theatre, 1.0),
        np.nan)
    out["casualties"] = np.where(active, m["casualties"], 0.0).sum(axis=1)
    troops_per_gdp = troops / m["gdp"]  # every member has a GDP
    out["risk_gini"] = np.where(running, metrics.gini_rows(troops_per_gdp, active & ~leader),
                                np.nan)
    shortfall_fraction = out["troop_shortfall"] / np.maximum(y["requirement"], 1.0)
    cohesion = metrics.cohesion_index(y["defections"], y["ever_contributors"],
                                      np.nan_to_num(out["mean_caveat"]), shortfall_fraction)
    out["cohesion_index"] = np.where(running, cohesion, np.nan)
    out["mean_support_operation"] = metrics.masked_mean(m["support_operation"], active)
    out["mean_support_defence"] = metrics.masked_mean(m["support_defence"], active)
    out["leader_commitment"] = y["commitment"]
    out["common_threat"] = y["common_threat"]
    out["members"] = active.sum(axis=1)
    stocks = h.area["stocks"][:rows]
    concentration = metrics.portfolio_concentration(stocks)
    out["mean_portfolio_concentration"] = metrics.masked_mean(
        concentration, active & (stocks.sum(axis=2) > 0))
    for k, area in enumerate(CAPABILITY_AREAS):
        out[f"gap_{area}"] = h.gap[:rows, k]
        out[f"gap_europe_{area}"] = h.gap_europe[:rows, k]
        out[f"providers_{area}"] = providers[:, k]
    return {name: out[name] for name in TIMESERIES_COLUMNS}


def _timeseries_frame(model: AllianceModel, m: dict[str, np.ndarray]) -> pd.DataFrame:
    return pd.DataFrame(timeseries_columns(model, m))


def timeseries_table(model: AllianceModel) -> dict[str, np.ndarray]:
    """The timeseries columns alone, without building the other tables (for batch runs)."""
    return timeseries_columns(model, recorded_arrays(model))


def _capabilities_frame(model: AllianceModel, active: np.ndarray) -> pd.DataFrame:
    h = model.history
    rows, n, a = h.rows, len(model.codes), len(CAPABILITY_AREAS)
    mask = np.repeat(active[:, :, None], a, axis=2)
    years = np.broadcast_to(h.years[:rows, None, None], (rows, n, a))
    codes = np.broadcast_to(np.array(model.codes, dtype=object)[None, :, None], (rows, n, a))
    areas = np.broadcast_to(np.array(CAPABILITY_AREAS, dtype=object)[None, None, :],
                            (rows, n, a))
    return pd.DataFrame({
        "year": years[mask].astype(int),
        "member": codes[mask],
        "area": areas[mask],
        "stock": h.area["stocks"][:rows][mask],
        "held": h.area["held"][:rows][mask],
        "abandoned": h.area["abandoned"][:rows][mask],
        "handed_over": h.area["handed_over"][:rows][mask],
        "pooled": h.area["pooled"][:rows][mask],
        "rebuilding": h.area["rebuild_years"][:rows][mask] > 0,
    })


def _contributions_frame(model: AllianceModel) -> pd.DataFrame:
    """One row per campaign year, member (that has joined) and campaign area."""
    rows = []
    for year, result in model.contributions:
        for i, code in enumerate(model.codes):
            if not model.state.active[i] and model.data.joined[i] > year:
                continue
            for j, area in enumerate(CAMPAIGN_AREAS):
                rows.append((year, code, area, float(result.contributed[i, j]),
                             float(result.demanded[j])))
    return pd.DataFrame(rows, columns=list(CONTRIBUTION_COLUMNS))


def build_results(model: AllianceModel) -> Results:
    """Build the tables from a model's recorded history."""
    arrays = recorded_arrays(model)
    return Results(
        timeseries=_timeseries_frame(model, arrays),
        members=_member_frame(model, arrays),
        capabilities=_capabilities_frame(model, arrays["active"]),
        contributions=_contributions_frame(model),
    )


def provenance(model: AllianceModel) -> dict:
    """What is needed to regenerate a run: resolved config, seed and versions."""
    from . import __version__

    return {
        "scenario": model.config.name,
        "seed": model.seed,
        "config": model.config.model_dump(mode="json"),
        "alliancesim_version": __version__,
        "mesa_version": mesa.__version__,
        "numpy_version": np.__version__,
        "pandas_version": pd.__version__,
        "python_version": platform.python_version(),
    }


def leader_code(model: AllianceModel) -> str | None:
    """The member code of the alliance leader, if there is one."""
    codes = [c for c, is_leader in zip(model.codes, model.leader_mask, strict=True) if is_leader]
    return codes[0] if codes else None


def write_tables(model: AllianceModel, folder: Path, res: Results | None = None) -> None:
    """Write the tables and ``run.json`` into the existing ``folder`` (``res``: the model's
    :meth:`~alliancesim.model.AllianceModel.results`, if already built)."""
    res = res if res is not None else model.results()
    res.timeseries.to_csv(folder / "timeseries.csv", index=False)
    res.members.to_csv(folder / "members.csv", index=False)
    res.capabilities.to_csv(folder / "capabilities.csv", index=False)
    res.contributions.to_csv(folder / "contributions.csv", index=False)
    (folder / "run.json").write_text(json.dumps(provenance(model), indent=2, default=str),
                                     encoding="utf-8")


def write_outputs(model: AllianceModel, out_dir: str | Path, figures: bool = True,
                  force: bool = False, figure_format: str = "png") -> Path:
    """Write the tables, ``run.json`` and figures into ``out_dir``, atomically.

    Everything is written to a temporary folder beside ``out_dir`` and moved into place at the
    end, so an error never leaves a half-written output folder. An existing ``out_dir`` is
    replaced only if it is an earlier alliancesim run output (or with ``force``); see
    :mod:`alliancesim.outputs`.
    """
    from .outputs import output_folder

    out_dir = Path(out_dir)
    res = model.results()
    with output_folder(out_dir, "run", force=force) as tmp:
        write_tables(model, tmp, res)
        if figures:
            from .plots import write_run_figures

            write_run_figures(res, tmp / "figures", fmt=figure_format,
                              norm_pct=model.config.incentives.spending_norm_pct,
                              leader=leader_code(model))
    return out_dir
