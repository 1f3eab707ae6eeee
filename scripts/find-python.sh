#!/bin/sh
# Prints the path of a Python 3.12+ interpreter, or explains what to install and fails.
# Order: $PYTHON if given, then the usual names on PATH, then pyenv's installed versions
# (pyenv shims only answer for the selected version, so we also look at the versions directly).
for c in ${PYTHON:-} python3.12 python3.13 python3 \
         "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.12*/bin/python3 \
         "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.13*/bin/python3; do
  case "$c" in *'*'*) continue ;; esac
  if "$c" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; then
    command -v "$c" 2>/dev/null || echo "$c"
    exit 0
  fi
done
cat >&2 <<'MSG'
No Python 3.12 or newer was found.
Install one (for example `pyenv install 3.12`, or your system's python3.12 package with its venv module)
and run make again, or point to it explicitly: make run PYTHON=/path/to/python3.12
MSG
exit 1
