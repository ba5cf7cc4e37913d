#!/usr/bin/env bash
# Builds dist/reach-studio/ (PyInstaller one-dir) from the project's venv.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
.venv/bin/python -m pip install -q -e ".[packaging]"
.venv/bin/python -m PyInstaller --noconfirm --clean --distpath dist --workpath build packaging/reach_studio.spec
# Smoke test: the frozen client must still see its plugins.
QT_QPA_PLATFORM=offscreen dist/reach-studio/reach-studio --version
