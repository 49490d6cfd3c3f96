# zcsec developer commands.  Only Python 3.10+, make and git are assumed;
# everything else is installed into .venv from PyPI.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PIP := $(BIN)/python -m pip --disable-pip-version-check -q

VERSION := $(shell sed -n 's/^__version__ = "\(.*\)"/\1/p' server/zcsec/__init__.py)
NPM := npm --no-audit --no-fund --loglevel=error
CLIENT := client-vscode
NODE_STAMP := $(CLIENT)/node_modules/.installed
VSIX := dist/zcsec-$(VERSION).vsix

.PHONY: fresh-check run test lint test-python test-client install rules-doc vsix e2e bench clean fuzz corpus

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(PIP) install -c constraints.txt "setuptools>=68"
	$(PIP) install -c constraints.txt -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

## make run: install, then check the bundled examples so you see real findings.
run: $(STAMP)
	-$(BIN)/zcsec check examples

## make test: install test dependencies and run every test (Python lint and
## type check, the Python tests, then the TypeScript client: type check, lint
## and unit tests).
test: lint test-python test-client

## make lint: ruff (with a complexity budget) and mypy over the package.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

test-python: $(STAMP)
	$(BIN)/python -m pytest -q

## make corpus: zcsec over the real configurations in ../shared/corpus,
## compared with tests/corpus/labels.json (docs/precision.md).
corpus: $(STAMP)
	$(BIN)/python tools/corpus.py check

## make fuzz: ten minutes of fuzzing the language server (a real process) with
## mutated examples and corpus files; failing sessions go to tests/fuzz/crashes/
## (ZCSEC_FUZZ_SEED picks the seed; make test runs about a minute of it).
fuzz: $(STAMP)
	$(BIN)/python -m tests.fuzz.run --seconds 600

$(NODE_STAMP): $(CLIENT)/package.json $(CLIENT)/package-lock.json
	cd $(CLIENT) && $(NPM) ci
	touch $(NODE_STAMP)

# The TypeScript checks need Node.js.  Without it they are skipped with a
# message, unless ZCSEC_REQUIRE_NODE=1 (CI sets it): then a missing Node.js fails.
HAVE_NODE := $(shell command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 && echo yes)

ifeq ($(HAVE_NODE),yes)
test-client: $(NODE_STAMP)
	cd $(CLIENT) && npx tsc --noEmit -p . && npx eslint src test e2e && node esbuild.mjs --tests && node --test out/test/
else
test-client:
	@if [ "$$ZCSEC_REQUIRE_NODE" = 1 ]; then echo "make test-client: Node.js (node and npm) is required here (ZCSEC_REQUIRE_NODE=1) but was not found" >&2; exit 1; fi
	@echo "make test-client: SKIPPED the TypeScript client's checks: Node.js (node and npm) is not on the PATH. Install Node.js 18+ to run them."
endif

## make fresh-check: clone the committed tree into a temporary folder with no
## ../shared beside it and no Node.js on the PATH, and run `make run` and
## `make test` there, as a new user on another machine would.
fresh-check:
	bash tools/fresh-check.sh

## make vsix: the VS Code extension with the server and its (pure-Python)
## dependencies inside, for installation without network access; one package
## for every platform (a test checks that nothing in it is platform-specific).
vsix: $(VSIX)

$(VSIX): Makefile $(STAMP) $(NODE_STAMP) $(shell find server/zcsec schemas -name '*.py' -o -name '*.json') $(shell find $(CLIENT)/src $(CLIENT)/syntaxes -type f) $(CLIENT)/package.json
	rm -rf $(CLIENT)/bundled/libs && mkdir -p $(CLIENT)/bundled/libs dist
	rm -rf build/wheels && $(PIP) wheel --no-deps -w build/wheels .
	$(PIP) install --no-compile --target $(CLIENT)/bundled/libs --implementation py --python-version 3.10 \
	  --only-binary=:all: -c constraints.txt build/wheels/zcsec-$(VERSION)-py3-none-any.whl "tomli>=2"
	rm -rf $(CLIENT)/bundled/libs/bin
	cd $(CLIENT) && node esbuild.mjs && npx vsce package --no-dependencies --skip-license --allow-missing-repository -o ../$(VSIX)
	$(BIN)/python tools/check_vsix.py $(VSIX)

## make e2e: install the VSIX into a real VS Code (code-server) and drive it
## with Chromium; screenshots go to e2e-artifacts/.
e2e: $(VSIX)
	bash $(CLIENT)/e2e/run.sh $(VSIX)

## make bench: the performance benchmark (docs/performance.md); prints the
## table of targets and writes bench/results/latest.json.
bench: $(STAMP)
	$(BIN)/python bench/run.py

## make rules-doc: regenerate docs/rules.md from the rule catalogue.
rules-doc: $(STAMP)
	$(BIN)/zcsec rules --format markdown > docs/rules.md

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
