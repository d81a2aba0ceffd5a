# After-Sales Service (`aftersales`), an Odoo 19.0 add-on.
# `make help` lists the targets; scripts/dev/dev.sh does the work.
PYTHON ?= python3
PORT ?= 8069
DB ?= aftersales
TEST_DB ?= aftersales_test
BENCH_N ?= 1000
PYTEST_ARGS ?=

WORKERS ?=

export PYTHON PORT DB TEST_DB BENCH_N WORKERS

DEV := bash scripts/dev/dev.sh

FILES ?=

.PHONY: test-quick help run run-replica load race core-tests update shell test lint clean bench bench-million i18n pg-stop

help: ## List the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'
	@echo "  Variables: PYTHON=$(PYTHON) PORT=$(PORT) DB=$(DB) TEST_DB=$(TEST_DB) BENCH_N=$(BENCH_N)"

run: ## Serve the web client with demo data on http://localhost:8069 or PORT= (admin/admin)
	@$(DEV) run

run-replica: ## A second server on the `make run` database and filestore (PORT=8070, WORKERS=)
	@$(DEV) run-replica

load: ## Load test: Locust, 50 portal customers + 10 technicians, through nginx to a prefork server
	@$(DEV) load

race: ## Two servers with cron workers on one database over a backlog, one killed mid-run
	@$(DEV) race

core-tests: ## Odoo's own tests of the extended apps, without and with the add-on (slow)
	@$(DEV) core-tests

update: ## Upgrade the module in the `make run` database (-u aftersales)
	@$(DEV) update

shell: ## Open `odoo shell` on the `make run` database
	@$(DEV) shell

lint: ## ruff, pylint-odoo (OCA mandatory checks) and XML well-formedness
	@$(PYTHON) -c 'import odoo.release' 2>/dev/null || { echo "error: Odoo 19.0 cannot be imported by '$(PYTHON)' (see README.md)"; exit 1; }
	$(PYTHON) -m ruff check .
	$(PYTHON) -m ruff format --check .
	$(PYTHON) scripts/dev/check_xml.py
	$(PYTHON) scripts/dev/readme_html.py --check
	$(PYTHON) -m pylint --rcfile=.pylintrc-mandatory --ignore=scripts,.local,.git .
	$(PYTHON) -m oca_pre_commit_hooks.cli --no-verbose .
	$(PYTHON) -m oca_pre_commit_hooks.cli_po --no-verbose $$(find i18n -name '*.po*')

test: ## Lint, then run every test in a fresh database without demo data; prints a time table
	@MAKE="$(MAKE)" $(DEV) test $(PYTEST_ARGS)

test-quick: ## Lint, then FILES="tests/test_x.py ..." on the cached test database (-u)
	@MAKE="$(MAKE)" FILES="$(FILES)" $(DEV) quick $(PYTEST_ARGS)

i18n: ## Refresh i18n/it.po from the module's terms (needs a `make test` database)
	@$(DEV) i18n

bench: ## Benchmarks (BENCH_N contracts, default 1000)
	@$(DEV) bench

bench-million: ## The help desk at 10,000 and 1,000,000 tickets (about 5 min, 650 MiB of disk)
	@$(DEV) bench-million

pg-stop: ## Stop the local PostgreSQL cluster
	@$(DEV) pg-stop

clean: ## Stop and remove the local cluster, databases and caches
	@$(DEV) clean
