"""End to end through the ``alliancesim`` command: outputs, listings and bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image

from alliancesim.cli import main
from alliancesim.results import CAPABILITY_COLUMNS, MEMBER_COLUMNS, TIMESERIES_COLUMNS

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "alliancesim.cli", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=300)


def test_run_writes_tables_provenance_and_figures(tmp_path):
    out = tmp_path / "isaf"
    proc = _cli("run", "--scenario", "isaf", "--seed", "3", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    ts = pd.read_csv(out / "timeseries.csv")
    assert tuple(ts.columns) == TIMESERIES_COLUMNS
    assert ts["year"].tolist() == list(range(2003, 2015))
    assert tuple(pd.read_csv(out / "members.csv").columns) == MEMBER_COLUMNS
    assert tuple(pd.read_csv(out / "capabilities.csv").columns) == CAPABILITY_COLUMNS
    run = json.loads((out / "run.json").read_text())
    assert run["seed"] == 3 and run["scenario"] == "isaf"
    assert run["config"]["operation"]["framework"] == "alliance"
    assert run["mesa_version"].startswith("3.5")
    figures = sorted((out / "figures").glob("*.png"))
    assert {f.name for f in figures} == {"burden.png", "capability_gaps.png", "coverage.png",
                                         "operation.png", "opinion.png"}
    for figure in figures:
        assert figure.read_bytes()[:8] == PNG_MAGIC and figure.stat().st_size > 10_000
        with Image.open(figure) as image:
            assert min(image.info["dpi"]) >= 149.9  # paper-ready: at least 150 dpi


def test_the_same_seed_writes_the_same_tables(tmp_path):
    for name in ("a", "b"):
        assert main(["run", "--scenario", "classroom", "--seed", "9", "--no-figures",
                     "--out", str(tmp_path / name)]) == 0
    for table in ("timeseries.csv", "members.csv", "capabilities.csv"):
        assert (tmp_path / "a" / table).read_bytes() == (tmp_path / "b" / table).read_bytes()


def test_years_and_set_override_the_scenario(tmp_path):
    out = tmp_path / "short"
    assert main(["run", "--scenario", "isaf", "--years", "3", "--set",
                 "operation.framework=coalition", "--no-figures", "--out", str(out)]) == 0
    run = json.loads((out / "run.json").read_text())
    assert run["config"]["run"]["end_year"] == 2006
    assert run["config"]["operation"]["framework"] == "coalition"


def test_config_file_runs(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text('description = "mine"\n[run]\nstart_year = 2012\nend_year = 2014\n')
    assert main(["run", "--config", str(path), "--no-figures", "--out",
                 str(tmp_path / "o")]) == 0
    assert len(pd.read_csv(tmp_path / "o" / "timeseries.csv")) == 3


def test_scenarios_lists_each_with_a_line(capsys):
    assert main(["scenarios"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) >= 8
    assert any(line.startswith("isaf_coalition") and "coalition" in line for line in lines)


def test_describe_prints_every_parameter_with_unit_range_and_source(capsys):
    assert main(["describe"]) == 0
    out = capsys.readouterr().out
    assert "opinion.elite_consensus" in out and "Kreps" in out
    assert main(["describe", "--format", "markdown"]) == 0
    assert "| `operation.framework` |" in capsys.readouterr().out


BAD_INPUTS = [
    ("unknown key", '[opinion]\nelite_consensu = 0.5\n', ["elite_consensu"]),
    ("wrong type", '[spending]\nmax_change = "lots"\n', ["spending.max_change", "lots"]),
    ("out of range", '[opinion]\nelite_consensus = 2.5\n',
     ["opinion.elite_consensus", "2.5", "[0, 1]"]),
    ("malformed", '[run\nstart_year = 2012\n', ["malformed TOML"]),
]


@pytest.mark.parametrize(("label", "text", "expected"), BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_bad_config_exits_2_with_a_clear_message_and_leaves_no_output(tmp_path, label, text,
                                                                       expected):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    out = tmp_path / "out"
    proc = _cli("run", "--config", str(path), "--out", str(out))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert str(path) in proc.stderr
    for fragment in expected:
        assert fragment in proc.stderr, (fragment, proc.stderr)
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [path]


@pytest.mark.parametrize("args", [
    ["run", "--config", "does/not/exist.toml"],
    ["run", "--scenario", "atlantis"],
    ["run", "--scenario", "isaf", "--set", "opinion.nonsense=1"],
    ["run", "--scenario", "isaf", "--set", "operation.framework=league"],
    ["run", "--scenario", "isaf", "--set", "no-equals"],
    ["run", "--scenario", "isaf", "--years", "0"],
])
def test_bad_command_line_exits_2_without_traceback(tmp_path, args):
    proc = _cli(*args, "--out", str(tmp_path / "out"))
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: ") and "Traceback" not in proc.stderr
    assert not (tmp_path / "out").exists()


def test_rerunning_into_an_earlier_output_replaces_it(tmp_path):
    out = tmp_path / "o"
    args = ["run", "--scenario", "classroom", "--years", "2", "--no-figures", "--out", str(out)]
    assert main([*args, "--seed", "1"]) == 0
    assert main([*args, "--seed", "2"]) == 0
    assert json.loads((out / "run.json").read_text())["seed"] == 2
    assert [p.name for p in tmp_path.iterdir()] == ["o"]


def test_figures_come_as_svg_or_pdf_when_asked(tmp_path):
    out = tmp_path / "svg"
    assert main(["run", "--scenario", "classroom", "--years", "2", "--figure-format", "svg",
                 "--out", str(out)]) == 0
    figures = sorted((out / "figures").iterdir())
    assert [f.name for f in figures] == [f"{n}.svg" for n in ("burden", "capability_gaps",
                                                              "coverage", "operation",
                                                              "opinion")]
    assert all(f.read_bytes().startswith(b"<?xml") for f in figures)
    from alliancesim.config import load_scenario
    from alliancesim.model import AllianceModel
    from alliancesim.plots import opinion_figure

    model = AllianceModel(load_scenario("classroom"), seed=1)
    model.run_model()
    pdf = opinion_figure(model.results(), tmp_path / "opinion.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")


def test_png_figures_are_the_images_a_plain_tight_savefig_writes(tmp_path, monkeypatch):
    # plots measures the tight box itself (one layout pass less) and compresses less: the
    # PNGs must hold the very pixels matplotlib's own savefig(bbox_inches="tight") writes.
    import matplotlib.image
    import matplotlib.pyplot as plt

    from alliancesim import plots
    from alliancesim.config import load_scenario
    from alliancesim.model import AllianceModel

    model = AllianceModel(load_scenario("isaf"), seed=2)
    model.run_model()
    res = model.results()
    ours = plots.write_run_figures(res, tmp_path / "ours", leader="USA")

    def plain_save(fig, path, title):
        fig.suptitle(title, fontsize=12, fontweight="bold")
        fig.savefig(path, dpi=plots.PNG_DPI, bbox_inches="tight", metadata={"Title": title})
        plt.close(fig)
        return path

    monkeypatch.setattr(plots, "_save", plain_save)
    theirs = plots.write_run_figures(res, tmp_path / "plain", leader="USA")
    assert len(ours) == 5
    for a, b in zip(ours, theirs, strict=True):
        assert (matplotlib.image.imread(a) == matplotlib.image.imread(b)).all(), a.name
