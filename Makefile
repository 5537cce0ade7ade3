# novacron-db: build, test and local database targets.
# `make` (or `make help`) lists the targets.

# PG_MAJOR=N (14 to 18): PostgreSQL N's own server instead (port 5400+N, see
# scripts/pg-matrix.sh), e.g. `make test PG_MAJOR=17`. Given URLs stay as given.
ifneq ($(strip $(PG_MAJOR)),)
export PG_MAJOR
ifeq ($(origin DB_URL),undefined)
DB_URL := $(shell scripts/pg-matrix.sh url '$(PG_MAJOR)')
endif
ifeq ($(origin DB_TEST_URL),undefined)
DB_TEST_URL := $(shell scripts/pg-matrix.sh test-url '$(PG_MAJOR)')
endif
endif
DB_URL ?= postgres://postgres:postgres@localhost:5432/novacron?sslmode=disable
DB_TEST_URL ?= postgres://postgres:postgres@localhost:5432/postgres?sslmode=disable
export DB_URL DB_TEST_URL

CARGO ?= cargo
export CARGO
# The binary, brought up to date first (scripts/lib.sh): the same build as
# `make build` and `make test`.
NOVACRON_DB = scripts/run.sh
# Threads per test binary: most tests wait on PostgreSQL or on a child
# process, so more than the cores (2 on CI) overlap those waits.
TEST_THREADS ?= 6

.DEFAULT_GOAL := help
.PHONY: help deps postgres build dev test test-matrix fmt clippy fuzz

help: ## List the targets
	@echo "Targets (DB_URL and DB_TEST_URL can be set on the command line or in the environment):"
	@grep -hE '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN { FS = ":.*## " } { printf "  %-18s %s\n", $$1, $$2 }'

deps: ## Install missing OS packages the build needs (libclang, cc, psql)
	@scripts/ensure-deps.sh

postgres: ## Make DB_URL and DB_TEST_URL answer (start/install local PostgreSQL, role, database)
	@scripts/ensure-postgres.sh --also-test

build: ## Build the workspace: the binary and the tests, the one build make test reuses
	scripts/cargo-test.sh --no-run

dev: deps postgres build ## Set up a development database: migrate, seed, show status
	$(NOVACRON_DB) up
	$(NOVACRON_DB) seed
	$(NOVACRON_DB) status

# test: one cargo invocation (scripts/cargo-test.sh, which `make build` and the
# scripts' build share), so one feature resolution and one build of each
# crate. Not --all-targets: that would run the benches as tests; the default
# targets are the libraries, binaries, examples (built), integration tests and
# doc tests. pgcheck's tests/tokio_postgres.rs needs feature tokio-postgres; it
# runs because the root package enables that feature (refinery's does not).
test: deps postgres ## Run all tests (unit, integration, UI, doc) against DB_TEST_URL
	scripts/cargo-test.sh --no-fail-fast -- --test-threads=$(TEST_THREADS)

# test-matrix: the tests MATRIX_TESTS (of the packages MATRIX_PACKAGES) against
# each PostgreSQL version of PG_VERSIONS, each on its own server
# (scripts/pg-matrix.sh ensure N). Every version runs even after one failed; a
# line per version at the end, and any failure (build, server, test) fails it.
PG_VERSIONS ?= $(shell scripts/pg-matrix.sh versions)
MATRIX_PACKAGES ?= novacron-db pgcheck
MATRIX_TESTS ?= corpus ground_truth verify_schema migrator
MATRIX_CARGO_TEST = $(CARGO) test $(addprefix -p ,$(MATRIX_PACKAGES)) $(addprefix --test ,$(MATRIX_TESTS))

test-matrix: deps ## Run MATRIX_TESTS against PostgreSQL 14 to 18 (PG_VERSIONS="15 18": those only)
	@[ -n "$(strip $(PG_VERSIONS))" ] || { echo "test-matrix: PG_VERSIONS is empty" >&2; exit 2; }
	@[ -n "$(strip $(MATRIX_TESTS))" ] || { echo "test-matrix: MATRIX_TESTS is empty" >&2; exit 2; }
	@echo "test-matrix: building the tests ($(MATRIX_TESTS))"
	@$(MATRIX_CARGO_TEST) --no-run -q || { echo "test-matrix: the tests do not build" >&2; exit 1; }
	@status=0; summary=''; \
	for v in $(PG_VERSIONS); do \
		echo "test-matrix: PostgreSQL $$v"; \
		if ! url=$$(scripts/pg-matrix.sh url "$$v") || ! test_url=$$(scripts/pg-matrix.sh test-url "$$v") || \
			! scripts/pg-matrix.sh ensure "$$v"; then \
			result='FAILED: no server (see above)'; \
		elif DB_URL=$$url DB_TEST_URL=$$test_url $(MATRIX_CARGO_TEST) --no-fail-fast; then \
			result=ok; \
		else \
			result='FAILED: tests (see above)'; \
		fi; \
		[ "$$result" = ok ] || status=1; \
		summary="$$summary$$(printf '\ntest-matrix: PostgreSQL %s: %s' "$$v" "$$result")"; \
	done; \
	printf '%s\n' "$$summary"; \
	exit $$status

fmt: ## Format the code
	$(CARGO) fmt --all

clippy: ## Lint with clippy, warnings are errors
	$(CARGO) clippy --workspace --all-targets -- -D warnings

FUZZ_SECONDS ?= 60
FUZZ_TARGETS = parse replay analyze

fuzz: ## Fuzz scan/parse, replay and analysis for FUZZ_SECONDS each (cargo-fuzz, nightly)
	@command -v cargo-fuzz >/dev/null || $(CARGO) install cargo-fuzz --locked
	@for t in $(FUZZ_TARGETS); do \
		mkdir -p fuzz/corpus/$$t; \
		cp -n migrations/*.sql migrate-macros/tests/ui/*/*/migrations/*.sql tests/accepted/*/migrations/*.sql tests/fixtures/*/migrations/*.sql fuzz/corpus/$$t/ 2>/dev/null || true; \
		echo "fuzz $$t for $(FUZZ_SECONDS) s"; \
		(cd fuzz && $(CARGO) +nightly fuzz run $$t -- -max_total_time=$(FUZZ_SECONDS)) || exit 1; \
	done

# Database targets (db-migrate, db-rollback, db-seed, ...) go below.
#
# They run the binary through scripts/run.sh, which has cargo bring it up to
# date first, so it is rebuilt when a migration or seed file changed. Those that talk to a server depend on `postgres`, which makes
# DB_URL (and DB_TEST_URL) answer first.
#
# db-test-setup / db-test-clean work on database DB_TEST_DB on the server of
# DB_TEST_URL: DB_TEST_URL itself names the maintenance database (`postgres`)
# that the test suite creates its throwaway databases from, and must not be
# migrated or dropped. `make db-test-setup DB_TEST_DB=other` picks another name.

DB_TEST_DB ?= novacron_test
# DB_TEST_URL with database $(1) instead, for a recipe's shell: the binary
# rewrites it (no sed parses a URL), and it travels in the environment, never
# on a command line where `ps` would show its password.
DB_TEST_URL_WITH = $$(DB_URL="$$DB_TEST_URL" $(NOVACRON_DB) conninfo --url --with-database '$(1)')

# db-restore without FILE: say so before anything starts.
ifneq ($(filter db-restore,$(MAKECMDGOALS)),)
ifeq ($(strip $(FILE)),)
$(error db-restore needs the dump to restore: make db-restore FILE=backups/<name>.dump (make db-backup writes them))
endif
endif

.PHONY: db-migrate db-rollback db-migrate-create db-version db-status db-seed db-clean \
	db-reset db-test-setup db-test-clean db-validate db-console db-backup db-restore \
	test-integration bench publish-check

db-migrate: postgres ## Run all pending migrations
	$(NOVACRON_DB) up

db-rollback: postgres ## Roll back the last migration
	$(NOVACRON_DB) down

db-migrate-create: ## Create a new migration pair (asks for the name, or NAME=...)
	@name='$(NAME)'; \
	if [ -z "$$name" ]; then \
		if [ -t 0 ]; then printf 'Migration name: '; read -r name; \
		else echo "db-migrate-create: no terminal to ask on: make db-migrate-create NAME=add_something" >&2; exit 2; fi; \
	fi; \
	if [ -z "$$name" ]; then echo "db-migrate-create: the name is empty" >&2; exit 2; fi; \
	$(NOVACRON_DB) create "$$name"

db-version: postgres ## Show the current migration version
	$(NOVACRON_DB) version

db-status: postgres ## Show every migration: applied or pending, when, checksum
	$(NOVACRON_DB) status

db-seed: postgres ## Seed the development data (idempotent)
	$(NOVACRON_DB) seed

db-clean: postgres ## Remove the seed rows (and nothing else)
	$(NOVACRON_DB) clean

db-reset: postgres ## Drop, migrate and seed DB_URL (asks first; YES=1 does not ask)
	$(NOVACRON_DB) reset $(if $(YES),--yes)

db-test-setup: ## Create and migrate database DB_TEST_DB (novacron_test) on DB_TEST_URL's server
	@echo "db-test-setup: database $(DB_TEST_DB) on the server of DB_TEST_URL"
	@url=$(call DB_TEST_URL_WITH,$(DB_TEST_DB)) && \
		DB_URL=$$url scripts/ensure-postgres.sh && \
		DB_URL=$$url $(NOVACRON_DB) up

db-test-clean: ## Drop database DB_TEST_DB (novacron_test) on DB_TEST_URL's server
	@url=$(call DB_TEST_URL_WITH,postgres) && \
		DB_URL=$$url scripts/ensure-postgres.sh && \
		echo "db-test-clean: dropping database $(DB_TEST_DB) on the server of DB_TEST_URL" && \
		DB_URL=$$url $(NOVACRON_DB) console -- -X -q -v ON_ERROR_STOP=1 \
			-c 'DROP DATABASE IF EXISTS "$(DB_TEST_DB)" WITH (FORCE)'

db-validate: postgres ## Validate the migration files (and drift against DB_URL)
	$(NOVACRON_DB) validate

db-console: postgres ## Open psql on DB_URL (novacron-db console: the password in its environment)
	@exec $(NOVACRON_DB) console

db-backup: postgres ## Back DB_URL up into backups/ (or FILE=...), pg_dump custom format
	$(NOVACRON_DB) backup $(FILE)

db-restore: postgres ## Restore a backup into DB_URL: FILE=... (FORCE=1 over a non-empty database)
	$(NOVACRON_DB) restore '$(FILE)' $(if $(FORCE),--force)

test-integration: deps postgres ## Run the integration tests only (every crate's tests/)
	scripts/cargo-test.sh --test '*' --no-fail-fast -- --test-threads=$(TEST_THREADS)

bench: ## Benchmarks as tables (BENCH_COMPILE=1 adds the build-time comparison, which builds sqlx and refinery)
	$(CARGO) bench -p pgcheck-core --bench pipeline
	@if [ -f bench/runtime.sh ]; then \
		scripts/ensure-postgres.sh --only-test && bash bench/runtime.sh; \
	fi
	bash bench/seed.sh
	bash bench/deps.sh
	@if [ "$(BENCH_COMPILE)" = 1 ]; then \
		bash bench/compile.sh; \
	else \
		echo "bench: the macro inside cargo build (ours only; BENCH_COMPILE=1 compares with sqlx and refinery)"; \
		TOOLS="ours-registry ours" PROFILES=dev RUNS=1 bash bench/compile.sh; \
	fi

# publish-check: what `cargo publish` would upload, in dependency order
# (pgcheck-core, pgcheck-macros, pgcheck). Cargo packages the three, puts the
# packaged tarballs in a temporary local registry (target/package/tmp-registry)
# and builds each tarball on its own against crates.io plus its siblings'
# tarballs. So it proves: each tarball holds every file it needs, the manifests
# are what cargo accepts for publishing, and the exact-version dependencies
# resolve. It does not upload, nor run crates.io's own checks at upload time (the
# name still free, its category list). `git status` must be clean, or use
# PUBLISH_FLAGS=--allow-dirty.
# Cargo treats a registry's crate as immutable: it unpacks the sibling tarballs
# from the temporary registry into $CARGO_HOME/registry/src once, and keeps
# what it built from them, and reuses both on the next run even when the
# tarballs changed (same name and version). So the check builds in a target
# directory of its own (target/publish-check), and the unpacked copies and
# what was built from them are removed first (only this target makes them;
# the names are not on crates.io).
PUBLISH_TARGET ?= $(or $(CARGO_TARGET_DIR),target)/publish-check
CARGO_HOME_DIR := $(or $(CARGO_HOME),$(HOME)/.cargo)
publish-check: ## Package and build the three published crates as crates.io would get them (nothing is uploaded)
	@rm -rf $(wildcard $(CARGO_HOME_DIR)/registry/src/*/pgcheck-core-* \
		$(CARGO_HOME_DIR)/registry/src/*/pgcheck-macros-* $(CARGO_HOME_DIR)/registry/src/*/pgcheck-[0-9]* \
		$(PUBLISH_TARGET)/debug/.fingerprint/pgcheck* $(PUBLISH_TARGET)/debug/deps/*pgcheck* \
		$(PUBLISH_TARGET)/package)
	CARGO_TARGET_DIR=$(PUBLISH_TARGET) $(CARGO) publish --dry-run $(PUBLISH_FLAGS) -p pgcheck-core -p pgcheck-macros -p pgcheck
	@for c in pgcheck-core pgcheck-macros pgcheck; do \
		echo "publish-check: $$c: $$($(CARGO) package --list --allow-dirty -p $$c 2>/dev/null | wc -l) files"; \
	done

schema-diagram: build ## Render the schema diagram (docs/schema.svg, docs/schema.mmd) with Graphviz
	@command -v dot >/dev/null || { echo "Graphviz is missing: apt-get install graphviz" >&2; exit 1; }
	$(NOVACRON_DB) schema --format dot | dot -Tsvg -o docs/schema.svg
	$(NOVACRON_DB) schema --format mermaid > docs/schema.mmd
	$(NOVACRON_DB) schema --format markdown > docs/schema.md
	@echo "wrote docs/schema.svg, docs/schema.mmd, docs/schema.md"
