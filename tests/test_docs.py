"""The documentation stays in step with the code."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from alliancesim.results import CAPABILITY_COLUMNS, MEMBER_COLUMNS, TIMESERIES_COLUMNS

ROOT = Path(__file__).resolve().parents[1]


def test_the_odd_parameter_table_is_generated_from_the_current_schema():
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_param_table.py"),
                           "--check"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_readme_documents_every_output_column():
    readme = (ROOT / "README.md").read_text()
    documented = set(re.findall(r"^\| `([a-z_0-9]+)`", readme, flags=re.MULTILINE))
    expected = set(TIMESERIES_COLUMNS) | set(MEMBER_COLUMNS) | set(CAPABILITY_COLUMNS)
    # the ten per-area columns of a kind (gap_, gap_europe_, providers_) share one row,
    # which names each of them
    per_area = {c for c in TIMESERIES_COLUMNS if c.startswith(("gap_", "providers_"))}
    expected -= per_area
    assert expected <= documented, sorted(expected - documented)
    assert all(f"`{c}`" in readme for c in per_area), sorted(
        c for c in per_area if f"`{c}`" not in readme)


def test_the_readme_gives_the_two_quick_start_commands():
    readme = (ROOT / "README.md").read_text()
    assert "make demo" in readme and "make test" in readme
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^demo:", makefile, re.MULTILINE)
    assert re.search(r"^test:", makefile, re.MULTILINE)
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_relative_links_in_the_docs_point_to_files_that_exist():
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md")),
             *sorted((ROOT / "experiments").rglob("*.md"))]
    missing = []
    for page in pages:
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", page.read_text()):
            if target.startswith(("http", "mailto")):
                continue
            if not (page.parent / target).exists():
                missing.append(f"{page.relative_to(ROOT)} -> {target}")
    assert missing == []
