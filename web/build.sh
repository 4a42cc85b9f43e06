#!/bin/sh
# Build the playground's script (web/src/, CodeMirror 6) into rulex/serve/static/playground.js, beside
# the page and its style sheet written there by hand (all committed, so that the wheel and a
# machine with Python only need no npm): `cd web && ./build.sh` (npm ci first on a fresh checkout).
set -eu
cd "$(dirname "$0")"
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run build

node licenses.mjs
