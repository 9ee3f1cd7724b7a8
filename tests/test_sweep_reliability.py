"""Nothing finished is lost: failures, kill -9, Ctrl-C, dead workers, and resume."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from test_sweep import SMALL, run_experiment, write_experiment

from alliancesim.cli import main
from alliancesim.config import ConfigError
from alliancesim.sweep import (
    Condition,
    Experiment,
    experiment_from_dict,
    finalise,
    storage,
    worker,
)

#: Long enough that a sweep can be stopped half way: 2 x 100 full ISAF replays.
LONG_TOML = """scenario = "isaf"
[replicates]
count = 300
base_seed = 1
[[conditions]]
name = "alliance"
[[conditions]]
name = "coalition"
set = { "operation.framework" = "coalition" }
"""


def _exploding_model(bad_seed: int):
    real = worker.AllianceModel

    def model(config, seed):
        if seed == bad_seed:
            raise RuntimeError(f"boom at seed {bad_seed}")
        return real(config, seed=seed)

    return model


def _ctrl_c_as_in_a_terminal() -> None:
    # A shell ignores SIGINT in the jobs it starts in the background, and a child inherits
    # that; a test run started that way would otherwise send Ctrl-C to a sweep that ignores it.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start_sweep(path: Path, out: Path, *options: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "alliancesim.cli", "sweep", str(path),
                             "--out", str(out), "--workers", "2", *options],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True,  # its own process group, with workers
                            preexec_fn=_ctrl_c_as_in_a_terminal)


def _wait_for_runs(out: Path, count: int, proc: subprocess.Popen) -> None:
    deadline = time.time() + 120
    while time.time() < deadline:
        if len(storage.finished_run_ids(out)) >= count:
            return
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.02)
    raise AssertionError("the sweep did not start")


def test_a_failing_run_is_recorded_and_the_sweep_goes_on(tmp_path, monkeypatch):
    monkeypatch.setattr(worker, "AllianceModel", _exploding_model(6))
    report = run_experiment(experiment_from_dict(SMALL), tmp_path / "o")
    assert report.n_failed == 2  # seed 6 in both conditions
    assert {f["seed"] for f in report.failures} == {6}
    assert {f["condition"] for f in report.failures} == {"alliance", "coalition"}
    assert "RuntimeError: boom at seed 6" in report.failures[0]["error"]
    coalition = next(f for f in report.failures if f["condition"] == "coalition")
    assert coalition["parameters"]["operation.framework"] == "coalition"
    runs = pd.read_parquet(tmp_path / "o" / "runs.parquet")
    assert set(runs["seed"]) == {5, 7}
    meta = json.loads((tmp_path / "o" / "experiment.json").read_text())
    assert meta["status"] == "failures" and len(meta["failures"]) == 2
    record = json.loads((tmp_path / "o" / "runs" / f"{coalition['run_id']}.error.json")
                        .read_text())
    assert "boom at seed 6" in record["traceback"]
    # Once the fault is fixed, resuming runs just the failed ones.
    monkeypatch.undo()
    again = run_experiment(experiment_from_dict(SMALL), tmp_path / "o", resume=True)
    assert again.n_failed == 0 and again.n_done_before == 4
    assert len(pd.read_parquet(tmp_path / "o" / "runs.parquet")) == 6 * 4


#: Runs SMALL (30 seeds) with 2 workers in a fresh process whose model fails at one seed:
#: ``raise`` raises an error, ``die`` ends the worker process as the OOM killer would (in
#: the second condition, so that chunks finished before are on disk).
FAULTY_SWEEP = """
import json, os, sys
from alliancesim.sweep import SweepAbortedError, experiment_from_dict, run_experiment, worker
mode, out, design = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
real = worker.AllianceModel
def faulty(config, seed):
    if seed == 7 and mode == "raise":
        raise RuntimeError("boom at seed 7")
    if seed == 7 and config.operation.framework == "coalition":  # after 36 runs
        os._exit(9)
    return real(config, seed=seed)
worker.AllianceModel = faulty
try:
    report = run_experiment(experiment_from_dict(design), out, workers=2, progress=False)
    print(json.dumps({"failed": report.n_failed, "seeds": [f["seed"] for f in report.failures]}))
except SweepAbortedError as err:
    print(json.dumps({"aborted": str(err)}))
"""


def _faulty_sweep(mode: str, out: Path) -> dict:
    design = {**SMALL, "replicates": {"count": 30, "base_seed": 1}}
    proc = subprocess.run([sys.executable, "-c", FAULTY_SWEEP, mode, str(out),
                           json.dumps(design)], capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_a_run_failing_in_a_worker_process_is_recorded_too(tmp_path):
    result = _faulty_sweep("raise", tmp_path / "o")
    assert result == {"failed": 2, "seeds": [7, 7]}
    assert len(pd.read_parquet(tmp_path / "o" / "runs.parquet")) == 58 * 4


def test_cli_lists_failures_and_exits_1(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(worker, "AllianceModel", lambda config, seed: 1 / 0)
    path = write_experiment(tmp_path, 'scenario = "classroom"\nyears = 2\n'
                                      '[replicates]\ncount = 2\n')
    assert main(["sweep", str(path), "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err
    assert "2 run(s) failed" in err and "ZeroDivisionError" in err and "seed=2" in err
    assert "--resume" in err


def test_an_existing_output_folder_needs_resume_and_the_same_design(tmp_path):
    exp = experiment_from_dict(SMALL)
    run_experiment(exp, tmp_path / "o")
    with pytest.raises(ConfigError, match="--resume"):
        run_experiment(exp, tmp_path / "o")
    other = Experiment(scenario="isaf", seeds=[1], years=2, conditions=[Condition("a")])
    with pytest.raises(ConfigError, match="different experiment"):
        run_experiment(other, tmp_path / "o", resume=True)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "notes.txt").write_text("mine")
    with pytest.raises(ConfigError, match="no sweep to resume"):
        run_experiment(exp, tmp_path / "elsewhere", resume=True)


def test_resume_of_a_finished_sweep_runs_nothing_and_gives_the_same_outputs(tmp_path):
    exp = experiment_from_dict(SMALL)
    run_experiment(exp, tmp_path / "o")
    before = pd.read_parquet(tmp_path / "o" / "runs.parquet")
    again = run_experiment(exp, tmp_path / "o", resume=True)
    assert again.n_done_before == again.n_runs == 6
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "o" / "runs.parquet"), before)


#: The files a sweep writes from its runs.
MERGED = ("runs.parquet", "members.parquet", "summary.csv")


def _merged(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in MERGED}


def test_a_resumed_sweep_merges_the_runs_from_before_into_every_output(tmp_path):
    exp, out = experiment_from_dict(SMALL), tmp_path / "o"
    run_experiment(exp, out, members=True)
    before = _merged(out)
    sorted((out / "runs").glob("*.timeseries.arrow"))[-1].unlink()  # its run is done again
    report = run_experiment(exp, out, members=True, resume=True)
    assert report.n_done_before == 5
    assert _merged(out) == before


def test_finalise_rebuilds_the_outputs_from_the_chunk_files_alone(tmp_path):
    exp, out = experiment_from_dict(SMALL), tmp_path / "o"
    run_experiment(exp, out, members=True)
    before = _merged(out)
    for name in MERGED:
        (out / name).unlink()
    report = finalise(exp, out, members=True)
    assert report.n_runs == 6 and report.n_failed == 0
    assert _merged(out) == before


def test_resume_reruns_a_run_cut_short_and_deletes_partial_files(tmp_path):
    exp = experiment_from_dict(SMALL)
    run_experiment(exp, tmp_path / "o")
    before = pd.read_parquet(tmp_path / "o" / "runs.parquet")
    runs = tmp_path / "o" / "runs"
    victim = sorted(runs.glob("*.timeseries.arrow"))[2]  # one run per chunk in this sweep
    # As if killed while writing it: only a temporary file, cut short, is there.
    (runs / f".{victim.name}.tmp").write_bytes(victim.read_bytes()[:-100])
    victim.unlink()
    (tmp_path / "o" / ".runs.parquet.tmp").write_bytes(b"PAR1")  # killed while merging
    report = run_experiment(exp, tmp_path / "o", resume=True)
    assert report.n_done_before == 5
    assert not list(runs.glob(".*")) and not list((tmp_path / "o").glob(".*.tmp"))
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "o" / "runs.parquet"), before)


def _chunk_run_ids(runs: Path) -> list[str]:
    """The runs of every chunk file, each once per file it is in."""
    return [run_id for path in runs.glob("*.timeseries.arrow")
            for run_id in pd.read_feather(path, columns=["run_id"])["run_id"].unique()]


def test_kill_9_then_resume_completes_without_redoing_finished_runs(tmp_path):
    path = write_experiment(tmp_path, LONG_TOML)
    out = tmp_path / "killed"
    proc = _start_sweep(path, out)
    _wait_for_runs(out, 10, proc)
    os.killpg(proc.pid, signal.SIGKILL)  # the sweep and its workers, at once
    proc.wait()
    runs = out / "runs"
    finished = storage.finished_run_ids(out)
    files = {p.name: (p.stat().st_size, p.stat().st_mtime_ns) for p in runs.glob("*.arrow")}
    assert 10 <= len(finished) < 600 and not (out / "runs.parquet").exists()
    assert main(["sweep", str(path), "--out", str(out), "--resume", "--workers", "2"]) == 0
    for name, (size, mtime) in files.items():  # finished runs were kept, not redone
        assert ((runs / name).stat().st_size, (runs / name).stat().st_mtime_ns) == (size, mtime)
    written = _chunk_run_ids(runs)
    assert len(written) == len(set(written)) == 600  # each run written once in all
    assert main(["sweep", str(path), "--out", str(tmp_path / "clean")]) == 0
    resumed = pd.read_parquet(out / "runs.parquet")
    clean = pd.read_parquet(tmp_path / "clean" / "runs.parquet")
    assert len(resumed) == 600 * 12 and (resumed["run_id"].value_counts() == 12).all()
    pd.testing.assert_frame_equal(resumed, clean)
    pd.testing.assert_frame_equal(pd.read_csv(out / "summary.csv"),
                                  pd.read_csv(tmp_path / "clean" / "summary.csv"))


def test_workers_end_when_the_sweep_process_is_killed(tmp_path):
    out = tmp_path / "o"
    proc = _start_sweep(write_experiment(tmp_path, LONG_TOML), out)
    _wait_for_runs(out, 5, proc)
    children = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True,
                              text=True).stdout.split()
    assert children
    os.kill(proc.pid, signal.SIGKILL)  # the sweep alone, not its workers
    proc.wait()
    deadline = time.time() + 10
    alive = children
    while alive and time.time() < deadline:
        time.sleep(0.1)
        alive = [c for c in children if Path(f"/proc/{c}").exists()
                 and "Z" not in Path(f"/proc/{c}/stat").read_text().split()[2]]
    assert not alive, "orphaned workers kept running"


def test_ctrl_c_stops_at_once_and_says_how_to_resume(tmp_path):
    path = write_experiment(tmp_path, LONG_TOML)
    out = tmp_path / "o"
    proc = _start_sweep(path, out)
    _wait_for_runs(out, 10, proc)
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C sends to the foreground group
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "Traceback" not in err
    assert "interrupted" in err and f"--out {out} --resume" in err
    kept = len(storage.finished_run_ids(out))
    assert f"{kept} finished run(s) are kept" in err and kept < 600
    assert main(["sweep", str(path), "--out", str(out), "--resume"]) == 0


def test_a_dead_worker_aborts_the_sweep_keeping_finished_runs(tmp_path):
    result = _faulty_sweep("die", tmp_path / "o")
    assert "worker process died" in result["aborted"]
    assert len(storage.finished_run_ids(tmp_path / "o")) >= 1
    exp = experiment_from_dict({**SMALL, "replicates": {"count": 30, "base_seed": 1}})
    report = run_experiment(exp, tmp_path / "o", workers=2, resume=True)
    assert report.n_failed == 0 and report.n_done_before >= 1
    assert len(pd.read_parquet(tmp_path / "o" / "runs.parquet")) == 60 * 4


def test_sigterm_stops_like_ctrl_c_and_says_how_to_resume(tmp_path):
    path = write_experiment(tmp_path, LONG_TOML)
    out = tmp_path / "o"
    proc = _start_sweep(path, out, "--members")
    _wait_for_runs(out, 10, proc)
    os.killpg(proc.pid, signal.SIGTERM)  # as a batch scheduler ends a job: every process
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143 and "Traceback" not in err
    kept = len(storage.finished_run_ids(out))
    assert err.strip().splitlines()[-1] == (
        f"terminated (SIGTERM); {kept} finished run(s) are kept in {out}. To finish the "
        f"sweep: alliancesim sweep {path} --out {out} --resume --workers 2 --members")
    assert not list(out.rglob(".*.tmp"))


def test_a_second_sweep_on_the_same_folder_refuses_at_once_naming_the_first(tmp_path,
                                                                          capsys):
    path = write_experiment(tmp_path, LONG_TOML)
    out = tmp_path / "o"
    proc = _start_sweep(path, out)
    try:
        _wait_for_runs(out, 2, proc)
        start = time.monotonic()
        assert main(["sweep", str(path), "--out", str(out), "--resume"]) == 2
        assert time.monotonic() - start < 10
        err = capsys.readouterr().err
        assert f"is in use by another sweep (process {proc.pid} on " in err
        assert proc.poll() is None  # the first goes on undisturbed
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    # The lock ends with its holder, even killed: the sweep can be finished.
    assert main(["sweep", str(path), "--out", str(out), "--resume", "--workers", "2"]) == 0


def _disk_full_after(calls: int, monkeypatch) -> None:
    """Every chunk file after the first ``calls`` fails as on a full disk, part written."""
    real = storage.pa.ipc.new_file
    count = {"n": 0}

    def new_file(sink, schema):
        count["n"] += 1
        if count["n"] > calls:
            Path(sink).write_bytes(b"ARROW1 cut")
            raise OSError(28, "No space left on device", str(sink))
        return real(sink, schema)

    monkeypatch.setattr(storage.pa.ipc, "new_file", new_file)


def test_a_full_disk_ends_in_one_message_with_the_resume_command(tmp_path, monkeypatch,
                                                                capsys):
    path, out = write_experiment(tmp_path), tmp_path / "o"
    _disk_full_after(3, monkeypatch)
    assert main(["sweep", str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    command = f"alliancesim sweep {path} --out {out} --resume --workers 1"
    assert err.splitlines() == [
        f"error: could not write --out {out}: the disk is full; 3 finished run(s) are kept "
        f"in {out}. Free some space, then finish the sweep: {command}"]
    assert not list(out.rglob(".*.tmp")) and not (out / "runs.parquet").exists()
    monkeypatch.undo()
    assert main(command.split()[1:]) == 0
    assert main(["sweep", str(path), "--out", str(tmp_path / "clean")]) == 0
    assert _merged_plain(out) == _merged_plain(tmp_path / "clean")


def _merged_plain(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in ("runs.parquet", "summary.csv")}


@pytest.fixture
def small_disk(tmp_path):
    """A 1 MB file system (tmpfs), where this process may mount one (root on Linux)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)],
                      capture_output=True).returncode != 0:
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    yield mount
    subprocess.run(["umount", str(mount)], check=True)


def test_a_really_full_disk_in_a_two_worker_sweep_then_resume_is_byte_identical(
        tmp_path, small_disk):
    # 60 runs with their members: ~5 MB, of which ~1 MB fits
    design = LONG_TOML.replace("count = 300", "count = 30")
    path, out = write_experiment(tmp_path, design), small_disk / "o"
    proc = subprocess.run([sys.executable, "-m", "alliancesim.cli", "sweep", str(path),
                           "--out", str(out), "--workers", "2", "--members"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert f"error: could not write --out {out}: the disk is full;" in proc.stderr
    command = f"alliancesim sweep {path} --out {out} --resume --workers 2 --members"
    assert proc.stderr.strip().endswith(command)
    assert not list(out.rglob(".*.tmp"))
    subprocess.run(["mount", "-o", "remount,size=64m", str(small_disk)], check=True)
    assert main(command.split()[1:]) == 0
    assert main(["sweep", str(path), "--out", str(tmp_path / "clean"), "--members"]) == 0
    assert _merged(out) == _merged(tmp_path / "clean")
