#!/usr/bin/env bash
# cargo test over the whole workspace, with the features the suite needs:
#   scripts/cargo-test.sh --no-run -q        # build everything (make build)
#   scripts/cargo-test.sh --no-fail-fast     # run the suite (make test)
#
# The one place these arguments live. `make build`, `make test` and the
# scripts' own build of the binary (lib.sh) all come here, so they are one
# build: a plain `cargo build` resolves other features (the tests'
# dev-dependencies add tokio's runtime, syn's visitors, ...), which rebuilds
# most of the tree each time one follows the other. It is `cargo test`, not
# `--all-targets`: that would also build and run the benches.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec "${CARGO:-cargo}" test --workspace --features pgcheck/refinery "$@"
