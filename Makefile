# Two commands on a fresh machine with Python and make: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/diemcau
REDIS_TEST_URL ?= redis://127.0.0.1:6379/5
# Our own reverse proxies (comma-separated addresses or networks): the one setting both Django
# (core.audit.client_ip, settings.TRUSTED_PROXIES) and uvicorn (--forwarded-allow-ips) believe
# X-Forwarded-For from. Empty: nobody's header is believed, not even loopback's.
TRUSTED_PROXIES ?=
export TRUSTED_PROXIES
# Websockets by wsproto, without per-message deflate: deflate holds a zlib compressor and decompressor for
# every open socket (about half of an idle console socket's memory) for frames of small JSON, and wsproto
# holds less per socket than websockets' implementation (bench/bench_idle_sockets.py). Python's copy, for
# bench/ and tests/: bench.server.SERVE_ARGS (tests/test_serve_args.py keeps the two the same).
UVICORN_WS = --ws wsproto --ws-per-message-deflate false
UVICORN_PROXY = $(if $(strip $(TRUSTED_PROXIES)),--proxy-headers --forwarded-allow-ips '$(TRUSTED_PROXIES)',--no-proxy-headers)

.PHONY: install demo serve test test-services lint bench bench-quick messages clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

# Background jobs (letters, certificates, exports, imports) run in `manage.py db_worker`, never in the
# web process: it runs beside uvicorn, and Ctrl+C (or uvicorn exiting) stops both.
WITH_WORKER = trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py db_worker --no-reload & worker=$$!;

demo: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py demo_banner --host $(HOST) --port $(PORT)
	@$(WITH_WORKER) DEBUG=0 SITE_URL=http://$(HOST):$(PORT) $(VENV)/bin/uvicorn config.asgi:application --host $(HOST) --port $(PORT) $(UVICORN_PROXY) $(UVICORN_WS) --log-level warning

serve: install
	@$(WITH_WORKER) $(VENV)/bin/uvicorn config.asgi:application --host $(HOST) --port $(PORT) $(UVICORN_PROXY) $(UVICORN_WS)

# First pass: the whole suite on the embedded default (SQLite, in-memory layer).
# Second pass: the tests marked `services` on PostgreSQL + Redis, when both answer.
test: install
	$(VENV)/bin/ruff check .
	$(PY) manage.py makemigrations --check --dry-run
	JOBS_MODE=inline $(VENV)/bin/pytest -q
	$(MAKE) --no-print-directory test-services

test-services: install
	@if $(PY) -m tests.services_available "$(PG_URL)" "$(REDIS_TEST_URL)"; then \
		DATABASE_URL="$(PG_URL)" REDIS_URL="$(REDIS_TEST_URL)" JOBS_MODE=inline $(VENV)/bin/pytest -q -m services; \
	else \
		echo "SKIPPED: PostgreSQL/Redis pass (see reason above)"; \
	fi

lint: install
	$(VENV)/bin/ruff check .

bench: install
	$(PY) -m bench.run

bench-quick: install
	$(PY) -m bench.run --quick

# Needs GNU gettext (apt-get install gettext); the compiled .mo is committed so installs do not.
messages: install
	$(PY) manage.py makemessages -l vi --ignore=.venv --ignore=bench --ignore=tests --no-obsolete
	$(PY) manage.py makemessages -d djangojs -l vi --ignore=.venv --ignore=staticfiles --no-obsolete
	$(PY) manage.py compilemessages -l vi --ignore=.venv

clean:
	rm -rf $(VENV) db.sqlite3* .test-db*.sqlite3* media staticfiles
