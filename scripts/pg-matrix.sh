#!/usr/bin/env bash
# The servers of other PostgreSQL versions that `PG_MAJOR=N scripts/ensure-postgres.sh`
# runs (localhost port 5400+N, in PG_CACHE_DIR/N): their URLs, for the Makefile and
# other scripts, starting, listing and stopping them. The URLs carry the default
# password (postgres), as the Makefile's defaults do.
#
# Usage: scripts/pg-matrix.sh COMMAND [N]
#   versions     the versions PG_MAJOR can be, on one line
#   url N        DB_URL of version N (database novacron)
#   test-url N   DB_TEST_URL of version N (database postgres)
#   env N        export lines of PG_MAJOR, DB_URL, DB_TEST_URL (PG_PORT_BASE), for eval
#   ensure N     install, start and set up version N (ensure-postgres.sh --also-test)
#   status       a line per version: port, installed, running
#   stop N|all   stop version N's server (all: every running one)
#
# Environment: PG_CACHE_DIR and PG_PORT_BASE, as for ensure-postgres.sh.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=ensure-postgres.sh
source "$HERE/ensure-postgres.sh"

usage_error() {
    printf 'pg-matrix: %s\n\n' "$*" >&2
    usage >&2
    exit 2
}

# Sets PG_MAJOR, VPORT and VDIR to version $1 (refuses an unknown one).
version() {
    [[ -n ${1:-} ]] || usage_error "which version? one of ${!PG_PACKAGES[*]}"
    PG_MAJOR=$1
    major_setup
}

running() { major_running_port >/dev/null; }

stop_version() {
    if ! running; then
        say "PostgreSQL $PG_MAJOR is not running"
        return 0
    fi
    # pg_ctl of any release of this major stops it (the one it runs may be older).
    local pgctl
    pgctl=$(compgen -G "$VDIR/pkg-*/native/bin/pg_ctl" | head -n 1) || die "no pg_ctl in $VDIR"
    say "stopping PostgreSQL $PG_MAJOR (port $(major_running_port))"
    as_owner "$pgctl" -D "$VDIR/data" -m fast -w stop >/dev/null
}

cmd=${1:-}
(($#)) && shift
case $cmd in
    versions) echo "${!PG_PACKAGES[*]}" ;;
    url) version "${1:-}"; major_url "$DEFAULT_DB_URL" "$PG_MAJOR"; echo ;;
    test-url) version "${1:-}"; major_url "$DEFAULT_DB_TEST_URL" "$PG_MAJOR"; echo ;;
    env)
        version "${1:-}"
        printf 'export PG_MAJOR=%s\n' "$PG_MAJOR"
        [[ -z ${PG_PORT_BASE:-} ]] || printf 'export PG_PORT_BASE=%s\n' "$PG_PORT_BASE"
        printf "export DB_URL='%s'\n" "$(major_url "$DEFAULT_DB_URL" "$PG_MAJOR")"
        printf "export DB_TEST_URL='%s'\n" "$(major_url "$DEFAULT_DB_TEST_URL" "$PG_MAJOR")"
        ;;
    ensure)
        version "${1:-}"
        env -u DB_URL -u DB_TEST_URL PG_MAJOR="$PG_MAJOR" "$HERE/ensure-postgres.sh" --also-test
        ;;
    status)
        for n in "${!PG_PACKAGES[@]}"; do
            version "$n"
            installed=no
            compgen -G "$VDIR/pkg-*/native/bin/postgres" >/dev/null && installed=yes
            state=stopped
            port=$(major_running_port) && state="running on port $port"
            printf '%s  port %s  installed: %-3s  %-20s  %s\n' "$n" "$VPORT" "$installed" "$state" "$VDIR"
        done
        ;;
    stop)
        if [[ ${1:-} == all ]]; then
            for n in "${!PG_PACKAGES[@]}"; do
                version "$n"
                running && stop_version
            done
        else
            version "${1:-}"
            stop_version
        fi
        ;;
    -h | --help | help) usage ;;
    '') usage_error "no command" ;;
    *) usage_error "unknown command: $cmd" ;;
esac
