# Shared by migrate.sh, seed.sh and ensure-postgres.sh (sourced, not run):
# debug tracing, usage printing and finding the novacron-db binary.
# shellcheck shell=bash

# DEBUG=1: trace the calling script (set -x) and pass DEBUG on to the binary.
# (ensure-postgres.sh does not call it: its trace would show the password it
# handles.)
trace_if_debug() {
    if [[ ${DEBUG:-} == 1 ]]; then
        export DEBUG
        set -x
    fi
}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SCRIPT=$(basename "$0")

# The calling script's header comment is its usage text.
usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; }
usage_error() {
    printf '%s: %s\n\n' "$SCRIPT" "$*" >&2
    usage >&2
    exit 2
}

# `-d URL`, `--db URL` or `--db=URL` in $1 (and $2): exported as DB_URL, so the
# password reaches the binary through the environment and never shows in `ps`.
# Sets TAKEN to how many arguments it used, for the caller's `shift`.
db_option() {
    case $1 in
        --db=*) export DB_URL=${1#*=}; TAKEN=1 ;;
        *)
            [[ $# -ge 2 ]] || usage_error "$1 needs a URL"
            export DB_URL=$2
            TAKEN=2
            ;;
    esac
}

# Sets BIN: NOVACRON_DB_BIN, else the workspace's debug binary, built (or brought
# up to date) by cargo so the embedded migrations and seeds match the files, else
# a `novacron-db` on PATH (e.g. in the container image, which has no cargo).
find_binary() {
    if [[ -n ${NOVACRON_DB_BIN:-} ]]; then
        BIN=$NOVACRON_DB_BIN
    elif command -v cargo >/dev/null 2>&1; then
        local target=${CARGO_TARGET_DIR:-target} log
        [[ $target == /* ]] || target=$ROOT/$target
        BIN=$target/debug/novacron-db
        if [[ ! -x $BIN ]]; then
            echo "$SCRIPT: building novacron-db (the first build takes a few minutes)" >&2
            # A new machine may lack what the build needs (libclang for pg_query's
            # bindgen): the same check `make dev` and `make test` make, silent when
            # everything is present, so every script works, not only the Makefile's.
            "$ROOT/scripts/ensure-deps.sh" || exit 1
        fi
        # Cargo's output only when the build fails: warnings are not the user's business.
        # The workspace's one build (see cargo-test.sh): the binary of
        # `make build` and of the test suite, not a build of its own.
        if ! log=$("$ROOT/scripts/cargo-test.sh" --no-run -q 2>&1); then
            printf '%s\n%s: building novacron-db failed\n' "$log" "$SCRIPT" >&2
            exit 1
        fi
    elif command -v novacron-db >/dev/null 2>&1; then
        BIN=$(command -v novacron-db)
    else
        echo "$SCRIPT: neither cargo nor novacron-db found: install Rust (https://rustup.rs) or put novacron-db on PATH" >&2
        exit 1
    fi
}
