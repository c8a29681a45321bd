#!/usr/bin/env bash
# Installs MITRE's SAF CLI (@mitre/saf 1.5.3, exactly as tools/hdf/package-lock.json pins it) into
# tools/hdf/node_modules when it is not there yet, for the HDF check of the tests
# (test/report-hdf-causes.test.ts) and of the bench (bench/consumers.mjs). It is not a dependency of
# ixaudit: some 650 packages, about a minute from the npm registry. .ci/run and `npm run bench` call it;
# `npm test` does not (it skips the check, saying so, when the CLI is missing; with CI=true it fails).
# 1.5.3 warns EBADENGINE on Node 20 (some of its packages want Node 22) and runs.
set -euo pipefail
cd "$(dirname "$0")/../tools/hdf"
[ -x node_modules/.bin/saf ] && exit 0
echo "[ixaudit] installing @mitre/saf 1.5.3 into tools/hdf (once)" >&2
npm ci --no-audit --no-fund --loglevel=error >&2
