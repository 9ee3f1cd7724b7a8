"""The command line never destroys a user's files and never shows a traceback.

Each data-loss and bad-input case of issue 12 end to end: the exit code, the one message and
what is (not) left on disk. Most go through ``main([...])`` in-process (fast); a few through a
real ``alliancesim`` process.
"""

from __future__ import annotations

import errno
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from alliancesim.cli import main
from alliancesim.outputs import MANIFEST

FAST = ["--scenario", "classroom", "--years", "2", "--no-figures"]


def _run(capsys, *args: str) -> tuple[int, str]:
    code = main(["run", *args])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    """Work in a fresh current directory holding one user file."""
    work = tmp_path / "work"
    work.mkdir()
    (work / "notes.txt").write_text("my notes")
    monkeypatch.chdir(work)
    return work


# --------------------------------------------------------------------------- data loss


@pytest.mark.parametrize("target", [".", "..", "../..", "/", "~"])
def test_out_is_never_the_current_folder_a_parent_root_or_home(in_tmp, capsys, target):
    before = _tree(in_tmp)
    out = os.path.expanduser(target)
    for force in ([], ["--force"]):
        code, err = _run(capsys, *FAST, "--out", out, *force)
        assert code == 2
        assert err.startswith(f"error: --out {out}: refusing to write there because")
    assert _tree(in_tmp) == before


def test_an_existing_folder_of_the_users_is_refused_and_kept(in_tmp, capsys):
    mine = in_tmp / "results"
    mine.mkdir()
    (mine / "thesis.docx").write_text("two years of work")
    code, err = _run(capsys, *FAST, "--out", str(mine))
    assert code == 2
    assert f"--out {mine} already exists" in err and "thesis.docx" in err
    assert "--force" in err and "another --out" in err
    assert (mine / "thesis.docx").read_text() == "two years of work"
    assert sorted(p.name for p in in_tmp.iterdir()) == ["notes.txt", "results"]


def test_force_replaces_a_foreign_folder_only_when_asked(in_tmp, capsys):
    mine = in_tmp / "results"
    mine.mkdir()
    (mine / "old.txt").write_text("x")
    code, _ = _run(capsys, *FAST, "--out", str(mine), "--force")
    assert code == 0
    assert not (mine / "old.txt").exists() and (mine / "timeseries.csv").is_file()


def test_an_earlier_run_is_replaced_but_not_if_the_user_added_a_file(in_tmp, capsys):
    out = in_tmp / "o"
    assert _run(capsys, *FAST, "--out", str(out))[0] == 0
    manifest = json.loads((out / MANIFEST).read_text())
    assert manifest["kind"] == "run" and "timeseries.csv" in manifest["files"]
    assert _run(capsys, *FAST, "--seed", "2", "--out", str(out))[0] == 0
    assert json.loads((out / "run.json").read_text())["seed"] == 2
    (out / "my_analysis.R").write_text("plot(x)")
    code, err = _run(capsys, *FAST, "--out", str(out))
    assert code == 2 and "my_analysis.R" in err
    assert (out / "my_analysis.R").exists()


def test_an_output_folder_from_before_manifests_is_recognised(in_tmp, capsys):
    out = in_tmp / "old_run"
    out.mkdir()
    (out / "run.json").write_text(json.dumps({"alliancesim_version": "0.1.0", "seed": 1}))
    (out / "timeseries.csv").write_text("year\n2012\n")
    (out / "figures").mkdir()
    (out / "figures" / "burden.png").write_bytes(b"png")
    assert _run(capsys, *FAST, "--out", str(out))[0] == 0
    assert not (out / "figures").exists()  # --no-figures: the old figures went with the run


@pytest.mark.parametrize("name", ["", "..", ".", "../../x", "a/b", "x y", "/etc"])
def test_a_scenario_name_is_a_label_not_a_path(in_tmp, capsys, name):
    (in_tmp / "out").mkdir()
    (in_tmp / "out" / "keep.txt").write_text("keep")
    config = in_tmp / "c.toml"
    config.write_text(f'name = "{name}"\n[run]\nend_year = 2014\n')
    before = _tree(in_tmp)
    code, err = _run(capsys, "--config", str(config), "--no-figures")
    assert code == 2
    assert "name" in err and "letters, digits, '-' or '_'" in err
    code, err = _run(capsys, "--scenario", "classroom", "--set", f"name={name}",
                     "--no-figures")
    assert code == 2 and "a scenario name is a label" in err
    assert _tree(in_tmp) == before


def test_a_config_file_name_that_is_no_slug_still_runs_into_out_slug(in_tmp, capsys):
    config = in_tmp / "my scenario.v2.toml"
    config.write_text('description = "x"\n[run]\nend_year = 2013\n')
    assert _run(capsys, "--config", str(config), "--no-figures")[0] == 0
    assert (in_tmp / "out" / "my-scenario-v2" / "run.json").is_file()


def test_a_failed_run_leaves_the_earlier_results_intact(in_tmp, capsys, monkeypatch):
    out = in_tmp / "o"
    assert _run(capsys, *FAST, "--out", str(out))[0] == 0
    before = _tree(out)

    def full_disk(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", "members.csv")

    monkeypatch.setattr("pandas.DataFrame.to_csv", full_disk)
    code, err = _run(capsys, *FAST, "--seed", "5", "--out", str(out))
    assert code == 2
    assert err == (f"error: could not write --out {out}: the disk is full; nothing was written "
                   f"and earlier results are untouched. Free some space or choose another "
                   f"--out\n")
    assert _tree(out) == before
    assert sorted(p.name for p in in_tmp.iterdir()) == ["notes.txt", "o"]  # no temp folder


def test_output_folders_are_readable_by_others(in_tmp, capsys):
    out = in_tmp / "o"
    assert _run(capsys, *FAST, "--out", str(out))[0] == 0
    assert stat.S_IMODE(out.stat().st_mode) & 0o055 == 0o055


# --------------------------------------------------------------------------- bad --out


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_read_only_out_is_refused(in_tmp, capsys):  # pragma: no cover - CI runs as user
    ro = in_tmp / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    code, err = _run(capsys, *FAST, "--out", str(ro / "x"))
    assert code == 2 and "permission denied" in err


def test_out_a_file_a_symlink_or_under_a_file_is_refused(in_tmp, capsys):
    target = in_tmp / "real"
    target.mkdir()
    (in_tmp / "link").symlink_to(target)
    cases = {"notes.txt": "is a file, not a folder", "link": "is a symbolic link",
             "notes.txt/sub": "notes.txt is a file, not a folder"}
    for out, expected in cases.items():
        code, err = _run(capsys, *FAST, "--out", out)
        assert code == 2 and expected in err, err
    assert (in_tmp / "notes.txt").read_text() == "my notes" and not any(target.iterdir())


def test_out_on_a_read_only_file_system_is_refused(in_tmp, capsys, monkeypatch):
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if "ro" in str(p)
                        else real_access(p, mode))
    (in_tmp / "ro").mkdir()
    code, err = _run(capsys, *FAST, "--out", "ro/run")
    assert code == 2 and "cannot write in ro (permission denied)" in err
    assert not (in_tmp / "ro" / "run").exists()


# --------------------------------------------------------------------------- bad input

BAD = [
    ("negative seed", ["--seed", "-1"], None, "--seed -1: expected an integer from 0 to"),
    ("huge seed", ["--seed", str(2**70)], None, "expected an integer from 0 to"),
    ("number as a string switch", ["--set", "smart_defence.pooling=yes"], None,
     "smart_defence.pooling = 'yes': Input should be a valid boolean (allowed: true or false)"),
    ("1 for a switch", ["--set", "smart_defence.pooling=1"], None,
     "smart_defence.pooling = 1: Input should be a valid boolean"),
    ("true for a number", ["--set", "opinion.fatigue=true"], None,
     "opinion.fatigue = True: Input should be a valid number"),
    ("float for a year", ["--set", "run.end_year=2020.5"], None,
     "run.end_year = 2020.5: Input should be a valid integer"),
    ("absurd magnitude", ["--set", "opinion.fatigue=1e300"], None,
     "opinion.fatigue = 1e+300: Input should be less than or equal to"),
    ("infinite value", ["--set", "opinion.fatigue=inf"], None,
     "opinion.fatigue = inf: Input should be a finite number"),
]


@pytest.mark.parametrize(("label", "args", "scenario", "expected"), BAD,
                         ids=[b[0] for b in BAD])
def test_bad_values_exit_2_with_one_message(in_tmp, capsys, label, args, scenario, expected):
    base = ["--scenario", scenario, "--years", "2", "--no-figures"] if scenario else FAST
    code, err = _run(capsys, *base, *args, "--out", "o")
    assert code == 2 and expected in err, err
    assert sorted(p.name for p in in_tmp.iterdir()) == ["notes.txt"]


def test_members_without_posture_are_named_from_the_data(in_tmp, capsys, monkeypatch):
    from alliancesim import config

    missing = config.members_without_posture(2030)  # the shipped data: none missing, or some
    code, err = _run(capsys, "--scenario", "baseline", "--years", "2", "--no-figures",
                     "--set", "run.max_accession_year=2030")
    assert code == (2 if missing else 0), err
    # Allies that joined without a posture row are refused, named with the latest year allowed.
    monkeypatch.setattr(config, "members_without_posture",
                        lambda year: [("XKX", 2027), ("UKR", 2029)] if year >= 2027 else [])
    code, err = _run(capsys, "--scenario", "baseline", "--years", "2", "--no-figures",
                     "--set", "run.max_accession_year=2030", "--out", "o2")
    assert code == 2
    assert ("run.max_accession_year = 2030 takes in allies with no declared posture in "
            "data/postures.csv: XKX (joined 2027), UKR (joined 2029)") in err
    assert "allowed: at most 2026, or add their postures" in err
    assert not (in_tmp / "o2").exists()


FICTIONAL = """
[members]
source = "fictional"
[[members.fictional]]
code = "AAA"
name = "A"
posture = "activist"
gdp_usd = {gdp}
burden_pct = 2.0
personnel = 1000.0
leader = {leader}
[[members.fictional]]
code = "BBB"
name = "B"
posture = "free-rider"
gdp_usd = 1e11
burden_pct = 1.0
personnel = 500.0
[run]
end_year = 2014
"""

BAD_FILES = [
    ("infinite GDP", FICTIONAL.format(gdp="inf", leader="true"),
     "members.fictional.0.gdp_usd = inf: Input should be a finite number"),
    ("absurd GDP", FICTIONAL.format(gdp="1e300", leader="true"),
     "members.fictional.0.gdp_usd = 1e+300: Input should be less than or equal to "
     "1000000000000000"),
    ("no leader", FICTIONAL.format(gdp="1e12", leader="false"),
     "exactly one fictional member must have leader = true"),
    ("yes for a switch", FICTIONAL.format(gdp="1e12", leader='"yes"'),
     "members.fictional.0.leader = 'yes': Input should be a valid boolean"),
    ("empty", "", "is empty: it sets no parameter"),
    ("comments only", "# nothing here\n", "is empty: it sets no parameter"),
]


@pytest.mark.parametrize(("label", "text", "expected"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_config_files_exit_2_with_one_message(in_tmp, capsys, label, text, expected):
    path = in_tmp / "bad.toml"
    path.write_text(text)
    code, err = _run(capsys, "--config", str(path), "--no-figures", "--out", "o")
    assert code == 2 and expected in err, err
    assert str(path) in err
    assert not (in_tmp / "o").exists()


@pytest.mark.parametrize(("label", "content", "expected"), [
    ("binary", bytes(range(256)), "is not UTF-8 text"),
    ("latin-1", 'description = "D\xe9fense"\n'.encode("latin-1"), "is not UTF-8 text (byte"),
    ("nul bytes", b"\x00\x00\x00", "malformed TOML"),
])
def test_binary_or_non_utf8_toml_is_refused(in_tmp, capsys, label, content, expected):
    path = in_tmp / "bad.toml"
    path.write_bytes(content)
    code, err = _run(capsys, "--config", str(path), "--out", "o")
    assert code == 2 and expected in err and str(path) in err, err


def test_unreadable_or_folder_config_is_refused(in_tmp, capsys, monkeypatch):
    path = in_tmp / "secret.toml"
    path.write_text("[run]\nend_year = 2014\n")

    real_open = Path.open

    def no_permission(self, *args, **kwargs):
        if self == path:
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", no_permission)
    code, err = _run(capsys, "--config", str(path), "--out", "o")
    assert code == 2 and f"cannot read config file {path}: Permission denied" in err
    code, err = _run(capsys, "--config", str(in_tmp), "--out", "o")
    assert code == 2 and "is a folder; give a TOML file" in err


# --------------------------------------------------------------------------- sweep, validate


def test_sweep_refuses_foreign_and_protected_folders_and_huge_seeds(in_tmp, capsys):
    experiment = in_tmp / "e.toml"
    experiment.write_text('scenario = "classroom"\nyears = 2\n[replicates]\ncount = 2\n')
    mine = in_tmp / "mine"
    mine.mkdir()
    (mine / "data.csv").write_text("1")
    for out, expected in ((".", "it is the current directory"),
                          ("..", "it holds the current directory"),
                          ("mine", "already exists and it is not an earlier alliancesim "
                                   "sweep output"),
                          ("notes.txt", "is a file")):
        assert main(["sweep", str(experiment), "--out", out]) == 2
        assert expected in capsys.readouterr().err
    assert (mine / "data.csv").read_text() == "1"
    experiment.write_text('scenario = "classroom"\nyears = 2\n[replicates]\n'
                          f'count = 2\nbase_seed = {2**70}\n')
    assert main(["sweep", str(experiment), "--out", "s"]) == 2
    assert "expected integers from 0 to 9223372036854775807" in capsys.readouterr().err
    assert not (in_tmp / "s").exists()


def test_validate_with_too_few_seeds_writes_nothing(in_tmp, capsys):
    assert main(["validate", "--seeds", "1", "--out", "w"]) == 2
    assert "--seeds must be at least 2" in capsys.readouterr().err
    assert not (in_tmp / "w").exists()


def test_validate_and_sensitivity_refuse_a_foreign_folder(in_tmp, capsys):
    design = Path(__file__).resolve().parents[1] / "experiments" / "sensitivity.toml"
    mine = in_tmp / "mine"
    mine.mkdir()
    (mine / "paper.tex").write_text("x")
    for args in (["validate", "--seeds", "2"], ["sensitivity", str(design)]):
        assert main([*args, "--out", "mine"]) == 2
        err = capsys.readouterr().err
        assert "--out mine already exists" in err and "(it holds paper.tex)" in err
        assert "--force" in err
    assert (mine / "paper.tex").read_text() == "x"


# --------------------------------------------------------------------------- real processes


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "alliancesim.cli", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=300)


def test_out_dot_in_a_real_process_keeps_the_folder(in_tmp):
    proc = _cli("run", *FAST, "--out", ".", cwd=in_tmp)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "it is the current directory" in proc.stderr
    assert sorted(p.name for p in in_tmp.iterdir()) == ["notes.txt"]


def test_version_prints_the_package_version(in_tmp):
    from importlib.metadata import version

    proc = _cli("--version", cwd=in_tmp)
    assert proc.returncode == 0 and proc.stdout.strip() == f"alliancesim {version('alliancesim')}"


@pytest.fixture
def tiny_disk(tmp_path):
    """A 300 kB file system (tmpfs; needs root, skipped otherwise)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=300k", "tmpfs", str(mount)],
                          capture_output=True)
    if proc.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    yield mount
    subprocess.run(["umount", str(mount)], check=True)


def test_a_full_disk_during_run_ends_in_one_message_and_keeps_the_old_run(tiny_disk, capsys):
    out = tiny_disk / "o"
    assert _run(capsys, *FAST, "--out", str(out))[0] == 0
    before = _tree(out)
    # With figures: more than the disk holds (a real ENOSPC from the kernel).
    code, err = _run(capsys, "--scenario", "classroom", "--years", "2", "--seed", "4",
                     "--out", str(out))
    assert code == 2
    assert err == (f"error: could not write --out {out}: the disk is full; nothing was "
                   f"written and earlier results are untouched. Free some space or choose "
                   f"another --out\n")
    assert _tree(out) == before
    assert [p.name for p in tiny_disk.iterdir()] == ["o"]


def test_describe_markdown_keeps_one_cell_per_column(capsys, monkeypatch):
    import re

    from alliancesim import cli

    real = cli.__dict__.get("parameter_table")
    assert real is None  # imported lazily from config
    rows = [{"name": "a.b", "default": "x", "unit": "-", "choices": ["p|q", "r"], "min": None,
             "max": None, "source": "A | B", "description": "one | two"}]
    monkeypatch.setattr("alliancesim.config.parameter_table", lambda: rows)
    assert main(["describe", "--format", "markdown"]) == 0
    monkeypatch.undo()
    assert main(["describe", "--format", "markdown"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[2] == r"| `a.b` | x | - | p\|q, r | A \| B | one \| two |"
    for line in lines:
        assert len(re.findall(r"(?<!\\)\|", line)) == 7, line


def test_out_on_a_real_read_only_file_system_is_refused(tmp_path, capsys):
    mount = tmp_path / "ro"
    mount.mkdir()
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=100k", "tmpfs", str(mount)],
                          capture_output=True)
    if proc.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        code, err = _run(capsys, *FAST, "--out", str(mount / "run"))
        assert code == 2
        assert err == (f"error: --out {mount / 'run'}: cannot write in {mount} (read-only "
                       f"file system); choose another --out\n")
    finally:
        subprocess.run(["umount", str(mount)], check=True)
