#!/usr/bin/env bash
# Recompile the generated apps' locked Python dependencies with hashes (maintainers, after editing a .in):
#
#   bash scripts/lock-python.sh
#
# src/codegen/requirements/app.in  → app.txt   (what every generated app installs, --require-hashes)
# src/codegen/requirements/test.in → test.txt  (app.txt's exact set + pytest, ruff, schemathesis)
#
# Universal resolution for Python 3.11 (PYTHON_MINOR in src/codegen/defaults.ts): one file for every
# platform, each package with the hashes of all its published files. uv comes from PyPI into .cache/.
set -Eeuo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
UV_VERSION="0.13.8"
TOOLS="$ROOT/.cache/uv-$UV_VERSION"
if [ ! -x "$TOOLS/bin/uv" ]; then
  python3 -m venv "$TOOLS"
  "$TOOLS/bin/pip" install -q --disable-pip-version-check "uv==$UV_VERSION"
fi
cd "$ROOT/src/codegen/requirements"
for name in app test; do
  "$TOOLS/bin/uv" pip compile "$name.in" -o "$name.txt" --quiet --universal --python-version 3.11 \
    --generate-hashes --no-header --annotation-style line
done
echo "locked: $(grep -c '==' app.txt) app packages, $(grep -c '==' test.txt) test packages"
