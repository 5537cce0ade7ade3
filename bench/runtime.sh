#!/usr/bin/env bash
# Run-time benchmark: novacron-db against psql as the floor, on N generated
# migrations (one table + one index each, with downs).
#
#   bash bench/runtime.sh              # N=1000, RUNS=3: best and median of RUNS
#   N=200 RUNS=5 bash bench/runtime.sh
#   SWEEP="100 1000 5000" bash bench/runtime.sh   # directory mode at several N
#   BENCH_PEERS=1 bash bench/runtime.sh           # + refinery_cli and dbmate
#   BENCH_SQLX=1 bash bench/runtime.sh            # + sqlx-cli (~10 min build)
#
# Tools (each run measures every one in turn, so load on the machine is
# shared alike):
#   embedded     a release binary that embeds the N migrations with
#                embed_migrations! (as the novacron-db binary embeds NovaCron's),
#                built under target/bench-runtime/app
#   --dir cold   the novacron-db binary in directory mode with an empty analysis
#                cache: it parses and checks the N files, then caches the facts
#   --dir        the same with the cache from the run before (what a user sees
#                from the second run on)
#   --dir nocache  NOVACRON_DB_NO_CACHE=1: the full analysis on every run
#   psql         the floor
#   refinery, dbmate (BENCH_PEERS=1), sqlx (BENCH_SQLX=1): pinned versions
#                installed under target/bench-runtime/peers, same files
#                (renamed to their conventions), same server
#
# Rows:
#   apply all       `up`                        floor: one psql session, each file
#                                               between BEGIN and COMMIT
#   apply all -1    `up --single-transaction`   floor: the same files, `psql -1`
#   nothing to do   `up` on a current database  floor: psql -c 'select 1'
#                   (mean of 20 runs)
#   nothing to do,  the same with sslmode=prefer (TLS when the server offers
#   sslmode=prefer  it), floor: psql with PGSSLMODE=prefer
#   roll back all   `down --all --yes`          floor: one psql session, downs
#                                               newest first, BEGIN/COMMIT each
#   peak memory     `up` on an empty database (/usr/bin/time's maximum RSS)
# Columns: best and median of the runs, their ratios to psql's best and
# median, and "paired": the median over the runs of each run's own ratio.
# Goals (issues 5, 15): apply and roll back within 1.00x of the floor; nothing
# to do within 1.2x of `psql -c 'select 1'` and flat in N, in directory mode
# too; peak memory under 30 MB.
#
# DB_TEST_URL names the server (default: the local cluster); databases named
# ncbench_* are created and dropped. The first run compiles the embedding app
# (about 1.5 min for N=1000 on 2 cores).
set -euo pipefail

N="${N:-1000}"
RUNS="${RUNS:-3}"
SWEEP="${SWEEP:-100 1000}"
case "$N" in '' | *[!0-9]* | 0) echo "N must be a positive integer, got '$N'" >&2; exit 2 ;; esac
case "$RUNS" in '' | *[!0-9]* | 0) echo "RUNS must be a positive integer, got '$RUNS'" >&2; exit 2 ;; esac
for n in $SWEEP; do
    case "$n" in *[!0-9]* | 0) echo "SWEEP: positive integers, got '$n'" >&2; exit 2 ;; esac
done

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="$ROOT/target/bench-runtime"
PEERS="$WORK/peers"
ADMIN_URL="${DB_TEST_URL:-postgres://postgres:postgres@localhost:5432/postgres?sslmode=disable}"
PSQL="$(pg_config --bindir 2>/dev/null)/psql"
[[ -x $PSQL ]] || PSQL=$(command -v psql) || { echo "psql not found" >&2; exit 1; }
# Pinned peers: the same versions on every machine.
REFINERY_VERSION=0.10.0
DBMATE_VERSION=2.36.0
SQLX_VERSION=0.9.0

echo "building the release binary..." >&2
(cd "$ROOT" && cargo build -q --release --bin novacron-db)
DIR_BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/novacron-db"

# The binary reads the URLs (no bash parses one). psql finds the server in
# libpq's environment, exported here once, and gets a database name only: the
# password is never on its command line.
db_url() { DB_URL=$ADMIN_URL "$DIR_BIN" conninfo --url --with-database "$1"; } # db_url NAME
eval "$(DB_URL=$ADMIN_URL "$DIR_BIN" conninfo --env)"
ADMIN_DB=${PGDATABASE:-postgres}

# gen DIR N: N migrations in our (golang-migrate's) layout.
gen() {
    local dir=$1 n=$2 i v
    rm -rf "$dir"
    mkdir -p "$dir"
    for ((i = 1; i <= n; i++)); do
        printf -v v '%06d' "$i"
        printf 'CREATE TABLE t%d (\n  id bigserial PRIMARY KEY,\n  name text NOT NULL,\n  created_at timestamptz NOT NULL DEFAULT now()\n);\nCREATE INDEX t%d_name_idx ON t%d (name);\n' \
            "$i" "$i" "$i" >"$dir/${v}_t${i}.up.sql"
        printf 'DROP TABLE t%d;\n' "$i" >"$dir/${v}_t${i}.down.sql"
    done
}
gen "$WORK/migrations" "$N"
rm -rf "$WORK/app/migrations"
mkdir -p "$WORK/app/src"

# The embedding app: the same files, compiled in. It shares the workspace's
# lock file (same dependency versions) and target directory (built once).
cp -r "$WORK/migrations" "$WORK/app/migrations"
printf '%s\n' \
    '[package]' 'name = "novacron-bench-app"' 'version = "0.0.0"' 'edition = "2024"' 'publish = false' '' \
    '[workspace]' '' '[dependencies]' "migrate-runtime = { package = \"pgcheck\", path = \"$ROOT/migrate-runtime\", features = [\"cli\", \"tls\"] }" \
    >"$WORK/app/Cargo.toml"
printf '%s\n' \
    'migrate_runtime::embed_migrations!("migrations");' '' \
    'fn main() -> std::process::ExitCode {' '    migrate_runtime::cli::App::new("novacron-bench-app").migrations(&MIGRATIONS).main()' '}' \
    >"$WORK/app/src/main.rs"
cp "$ROOT/Cargo.lock" "$WORK/app/Cargo.lock"
echo "building the embedding app (N=$N)..." >&2
(cd "$WORK/app" && CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}" cargo build -q --release)
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/novacron-bench-app"

# --- peers (opt-in) -------------------------------------------------------------
REFINERY='' DBMATE='' SQLX=''
if [[ ${BENCH_PEERS:-} == 1 ]]; then
    echo "installing refinery_cli $REFINERY_VERSION and dbmate $DBMATE_VERSION under ${PEERS#"$ROOT"/}..." >&2
    [[ -x $PEERS/bin/refinery ]] ||
        CARGO_TARGET_DIR="$PEERS/target" cargo install -q --locked --root "$PEERS" \
            refinery_cli --version "$REFINERY_VERSION" --no-default-features --features postgresql
    [[ -x $PEERS/npm/node_modules/.bin/dbmate ]] ||
        npm install --silent --no-audit --no-fund --prefix "$PEERS/npm" "dbmate@$DBMATE_VERSION" >&2
    REFINERY="$PEERS/bin/refinery" DBMATE="$PEERS/npm/node_modules/.bin/dbmate"
fi
if [[ ${BENCH_SQLX:-} == 1 ]]; then
    echo "installing sqlx-cli $SQLX_VERSION under ${PEERS#"$ROOT"/} (a long build)..." >&2
    [[ -x $PEERS/bin/sqlx ]] ||
        CARGO_TARGET_DIR="$PEERS/target" cargo install -q --locked --root "$PEERS" \
            sqlx-cli --version "$SQLX_VERSION" --no-default-features --features postgres,native-tls
    SQLX="$PEERS/bin/sqlx"
fi
# Their layouts: refinery V{n}__{name}.sql (ups only); dbmate one file with
# `-- migrate:up` and `-- migrate:down` sections. sqlx reads ours as it is
# ({version}_{name}.up.sql / .down.sql).
if [[ -n $REFINERY ]]; then
    rm -rf "$WORK/refinery" && mkdir -p "$WORK/refinery"
    for f in "$WORK"/migrations/*.up.sql; do
        b=${f##*/} && v=${b%%_*}
        n=${b#*_} && n=${n%.up.sql}
        cp "$f" "$WORK/refinery/V$((10#$v))__$n.sql"
    done
fi
if [[ -n $DBMATE ]]; then
    rm -rf "$WORK/dbmate" && mkdir -p "$WORK/dbmate"
    for f in "$WORK"/migrations/*.up.sql; do
        b=${f##*/}
        { echo '-- migrate:up'; cat "$f"; echo; echo '-- migrate:down'; cat "${f%.up.sql}.down.sql"; } \
            >"$WORK/dbmate/${b%.up.sql}.sql"
    done
fi

# The floor's scripts: every file between BEGIN and COMMIT, in one session.
floor_scripts() { # floor_scripts DIR: DIR/floor_up.sql, floor_up_1.sql, floor_down.sql
    local d=$1 f
    for f in "$d"/*.up.sql; do printf 'BEGIN;\n\\i %s\nCOMMIT;\n' "$f"; done >"$d.floor_up.sql"
    for f in "$d"/*.up.sql; do printf '\\i %s\n' "$f"; done >"$d.floor_up_1.sql"
    for f in $(ls "$d"/*.down.sql | sort -r); do printf 'BEGIN;\n\\i %s\nCOMMIT;\n' "$f"; done >"$d.floor_down.sql"
}
floor_scripts "$WORK/migrations"

psql_admin() { PGOPTIONS='-c client_min_messages=warning' "$PSQL" -X -q -v ON_ERROR_STOP=1 -d "$ADMIN_DB" -c "$1" >/dev/null; }
fresh_db() { # fresh_db NAME
    psql_admin "DROP DATABASE IF EXISTS $1 WITH (FORCE)"
    psql_admin "CREATE DATABASE $1"
}
now() { date +%s.%N; }
# timed CMD...: seconds CMD takes, its output discarded.
timed() {
    local t
    t=$(now)
    "$@" >/dev/null
    awk -v a="$t" -v b="$(now)" 'BEGIN { printf "%.4f", b - a }'
}
mean20() { # mean20 CMD...: mean wall time of 20 runs
    local t i
    t=$(now)
    for ((i = 0; i < 20; i++)); do "$@" >/dev/null; done
    awk -v a="$t" -v b="$(now)" 'BEGIN { printf "%.4f", (b - a) / 20 }'
}
peak_mb() { # peak_mb CMD...: maximum RSS in MB (CMD a program: time runs it)
    /usr/bin/time -o "$WORK/time.out" -f '%M' "$@" >/dev/null 2>&1
    awk '{ v = $1 } END { printf "%.1f", v / 1024 }' "$WORK/time.out"
}
# floor DB FILE, floor1 DB FILE, select1 DB: psql on database DB of the server.
floor() { "$PSQL" -X -q -v ON_ERROR_STOP=1 -d "$1" -f "$2" >/dev/null; }
floor1() { "$PSQL" -X -q -1 -v ON_ERROR_STOP=1 -d "$1" -f "$2" >/dev/null; }
select1() { "$PSQL" -X -q -d "$1" -c 'select 1'; }
# The same over TLS where the server offers it (libpq's default sslmode, what
# a user's URL without one gets), for the tools as for psql.
select1_tls() { PGSSLMODE=prefer select1 "$1"; }
ours() { DB_URL=$URL "$BIN" --lock-timeout 60s "$@"; }
# dir CACHE DIR ARGS...: directory mode with the analysis cache under CACHE
# ("off": NOVACRON_DB_NO_CACHE=1).
dir() {
    local cache=$1 d=$2
    shift 2
    if [[ $cache == off ]]; then
        DB_URL=$URL NOVACRON_DB_NO_CACHE=1 "$DIR_BIN" --lock-timeout 60s --dir "$d" "$@"
    else
        DB_URL=$URL XDG_CACHE_HOME=$cache "$DIR_BIN" --lock-timeout 60s --dir "$d" "$@"
    fi
}
refinery() { DATABASE_URL=$URL "$REFINERY" migrate -e DATABASE_URL -p "$WORK/refinery"; }
dbmate() { "$DBMATE" --url "$URL" --migrations-dir "$WORK/dbmate" --no-dump-schema migrate; }
sqlx() { "$SQLX" "$@" --database-url "$URL" --source "$WORK/migrations"; }

# Samples: S["row|tool"] holds one figure per run, space separated.
declare -A S
add() { S["$1|$2"]+="$3 "; }
DB=ncbench_db
URL=$(db_url $DB)
TLS_URL=${URL/sslmode=disable/sslmode=prefer}
WARM="$WORK/cache-warm"
COLD="$WORK/cache-cold"
rm -rf "$WARM"
# The warm cache: one run before the timed ones (as a user's first run).
fresh_db $DB
dir "$WARM" "$WORK/migrations" up >/dev/null

for ((r = 1; r <= RUNS; r++)); do
    echo "run $r/$RUNS (N=$N)..." >&2
    M="$WORK/migrations"
    fresh_db $DB
    add apply psql "$(timed floor "$DB" "$M.floor_up.sql")"
    add down psql "$(timed floor "$DB" "$M.floor_down.sql")"
    fresh_db $DB
    add apply1 psql "$(timed floor1 "$DB" "$M.floor_up_1.sql")"
    add noop psql "$(mean20 select1 "$DB")"
    add noop_tls psql "$(mean20 select1_tls "$DB")"

    fresh_db $DB
    add apply embedded "$(timed ours up)"
    add noop embedded "$(mean20 ours up)"
    add noop_tls embedded "$(URL=$TLS_URL mean20 ours up)"
    add down embedded "$(timed ours down --all --yes)"
    fresh_db $DB
    add apply1 embedded "$(timed ours up --single-transaction)"

    rm -rf "$COLD"
    fresh_db $DB
    add apply '--dir cold' "$(timed dir "$COLD" "$M" up)"
    fresh_db $DB
    add apply '--dir' "$(timed dir "$WARM" "$M" up)"
    add noop '--dir' "$(mean20 dir "$WARM" "$M" up)"
    add noop_tls '--dir' "$(URL=$TLS_URL mean20 dir "$WARM" "$M" up)"
    add noop '--dir nocache' "$(mean20 dir off "$M" up)"
    add down '--dir' "$(timed dir "$WARM" "$M" down --all --yes)"
    fresh_db $DB
    add apply1 '--dir' "$(timed dir "$WARM" "$M" up --single-transaction)"

    if [[ -n $REFINERY ]]; then
        fresh_db $DB
        add apply refinery "$(timed refinery)"
        add noop refinery "$(mean20 refinery)"
    fi
    if [[ -n $DBMATE ]]; then
        fresh_db $DB
        add apply dbmate "$(timed dbmate)"
        add noop dbmate "$(mean20 dbmate)"
    fi
    if [[ -n $SQLX ]]; then
        fresh_db $DB
        add apply sqlx "$(timed sqlx migrate run)"
        add noop sqlx "$(mean20 sqlx migrate run)"
        add down sqlx "$(timed sqlx migrate revert --target-version 0)"
    fi
done

# Peak memory of `up` on an empty database.
if [[ -x /usr/bin/time ]]; then
    fresh_db $DB
    add mem embedded "$(peak_mb env DB_URL="$URL" "$BIN" up)"
    fresh_db $DB
    rm -rf "$COLD"
    add mem '--dir cold' "$(peak_mb env DB_URL="$URL" XDG_CACHE_HOME="$COLD" "$DIR_BIN" --dir "$WORK/migrations" up)"
    fresh_db $DB
    add mem '--dir' "$(peak_mb env DB_URL="$URL" XDG_CACHE_HOME="$WARM" "$DIR_BIN" --dir "$WORK/migrations" up)"
    add mem '--dir nothing to do' "$(peak_mb env DB_URL="$URL" XDG_CACHE_HOME="$WARM" "$DIR_BIN" --dir "$WORK/migrations" up)"
fi

# The N sweep: directory mode (no embedding app to build per N) and psql.
declare -A SW
if [[ -n ${SWEEP// /} ]]; then
    for n in $SWEEP; do
        d="$WORK/sweep-$n"
        [[ -d $d && $(ls "$d" | wc -l) == $((2 * n)) ]] || gen "$d" "$n"
        floor_scripts "$d"
        rm -rf "$WORK/cache-sweep"
        fresh_db $DB
        dir "$WORK/cache-sweep" "$d" up >/dev/null
        for ((r = 1; r <= RUNS; r++)); do
            echo "sweep N=$n, run $r/$RUNS..." >&2
            fresh_db $DB
            SW["$n|psql apply"]+="$(timed floor "$DB" "$d.floor_up.sql") "
            SW["$n|psql noop"]+="$(mean20 select1 "$DB") "
            rm -rf "$COLD"
            fresh_db $DB
            SW["$n|cold apply"]+="$(timed dir "$COLD" "$d" up) "
            fresh_db $DB
            SW["$n|apply"]+="$(timed dir "$WORK/cache-sweep" "$d" up) "
            SW["$n|noop"]+="$(mean20 dir "$WORK/cache-sweep" "$d" up) "
            SW["$n|nocache noop"]+="$(mean20 dir off "$d" up) "
        done
    done
fi
psql_admin "DROP DATABASE IF EXISTS $DB WITH (FORCE)"
rm -rf "$COLD"

stat_of() { # stat_of best|median "v1 v2 ...": the best (least) or the median
    [[ -n ${2// /} ]] || return 0
    printf '%s\n' $2 | sort -g | awk -v w="$1" '{ a[NR] = $1 } END {
        if (NR == 0) exit
        if (w == "best") printf "%.4f", a[1]
        else if (NR % 2) printf "%.4f", a[(NR + 1) / 2]
        else printf "%.4f", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a != "" && b > 0) printf "%.2fx", a / b; else print "-" }'; }
# paired "t1 t2 ..." "p1 p2 ...": the median over the runs of t_r / p_r. Each
# run measures the tool and psql minutes apart, so a drift of the machine's
# speed between runs (the disk's fsync time wanders) cancels out of each
# ratio, where it does not out of the ratio of the two medians.
paired() {
    [[ -n ${1// /} && -n ${2// /} ]] || { echo -; return 0; }
    awk -v t="$1" -v p="$2" 'BEGIN {
        n = split(t, a, " "); m = split(p, b, " "); if (m < n) n = m
        for (i = 1; i <= n; i++) r[i] = a[i] / b[i]
        for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (r[j] < r[i]) { x = r[i]; r[i] = r[j]; r[j] = x }
        printf "%.2fx", (n % 2) ? r[(n + 1) / 2] : (r[n / 2] + r[n / 2 + 1]) / 2 }'
}
table() { # table ROW LABEL GOAL TOOL...: best and median of each tool, ratios to psql
    local row=$1 label=$2 goal=$3 t b m pb pm
    shift 3
    pb=$(stat_of best "${S[$row|psql]:-}") pm=$(stat_of median "${S[$row|psql]:-}")
    echo "$label (goal $goal)"
    for t in "$@"; do
        [[ -n ${S[$row|$t]:-} ]] || continue
        b=$(stat_of best "${S[$row|$t]}") m=$(stat_of median "${S[$row|$t]}")
        printf '  %-16s %9ss %9ss %9s %9s %9s\n' "$t" "$b" "$m" "$(ratio "$b" "$pb")" "$(ratio "$m" "$pm")" \
            "$(paired "${S[$row|$t]}" "${S[$row|psql]:-}")"
    done
}
echo
echo "N=$N migrations, $RUNS runs; PostgreSQL: $("$PSQL" -X -At -d "$ADMIN_DB" -c 'show server_version')"
printf '  %-16s %10s %10s %9s %9s %9s\n' "" best median "best/psql" "med/psql" "paired"
table apply "apply all" "<= 1.00x" embedded '--dir' '--dir cold' refinery dbmate sqlx psql
table apply1 "apply all -1" "<= 1.00x" embedded '--dir' psql
table noop "nothing to do" "<= 1.20x" embedded '--dir' '--dir nocache' refinery dbmate sqlx psql
table noop_tls "nothing to do, sslmode=prefer" "<= 1.20x" embedded '--dir' psql
table down "roll back all" "<= 1.00x" embedded '--dir' sqlx psql
if [[ -n ${S[mem|embedded]:-} ]]; then
    printf 'peak memory, MB (up on an empty database; goal < 30):'
    for t in embedded '--dir' '--dir cold' '--dir nothing to do'; do
        printf '  %s %s' "$t" "${S[mem|$t]% }"
    done
    echo
fi
if [[ -n ${SWEEP// /} ]]; then
    echo
    echo "directory mode by N (median of $RUNS; seconds; x: ratio to psql)"
    printf '  %6s %18s %18s %18s %18s %18s\n' N "apply" "apply cold" "psql apply" "nothing to do" "nocache no-op"
    for n in $SWEEP; do
        pa=$(stat_of median "${SW[$n|psql apply]}") pn=$(stat_of median "${SW[$n|psql noop]}")
        a=$(stat_of median "${SW[$n|apply]}") c=$(stat_of median "${SW[$n|cold apply]}")
        o=$(stat_of median "${SW[$n|noop]}") x=$(stat_of median "${SW[$n|nocache noop]}")
        printf '  %6s %10s %7s %10s %7s %18s %10s %7s %10s %7s\n' "$n" \
            "$a" "$(ratio "$a" "$pa")" "$c" "$(ratio "$c" "$pa")" "$pa" \
            "$o" "$(ratio "$o" "$pn")" "$x" "$(ratio "$x" "$pn")"
    done
    echo "  (nothing to do: psql -c 'select 1' at N=$n: $pn s)"
fi
