# grace: the two commands a fresh clone needs are `make run` and `make test`.

CARGO ?= cargo
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/postgres
export TEST_DATABASE_URL

.PHONY: run build test lint fmt check-postgres bench fuzz stress promtool

## run: serve on the embedded SQLite default (grace.db), with demo data.
run:
	$(CARGO) run --bin grace -- serve

build:
	$(CARGO) build --release --bin grace

## test: unit tests, then integration tests against PostgreSQL and SQLite.
test: check-postgres
	$(CARGO) test --workspace --all-targets

## check-postgres: fail loudly, before compiling anything, when PostgreSQL is unreachable.
check-postgres:
	@scripts/check-postgres.sh "$(TEST_DATABASE_URL)"

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

fmt:
	$(CARGO) fmt --all

## promtool: check the alert rules and their unit tests.
promtool:
	scripts/promtool-check.sh

## bench: micro and load benchmarks; writes docs/BENCHMARKS.md.
bench:
	scripts/bench.sh

## fuzz: each fuzz target for FUZZ_SECONDS (default 600).
fuzz:
	scripts/fuzz.sh

## stress: two grace processes on one PostgreSQL under mixed load.
stress:
	scripts/stress.sh
