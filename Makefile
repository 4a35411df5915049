# Set-up, serving and tests. `make run` and `make test` work on a fresh clone.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
PUBLIC_PORT ?= 8000
STAFF_PORT ?= 8001

.PHONY: install translations run test lint clean

$(BIN)/.installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

translations: $(BIN)/.installed
	$(BIN)/pybabel compile -d portal/translations

install: $(BIN)/.installed translations

# Two processes with their own environments: the public one is given only the sealing
# public key, the database, its links and phone number, and the SMTP server for confirmations;
# never the staff key directory. Ctrl-C stops both.
run: install
	$(BIN)/portal init
	$(BIN)/portal demo-seed
	@echo "public: http://127.0.0.1:$(PUBLIC_PORT)/   staff: http://127.0.0.1:$(STAFF_PORT)/login"
	@trap 'kill 0' INT TERM; \
	env -i PATH="$$PATH" LANG=C.UTF-8 \
		PORTAL_DATABASE_URL="$$PORTAL_DATABASE_URL" \
		PORTAL_SEAL_PUBLIC_KEY="$${PORTAL_SEAL_PUBLIC_KEY:-$${PORTAL_KEY_DIR:-instance/keys}/seal.pub}" \
		PORTAL_PUBLIC_URL="$${PORTAL_PUBLIC_URL:-http://127.0.0.1:$(PUBLIC_PORT)}" \
		PORTAL_CENTRE_PHONE="$$PORTAL_CENTRE_PHONE" PORTAL_CHANGE_CUTOFF="$$PORTAL_CHANGE_CUTOFF" \
		PORTAL_SMTP_HOST="$$PORTAL_SMTP_HOST" PORTAL_SMTP_PORT="$$PORTAL_SMTP_PORT" \
		PORTAL_SMTP_FROM="$$PORTAL_SMTP_FROM" PORTAL_SMTP_STARTTLS="$$PORTAL_SMTP_STARTTLS" \
		PORTAL_SMTP_USER="$$PORTAL_SMTP_USER" PORTAL_SMTP_PASSWORD="$$PORTAL_SMTP_PASSWORD" \
		$(BIN)/portal serve public --listen=127.0.0.1:$(PUBLIC_PORT) & \
	PORTAL_PUBLIC_URL="$${PORTAL_PUBLIC_URL:-http://127.0.0.1:$(PUBLIC_PORT)}" \
	PORTAL_STAFF_URL="$${PORTAL_STAFF_URL:-http://127.0.0.1:$(STAFF_PORT)}" \
		$(BIN)/portal serve staff --listen=127.0.0.1:$(STAFF_PORT) & \
	wait

test: install
	$(BIN)/ruff check portal storage_backends tests bench wsgi.py
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check portal storage_backends tests bench wsgi.py
	$(BIN)/ruff format --check portal storage_backends tests bench wsgi.py

clean:
	rm -rf $(VENV) *.egg-info
