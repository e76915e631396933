# Two commands do all set-up: `make run` serves the demo, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# Links printed by seed_demo and create_leader point at the port being served.
export SURVEY_BASE_URL ?= http://127.0.0.1:$(PORT)

.PHONY: run serve test messages lint format install install-dev migrate demo clean screenshots bench

# Installs and migrations are quiet; their output is shown only when they fail.
QUIETLY = > $(VENV)/last-step.log 2>&1 || { cat $(VENV)/last-step.log; exit 1; }

$(VENV)/.installed: requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "Installing requirements into $(VENV) (quiet; a minute the first time)..."
	@$(PY) -m pip install --quiet --upgrade pip $(QUIETLY)
	@$(PY) -m pip install --quiet -r requirements.txt $(QUIETLY)
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	@$(PY) -m pip install --quiet -r requirements-dev.txt $(QUIETLY)
	@touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install messages
	@$(PY) manage.py migrate --no-input --verbosity 0 $(QUIETLY)
	@$(PY) manage.py collectstatic --no-input --verbosity 0 $(QUIETLY)

# The French, German and Spanish catalogs (locale/*/LC_MESSAGES/django.po) compiled to .mo:
# Django's compilemessages where GNU gettext is installed, else Babel (pure Python, in
# requirements.txt), so a machine with only Python still gets every language.
messages: install
	@if command -v msgfmt >/dev/null; then \
	  $(PY) manage.py compilemessages --ignore=.venv --verbosity 0 $(QUIETLY); \
	else \
	  $(VENV)/bin/pybabel -q compile --domain django --directory locale $(QUIETLY); \
	fi

# The same as `make run` without serving: the instrument, the demo rounds, the leader account.
demo: migrate
	$(PY) manage.py load_instrument
	$(PY) manage.py seed_demo
	$(PY) manage.py create_leader

# serve_demo loads the instrument, seeds the demo once, keeps the leader's password, and
# ends its output with a framed block: the survey link, the dashboard, how to log in.
run: migrate
	@echo "Preparing the demo (the first time takes about a minute)..."
	@LOG_FORMAT=$${LOG_FORMAT:-text} $(PY) manage.py serve_demo 127.0.0.1:$(PORT)

# Production serving (docs/deployment.md): migrations and hashed, compressed static files
# (quietly, as for `make run`), then gunicorn with config/gunicorn.conf.py on
# 127.0.0.1:$(PORT); BIND, WEB_CONCURRENCY, WEB_THREADS... come from the environment.
serve: export STATIC_MANIFEST = 1
serve: migrate
	@echo "Serving with gunicorn on http://127.0.0.1:$(PORT)/ (JSON logs; Ctrl+C stops it)"
	@PORT=$(PORT) $(VENV)/bin/gunicorn -c config/gunicorn.conf.py

test: install-dev messages
	$(PY) -m pytest

# PNGs of the main pages from the demo data, for the README and docs/reports.md (needs Debian's chromium).
screenshots: install-dev
	BROWSER_REQUIRED=1 $(PY) -m pytest tests/browser/screenshots.py -q -p no:cacheprovider

$(VENV)/.installed-bench: $(VENV)/.installed requirements-bench.txt
	$(PY) -m pip install --quiet -r requirements-bench.txt
	touch $@

# Benchmarks (issue 6), apart from `make test`: prints every figure, writes bench/results.json
# and the table in docs/performance.md. Needs PostgreSQL on 127.0.0.1:5432 (user postgres).
# BENCH_SIZES=10000,100000 BENCH_DATABASES=sqlite,postgres choose what is measured.
bench: $(VENV)/.installed-bench
	$(PY) -m bench.run

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: install-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
