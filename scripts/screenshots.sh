#!/usr/bin/env bash
# Regenerates docs/screenshots/*.png: sign-in, overview, device, case queue, audit (wide) and
# "My devices" (360 px), in English and Russian, taken in headless Chromium from a real
# `phaseout serve` on the small organisation of tests/web/fixture.
# usage: scripts/screenshots.sh [PHASEOUT]   (default: build/release/src/cli/phaseout)
set -euo pipefail
cd "$(dirname "$0")/.."
phaseout=${1:-build/release/src/cli/phaseout}
/usr/bin/python3 tests/web/web_test.py "$phaseout" --screenshots docs/screenshots
