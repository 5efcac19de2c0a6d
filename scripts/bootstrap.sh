#!/usr/bin/env bash
# Create .venv with a Python 3.10 and install the pinned dependencies; quick when nothing changed.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv
STAMP=$VENV/.installed

find_python() {
  if command -v python3.10 >/dev/null 2>&1 && python3.10 -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
    command -v python3.10
    return 0
  fi
  local root
  root=$(pyenv root 2>/dev/null || echo "${PYENV_ROOT:-$HOME/.pyenv}")
  local candidate
  for candidate in $(ls -d "$root"/versions/3.10.* 2>/dev/null | sort -V -r); do
    if [ -x "$candidate/bin/python" ]; then
      echo "$candidate/bin/python"
      return 0
    fi
  done
  return 1
}

if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
  if ! PY=$(find_python); then
    echo "error: Python 3.10 not found. Install it (e.g. 'pyenv install 3.10' or 'apt-get install python3.10') and run again." >&2
    exit 2
  fi
  echo "bootstrap: creating $VENV with $PY"
  rm -rf "$VENV"
  "$PY" -m venv "$VENV"
fi

want=$(cat requirements.lock | sha256sum | cut -d' ' -f1)
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
  exit 0
fi
echo "bootstrap: installing pinned dependencies (about a minute the first time)"
log=$VENV/pip.log
pip_run() {
  if ! "$VENV/bin/python" -m pip "$@" >"$log" 2>&1; then
    grep -v "^WARNING: Location" "$log" >&2
    echo "error: 'pip $*' failed (full log: $log)" >&2
    exit 1
  fi
}
pip_run install --quiet --upgrade "pip==24.0" "setuptools<70" wheel
pip_run install --quiet -r requirements.lock
pip_run check
"$VENV/bin/python" -c 'import rasa, rasa_sdk, telegram, sqlalchemy' || { echo "error: the dependencies did not install" >&2; exit 1; }
echo "$want" > "$STAMP"
echo "bootstrap: done"
