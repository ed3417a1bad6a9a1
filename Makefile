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

# Every benchmark at its default size, one after the other (long: the conversion one reads 1 GB).
# Each prints its figure and comparison; docs/benchmarks.md holds the results with their commands.
bench:
	for f in bench/*.py; do echo "== $$f"; .venv/bin/python $$f || exit 1; done

quickstart: install
	.venv/bin/agentic quickstart

schemas:
	.venv/bin/agentic schemas
