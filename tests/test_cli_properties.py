"""Property tests: whatever TOML file or ``--set`` value a user gives, the command line ends
with exit code 0 or 2, never a traceback, and never a partial output folder."""

from __future__ import annotations

import contextlib
import io
import json
import math
import subprocess
import sys
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alliancesim.cli import main
from alliancesim.config import Config, parameter_names
from alliancesim.outputs import MANIFEST

SECTIONS = [name for name in Config.model_fields if name not in ("name", "description")]
NAMES = parameter_names()
FIELDS = sorted({n.split(".", 1)[1] for n in NAMES})
SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def toml_value(value: object) -> str:
    """A value as TOML text (the standard library reads TOML but does not write it)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise TypeError(value)


def toml_document(doc: dict[str, object]) -> str:
    top = [f"{json.dumps(k)} = {toml_value(v)}" for k, v in doc.items()
           if not isinstance(v, dict)]
    tables = []
    for k, v in doc.items():
        if isinstance(v, dict):
            tables.append(f"[{json.dumps(k)}]")
            tables += [f"{json.dumps(kk)} = {toml_value(vv)}" for kk, vv in v.items()]
    return "\n".join(top + tables) + "\n"


scalars = st.one_of(
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.integers(min_value=1985, max_value=2065),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=0, max_value=1),
    st.text(max_size=12),
    st.sampled_from(["coalition", "alliance", "fictional", "data", "europe", "isaf", ""]),
)
values = st.one_of(scalars, st.lists(scalars, max_size=3))
keys = st.one_of(st.sampled_from(FIELDS), st.text(min_size=1, max_size=8))
tables = st.dictionaries(keys, values, max_size=4)
documents = st.dictionaries(
    st.one_of(st.sampled_from([*SECTIONS, "name", "description"]), st.text(max_size=6)),
    st.one_of(tables, values), max_size=4)


def _check_outcome(code: int, err: str, parent: Path, out: Path) -> None:
    assert code in (0, 2), err
    assert "Traceback" not in err
    leftovers = [p.name for p in parent.iterdir() if p.name.startswith(".")]
    assert leftovers == [], leftovers  # no temporary folder left behind
    if code == 2:
        assert err.startswith("error: ") and not out.exists()
    else:
        assert (out / MANIFEST).is_file() and (out / "timeseries.csv").is_file()


def _main(args: list[str]) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(args)
    return code, err.getvalue()


@SETTINGS
@given(doc=documents, years=st.sampled_from([[], ["--years", "2"]]))
def test_any_toml_document_exits_0_or_2_without_traceback(doc, years):
    with tempfile.TemporaryDirectory() as tmp:
        parent = Path(tmp)
        config = parent / "c.toml"
        config.write_text(toml_document(doc), encoding="utf-8")
        out = parent / "out"
        code, err = _main(["run", "--config", str(config), *years, "--no-figures",
                           "--out", str(out)])
        config.unlink()
        _check_outcome(code, err, parent, out)


@SETTINGS
@given(content=st.binary(max_size=200))
def test_any_bytes_as_a_config_file_exit_0_or_2(content):
    with tempfile.TemporaryDirectory() as tmp:
        parent = Path(tmp)
        config = parent / "c.toml"
        config.write_bytes(content)
        out = parent / "out"
        code, err = _main(["run", "--config", str(config), "--years", "2", "--no-figures",
                           "--out", str(out)])
        config.unlink()
        _check_outcome(code, err, parent, out)


set_values = st.one_of(st.text(max_size=15), scalars.map(toml_value),
                       values.map(toml_value))
set_keys = st.one_of(st.sampled_from([*NAMES, "name", "description"]), st.text(max_size=10))


@SETTINGS
@given(pairs=st.lists(st.tuples(set_keys, set_values), min_size=1, max_size=3))
def test_any_set_values_exit_0_or_2_without_traceback(pairs):
    with tempfile.TemporaryDirectory() as tmp:
        parent = Path(tmp)
        out = parent / "out"
        sets = [a for key, value in pairs for a in ("--set", f"{key}={value}")]
        code, err = _main(["run", "--scenario", "classroom", "--years", "2", "--no-figures",
                           *sets, "--out", str(out)])
        _check_outcome(code, err, parent, out)


def test_random_documents_in_real_processes(tmp_path):
    """A few documents end to end through the installed command (a real process)."""
    cases = {
        "ok": '[run]\nend_year = 2014\n[smart_defence]\npooling = true\n',
        "strict": '[smart_defence]\npooling = "yes"\n',
    }
    for label, text in cases.items():
        config = tmp_path / f"{label}.toml"
        config.write_text(text)
        out = tmp_path / f"out_{label}"
        proc = subprocess.run([sys.executable, "-m", "alliancesim.cli", "run", "--config",
                               str(config), "--no-figures", "--out", str(out)],
                              capture_output=True, text=True, timeout=300)
        assert proc.returncode == (0 if label == "ok" else 2), proc.stderr
        assert "Traceback" not in proc.stderr
        assert out.exists() == (label == "ok")
