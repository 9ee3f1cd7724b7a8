"""The documentation stays in step with the code."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from alliancesim.config import Config, parameter_names
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


#: A dotted name in backticks whose first part is a schema section, e.g.
#: `operation.withdrawal_threshold` or `postures.free-rider.willingness` (optionally `= value`).
PARAMETER_IN_TEXT = re.compile(r"`([a-z_]+(?:\.[a-z0-9_-]+)+)(?:\s*=[^`]*)?`")
FILE_SUFFIXES = (".py", ".csv", ".parquet", ".json", ".toml", ".md", ".png", ".arrow")


def parameters_named_in(text: str) -> set[str]:
    """The schema parameters a page names (file names such as `members.csv` left out)."""
    sections = set(Config.model_fields)
    return {name for name in PARAMETER_IN_TEXT.findall(text)
            if name.split(".")[0] in sections and not name.endswith(FILE_SUFFIXES)}


def test_every_parameter_a_results_page_names_exists_in_the_schema():
    # A page written before a model change can name parameters that no longer exist (the
    # sensitivity page once ranked `operation.leader_share` after it was removed).
    pages = [*sorted((ROOT / "experiments").rglob("*.md")), ROOT / "docs" / "validation.md",
             ROOT / "docs" / "sweep.md", ROOT / "README.md"]
    known = set(parameter_names())
    unknown = {page.relative_to(ROOT).as_posix(): sorted(parameters_named_in(page.read_text())
                                                         - known) for page in pages}
    assert {page: names for page, names in unknown.items() if names} == {}
    sensitivity_page = (ROOT / "experiments" / "sensitivity.md").read_text()
    assert len(parameters_named_in(sensitivity_page)) >= 10  # the check sees the page's names


def test_the_parameter_pattern_finds_parameters_and_skips_file_names():
    text = ("`operation.withdrawal_threshold` 5.1, `postures.free-rider.willingness`, "
            "`members.csv`, `leader.burden_trend` = 0, `alliancesim.sweep.batch`")
    assert parameters_named_in(text) == {"operation.withdrawal_threshold",
                                         "postures.free-rider.willingness",
                                         "leader.burden_trend"}
