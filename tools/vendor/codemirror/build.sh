#!/usr/bin/env bash
# Rebuild static/vendor/codemirror/ (the lesson-plan editor) from the pinned npm packages.
# Needs Node >= 18 and npm; run from anywhere. Nothing here runs when the app runs.
#
#   tools/vendor/codemirror/build.sh           install the locked packages, rebuild, rewrite SHA256SUMS
#   tools/vendor/codemirror/build.sh --check   the same build in memory: fail unless it equals the committed files
#   tools/vendor/codemirror/build.sh --debug   unminified bundle + source map in tools/vendor/codemirror/dist/
#
# To upgrade: edit the versions in package.json (exact versions only), run `npm install`
# here to refresh package-lock.json, run this script, review VERSIONS and LICENSES.txt, commit.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
node build.mjs "$@"
