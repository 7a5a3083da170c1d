# make extract: create .venv, install, read corpus/ into extractor.db (and out/corpus.jsonl)
# make test:    create .venv, install, run the tests
# make test-fast: the tests without those marked slow (Dask, interrupts, the browser, property tests)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install extract test test-fast bench bench-growth lint clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	@# bytecode written once: where PYTHONDONTWRITEBYTECODE is set, every process (each worker too)
	@# would otherwise compile the package again (0.1 s of CPU each)
	$(BIN)/python -m compileall -q extractor
	@touch $(STAMP)

install: $(STAMP)

extract: $(STAMP)
	@mkdir -p out
	$(BIN)/extractor extract corpus --db extractor.db --jsonl out/corpus.jsonl

test: $(STAMP)
	$(BIN)/python -m pytest -q

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow"

bench: $(STAMP)
	$(BIN)/python scripts/bench_ingest.py

bench-growth: $(STAMP)
	$(BIN)/python scripts/bench_growth.py

lint: $(STAMP)
	$(BIN)/ruff check extractor tests scripts

clean:
	rm -rf $(VENV) out extractor.db extractor.db-wal extractor.db-shm
