# The two commands a newcomer needs are `make demo` and `make test`; both set up .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The runtime set (requirements.txt) serves the demo and production; the development set
# (requirements-dev.txt, which includes it) adds test, lint and benchmark tools. Each stamp is
# keyed on the files it installs, so editing either one reinstalls what depends on it.
STAMP := $(VENV)/.installed-runtime-$(shell cat requirements.txt | sha256sum | cut -c1-12)
DEV_STAMP := $(VENV)/.installed-dev-$(shell cat requirements.txt requirements-dev.txt | sha256sum | cut -c1-12)

.PHONY: demo test test-random lint format bench stack clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): requirements.txt | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	rm -f $(VENV)/.installed-runtime-*
	touch $@

$(DEV_STAMP): requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	rm -f $(VENV)/.installed-dev-*
	touch $@

# The demo archives its second sample piece's sources from itself (seeds/sources/, served at
# /demo/sources/ in debug only): the fetcher may reach loopback on port 8000 here, never in
# production (system check claims.W001 warns if that is ever on with debug off).
DEMO_ENV = DJANGO_DEBUG=1 FETCH_ALLOW_PRIVATE_NETWORKS=1 FETCH_ALLOWED_PORTS=80,443,8000

demo: $(STAMP)
	@$(DEMO_ENV) $(BIN)/python manage.py migrate --noinput -v0
	@$(DEMO_ENV) $(BIN)/python manage.py demo_setup -v0
	@$(DEMO_ENV) $(BIN)/python manage.py demo_serve 127.0.0.1:8000

# The demo runs on SQLite with tasks in-process: when the suite ran on PostgreSQL, its
# fetch, ingest and publish paths run once more on SQLite (SQLITE_PASS), which binds values
# differently (a raw UPDATE once broke every demo fetch there while PostgreSQL passed).
SQLITE_PASS = tests/claims/test_source_fetch.py tests/reviews/test_demo.py \
	tests/reviews/test_demo_setup.py tests/reviews/test_publication.py

test: $(DEV_STAMP)
	$(BIN)/python -m pytest
	@if [ -n "$$DATABASE_URL" ]; then \
	  echo "== the demo's paths again on SQLite =="; \
	  env -u DATABASE_URL -u CELERY_BROKER_URL -u REQUIRE_SERVICES $(BIN)/python -m pytest -q $(SQLITE_PASS); \
	fi

# Property-based tests run with a fixed seed in `make test`; this explores fresh examples.
test-random: $(DEV_STAMP)
	$(BIN)/python -m pytest --hypothesis-profile=random -m "not system and not browser"

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(DEV_STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(DEV_STAMP)
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

# The production topology on one machine: gunicorn, a default worker, a thread-pool fetch
# worker and beat, against PostgreSQL and Redis, with production settings (debug off).
STACK_ENV = DJANGO_DEBUG=0 \
	DJANGO_SECRET_KEY=$${DJANGO_SECRET_KEY:-$$(cat var/stack-secret-key)} \
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/factcheck} \
	CELERY_BROKER_URL=$${CELERY_BROKER_URL:-redis://127.0.0.1:6379/0} \
	DJANGO_SECURE_SSL_REDIRECT=$${DJANGO_SECURE_SSL_REDIRECT:-0} \
	DJANGO_SECURE_COOKIES=$${DJANGO_SECURE_COOKIES:-0} \
	DJANGO_HSTS_SECONDS=$${DJANGO_HSTS_SECONDS:-0}

stack: $(STAMP)
	@mkdir -p var && test -s var/stack-secret-key || $(BIN)/python -c "import secrets; print(secrets.token_urlsafe(50))" > var/stack-secret-key
	@test -n "$$DATABASE_URL" || createdb -h 127.0.0.1 -U postgres factcheck 2>/dev/null || true
	$(STACK_ENV) $(BIN)/python manage.py migrate --noinput
	$(STACK_ENV) $(BIN)/python manage.py collectstatic --noinput -v0
	$(STACK_ENV) PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/honcho start -f Procfile

clean:
	rm -rf var/db.sqlite3 var/media var/static
