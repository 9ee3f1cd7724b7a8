"""Shipped data (NATO, SIPRI, members, postures) and the loader that turns it into members.

Money is in constant 2015 US dollars throughout, NATO's price base. SIPRI's constant-2023
series is put on that base with one alliance-wide factor measured on 2012, the year both
sources cover (see ``sipri_to_nato_factor``). The CSVs and their terms are described in
``README.md`` beside them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd

LEADER_CODE = "USA"
NATO_YEAR = 2012


def _read(name: str) -> pd.DataFrame:
    with resources.files(__name__).joinpath(name).open("rb") as fh:
        return pd.read_csv(fh)


@cache
def multinational_fleets() -> dict[str, float]:
    """Platforms of the multinational fleets of 2012 per capability area (the holdings table's
    ``shared`` rows split them): multinational_fleets_2012.csv."""
    table = _read("multinational_fleets_2012.csv")
    return {str(a): float(p) for a, p in zip(table["area"], table["platforms"], strict=True)}


@cache
def nato_table() -> pd.DataFrame:
    """NATO defence expenditure 2012-2013, one row per ally-year."""
    return _read("nato_defence_expenditure_2012_2013.csv")


@cache
def members_table() -> pd.DataFrame:
    """NATO members with accession year, region and land borders."""
    df = _read("nato_members.csv")
    for col in ("land_border_russia", "land_border_belarus_or_ukraine"):
        df[col] = df[col].astype(str).str.lower() == "true"
    return df


@cache
def postures_table() -> pd.DataFrame:
    """Declared posture of each ally of 2012 with a one-line rationale and source."""
    return _read("postures.csv")


@cache
def holdings_table() -> pd.DataFrame:
    """Capability holdings of the 28 allies of 2012: one row per ally and area.

    ``holds`` is yes / no / shared (a share of a multinational fleet), ``scale`` a rough count
    of principal platforms. Most rows are marked unverified (see README.md).
    """
    return _read("capability_holdings_2012.csv")


#: How a holding reads in the arrays of :func:`holdings_arrays`.
HOLDS_CODE = {"no": 0, "shared": 1, "yes": 2}


def holdings_arrays(codes: list[str], areas: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """(holds, platforms) per member and area from the 2012 holdings table.

    ``holds``: 2 national holding, 1 a share of a multinational fleet, 0 none, -1 no row (an
    ally outside the table: its portfolio is set from its priorities). ``platforms``: the
    rough count of principal platforms, NaN where the table gives none.
    """
    table = holdings_table()
    holds = np.full((len(codes), len(areas)), -1, dtype=int)
    platforms = np.full((len(codes), len(areas)), np.nan)
    index = {c: i for i, c in enumerate(codes)}
    column = {a: k for k, a in enumerate(areas)}
    for row in table.itertuples(index=False):
        i, k = index.get(row.member), column.get(row.area)
        if i is None or k is None:
            continue
        holds[i, k] = HOLDS_CODE[str(row.holds).strip()]
        if pd.notna(row.scale) and float(row.scale) > 0:
            platforms[i, k] = float(row.scale)
    holds.setflags(write=False)
    platforms.setflags(write=False)
    return holds, platforms


def exposure_index(border_russia: np.ndarray, border_belarus_ukraine: np.ndarray,
                   neighbour_weight: float) -> np.ndarray:
    """Exposure to the eastern threat in [0, 1] from land borders (nato_members.csv).

    A land border with Russia counts fully, one with Belarus or Ukraine only
    ``neighbour_weight`` of it (``threat.neighbour_exposure``).
    """
    return np.where(border_russia, 1.0, np.where(border_belarus_ukraine, neighbour_weight, 0.0))


@cache
def sipri_table() -> pd.DataFrame:
    """SIPRI military expenditure 1990-2013 with ISO3 codes added."""
    df = _read("sipri_milex_nato_members_1990_2013.csv")
    names = members_table().set_index("name")["iso3"].to_dict()
    names["United States of America"] = "USA"
    df["iso3"] = df["country"].map(names)
    return df


def observed_gdp_growth(codes: list[str]) -> dict[int, np.ndarray]:
    """Each ally's observed real GDP growth into each year (fraction; NaN where unknown).

    To 2012 from SIPRI: real GDP = expenditure at constant prices / its share of GDP, i.e.
    nominal GDP deflated by the same (consumer-price) deflator SIPRI uses, so the spending
    figure cancels and only GDP is left. 2013 from NATO's own real GDP (2015 prices), the
    series the 2012 start is built from. Growth, not levels: a run's start level is its own.
    """
    sipri = sipri_table().dropna(subset=["iso3"])
    milex = sipri.pivot(index="year", columns="iso3", values="milex_const2023_usd_m")
    share = sipri.pivot(index="year", columns="iso3", values="milex_share_gdp_pct")
    gdp = (milex / share).reindex(columns=codes)
    growth = gdp / gdp.shift(1) - 1.0
    out = {int(y): growth.loc[y].to_numpy(float) for y in growth.index[1:]
           if int(y) <= NATO_YEAR}
    nato = nato_table().pivot(index="year", columns="iso3", values="gdp_usd_2015")
    nato = nato.reindex(columns=codes)
    if NATO_YEAR + 1 in nato.index:
        out[NATO_YEAR + 1] = (nato.loc[NATO_YEAR + 1] / nato.loc[NATO_YEAR] - 1.0).to_numpy(
            float)
    return out


@cache
def leader_budget_plan() -> dict[int, float]:
    """The leader's legislated budget plan: nominal change into each year it covers
    (leader_budget_calendar.csv; known before the year, a structural input)."""
    cal = _read("leader_budget_calendar.csv")
    return {int(y): float(c) for y, c in zip(cal["year"], cal["nominal_change"], strict=True)}


@cache
def threat_calendar() -> pd.DataFrame:
    """Dated events of the strategic environment (threat_calendar.csv)."""
    return _read("threat_calendar.csv")


def cold_war_end_year() -> int:
    """The year the Cold War ended in the shipped calendar (the USSR's dissolution)."""
    cal = threat_calendar()
    row = cal[cal["role"] == "cold_war_end"]
    return int(str(row["date"].iloc[0])[:4])


@cache
def isaf_deaths_table() -> pd.DataFrame:
    """Foreign military deaths in Afghanistan per NATO member, 2001 to the end of the
    coalition's operations, with a source per row (validation only: no run reads it)."""
    return _read("isaf_military_deaths.csv")


@cache
def isaf_troops_table() -> pd.DataFrame:
    """Troops each NATO member had in ISAF in November 2010 (NATO figures, as reported), with
    a source per row (validation only: no run reads it)."""
    return _read("isaf_troops_2010.csv")


@cache
def isaf_expansion_calendar() -> pd.DataFrame:
    """ISAF's expansion calendar: the date each region came under the operation (a calendar
    of the operation's geography, not of who served where), with a source per row."""
    return _read("isaf_expansion_calendar.csv")


def sector_open_share(years: range, sector: str = "south-east") -> np.ndarray:
    """Share of each year during which ``sector``'s regions were part of the operation.

    Each region counts from its stage's date (the part of that year after it, 1 in later
    years, 0 before); a sector group is the mean over its regions (south and east weigh
    alike).
    """
    return _sector_open_share(years.start, years.stop, sector).copy()


@cache
def _sector_open_share(start: int, stop: int, sector: str) -> np.ndarray:
    calendar = isaf_expansion_calendar()
    dates = pd.to_datetime(calendar.loc[calendar["sector"] == sector, "date"])
    years = range(start, stop)
    out = np.zeros(len(years))
    for k, year in enumerate(years):
        end = pd.Timestamp(year=year + 1, month=1, day=1)
        length = (end - pd.Timestamp(year=year, month=1, day=1)).days
        open_days = [(end - d).days for d in dates]
        out[k] = float(np.mean(np.clip(np.array(open_days, float) / length, 0.0, 1.0)))
    return out


@cache
def isaf_table() -> pd.DataFrame:
    """ISAF troop strength at dated points."""
    return _read("isaf_strength.csv")


def _rows_of_year(table: pd.DataFrame, year: int) -> pd.DataFrame:
    """The rows of ``year`` (a boolean mask: ``DataFrame.query`` costs ~15 ms a call)."""
    return table[table["year"] == year]


@cache
def sipri_to_nato_factor() -> float:
    """Ratio of NATO 2015-USD spending to SIPRI 2023-USD spending, summed over 2012 allies."""
    nato = _rows_of_year(nato_table(), NATO_YEAR).set_index("iso3")["defexp_usd_2015"]
    sipri = _rows_of_year(sipri_table(), NATO_YEAR).set_index("iso3")["milex_const2023_usd_m"]
    common = nato.dropna().index.intersection(sipri.dropna().index)
    return float(nato[common].sum() / (sipri[common].sum() * 1e6))


def isaf_requirement(years: range) -> np.ndarray:
    """ISAF troop strength per year (see ``_isaf_requirement``); a fresh copy each call."""
    return _isaf_requirement(years.start, years.stop).copy()


@cache
def _isaf_requirement(start: int, stop: int) -> np.ndarray:
    """ISAF troop strength per year: linear interpolation at mid-year between dated figures.

    Years before NATO took command or after ISAF ended are zero.
    """
    df = isaf_table()
    dates = pd.to_datetime(df["as_of"], format="mixed")
    t = dates.dt.year + (dates.dt.day_of_year - 1) / 365.25
    years = range(start, stop)
    mid = np.asarray(years, dtype=float) + 0.5
    values = np.interp(mid, t.to_numpy(), df["isaf_total_troops"].to_numpy(dtype=float))
    first, last = int(dates.dt.year.min()), int(dates.dt.year.max())
    inside = (np.asarray(years) >= first) & (np.asarray(years) <= last)
    return np.where(inside, values, 0.0)


@dataclass(frozen=True)
class MemberData:
    """Initial state of every potential member, as parallel arrays (one entry per member)."""

    code: list[str]
    name: list[str]
    posture: list[str]
    region: list[str]
    joined: np.ndarray
    leader: np.ndarray
    frontline: np.ndarray
    """Exposure to the eastern threat in [0, 1] (land borders; see ``exposure_index``)."""
    gdp_usd: np.ndarray
    population: np.ndarray
    burden_pct: np.ndarray
    personnel: np.ndarray
    equipment_share: np.ndarray
    personnel_share: np.ndarray
    burden_by_year: dict[int, np.ndarray]
    """SIPRI burden (% GDP) per year, NaN where missing; used when a member joins."""
    spending_by_year: dict[int, np.ndarray] | None = None
    """SIPRI real military expenditure per year (constant USD), NaN where missing."""
    gdp_growth_by_year: dict[int, np.ndarray] | None = None
    """Observed real GDP growth into each year (fraction), NaN where missing: SIPRI
    expenditure / share of GDP to 2012, NATO's real GDP for 2013 (a structural input)."""

    def __len__(self) -> int:
        return len(self.code)

    def budget_change_by_year(self) -> dict[int, np.ndarray]:
        """SIPRI's real change of each member's spending into each year (fraction)."""
        spend = self.spending_by_year or {}
        return {y: spend[y] / spend[y - 1] - 1.0 for y in spend if y - 1 in spend}


@cache
def real_members(start_year: int, max_accession_year: int,
                 neighbour_exposure: float) -> MemberData:
    """The real allies that joined by ``max_accession_year``, initialised for ``start_year``
    (``neighbour_exposure``: see :func:`exposure_index`).

    From 2012 on, the NATO table gives GDP, burden, personnel and the budget split; earlier
    starts take GDP and burden from SIPRI for that year (for a state SIPRI first reports
    later, its first reported year, GDP discounted back) and the personnel and budget split
    from NATO 2012 (the only year with both). Iceland has no armed forces: burden zero.
    """
    table = members_table()
    members = table[table["joined"] <= max_accession_year].copy()
    postures = postures_table().set_index("iso3")
    missing = sorted(set(members["iso3"]) - set(postures.index))
    if missing:
        raise ValueError(f"no posture in postures.csv for {missing}; lower "
                         f"run.max_accession_year or add them")
    nato = _rows_of_year(nato_table(), NATO_YEAR).set_index("iso3")
    members = members.set_index("iso3")
    codes = list(members.index)
    n12 = nato.reindex(codes)
    population = (n12["gdp_usd_2015"] / n12["gdp_per_capita_usd"]).to_numpy(float)
    personnel = n12["military_personnel"].fillna(0).to_numpy(float)
    equipment = (n12["equipment_pct"].fillna(0) / 100).to_numpy(float)
    personnel_share = (n12["personnel_pct"].fillna(0) / 100).to_numpy(float)

    sipri = sipri_table().dropna(subset=["iso3"])
    # year x member (the members' order), NaN where SIPRI has no value
    share = sipri.pivot(index="year", columns="iso3",
                        values="milex_share_gdp_pct").reindex(columns=codes)
    milex = sipri.pivot(index="year", columns="iso3",
                        values="milex_const2023_usd_m").reindex(columns=codes)
    burden_by_year = {int(y): row for y, row in zip(share.index, share.to_numpy(float),
                                                    strict=True)}
    spending_by_year = {int(y): row for y, row in zip(milex.index, milex.to_numpy(float),
                                                      strict=True)}
    gdp_growth_by_year = observed_gdp_growth(codes)

    if start_year >= NATO_YEAR:
        row = nato.reindex(codes)
        gdp = row["gdp_usd_2015"].to_numpy(float)
        burden = row["defexp_pct_gdp"].fillna(0).to_numpy(float)
    else:
        year = min(max(start_year, int(share.index.min())), int(share.index.max()))
        factor = sipri_to_nato_factor()
        # A state SIPRI does not report in the start year (not yet independent: the Baltic
        # states, Czechia, Slovakia, Slovenia, Croatia before 1992-93) starts from the first
        # year SIPRI reports, its GDP discounted back to the start year at 1.8% a year.
        later_share = share.loc[year:]
        later_milex = milex.loc[year:]
        reported = later_share.notna() & later_milex.notna()
        first = reported.idxmax().where(reported.any())
        s = pd.Series({c: later_share.at[first[c], c] if pd.notna(first[c]) else np.nan
                       for c in codes})
        m = pd.Series({c: later_milex.at[first[c], c] if pd.notna(first[c]) else np.nan
                       for c in codes})
        years_on = (first.astype(float) - year).fillna(0.0).to_numpy(float)
        gdp = (m * 1e6 * factor / (s / 100)).to_numpy(float) / 1.018 ** years_on
        back_cast = n12["gdp_usd_2015"].to_numpy(float) / 1.018 ** (NATO_YEAR - year)
        gdp = np.where(np.isfinite(gdp), gdp, back_cast)
        burden = np.nan_to_num(s.to_numpy(float))

    # Allies outside the NATO 2012 table (North Macedonia, Finland, Sweden) take GDP and burden
    # from SIPRI for the nearest year, and a personnel count from their budget at the median
    # European cost per soldier (the budget split falls back to the model's defaults).
    outside = ~np.isfinite(gdp)
    if outside.any():
        year = min(max(start_year, int(share.index.min())), int(share.index.max()))
        s = share.loc[year].to_numpy(float)
        m = milex.loc[year].to_numpy(float) * 1e6 * sipri_to_nato_factor()
        with np.errstate(invalid="ignore", divide="ignore"):
            gdp = np.where(outside, m / (s / 100.0), gdp)
        burden = np.where(outside, np.nan_to_num(s), burden)
        known = np.isfinite(n12["defexp_usd_2015"].to_numpy(float)) & (personnel > 0)
        per_soldier = float(np.median(n12["defexp_usd_2015"].to_numpy(float)[known]
                                      / personnel[known]))
        personnel = np.where(outside, np.nan_to_num(gdp * burden / 100.0) / per_soldier,
                             personnel)
        gdp = np.where(np.isfinite(gdp), gdp, 1e9)

    frontline = exposure_index(members["land_border_russia"].to_numpy(bool),
                               members["land_border_belarus_or_ukraine"].to_numpy(bool),
                               neighbour_exposure)
    return _read_only(MemberData(
        code=codes,
        name=list(members["name"]),
        posture=[postures.loc[c, "posture"] for c in codes],
        region=list(members["region"]),
        joined=members["joined"].to_numpy(int),
        leader=np.array([c == LEADER_CODE for c in codes]),
        frontline=frontline,
        gdp_usd=gdp,
        population=population,
        burden_pct=burden,
        personnel=personnel,
        equipment_share=equipment,
        personnel_share=personnel_share,
        burden_by_year=burden_by_year,
        spending_by_year=spending_by_year,
        gdp_growth_by_year=gdp_growth_by_year,
    ))


def _read_only(data: MemberData) -> MemberData:
    """Freeze the arrays of a cached MemberData so no run can change another's inputs."""
    for value in vars(data).values():
        if isinstance(value, np.ndarray):
            value.setflags(write=False)
    for value in data.burden_by_year.values():
        value.setflags(write=False)
    for value in (data.spending_by_year or {}).values():
        value.setflags(write=False)
    for value in (data.gdp_growth_by_year or {}).values():
        value.setflags(write=False)
    return data


def fictional_members(specs) -> MemberData:
    """Members from the config's ``[[members.fictional]]`` list (the classroom scenario)."""
    n = len(specs)
    gdp = np.array([m.gdp_usd for m in specs], float)
    return MemberData(
        code=[m.code for m in specs],
        name=[m.name for m in specs],
        posture=[m.posture for m in specs],
        region=[m.region for m in specs],
        joined=np.zeros(n, int),
        leader=np.array([m.leader for m in specs]),
        frontline=np.array([m.region == "north-east" for m in specs], dtype=float),
        gdp_usd=gdp,
        population=gdp / 40_000.0,
        burden_pct=np.array([m.burden_pct for m in specs], float),
        personnel=np.array([m.personnel for m in specs], float),
        equipment_share=np.array([m.equipment_share for m in specs], float),
        personnel_share=np.zeros(n),  # no data: the model uses members.fallback_personnel_share
        burden_by_year={},
    )
