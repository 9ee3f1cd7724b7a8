"""The shipped scenario files: where they are, what each is for, and reading TOML safely.

Needs only the standard library, so that ``alliancesim scenarios`` lists them without loading
the schema; ``config`` validates what these files say.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import ConfigError


def scenario_dir() -> Path:
    """Folder of the shipped scenario TOML files."""
    packaged = Path(str(resources.files("alliancesim") / "configs"))
    if packaged.is_dir():  # installed wheel: configs/ is packaged inside alliancesim
        return packaged
    return Path(__file__).resolve().parents[2] / "configs"  # source checkout


def list_scenarios() -> dict[str, str]:
    """Scenario name -> one-line description, for every shipped scenario."""
    out = {}
    for path in sorted(scenario_dir().glob("*.toml")):
        data = read_toml(path)
        out[path.stem] = str(data.get("description", ""))
    return out


def read_toml(path: str | Path, kind: str = "config") -> dict[str, Any]:
    """Parse a TOML file; a missing, unreadable, non-UTF-8 or malformed file is a
    :class:`ConfigError` naming it."""
    path = Path(path)
    if path.is_dir():
        raise ConfigError(f"{kind} file {path} is a folder; give a TOML file")
    if not path.is_file():
        raise ConfigError(f"{kind} file not found: {path}")
    try:
        with path.open("rb") as fh:
            raw = fh.read()
    except OSError as err:
        raise ConfigError(f"cannot read {kind} file {path}: {err.strerror or err}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ConfigError(f"{kind} file {path} is not UTF-8 text (byte {err.start}: "
                          f"{raw[err.start:err.start + 1]!r}); TOML files must be UTF-8"
                          ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"malformed TOML in {path}: {err}") from None
    except RecursionError:
        raise ConfigError(f"malformed TOML in {path}: nested too deeply") from None
