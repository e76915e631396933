# Two commands do all set-up: `make run` serves the demo, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# Links printed by seed_demo and create_leader point at the port being served.
export SURVEY_BASE_URL ?= http://127.0.0.1:$(PORT)

.PHONY: run test lint format install install-dev migrate demo clean screenshots

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	$(PY) manage.py migrate --no-input
	$(PY) manage.py collectstatic --no-input --verbosity 0

demo: migrate
	$(PY) manage.py load_instrument
	$(PY) manage.py seed_demo
	$(PY) manage.py create_leader

run: demo
	@echo "Serving on http://127.0.0.1:$(PORT)/ (Ctrl+C stops)."
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

test: install-dev
	$(PY) -m pytest

# PNGs of the main pages from the demo data, for the README (needs Debian's chromium).
screenshots: install-dev
	BROWSER_REQUIRED=1 $(PY) -m pytest tests/browser/screenshots.py -q -p no:cacheprovider

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: install-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
