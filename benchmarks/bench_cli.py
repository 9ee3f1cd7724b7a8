"""How fast the command line answers, against the imports it cannot avoid (issue 17, part 2).

Times whole processes, as a user waits for them, and prints three ratios with their targets:

* ``alliancesim --help`` and ``alliancesim scenarios`` against ``python -c "import pydantic"``
  (target at most 1.5);
* ``alliancesim run --scenario baseline --no-figures`` against ``python -c "import mesa"``,
  the floor of any Mesa-based command (target at most 1.3);
* the same run with figures against the run without them (target at most 1.3).

Each command is run ``--repeats`` times, alternating between the commands so that machine load
affects them alike, and the median is used. The last line is a JSON object with every time
and ratio. The commands run with Python's bytecode cache on (``PYTHONDONTWRITEBYTECODE``
removed from their environment), as for an installed package: with it off, an editable
install compiles alliancesim's modules again at every call (~0.15 s here).

    .venv/bin/python benchmarks/bench_cli.py [--repeats N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
ALLIANCESIM = str(BIN / "alliancesim")
TARGETS = {"help_vs_pydantic": 1.5, "scenarios_vs_pydantic": 1.5, "run_vs_mesa": 1.3,
           "figures_vs_run": 1.3}


ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _time(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env=ENV)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        commands = {
            "pydantic": [sys.executable, "-c", "import pydantic"],
            "help": [ALLIANCESIM, "--help"],
            "scenarios": [ALLIANCESIM, "scenarios"],
            "mesa": [sys.executable, "-c", "import mesa"],
            "run": [ALLIANCESIM, "run", "--scenario", "baseline", "--no-figures", "--out",
                    f"{tmp}/run"],
            "figures": [ALLIANCESIM, "run", "--scenario", "baseline", "--out",
                        f"{tmp}/figures"],
        }
        for command in commands.values():  # warm the file cache
            _time(command)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.repeats):
            for name, command in commands.items():
                times[name].append(_time(command))
    median = {name: statistics.median(values) for name, values in times.items()}
    ratios = {"help_vs_pydantic": median["help"] / median["pydantic"],
              "scenarios_vs_pydantic": median["scenarios"] / median["pydantic"],
              "run_vs_mesa": median["run"] / median["mesa"],
              "figures_vs_run": median["figures"] / median["run"]}
    print(f"median of {args.repeats} runs each (seconds):")
    for name, value in median.items():
        print(f"  {name:<10} {value:6.3f}")
    for name, ratio in ratios.items():
        verdict = "met" if ratio <= TARGETS[name] else "MISSED"
        print(f"{name:<22} {ratio:5.2f}  (target <= {TARGETS[name]}: {verdict})")
    print(json.dumps({"seconds": median, "ratios": ratios, "targets": TARGETS}))


if __name__ == "__main__":
    main()
