"""alliancesim: an agent-based model of burden-sharing in a military alliance (Mesa 3.5).

Examples:
    >>> from alliancesim import AllianceModel, load_scenario
    >>> model = AllianceModel(load_scenario("classroom"), seed=3)
    >>> model.run_model()
    >>> sorted(model.results().members["posture"].unique())
    ['activist', 'defender', 'free-rider']
"""

from typing import Any

from .errors import ConfigError

#: Public names imported on first use (the schema needs pydantic, the model Mesa).
_LAZY = {"Config": ".config", "load_config": ".config", "load_scenario": ".config",
         "AllianceModel": ".model"}

__all__ = [
    "AllianceModel",
    "Config",
    "ConfigError",
    "__version__",
    "load_config",
    "load_scenario",
]


def __getattr__(name: str) -> Any:
    # The model (and with it Mesa and pandas) and the version (importlib.metadata) are
    # looked up on first use, so that the command line's --help and `scenarios` need not pay.
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(_LAZY[name], __name__), name)
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("alliancesim")
        except PackageNotFoundError:  # running from a source tree without installing
            return "0.0.0+local"
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
