#!/usr/bin/env bash
# Migrations of the NovaCron database: a thin wrapper over the `novacron-db`
# binary, with the verbs and flags of the old golang-migrate script.
#
# Usage: scripts/migrate.sh COMMAND [OPTIONS]
#
# Commands:
#   up [-n N]          apply all pending migrations (or the next N)
#   down [-n N]        roll back the last migration (or the last N)
#   down-all           roll back every migration (asks first; --yes to skip)
#   goto V             migrate up or down to exactly version V
#   create NAME        create an empty up/down pair (timestamp version; --seq for
#                      the next number); into MIGRATIONS_DIR, else the repository's
#                      migrations/ wherever you run this from
#   version            show the current version (and whether it is dirty)
#   status             show every migration: applied or pending, when, checksum
#   validate           check the migration files (and, with a database, drift)
#   force V            set the version without running anything, clear dirty
#   drop               drop everything in the database (asks first)
#   help               show this message
#
# Options:
#   -n, --steps N      number of migrations (up, down)
#   -d, --db URL       database URL (instead of DB_URL)
#   -h, --help         show this message
#   Anything else is passed to novacron-db (e.g. --dry-run, --yes, --json).
#
# Environment (passed through to novacron-db):
#   DB_URL, DATABASE_URL   connection URL (DB_URL wins)
#   MIGRATIONS_DIR         run from this directory instead of the embedded migrations
#   DEBUG=1                trace this script (set -x) and debug logs of novacron-db
#   NOVACRON_DB_BIN        run this binary instead of building target/debug/novacron-db
#   CARGO_TARGET_DIR       where cargo builds the binary
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
trace_if_debug

verb=${1:-}
[[ $# -gt 0 ]] && shift
case $verb in
    up | down | down-all | goto | create | version | status | validate | force | drop) ;;
    help | -h | --help) usage; exit 0 ;;
    '') usage_error "no command given" ;;
    *) usage_error "unknown command: $verb" ;;
esac

args=()
has_dir=''
while [[ $# -gt 0 ]]; do
    case $1 in
        -n | --steps)
            [[ $# -ge 2 ]] || usage_error "$1 needs a number"
            args+=(-n "$2")
            shift 2
            ;;
        --steps=*) args+=(-n "${1#*=}"); shift ;;
        -d | --db | --db=*) db_option "$@"; shift "$TAKEN" ;;
        -h | --help) usage; exit 0 ;;
        --dir | --dir=*) has_dir=1; args+=("$1"); shift ;;
        *) args+=("$1"); shift ;;
    esac
done

case $verb in
    down-all) set -- down --all ;;
    create)
        set -- create
        # The binary's default is ./migrations of the current directory; the
        # old script's was the migrations of this repository.
        if [[ -z ${MIGRATIONS_DIR:-} && -z $has_dir ]]; then
            set -- create --dir "$ROOT/migrations"
        fi
        ;;
    *) set -- "$verb" ;;
esac

find_binary
exec "$BIN" "$@" "${args[@]}"
