"""alliancesim: an agent-based model of burden-sharing in a military alliance (Mesa 3.5).

Examples:
    >>> from alliancesim import AllianceModel, load_scenario
    >>> model = AllianceModel(load_scenario("classroom"), seed=3)
    >>> model.run_model()
    >>> sorted(model.results().members["posture"].unique())
    ['activist', 'defender', 'free-rider']
"""

from importlib.metadata import PackageNotFoundError, version

from .config import Config, ConfigError, load_config, load_scenario
from .model import AllianceModel

try:
    __version__ = version("alliancesim")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0+local"

__all__ = [
    "AllianceModel",
    "Config",
    "ConfigError",
    "__version__",
    "load_config",
    "load_scenario",
]
