#!/usr/bin/env bash
# Run-time benchmark: novacron-db against psql as the floor, on N generated
# migrations (one table + one index each, with downs).
#
#   bash bench/runtime.sh              # N=1000, RUNS=3 (best of RUNS is reported)
#   N=200 RUNS=5 bash bench/runtime.sh
#
# "ours" is a release binary that embeds the N migrations with
# embed_migrations! (as the novacron-db binary embeds NovaCron's), built under
# target/bench-runtime/app; "--dir" is the novacron-db binary in directory mode,
# which parses the N files with PostgreSQL's parser on every run.
#
# Rows:
#   apply all       `up`                        floor: one psql session, each file
#                                               between BEGIN and COMMIT
#   apply all -1    `up --single-transaction`   floor: the same files, `psql -1`
#   nothing to do   `up` on a current database  floor: psql -c 'select 1'
#                   (mean of 20 runs)
#   roll back all   `down --all --yes`          floor: one psql session, downs
#                                               newest first, BEGIN/COMMIT each
# Goals (issue 5): apply and roll back within 1.00x of the floor; nothing to do
# within 1.2x of `psql -c 'select 1'` and flat in N; peak memory under 30 MB.
#
# DB_TEST_URL names the server (default: the local cluster); databases named
# ncbench_* are created and dropped. The first run compiles the embedding app
# (about 1.5 min for N=1000 on 2 cores).
set -euo pipefail

N="${N:-1000}"
RUNS="${RUNS:-3}"
case "$N" in '' | *[!0-9]* | 0) echo "N must be a positive integer, got '$N'" >&2; exit 2 ;; esac
case "$RUNS" in '' | *[!0-9]* | 0) echo "RUNS must be a positive integer, got '$RUNS'" >&2; exit 2 ;; esac

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="$ROOT/target/bench-runtime"
ADMIN_URL="${DB_TEST_URL:-postgres://postgres:postgres@localhost:5432/postgres?sslmode=disable}"
PSQL="$(pg_config --bindir 2>/dev/null)/psql"
[[ -x $PSQL ]] || PSQL=$(command -v psql) || { echo "psql not found" >&2; exit 1; }

db_url() { # db_url NAME: ADMIN_URL with its database replaced
    local base=${ADMIN_URL%%\?*} query=''
    [[ $ADMIN_URL == *\?* ]] && query="?${ADMIN_URL#*\?}"
    printf '%s/%s%s' "${base%/*}" "$1" "$query"
}

echo "building the release binary..." >&2
(cd "$ROOT" && cargo build -q --release --bin novacron-db)
DIR_BIN="$ROOT/target/release/novacron-db"

rm -rf "$WORK/migrations" "$WORK/app/migrations"
mkdir -p "$WORK/migrations" "$WORK/app/src"
for ((i = 1; i <= N; i++)); do
    v=$(printf '%06d' "$i")
    printf 'CREATE TABLE t%d (\n  id bigserial PRIMARY KEY,\n  name text NOT NULL,\n  created_at timestamptz NOT NULL DEFAULT now()\n);\nCREATE INDEX t%d_name_idx ON t%d (name);\n' \
        "$i" "$i" "$i" >"$WORK/migrations/${v}_t${i}.up.sql"
    printf 'DROP TABLE t%d;\n' "$i" >"$WORK/migrations/${v}_t${i}.down.sql"
done

# The embedding app: the same files, compiled in. It shares the workspace's
# lock file (same dependency versions) and target directory (built once).
cp -r "$WORK/migrations" "$WORK/app/migrations"
printf '%s\n' \
    '[package]' 'name = "novacron-bench-app"' 'version = "0.0.0"' 'edition = "2024"' 'publish = false' '' \
    '[workspace]' '' '[dependencies]' "migrate-runtime = { package = \"pgcheck\", path = \"$ROOT/migrate-runtime\", features = [\"cli\", \"tls\"] }" \
    >"$WORK/app/Cargo.toml"
printf '%s\n' \
    'migrate_runtime::embed_migrations!("migrations");' '' \
    'fn main() -> std::process::ExitCode {' '    migrate_runtime::cli::main(Some(&MIGRATIONS))' '}' \
    >"$WORK/app/src/main.rs"
cp "$ROOT/Cargo.lock" "$WORK/app/Cargo.lock"
echo "building the embedding app (N=$N)..." >&2
(cd "$WORK/app" && CARGO_TARGET_DIR="$ROOT/target" cargo build -q --release)
BIN="$ROOT/target/release/novacron-bench-app"

# The floor's scripts: every file between BEGIN and COMMIT, in one session.
{
    for f in "$WORK"/migrations/*.up.sql; do printf 'BEGIN;\n\\i %s\nCOMMIT;\n' "$f"; done
} >"$WORK/floor_up.sql"
{
    for f in "$WORK"/migrations/*.up.sql; do printf '\\i %s\n' "$f"; done
} >"$WORK/floor_up_1.sql"
{
    for f in $(ls "$WORK"/migrations/*.down.sql | sort -r); do printf 'BEGIN;\n\\i %s\nCOMMIT;\n' "$f"; done
} >"$WORK/floor_down.sql"

psql_admin() { PGOPTIONS='-c client_min_messages=warning' "$PSQL" -X -q -v ON_ERROR_STOP=1 -d "$ADMIN_URL" -c "$1" >/dev/null; }
fresh_db() { # fresh_db NAME
    psql_admin "DROP DATABASE IF EXISTS $1 WITH (FORCE)"
    psql_admin "CREATE DATABASE $1"
}
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }
best() { printf '%s\n' "$@" | sort -n | head -n1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", (b > 0 ? a / b : 0) }'; }
ours() { "$BIN" --lock-timeout 60s "$@" >/dev/null; }
floor() { "$PSQL" -X -q -v ON_ERROR_STOP=1 -d "$1" -f "$2" >/dev/null; }
mean20() { # mean20 CMD...: mean wall time of 20 runs
    local t i
    t=$(now)
    for ((i = 0; i < 20; i++)); do "$@" >/dev/null; done
    awk -v a="$t" -v b="$(now)" 'BEGIN { printf "%.4f", (b - a) / 20 }'
}

declare -a ours_up=() ours_up1=() ours_noop=() ours_down=() floor_up=() floor_up1=() floor_noop=() floor_down=()
declare -a dir_up=() dir_noop=()
OURS_DB=ncbench_ours
FLOOR_DB=ncbench_floor
OURS_URL=$(db_url $OURS_DB)
FLOOR_URL=$(db_url $FLOOR_DB)

for ((r = 1; r <= RUNS; r++)); do
    echo "run $r/$RUNS (N=$N)..." >&2
    fresh_db $FLOOR_DB
    t=$(now); floor "$FLOOR_URL" "$WORK/floor_up.sql"; floor_up+=("$(elapsed "$t")")
    t=$(now); floor "$FLOOR_URL" "$WORK/floor_down.sql"; floor_down+=("$(elapsed "$t")")
    fresh_db $FLOOR_DB
    t=$(now); "$PSQL" -X -q -1 -v ON_ERROR_STOP=1 -d "$FLOOR_URL" -f "$WORK/floor_up_1.sql" >/dev/null; floor_up1+=("$(elapsed "$t")")
    floor_noop+=("$(mean20 "$PSQL" -X -q -d "$FLOOR_URL" -c 'select 1')")

    fresh_db $OURS_DB
    t=$(now); DB_URL=$OURS_URL ours up; ours_up+=("$(elapsed "$t")")
    ours_noop+=("$(DB_URL=$OURS_URL mean20 "$BIN" up)")
    dir_noop+=("$(DB_URL=$OURS_URL mean20 "$DIR_BIN" --dir "$WORK/migrations" up)")
    t=$(now); DB_URL=$OURS_URL ours down --all --yes; ours_down+=("$(elapsed "$t")")
    fresh_db $OURS_DB
    t=$(now); DB_URL=$OURS_URL ours up --single-transaction; ours_up1+=("$(elapsed "$t")")
    fresh_db $OURS_DB
    t=$(now); DB_URL=$OURS_URL "$DIR_BIN" --dir "$WORK/migrations" up >/dev/null; dir_up+=("$(elapsed "$t")")
done

peak_kb='n/a'
dir_peak_kb='n/a'
if [[ -x /usr/bin/time ]]; then
    fresh_db $OURS_DB
    peak_kb=$( { DB_URL=$OURS_URL /usr/bin/time -f '%M' "$BIN" up >/dev/null; } 2>&1 | tail -n1)
    fresh_db $OURS_DB
    dir_peak_kb=$( { DB_URL=$OURS_URL /usr/bin/time -f '%M' "$DIR_BIN" --dir "$WORK/migrations" up >/dev/null; } 2>&1 | tail -n1)
fi
psql_admin "DROP DATABASE IF EXISTS $OURS_DB WITH (FORCE)"
psql_admin "DROP DATABASE IF EXISTS $FLOOR_DB WITH (FORCE)"

row() { # row LABEL OURS FLOOR GOAL
    printf '%-22s %9ss %9ss %8s   goal %s\n' "$1" "$2" "$3" "$(ratio "$2" "$3")" "$4"
}
echo
echo "N=$N migrations, best of $RUNS runs; PostgreSQL: $("$PSQL" -X -At -d "$ADMIN_URL" -c 'show server_version')"
printf '%-22s %10s %10s %8s\n' "" "ours" "psql" "ratio"
row "apply all" "$(best "${ours_up[@]}")" "$(best "${floor_up[@]}")" "<= 1.00x"
row "apply all -1" "$(best "${ours_up1[@]}")" "$(best "${floor_up1[@]}")" "<= 1.00x"
row "nothing to do" "$(best "${ours_noop[@]}")" "$(best "${floor_noop[@]}")" "<= 1.20x"
row "roll back all" "$(best "${ours_down[@]}")" "$(best "${floor_down[@]}")" "<= 1.00x"
row "apply all (--dir)" "$(best "${dir_up[@]}")" "$(best "${floor_up[@]}")" "- (parses N files)"
row "nothing to do (--dir)" "$(best "${dir_noop[@]}")" "$(best "${floor_noop[@]}")" "- (parses N files)"
if [[ $peak_kb =~ ^[0-9]+$ && $dir_peak_kb =~ ^[0-9]+$ ]]; then
    echo "peak memory (up, N=$N): $((peak_kb / 1024)) MB embedded, $((dir_peak_kb / 1024)) MB with --dir (goal < 30 MB)"
fi
