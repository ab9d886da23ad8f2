# The two commands of the README:
#   make samples   build every text in sources/ into dist/ (PDF, booklet, EPUB)
#   make test      run the whole test suite
# Both install what is missing first (scripts/setup.sh).

.PHONY: setup samples test test-fast bench

setup:
	@scripts/setup.sh

samples: setup
	.venv/bin/zinepress build sources -o dist

test: setup
	.venv/bin/python -m pytest -q -n 2 --dist loadfile --durations=25

test-fast: setup
	.venv/bin/python -m pytest -q -m "not corpus"

bench:
	@scripts/setup.sh bench
	.venv/bin/python -m bench
