# Two commands do everything: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test lint demo frontend clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed

# The task worker, which sends notices and reminders (to the console), runs beside the
# server and stops with it, however the server stops (Ctrl-C, or failing to start).
run: $(VENV)/.installed
	WAYMARK_ENV=development $(BIN)/python manage.py migrate --noinput
	WAYMARK_ENV=development $(BIN)/python manage.py demo
	WAYMARK_ENV=development $(BIN)/python manage.py db_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	trap 'exit 130' INT TERM; \
	WAYMARK_ENV=development $(BIN)/python manage.py runserver 127.0.0.1:8000

test: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	WAYMARK_ENV=test $(BIN)/python manage.py makemigrations --check --dry-run >/dev/null
	WAYMARK_ENV=test $(BIN)/python -m pytest

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djlint waymark --lint

# Rebuilds the committed GOV.UK and MOJ assets; needs Node, which `make run` does not.
frontend:
	npm ci
	npm run build

clean:
	rm -rf $(VENV) var staticfiles
