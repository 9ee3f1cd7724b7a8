"""Batch experiments: designs as data, results streamed to disk, local processes or Dask.

Examples:
    >>> from alliancesim.sweep import Condition, Experiment, run_experiment
    >>> exp = Experiment(scenario="isaf", seeds=[1, 2], years=3,
    ...                  conditions=[Condition("alliance"),
    ...                              Condition("coalition", {"operation.framework": "coalition"})])
    >>> report = run_experiment(exp, "out/doc-sweep", progress=False)  # doctest: +SKIP
"""

from .backends import SweepAbortedError
from .design import Condition, Experiment, Task, experiment_from_dict, load_experiment
from .runner import SweepReport, finalise, run_experiment
from .worker import run_one

__all__ = ["Condition", "Experiment", "SweepAbortedError", "SweepReport", "Task",
           "experiment_from_dict", "finalise", "load_experiment", "run_experiment", "run_one"]
