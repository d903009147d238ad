# Two commands on a fresh machine (Python 3.11+): `make run`, then `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.docclean-installed
export PREFECT_HOME ?= $(CURDIR)/.prefect
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1

.PHONY: setup run test lint bench clean

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "docclean needs Python 3.11+: run make PYTHON=python3.11 ...")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	@# setuptools notes that every editable install maps folders by name; ours (transforms/ ->
	@# docclean.transforms) is deliberate, so that one note is silenced, nothing else.
	PYTHONWARNINGS="ignore:Editable installation" \
		$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[test]"
	@# Migrate Prefect's local database once here, so two first runs cannot race on it.
	$(BIN)/prefect server database upgrade -y > /dev/null
	@touch $(STAMP)

setup: $(STAMP)  ## create .venv with the pinned versions

run: setup  ## clean seeds/ into warehouse/lake/ (Prefect ephemeral mode, no server to start)
	$(BIN)/docclean run

test: setup  ## lint and run the whole test suite (installs headless Chromium for the report test when root)
	$(BIN)/ruff check .
	@sh .ci/install-browser.sh
	$(BIN)/python -m pytest

bench: setup  ## benchmarks against ../shared/data (not part of the tests)
	PYTHONWARNINGS="ignore:Editable installation" \
		$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[bench]"
	@echo "see benchmarks/README.md for each benchmark's command"

clean:
	rm -rf $(VENV) .prefect warehouse/lake .pytest_cache .ruff_cache
