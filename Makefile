.PHONY: install test lint format bench quickstart schemas

install:
	./scripts/install.sh

# The README's test command. Exit code 5 (no test collected) is a failure here on purpose: a run
# that tests nothing must not pass as green.
test: install
	.venv/bin/python -m pytest -q -p no:cacheprovider

lint:
	.venv/bin/ruff check src tests bench
	.venv/bin/ruff format --check src tests bench

format:
	.venv/bin/ruff format src tests bench
	.venv/bin/ruff check --fix src tests bench

bench:
	.venv/bin/python -m bench.run_all

quickstart: install
	.venv/bin/agentic quickstart

schemas:
	.venv/bin/agentic schemas
