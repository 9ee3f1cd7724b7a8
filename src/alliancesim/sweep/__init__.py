"""Batch experiments: designs as data, results streamed to disk, local processes or Dask.

Examples:
    >>> from alliancesim.sweep import Condition, Experiment, run_experiment
    >>> exp = Experiment(scenario="isaf", seeds=[1, 2], years=3,
    ...                  conditions=[Condition("alliance"),
    ...                              Condition("coalition", {"operation.framework": "coalition"})])
    >>> report = run_experiment(exp, "out/doc-sweep", progress=False)  # doctest: +SKIP
"""

from importlib import import_module
from typing import Any

#: Public names and their modules, imported on first use: the command line imports this
#: package to register ``alliancesim sweep``, and should not pay for the runner then.
_LAZY = {"SweepAbortedError": "backends", "Condition": "design", "Experiment": "design",
         "Task": "design", "experiment_from_dict": "design", "load_experiment": "design",
         "SweepReport": "runner", "finalise": "runner", "run_experiment": "runner",
         "run_one": "worker"}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f".{_LAZY[name]}", __name__), name)
