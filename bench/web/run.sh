#!/usr/bin/env bash
# `make bench` runs this: the dashboard's overview in the browser (overview.sh).
exec "$(dirname "${BASH_SOURCE[0]}")/overview.sh" "$@"
