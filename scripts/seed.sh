#!/usr/bin/env bash
# Development seed data of the NovaCron database: a thin wrapper over the
# `novacron-db` binary, with the verbs of the old seed script.
#
# Usage: scripts/seed.sh [COMMAND] [OPTIONS]
#
# Commands:
#   seed        seed the development data (the default; idempotent)
#   clean       remove the seed rows, and nothing else
#   reset       drop, migrate and seed (asks first; --yes to skip)
#   summary     count the rows of the main tables (needs psql)
#   help        show this message
#
# Options:
#   -d, --db URL   database URL (instead of DB_URL)
#   -h, --help     show this message
#   Anything else is passed to novacron-db (e.g. --yes, --force).
#
# Environment (passed through to novacron-db):
#   DB_URL, DATABASE_URL   connection URL (DB_URL wins)
#   SEED_DIR               run seeds from this directory instead of the embedded ones
#   MIGRATIONS_DIR         migrations for reset, instead of the embedded ones
#   DEBUG=1                trace this script (set -x) and debug logs of novacron-db
#   NOVACRON_DB_BIN        run this binary instead of building target/debug/novacron-db
#   CARGO_TARGET_DIR       where cargo builds the binary
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
trace_if_debug

# psql through the binary: it puts the connection in psql's environment, so
# the password is never on a command line (`ps` shows those).
summary() {
    find_binary
    "$BIN" console -- -X -q -A -t -F ': ' -v ON_ERROR_STOP=1 -c "
        SELECT 'Organizations', count(*) FROM organizations
        UNION ALL SELECT 'Users', count(*) FROM users
        UNION ALL SELECT 'Nodes', count(*) FROM nodes
        UNION ALL SELECT 'VMs', count(*) FROM vms
        UNION ALL SELECT 'Metrics records', count(*) FROM vm_metrics"
}

verb=${1:-seed}
[[ $# -gt 0 ]] && shift
case $verb in
    seed | clean | reset | summary) ;;
    help | -h | --help) usage; exit 0 ;;
    *) usage_error "unknown command: $verb" ;;
esac

args=()
while [[ $# -gt 0 ]]; do
    case $1 in
        -d | --db | --db=*) db_option "$@"; shift "$TAKEN" ;;
        -h | --help) usage; exit 0 ;;
        *) args+=("$1"); shift ;;
    esac
done

if [[ $verb == summary ]]; then
    summary
    exit 0
fi

find_binary
exec "$BIN" "$verb" "${args[@]}"
