#!/usr/bin/env bash
# Runs novacron-db with the arguments given, brought up to date first when
# cargo is here (so the embedded migrations and seeds match the files): how
# the Makefile's targets call it.
#   scripts/run.sh status
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
find_binary
exec "$BIN" "$@"
