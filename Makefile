# Two commands on a fresh machine with Python >= 3.12 and make:
#   make run    install into .venv, then run Shomp with demo data at http://127.0.0.1:8000 (PORT overrides)
#   make test   install into .venv, then run the tests
#   make serve  the production set-up on this machine (PostgreSQL + Redis): docs/DEPLOYMENT.md
PYTHON ?= $(shell for p in python3.13 python3.12 python3; do command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && echo $$p && break; done)
VENV := .venv
PY := $(VENV)/bin/python
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test lint serve check-deploy clean

$(VENV)/.base-installed: requirements/base.txt
	@test -n "$(PYTHON)" || (echo "Shomp needs Python >= 3.12 (python3.12 or newer on PATH)." && exit 1)
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements/base.txt
	@touch $@

$(VENV)/.test-installed: $(VENV)/.base-installed requirements/test.txt requirements/rq.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements/test.txt
	@touch $@

run: $(VENV)/.base-installed
	$(PY) manage.py run

# Unit, integration and WebSocket tests in one run, browser tests in a second: sync Playwright
# and pytest-asyncio can't share an event loop. Each run is spread over TEST_PROCESSES pytest
# processes (pytest-xdist; each has its own test database, Redis prefix, server and browser);
# TEST_PROCESSES=0 runs everything in one process.
TEST_ENV := SHOMP_TESTING=1 MEDIA_ROOT=$(CURDIR)/var/test-files/media PRIVATE_MEDIA_ROOT=$(CURDIR)/var/test-files/private
TEST_PROCESSES ?= 2

test: $(VENV)/.test-installed
	rm -rf var/test-files
	$(TEST_ENV) $(PY) -m pytest shomp -q -n $(TEST_PROCESSES)
	$(TEST_ENV) $(PY) -m pytest tests/e2e -q -n $(TEST_PROCESSES)
	rm -rf var/test-files

$(VENV)/.production-installed: $(VENV)/.base-installed requirements/production.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements/production.txt
	@touch $@

# WSGI workers for the pages, uvicorn for /ws/, the task workers and the scheduler, behind a path
# split on PORT (docs/DEPLOYMENT.md). DEBUG=0 over plain HTTP on 127.0.0.1: browsers keep Secure
# cookies for localhost. The key is made once into var/serve-secret-key (sessions survive restarts).
serve: $(VENV)/.production-installed
	@mkdir -p var && test -s var/serve-secret-key || $(PY) -c 'import secrets; print(secrets.token_urlsafe(50))' > var/serve-secret-key
	DEBUG=0 SECRET_KEY=$$(cat var/serve-secret-key) ALLOWED_HOSTS=127.0.0.1,localhost SECURE_SSL_REDIRECT=0 \
	  DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/shomp} REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/0} \
	  CONN_MAX_AGE=$${CONN_MAX_AGE:-60} $(PY) manage.py serve --port $${PORT:-8000}

lint: $(VENV)/.test-installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run

check-deploy: $(VENV)/.base-installed
	DEBUG=0 SECRET_KEY=check-deploy-$$(date +%s)-not-a-real-secret-key-0123456789abcdef ALLOWED_HOSTS=shomp.example \
	  SMTP_HOST=smtp.example REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/0} DATABASE_URL=$${DATABASE_URL:-sqlite:///var/check.sqlite3} \
	  $(PY) manage.py check --deploy --fail-level WARNING

clean:
	rm -rf var/test-db.sqlite3 var/screenshots
