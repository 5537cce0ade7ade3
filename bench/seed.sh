#!/usr/bin/env bash
# Seeding time: `novacron-db seed` against psql running the same seed files, each
# in one transaction (`psql -1 -f`), on a freshly migrated database. Each run
# starts from `clean`, so both sides insert the same rows.
#
#   bash bench/seed.sh          # RUNS=5
#
# DB_TEST_URL names the server (default: the local cluster); a database named
# ncbench_seed is created and dropped.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS="${RUNS:-5}"
ADMIN="${DB_TEST_URL:-postgres://postgres:postgres@localhost:5432/postgres?sslmode=disable}"
PSQL="$(pg_config --bindir 2>/dev/null)/psql"
[[ -x "$PSQL" ]] || PSQL=psql

cargo build -q --release --bin novacron-db
BIN="${CARGO_TARGET_DIR:-target}/release/novacron-db"

# The binary reads the URLs (no bash parses one); psql finds the server in
# libpq's environment, exported once, so no password is on a command line.
export DB_URL
DB_URL=$(DB_URL=$ADMIN "$BIN" conninfo --url --with-database ncbench_seed)
eval "$(DB_URL=$ADMIN "$BIN" conninfo --env)"
ADMIN_DB=${PGDATABASE:-postgres}

"$PSQL" -q -d "$ADMIN_DB" -c "DROP DATABASE IF EXISTS ncbench_seed WITH (FORCE)" -c "CREATE DATABASE ncbench_seed"
trap '"$PSQL" -q -d "$ADMIN_DB" -c "DROP DATABASE IF EXISTS ncbench_seed WITH (FORCE)" >/dev/null' EXIT
"$BIN" up >/dev/null

now() { date +%s.%N; }
best() { sort -n | head -n 1; }
ours=() theirs=()
for ((r = 1; r <= RUNS; r++)); do
    "$BIN" clean --yes >/dev/null
    t0=$(now); "$BIN" seed >/dev/null; t1=$(now)
    ours+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')")
    "$BIN" clean --yes >/dev/null
    t0=$(now)
    for f in seeds/[0-9]*.sql; do
        "$PSQL" -q -X -v ON_ERROR_STOP=1 -1 -f "$f" -d ncbench_seed >/dev/null
    done
    t1=$(now)
    theirs+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')")
done
o=$(printf '%s\n' "${ours[@]}" | best)
p=$(printf '%s\n' "${theirs[@]}" | best)
rows=$("$PSQL" -At -d ncbench_seed -c "SELECT (SELECT count(*) FROM organizations) + (SELECT count(*) FROM vm_metrics) + (SELECT count(*) FROM node_metrics)")
echo "seeding the development data ($(ls seeds/[0-9]*.sql | wc -l) files), best of $RUNS:"
printf '  %-28s %8s s\n' "novacron-db seed" "$o"
printf '  %-28s %8s s\n' "psql -1 -f per file (floor)" "$p"
awk -v a="$o" -v b="$p" 'BEGIN { printf "  ratio %.2fx\n", a / b }'
echo "  (rows after seeding, organizations + metrics: $rows)"
