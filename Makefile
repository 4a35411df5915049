# Set-up, serving and tests. `make run` and `make test` work on a fresh clone.
VENV ?= .venv
# Debian's python3 where there is one: the public process runs as another user, who must be able
# to run the interpreter the venv is built from (a python under a private home is out of reach).
PYTHON ?= $(firstword $(wildcard /usr/bin/python3) python3)
BIN := $(VENV)/bin
PUBLIC_PORT ?= 8000
STAFF_PORT ?= 8001
# The user the public process runs as when make runs as root.
PUBLIC_USER ?= nobody
PUBLIC_GROUP ?= nogroup

.PHONY: install translations run test screenshots mutation lint clean

$(BIN)/.installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

translations: $(BIN)/.installed
	$(BIN)/pybabel compile -d portal/translations

install: $(BIN)/.installed translations

# Two processes with their own environments; Ctrl-C stops both. bin/run-public starts the
# public one from instance/public with a fresh environment (instance path, sealing public key,
# public store URL, its non-secret settings; never the staff keys, database or secrets) and,
# when run as root, as PUBLIC_USER:PUBLIC_GROUP, who owns instance/public and nothing else.
run: install
	$(BIN)/portal init
	$(BIN)/portal demo-seed
	@echo "public: http://127.0.0.1:$(PUBLIC_PORT)/   staff: http://127.0.0.1:$(STAFF_PORT)/login"
	@trap 'kill 0' INT TERM; \
	PORTAL_PUBLIC_URL="$${PORTAL_PUBLIC_URL:-http://127.0.0.1:$(PUBLIC_PORT)}" \
	VENV="$(VENV)" PUBLIC_USER="$(PUBLIC_USER)" PUBLIC_GROUP="$(PUBLIC_GROUP)" \
		bin/run-public "$${PORTAL_INSTANCE_PATH:-instance}" 127.0.0.1:$(PUBLIC_PORT) & \
	PORTAL_PUBLIC_URL="$${PORTAL_PUBLIC_URL:-http://127.0.0.1:$(PUBLIC_PORT)}" \
	PORTAL_STAFF_URL="$${PORTAL_STAFF_URL:-http://127.0.0.1:$(STAFF_PORT)}" \
		$(BIN)/portal serve staff --listen=127.0.0.1:$(STAFF_PORT) & \
	wait

# Two workers (a module's tests that share its servers run on one: tests/conftest.py), and branch
# coverage of the code, servers and commands the tests start included (pyproject.toml's
# [tool.coverage.*]); the thirty slowest tests are listed, to keep the suite fast.
test: install
	$(BIN)/ruff check portal storage_backends tests bench wsgi.py
	$(BIN)/pytest -n 2 --dist loadgroup --cov --cov-report=term --durations=30

# Screenshots of the pages the browser tests visit, at each width they run (1280, 768, 390 px),
# into screenshots/ (chromium with a Japanese font, as .ci/run installs them).
screenshots: install
	rm -rf screenshots && mkdir screenshots
	PORTAL_SCREENSHOTS="$(CURDIR)/screenshots" $(BIN)/pytest -n 2 -q -p no:cacheprovider tests/browser
	@echo "screenshots: $$(ls screenshots | wc -l) pages in screenshots/"

$(BIN)/.mutation: $(BIN)/.installed
	$(BIN)/pip install --quiet -e '.[test,mutation]'
	touch $@

# Mutation testing of the security core (setup.cfg's [mutmut]): slow, so neither `make test` nor
# CI runs it. MUTANTS narrows it, e.g. make mutation MUTANTS='portal.staff.gate*'. Results are kept
# in mutants/ and only new or changed code runs again; remove mutants/ for a fresh run.
mutation: install $(BIN)/.mutation
	$(BIN)/mutmut run $(MUTANTS)
	$(BIN)/mutmut results

lint: install
	$(BIN)/ruff check portal storage_backends tests bench wsgi.py
	$(BIN)/ruff format --check portal storage_backends tests bench wsgi.py

clean:
	rm -rf $(VENV) *.egg-info mutants .coverage .coverage.*
