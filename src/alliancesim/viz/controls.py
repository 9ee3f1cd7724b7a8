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
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import solara

from ..config import parameter_table

if TYPE_CHECKING:
    from ..model import AllianceModel

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
        """What the parameter does, its unit and range, and where its value comes from."""
        parts = [self.description]
        if self.kind == "slider":
            parts.append(f"Range {_fmt(self.minimum)} to {_fmt(self.maximum)} {self.unit}; "
                         f"default {_fmt(self.default)}.")
        elif self.kind == "choice":
            parts.append(f"One of: {', '.join(self.choices)}; default {self.default}.")
        else:
            parts.append(f"Default {'on' if self.default else 'off'}.")
        parts.append(f"Source: {self.source}.")
        return " ".join(parts)

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
    """The panel's pending changes and the member a player controls, kept per browser session.

    ``overrides`` maps dotted parameter names to values; they apply at the next Reset.
    ``controlled_member`` is the code of the ally a player steers (play-as-a-member-state
    mode), or None.
    """

    overrides: solara.Reactive[dict[str, Any]]
    controlled_member: solara.Reactive[str | None]

    @classmethod
    def create(cls, overrides: dict[str, Any] | None = None,
               controlled_member: str | None = None) -> ControlState:
        """A state with its own reactive values (outside a component, e.g. in tests)."""
        return cls(solara.reactive(dict(overrides or {})), solara.reactive(controlled_member))

    def current_overrides(self) -> dict[str, Any]:
        """The overrides as a plain dict (read when the model is built)."""
        return dict(self.overrides.value)

    def current_controlled_member(self) -> str | None:
        """The controlled member's code, or None."""
        return self.controlled_member.value

    def set(self, name: str, value: Any) -> None:
        """Record one change (applies at the next Reset)."""
        self.overrides.value = {**self.overrides.value, name: value}

    def clear(self) -> None:
        """Drop every change: the next Reset uses the scenario's own values."""
        self.overrides.value = {}


def pending_changes(model: AllianceModel, controls: ControlState) -> dict[str, Any]:
    """Changes the current run does not use yet (they wait for Reset)."""
    return {name: value for name, value in controls.current_overrides().items()
            if model.config.get(name) != value}


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
                           "waiting: press Reset to apply.", dense=True)
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
            solara.Text(f"{_fmt(value)} {spec.unit}",
                        style={"font-size": "0.75em", "color": "#6b7280",
                               "margin-top": "-14px"})
