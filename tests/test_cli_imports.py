"""The command line answers without loading the model's heavy libraries (issue 17)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("mesa", "pandas", "scipy", "matplotlib", "numba", "pyarrow", "solara")

PROBE = """
import json, sys
from alliancesim.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})), file=sys.stderr)
"""


@pytest.mark.parametrize("args", [["--help"], ["scenarios"], ["--version"], ["run", "--help"],
                                  ["sweep", "--help"]])
def test_help_and_scenarios_import_no_heavy_library(args):
    proc = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True,
                          timeout=120)
    loaded = set(json.loads(proc.stderr.strip().splitlines()[-1]))
    assert proc.stdout.strip()
    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))
