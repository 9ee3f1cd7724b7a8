#!/usr/bin/env bash
# Build the project's environment in .venv with a Python >= 3.12 found on this machine.
# Used by `make demo` and `make test` (and so by .ci/run). Safe to run again: it only
# reinstalls when pyproject.toml changed.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv
STAMP="$VENV/.installed-$(sha1sum pyproject.toml | cut -c1-12)"

find_python() {
  local candidates=()
  [ -n "${ALLIANCESIM_PYTHON:-}" ] && candidates+=("$ALLIANCESIM_PYTHON")
  candidates+=(python3.13 python3.12 python3)
  if command -v pyenv >/dev/null 2>&1; then
    local root; root=$(pyenv root)
    for p in "$root"/versions/3.1[2-9]*/bin/python "$root"/versions/3.[2-9]*/bin/python; do
      [ -x "$p" ] && candidates+=("$p")
    done
  fi
  candidates+=(/usr/bin/python3 /usr/local/bin/python3)
  for c in "${candidates[@]}"; do
    if command -v "$c" >/dev/null 2>&1 && \
       "$c" -c 'import sys, venv; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then
      command -v "$c"; return 0
    fi
  done
  return 1
}

if [ -f "$STAMP" ] && [ -x "$VENV/bin/python" ]; then
  exit 0
fi
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then
  PY=$(find_python) || { echo "error: no Python >= 3.12 found (set ALLIANCESIM_PYTHON)" >&2; exit 1; }
  echo "using $PY ($("$PY" --version))" >&2
  rm -rf "$VENV"
  "$PY" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet -e ".[viz,distributed,sensitivity,dev]"
rm -f "$VENV"/.installed-*
touch "$STAMP"
