# novacron-db: build, test and local database targets.
# `make` (or `make help`) lists the targets.

DB_URL ?= postgres://postgres:postgres@localhost:5432/novacron?sslmode=disable
DB_TEST_URL ?= postgres://postgres:postgres@localhost:5432/postgres?sslmode=disable
export DB_URL DB_TEST_URL

CARGO ?= cargo
NOVACRON_DB = $(CARGO) run -q --bin novacron-db --

.DEFAULT_GOAL := help
.PHONY: help deps postgres build dev test fmt clippy

help: ## List the targets
	@echo "Targets (DB_URL and DB_TEST_URL can be set on the command line or in the environment):"
	@grep -hE '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN { FS = ":.*## " } { printf "  %-12s %s\n", $$1, $$2 }'

deps: ## Install missing OS packages the build needs (libclang, cc, libssl-dev, pkg-config, psql)
	@scripts/ensure-deps.sh

postgres: ## Make DB_URL and DB_TEST_URL answer (start/install local PostgreSQL, role, database)
	@scripts/ensure-postgres.sh --also-test

build: ## Build the workspace
	$(CARGO) build --workspace

dev: deps postgres build ## Set up a development database: migrate, seed, show status
	$(NOVACRON_DB) up
	$(NOVACRON_DB) seed
	$(NOVACRON_DB) status

test: deps postgres ## Run all tests (unit, integration, UI, doc) against DB_TEST_URL
	@status=0; \
	$(CARGO) test --workspace --all-targets --no-fail-fast || status=$$?; \
	$(CARGO) test --workspace --doc --no-fail-fast || status=$$?; \
	exit $$status

fmt: ## Format the code
	$(CARGO) fmt --all

clippy: ## Lint with clippy, warnings are errors
	$(CARGO) clippy --workspace --all-targets -- -D warnings

# Database targets (db-migrate, db-rollback, db-seed, ...) go below.
