"""How long one baseline run takes, against a null Mesa model of the same shape.

Prints, from one process, the median wall time of:

* one ``baseline`` run: 28 members, 2012-2030 (model construction + ``run_model()``, which
  records every member-year and member-year-area); building the three DataFrames afterwards
  (``results()``) is timed and printed separately;
* a null Mesa model with the same number of agents (28), the same number of phases per step
  (8, each ``self.agents.do(<phase>)`` with a trivial method) and the same number of steps,
  collecting one model reporter and two agent reporters with Mesa's DataCollector every step,
  which is what a typical Mesa model does;

and their ratio. The two are timed alternately so that machine load affects both alike. The
last line is a JSON object ``{"run_s": ..., "null_s": ..., "ratio": ...}``.

    .venv/bin/python benchmarks/bench_run.py [--repeats N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import mesa

from alliancesim import AllianceModel, load_scenario

N_AGENTS = 28
N_PHASES = 8


class NullMember(mesa.Agent):
    """An agent whose eight phases do trivial work."""

    def __init__(self, model: mesa.Model) -> None:
        super().__init__(model)
        self.value = 0.0
        self.flag = False

    def phase(self) -> None:
        self.value += 1.0

    def flip(self) -> None:
        self.flag = not self.flag


def count_agents(model: mesa.Model) -> int:
    return len(model.agents)


class NullModel(mesa.Model):
    """Same agents, phases and steps as the baseline run; trivial work in each phase."""

    def __init__(self, seed: int) -> None:
        super().__init__(rng=seed)
        NullMember.create_agents(self, N_AGENTS)
        self.datacollector = mesa.DataCollector(
            model_reporters={"agents": count_agents},
            agent_reporters={"value": "value", "flag": "flag"})
        self.datacollector.collect(self)

    def step(self) -> None:
        for k in range(N_PHASES):
            self.agents.do("phase" if k % 2 == 0 else "flip")
        self.datacollector.collect(self)


def time_baseline(cfg, seed: int) -> float:
    start = time.perf_counter()
    model = AllianceModel(cfg, seed=seed)
    model.run_model()
    return time.perf_counter() - start


def time_null(steps: int, seed: int) -> float:
    start = time.perf_counter()
    model = NullModel(seed)
    for _ in range(steps):
        model.step()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=60)
    args = parser.parse_args()
    cfg = load_scenario("baseline")
    steps = cfg.run.end_year - cfg.run.start_year
    time_baseline(cfg, 0)  # warm caches (data tables) once, as any batch would
    time_null(steps, 0)
    run_times, null_times = [], []
    for seed in range(1, args.repeats + 1):
        run_times.append(time_baseline(cfg, seed))
        null_times.append(time_null(steps, seed))
    model = AllianceModel(cfg, seed=1)
    model.run_model()
    model.results()  # the first call pays one-off imports
    table_times = []
    for _ in range(10):
        start = time.perf_counter()
        model.results()
        table_times.append(time.perf_counter() - start)
    results_s = statistics.median(table_times)
    run_s, null_s = statistics.median(run_times), statistics.median(null_times)
    print(f"baseline run ({len(model.codes)} members, {cfg.run.start_year}-{cfg.run.end_year}, "
          f"{steps} steps): median {run_s * 1e3:.2f} ms over {args.repeats} runs")
    print(f"null Mesa model ({N_AGENTS} agents, {N_PHASES} phases, {steps} steps): "
          f"median {null_s * 1e3:.2f} ms")
    print(f"results() tables for one run: median {results_s * 1e3:.2f} ms")
    print(json.dumps({"run_s": round(run_s, 6), "null_s": round(null_s, 6),
                      "ratio": round(run_s / null_s, 3)}))


if __name__ == "__main__":
    main()
