#!/usr/bin/env bash
# Dependencies an app pulls: `cargo tree -e normal --prefix none | sort -u | wc -l`
# for tests/minimal-app/ (embeds and applies migrations; pgcheck's default
# features), for pgcheck with every feature the NovaCron binary enables, and for
# a throwaway crate with refinery's `postgres` feature (generated in a temporary
# directory; the first run needs crates.io). Then builds the minimal app
# (target/minimal-app), which proves that feature set compiles.
#
#   bash bench/deps.sh            # counts and the build
#   BUILD=0 bash bench/deps.sh    # counts only
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CARGO="${CARGO:-cargo}"

count() { # dir, cargo tree args...
    local dir="$1"
    shift
    (cd "$dir" && { "$CARGO" tree --offline -e normal --prefix none "$@" 2>/dev/null ||
        "$CARGO" tree -e normal --prefix none "$@"; } | sort -u | wc -l)
}

minimal="$(count "$ROOT/tests/minimal-app")"
full="$(count "$ROOT" -p pgcheck --features cli,tls,serde)"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/src"
printf '%s\n' '[package]' 'name = "refinery-deps"' 'version = "0.0.0"' 'edition = "2021"' \
    'publish = false' '' '[dependencies]' 'refinery = { version = "0.8", features = ["postgres"] }' \
    '' '[workspace]' >"$tmp/Cargo.toml"
echo 'fn main() {}' >"$tmp/src/main.rs"
refinery="$(count "$tmp")"
refinery_version="$(cd "$tmp" && "$CARGO" tree --offline -e normal --depth 1 2>/dev/null | sed -n 's/.*refinery v/v/p' | head -1)"

echo
echo "Dependencies (cargo tree -e normal --prefix none | sort -u | wc -l):"
echo
echo "| crate | lines |"
echo "|---|---|"
echo "| tests/minimal-app (pgcheck, default features, + postgres) | $minimal |"
echo "| pgcheck with cli, tls, serde (what novacron-db enables) | $full |"
echo "| refinery ${refinery_version:-0.8} with feature postgres | $refinery |"

if [ "${BUILD:-1}" != 0 ]; then
    start=$(date +%s.%N)
    (cd "$ROOT/tests/minimal-app" && CARGO_TARGET_DIR="$ROOT/target/minimal-app" "$CARGO" build --offline -q)
    end=$(date +%s.%N)
    printf '\nminimal app: builds (cargo build --offline, %.1f s)\n' "$(echo "$end - $start" | bc)"
fi
