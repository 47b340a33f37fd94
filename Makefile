# Trauma-Informed Academy. `make run` serves the site; `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | sha256sum | cut -c1-12)
CHROMIUM_PATH ?= /usr/bin/chromium
export CHROMIUM_PATH
MANAGE := $(BIN)/python manage.py

DCC := tests/dcc
DCC_STAMP := $(DCC)/node_modules/.installed

.PHONY: install dcc db content demo run test test-fast test-browser check lint lock messages bench bench-http soak scale-check clean

$(STAMP): requirements.lock pyproject.toml
	@test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.lock
	@rm -f $(VENV)/.installed-*; touch $@

install: $(STAMP)

# The Digital Credentials Consortium's verifier (npm), which the credential tests run.
$(DCC_STAMP): $(DCC)/package.json $(DCC)/package-lock.json
	@if ! command -v npm >/dev/null; then \
	  echo "make test: the credential tests run the DCC verifier, which needs Node and npm."; \
	  echo "Install Debian's packages:  apt-get install nodejs npm"; \
	  exit 1; fi
	cd $(DCC) && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

dcc: $(DCC_STAMP)

# The database: migrate always answers --noinput (wagtail-modeltranslation asks
# otherwise); a new database also gets its page titles copied into each language.
db: install
	@new=$$( [ -z "$$DATABASE_URL" ] && [ ! -f db.sqlite3 ] && echo yes ); \
	$(MANAGE) migrate --noinput -v0 && $(MANAGE) createcachetable && \
	if [ -n "$$new" ]; then $(MANAGE) update_translation_fields >/dev/null; fi

content: db
	$(MANAGE) load_content

demo: db
	$(MANAGE) seed_demo

run: content demo
	@echo "Serving on http://127.0.0.1:8000 (Ctrl-C to stop)"
	$(MANAGE) runserver 127.0.0.1:8000

check: install
	$(MANAGE) check --fail-level WARNING
	$(MANAGE) makemigrations --check --dry-run -v0

# The whole suite: the Django test client, then the browser journeys in their own
# process (Playwright's event loop and Django's test database do not share one).
test: check dcc
	@if [ ! -x "$(CHROMIUM_PATH)" ]; then \
	  echo "make test: the browser tests need Chromium at $(CHROMIUM_PATH)."; \
	  echo "Install Debian's package:  apt-get install chromium   (or set CHROMIUM_PATH)"; \
	  exit 1; fi
	$(BIN)/pytest -m "not browser"
	$(BIN)/pytest -m browser

test-fast: install dcc
	$(BIN)/pytest -m "not browser" -x -q

# Style, layering (import-linter: .importlinter), types (mypy: pyproject.toml) and
# template indentation (djhtml).
lint: install
	$(BIN)/ruff check academy tests bench ops
	$(BIN)/ruff format --check academy tests bench ops
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/djhtml --check academy/templates

# Rebuild the lock from the ranges in pyproject.toml (needs the package registry).
lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install -q --upgrade pip
	.venv-lock/bin/python -m pip install -q -e ".[test]"
	.venv-lock/bin/python -m pip freeze --exclude-editable | grep -v '^trauma-informed-academy' > requirements.lock
	rm -rf .venv-lock *.egg-info

# Interface translations: extract, then compile (needs GNU gettext's msgfmt).
messages: install
	cd academy && ../$(BIN)/python ../manage.py makemessages -l es -l fr -l ar --no-location --ignore "migrations/*"
	cd academy && ../$(BIN)/python ../manage.py compilemessages

bench: install
	$(BIN)/python -m bench

# The pages over HTTP (gunicorn, production settings, wrk) against a bare view; needs
# Debian's wrk. Not run by CI; takes about 8 minutes.
bench-http: install
	$(BIN)/python -m bench.http

clean:
	rm -rf $(VENV) test-output staticfiles $(DCC)/node_modules

# Load with faults, on loopback (not run by CI): 50 Locust learners for 3 minutes on
# two app servers and a PostgreSQL of its own, while the task worker is SIGKILLed,
# PostgreSQL stops for 10 s and an app server restarts; then every rule is checked
# from the database and the learners' logs, and the figures printed. Needs root
# (PostgreSQL runs as the postgres user) and about 5 minutes.
soak: install
	$(BIN)/python -m ops.soak

# The scale-out checks alone (also part of make test on PostgreSQL): two gunicorn
# app servers over one PostgreSQL, S3, the Celery queue and the small backup check.
scale-check: install
	@case "$$DATABASE_URL" in postgres*) ;; *) \
	  echo "make scale-check: set DATABASE_URL=postgres://… (a role with CREATEDB)"; \
	  exit 1;; esac
	$(BIN)/pytest tests/scale tests/certificates/test_storage_s3.py -q
