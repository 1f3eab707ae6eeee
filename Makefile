# Single entry point for developers and CI. `make run` and `make test` work on a fresh clone.
.DEFAULT_GOAL := help
SHELL := /bin/bash

VENV    ?= .venv
PY      := $(VENV)/bin/python
MANAGE  := $(PY) manage.py
PORT    ?= 8000
PYTEST_ARGS ?=
# The embedded default for local runs: DEBUG on (demo accounts, /dev/outbox/), SQLite, in-process tasks.
RUN_ENV ?= DJANGO_DEBUG=$${DJANGO_DEBUG:-true}
# Build-time commands (catalogs, migration checks) need no secrets: they use the test settings.
TOOL_MANAGE := DJANGO_SETTINGS_MODULE=config.settings.test $(MANAGE)

.PHONY: lock
PIP_COMPILE := $(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-header \
	--no-emit-index-url --no-emit-find-links
lock:  ## After adding or changing a pin in requirements*.txt: recompile the hashed requirements*.lock (pip-tools)
	@test -x $(VENV)/bin/pip-compile || $(PY) -m pip install --quiet pip-tools==7.6.2
	$(PIP_COMPILE) -o requirements.lock requirements.txt
	$(PIP_COMPILE) -o requirements-dev.lock requirements-dev.txt requirements.lock
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.lock 2> >(grep -v 'is ignored' >&2)
	@touch $(VENV)/.installed

.PHONY: help run test lint format worker beat messages compilemessages migrations-check bench css clean venv

help:  ## List the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 20

# Installs exactly the hashed lock (every dependency, transitive ones included); see `make lock`.
$(VENV)/.installed: requirements.txt requirements-dev.txt requirements.lock requirements-dev.lock
	@test -x $(PY) || { py=$$(sh scripts/find-python.sh) && echo "Creating $(VENV) with $$py" && $$py -m venv $(VENV); }
	@$(PY) scripts/check-lock.py
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.lock 2> >(grep -v 'is ignored' >&2)
	@touch $@

venv: $(VENV)/.installed  ## Create .venv and install the pinned requirements

compilemessages: venv  ## Compile the translation catalogs (.po -> .mo)
	@$(TOOL_MANAGE) compilemessages --ignore=$(VENV) --ignore=node_modules -v 0

run: venv compilemessages  ## Migrate, load the demo data and serve on 127.0.0.1:$(PORT)
	$(RUN_ENV) $(MANAGE) migrate --noinput
	$(RUN_ENV) $(MANAGE) load_demo
	$(RUN_ENV) $(MANAGE) runserver 127.0.0.1:$(PORT)

test: venv compilemessages  ## Run the whole test suite (PYTEST_ARGS=... to narrow it)
	$(PY) -m pytest $(PYTEST_ARGS)

lint: venv  ## ruff (lint + format check), django-upgrade, djLint, hashed lock up to date
	$(PY) scripts/check-lock.py
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	git ls-files -z --cached --others --exclude-standard '*.py' | xargs -0 $(VENV)/bin/django-upgrade --target-version 5.2 --check
	$(VENV)/bin/djlint templates apps --lint --quiet

format: venv  ## Apply ruff's and django-upgrade's fixes and formatting
	-git ls-files -z --cached --others --exclude-standard '*.py' | xargs -0 $(VENV)/bin/django-upgrade --target-version 5.2
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

worker: venv  ## Start a Celery worker (needs REDIS_URL)
	$(VENV)/bin/celery -A config worker --loglevel=INFO --concurrency=$${CONCURRENCY:-2}

beat: venv  ## Start the Celery periodic scheduler (needs REDIS_URL)
	$(VENV)/bin/celery -A config beat --loglevel=INFO --schedule=$${BEAT_SCHEDULE_FILE:-/tmp/portal-celerybeat-schedule}

messages: venv  ## Refresh the translation catalogs after changing strings
	$(TOOL_MANAGE) makemessages --all --no-obsolete --ignore=$(VENV) --ignore=node_modules --ignore=tests --ignore=staticfiles
	$(TOOL_MANAGE) makemessages --all -d djangojs --no-obsolete --ignore=$(VENV) --ignore=node_modules --ignore=staticfiles

migrations-check: venv  ## Fail when a model change has no migration
	$(TOOL_MANAGE) makemigrations --check --dry-run

bench: venv compilemessages  ## Page throughput as ratios to a bare view (needs wrk; writes benchmarks/results/pages.md)
	$(PY) benchmarks/pages.py

clean:  ## Remove the virtualenv and local data
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache

.PHONY: bench-booking
bench-booking: venv  ## Booking throughput on PostgreSQL, side by side with 55d9315 (DATABASE_URL, REDIS_URL; writes benchmarks/results/booking.md)
	BENCH_BASELINE=$${BENCH_BASELINE-55d9315} $(PY) benchmarks/booking.py

.PHONY: bench-notifications
bench-notifications: venv compilemessages  ## Confirmations/s two workers deliver to a fake ZNS, as a ratio to an empty task (needs DATABASE_URL=postgres://…, Redis)
	$(PY) benchmarks/notifications.py

.PHONY: bench-scale
bench-scale: venv compilemessages  ## A city's years of data: reminders, exports, admin lists (DATABASE_URL=postgres://…, Redis; writes benchmarks/results/scale.md)
	$(PY) benchmarks/scale.py
