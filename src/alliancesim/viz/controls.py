"""The parameter panel: sliders and switches generated from the config schema.

Which parameters appear is chosen here (the behavioural rules that move the results most, and
the smart-defence levers); everything else about them — default, unit, range, meaning and
source — is read from :func:`alliancesim.config.parameter_table`, never written again.

Like every SolaraViz model parameter, a change applies when the user presses Reset: the panel
keeps the changes in a :class:`ControlState`, and :class:`~alliancesim.viz.factory.VizModel`
reads them when Mesa builds the new model.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import solara

from ..config import parameter_table

if TYPE_CHECKING:
    from ..model import AllianceModel
    from .factory import VizModel

#: Parameter groups of the panel, in display order: (group title, dotted names).
PANEL_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Burden-sharing", (
        "incentives.guarantee_weight",
        "incentives.peer_pressure",
        "leader.pressure",
        "leader.commitment_trend",
    )),
    ("Budgets and capabilities", (
        "economy.austerity_cut",
        "economy.equipment_cost_growth",
    )),
    ("The operation and public opinion", (
        "operation.framework",
        "opinion.casualty_sensitivity",
        "opinion.fatigue",
        "opinion.elite_consensus",
        "incentives.defection_reputation_loss",
    )),
    ("Smart defence", (
        "smart_defence.assured_access",
        "smart_defence.prioritisation",
        "smart_defence.pooling",
        "smart_defence.specialisation",
        "smart_defence.two_plus",
        "smart_defence.ring_fencing",
        "smart_defence.reinvestment_fund",
    )),
)

#: Short display names; parameters not listed get a name made from their dotted name.
LABELS = {
    "incentives.guarantee_weight": "Reliance on the leader's guarantee",
    "incentives.peer_pressure": "Peer pressure toward 2%",
    "leader.pressure": "Leader's pressure ('battle cry')",
    "leader.commitment_trend": "Leader's commitment trend (pivot < 0)",
    "economy.austerity_cut": "Austerity cut in a crisis",
    "economy.equipment_cost_growth": "Equipment cost growth",
    "operation.framework": "Operation framework",
    "opinion.casualty_sensitivity": "Casualty sensitivity",
    "opinion.fatigue": "War fatigue",
    "opinion.elite_consensus": "Elite consensus",
    "incentives.defection_reputation_loss": "Reputation lost by defecting",
    "smart_defence.assured_access": "Assured access (trust in partners)",
    "smart_defence.prioritisation": "Prioritisation (buy what the alliance lacks)",
    "smart_defence.pooling": "Pooling and sharing",
    "smart_defence.specialisation": "Specialisation by design",
    "smart_defence.two_plus": "The 2+ principle",
    "smart_defence.ring_fencing": "Ring-fence pooled projects",
    "smart_defence.reinvestment_fund": "Reinvestment fund",
}

#: Number of slider positions across a parameter's range.
SLIDER_POSITIONS = 100


@dataclass(frozen=True)
class ParameterSpec:
    """One control: what it sets and how it is drawn (all from the schema)."""

    name: str
    label: str
    kind: str  # "slider", "switch" or "choice"
    default: Any
    unit: str
    minimum: float | None
    maximum: float | None
    step: float | None
    choices: tuple[str, ...]
    description: str
    source: str

    @property
    def tooltip(self) -> str:
        """What the parameter does, its range and default, and where its value comes from."""
        parts = [self.description]
        if self.kind == "slider":
            scale = (" (0 = none, 1 = the most)" if self.unit in ("index 0-1", "reputation")
                     else "")
            parts.append(f"From {self.show(self.minimum)} to {self.show(self.maximum)}"
                         f"{scale}; default {self.show(self.default)}.")
        elif self.kind == "choice":
            parts.append(f"One of: {', '.join(self.choices)}; default {self.default}.")
        else:
            parts.append(f"Default {'on' if self.default else 'off'}.")
        parts.append(f"Source: {plain_source(self.source)}.")
        return " ".join(parts)

    def show(self, value: Any) -> str:
        """A slider value in plain words with its unit: '5% of the budget a year'."""
        return plain_value(float(value), self.unit)

    def snap(self, value: float) -> float:
        """A slider value rounded to the slider's step and kept inside the range."""
        assert self.step is not None and self.minimum is not None and self.maximum is not None
        snapped = round(round((value - self.minimum) / self.step) * self.step + self.minimum, 10)
        return min(max(snapped, self.minimum), self.maximum)


def nice_step(minimum: float, maximum: float, positions: int = SLIDER_POSITIONS) -> float:
    """A round slider step (1, 2 or 5 times a power of ten) giving about ``positions`` stops."""
    raw = (maximum - minimum) / positions
    if raw <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw * 0.999)


def parameter_specs() -> list[ParameterSpec]:
    """The panel's controls, in display order, built from the parameter table."""
    rows = {row["name"]: row for row in parameter_table()}
    specs = []
    for _group, names in PANEL_GROUPS:
        for name in names:
            row = rows[name]
            if row["type"] == "bool":
                kind, step = "switch", None
            elif row["type"] == "choice":
                kind, step = "choice", None
            else:
                kind, step = "slider", nice_step(row["min"], row["max"])
            specs.append(ParameterSpec(
                name=name, label=LABELS.get(name, _humanise(name)), kind=kind,
                default=row["default"], unit=row["unit"], minimum=row["min"],
                maximum=row["max"], step=step, choices=tuple(row["choices"] or ()),
                description=row["description"], source=row["source"]))
    return specs


def plain_value(value: float, unit: str) -> str:
    """A parameter value with its schema unit, in words (no 'index 0-1')."""
    if unit.startswith("fraction"):
        rest = unit.removeprefix("fraction").replace(" / year", " a year").strip()
        rest = rest.replace("of budget", "of the budget")
        return f"{value * 100:.3g}%" + (f" {rest}" if rest else "")
    if unit == "probability":
        return f"{value:.0%} chance"
    if unit == "index 0-1":
        return f"{value:.2f} of 1"
    if unit == "index / year":
        return f"{value:+.3f} a year"
    if unit == "support / year of operation":
        return f"{value * 100:.3g} points of support lost a year"
    if unit.startswith("support per tenfold"):
        return f"{value * 100:.3g} points of support per tenfold rise in casualties"
    if unit == "reputation":
        return f"{value:.2f} of reputation"
    return f"{_fmt(value)} {unit}".strip()


def plain_source(source: str) -> str:
    """A schema source in words: the project's source texts are not 'the seed'."""
    source = re.sub(r"\bseed text\b", "project's source texts", source)
    return re.sub(r"\bseed\b", "source texts", source)


def _humanise(name: str) -> str:
    return name.split(".")[-1].replace("_", " ").capitalize()


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def css_class(name: str) -> str:
    """The CSS class that marks a parameter's control (tests and styles find it by this)."""
    return "param-" + name.replace(".", "-").replace("_", "-")


@dataclass(frozen=True)
class ControlState:
    """What the next Reset will use, kept per browser session.

    ``overrides`` maps dotted parameter names to values. ``controlled_member`` is the code
    of the ally a player steers (play-as-a-member-state mode), or None. ``scenario`` and
    ``seed`` are the scenario menu and the seed field. ``dropped`` is True when choosing
    another scenario cleared the user's parameter changes (the page says so).
    """

    overrides: solara.Reactive[dict[str, Any]]
    controlled_member: solara.Reactive[str | None]
    scenario: solara.Reactive[str] = field(default_factory=lambda: solara.reactive("baseline"))
    seed: solara.Reactive[str] = field(default_factory=lambda: solara.reactive("1"))
    dropped: solara.Reactive[bool] = field(default_factory=lambda: solara.reactive(False))

    @classmethod
    def create(cls, overrides: dict[str, Any] | None = None,
               controlled_member: str | None = None, scenario: str = "baseline",
               seed: int | str = 1) -> ControlState:
        """A state with its own reactive values (outside a component, e.g. in tests)."""
        return cls(solara.reactive(dict(overrides or {})), solara.reactive(controlled_member),
                   solara.reactive(scenario), solara.reactive(str(seed)),
                   solara.reactive(False))

    def current_overrides(self) -> dict[str, Any]:
        """The overrides as a plain dict (read when the model is built)."""
        return dict(self.overrides.value)

    def current_controlled_member(self) -> str | None:
        """The controlled member's code, or None."""
        return self.controlled_member.value

    def set(self, name: str, value: Any) -> None:
        """Record one change (applies at the next Reset)."""
        self.overrides.value = {**self.overrides.value, name: value}
        self.dropped.value = False

    def clear(self) -> None:
        """Drop every change: the next Reset uses the scenario's own values."""
        self.overrides.value = {}


def pending_changes(model: AllianceModel, controls: ControlState) -> dict[str, Any]:
    """Changes the current run does not use yet (they wait for Reset)."""
    return {name: value for name, value in controls.current_overrides().items()
            if model.config.get(name) != value}


def pending_inputs(model: VizModel, controls: ControlState) -> list[str]:
    """'scenario' and/or 'seed' if the menu or the field differ from the run on screen."""
    waiting = []
    if controls.scenario.value != model.choice.label:
        waiting.append("Scenario")
    if str(controls.seed.value).strip() != str(model.seed):
        waiting.append("Seed")
    return waiting


@solara.component
def ParameterPanel(model: AllianceModel, controls: ControlState) -> None:
    """Sliders, switches and a choice for the chosen parameters, with units and tooltips.

    Each control shows the value the next Reset will use: the user's change if there is one,
    otherwise the value of the run on screen.
    """
    overrides = controls.overrides.value
    pending = pending_changes(model, controls)
    specs = {spec.name: spec for spec in parameter_specs()}
    with solara.Column(gap="4px", classes=["alliancesim-parameters"]):
        if pending:
            solara.Warning(f"{len(pending)} change{'s' if len(pending) > 1 else ''} "
                           "waiting: press Reset to apply.", dense=True,
                           classes=["parameters-pending"])
        else:
            solara.Text("Changes apply when you press Reset. Hover over a control to see what "
                        "it does.", style={"font-size": "0.8em", "color": "#6b7280"})
        for group, names in PANEL_GROUPS:
            solara.Text(group, style={"font-weight": "600", "margin-top": "6px"})
            for name in names:
                spec = specs[name]
                value = overrides.get(name, model.config.get(name))
                ParameterControl(spec, value, name in pending, controls)
        solara.Button("Back to the scenario's values", on_click=controls.clear, text=True,
                      small=True, disabled=not overrides, classes=["restore-parameters"])


@solara.component
def ParameterControl(spec: ParameterSpec, value: Any, pending: bool,
                     controls: ControlState) -> None:
    """One parameter: its control, its value with unit, and a tooltip from the schema."""

    def on_value(new: Any) -> None:
        controls.set(spec.name, spec.snap(new) if spec.kind == "slider" else new)

    marker = " •" if pending else ""
    with solara.Tooltip(spec.tooltip), solara.Div(classes=[css_class(spec.name)],
                                                  style={"padding": "0 2px"}):
        if spec.kind == "switch":
            solara.Switch(label=spec.label + marker, value=bool(value), on_value=on_value)
        elif spec.kind == "choice":
            solara.ToggleButtonsSingle(value=value, values=list(spec.choices),
                                       on_value=on_value, dense=True)
            solara.Text(spec.label + marker, style={"font-size": "0.8em", "color": "#4b5563"})
        else:
            solara.Text(spec.label + marker, style={"font-size": "0.85em"})
            solara.SliderFloat(label="", value=float(value), min=spec.minimum,
                               max=spec.maximum, step=spec.step, on_value=on_value,
                               thumb_label=False)
            solara.Text(spec.show(value), classes=["param-value"],
                        style={"font-size": "0.8em", "color": "#374151",
                               "margin-top": "-14px"})
