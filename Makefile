# zcsec developer commands.  Only Python 3.10+, make and git are assumed;
# everything else is installed into .venv from PyPI.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PIP := $(BIN)/python -m pip --disable-pip-version-check -q

.PHONY: run test install rules-doc clean

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

## make test: install test dependencies and run every test.
test: $(STAMP)
	$(BIN)/python -m pytest -q

## make rules-doc: regenerate docs/rules.md from the rule catalogue.
rules-doc: $(STAMP)
	$(BIN)/zcsec rules --format markdown > docs/rules.md

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
