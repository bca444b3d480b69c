# Quartier — the two commands a newcomer needs are `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
SUPPORTERS ?= 2000000

.PHONY: demo test test-sqlite test-postgres lint format bench messages mutants serve clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Installed once per change of pyproject.toml.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

# The demo campaign needs the `demo` extra (Faker); the product does not.
$(VENV)/.installed-demo: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[demo]'
	touch $(VENV)/.installed $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $(VENV)/.installed-demo $@

demo: $(VENV)/.installed-demo
	PORT=$(PORT) $(BIN)/quartier demo

serve: $(VENV)/.installed
	PORT=$(PORT) $(BIN)/quartier serve

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run --verbosity 1

format: $(VENV)/.installed-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The whole suite on SQLite; then again on PostgreSQL when QUARTIER_TEST_POSTGRES is a URL.
# With QUARTIER_REQUIRE_ALL=1 a missing PostgreSQL, browser or tool fails the run instead of skipping.
test: lint
	$(BIN)/pytest
	@if [ -n "$$QUARTIER_TEST_POSTGRES" ]; then \
		echo "== the suite again on PostgreSQL =="; \
		DATABASE_URL="$$QUARTIER_TEST_POSTGRES" $(BIN)/pytest; \
	elif [ "$$QUARTIER_REQUIRE_ALL" = "1" ]; then \
		echo "QUARTIER_REQUIRE_ALL=1 but QUARTIER_TEST_POSTGRES is not set"; exit 1; \
	else \
		echo "(set QUARTIER_TEST_POSTGRES=postgresql://… to run the suite on PostgreSQL too)"; \
	fi

# Load the benchmark campaign (BENCH_DATABASE_URL, default var/bench.sqlite3), serve it with gunicorn
# and drive the hot pages with wrk, each between two runs of the bare floor; BENCH_REDIS_URL is the Redis
# database it empties and uses. It waits for a quiet machine (1-minute load ≤ 1.0) and refuses a busy
# one: BENCH_ALLOW_NOISY=1 measures anyway, marking every figure NOT QUIET.
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/9
bench: $(VENV)/.installed-test
	@command -v wrk >/dev/null || { echo "make bench needs wrk: apt-get install wrk"; exit 1; }
	BENCH_REDIS_URL="$(BENCH_REDIS_URL)" $(BIN)/python -m bench --supporters $(SUPPORTERS)
	@if [ -n "$$QUARTIER_BENCH_POSTGRES" ]; then \
		BENCH_REDIS_URL="$(BENCH_REDIS_URL)" $(BIN)/python -m bench --supporters $(SUPPORTERS) \
			--database-url "$$QUARTIER_BENCH_POSTGRES"; \
		BENCH_REDIS_URL="$(BENCH_REDIS_URL)" $(BIN)/python -m bench.donations --database-url "$$QUARTIER_BENCH_POSTGRES"; \
	fi
	@if [ -n "$$OUTREACH_BENCH_POSTGRES" ]; then $(BIN)/python -m bench.outreach --database-url "$$OUTREACH_BENCH_POSTGRES"; fi
	@if [ -n "$$QUARTIER_BENCH_SOCIAL_POSTGRES" ]; then $(BIN)/python -m bench.social --database-url "$$QUARTIER_BENCH_SOCIAL_POSTGRES" --redis-url "$(BENCH_REDIS_URL)"; fi
	@if [ -n "$$QUARTIER_BENCH_POSTGRES" ]; then BENCH_REDIS_URL="$(BENCH_REDIS_URL)" $(BIN)/python -m bench.dashboard --database-url "$$QUARTIER_BENCH_POSTGRES"; fi
	@if [ -n "$$QUARTIER_BENCH_FIELDWORK_POSTGRES" ]; then $(BIN)/python -m bench.fieldwork --database-url "$$QUARTIER_BENCH_FIELDWORK_POSTGRES" --redis-url "$(BENCH_REDIS_URL)"; fi
	# Word of mouth, integrity and the APIs at the scale of issues 23, 24 and 25 (in memory, then on PostgreSQL).
	$(BIN)/python -m bench.cascades --nodes 10000000
	$(BIN)/python -m bench.reach_graph --nodes 2000000 --follows 50
	$(BIN)/python -m bench.integrity --quality-supporters 200000 --supporters 2000000 --posts 1000000 --graph-nodes 2000000 --graph-edges 100000000
	@if [ -n "$$QUARTIER_BENCH_API_POSTGRES" ]; then \
		$(BIN)/python -m bench.api --supporters 2000000 --database-url "$$QUARTIER_BENCH_API_POSTGRES" --redis-url "$(BENCH_REDIS_URL)"; \
		$(BIN)/python -m bench.api_mobilize --supporters 2000000 --database-url "$$QUARTIER_BENCH_API_POSTGRES" --redis-url "$(BENCH_REDIS_URL)"; \
		$(BIN)/python -m bench.exchange --people 1000000 --database-url "$$QUARTIER_BENCH_API_POSTGRES"_exchange; \
		$(BIN)/python -m bench.follow_copy --edges 100000000 --database-url "$$QUARTIER_BENCH_API_POSTGRES"_graph; \
		$(BIN)/python -m bench.integrity_job --posts 1000000 --new 50000 --database-url "$$QUARTIER_BENCH_API_POSTGRES"_integrity; \
	fi

# Deliberate one-line bugs in the critical paths (mutants/bugs.py), one at a time: do the tests catch
# each? Not part of `make test`; the lock-related ones also run on $QUARTIER_TEST_POSTGRES when set.
# See docs/mutants.md. `make mutants ONLY="id other-id"` checks some bugs only.
ONLY ?=
mutants: $(VENV)/.installed-test
	$(BIN)/python -m mutants $(foreach id,$(ONLY),--only $(id))

# Extract new strings into the catalogues, then compile them (the .mo files are committed). The
# catalogue also holds our French for django-allauth's own templates ("courriel"), which makemessages
# cannot see in our code and drops: msgcat puts back every entry it dropped, translations included.
FR_PO = quartier/locale/fr/LC_MESSAGES/django.po
messages: $(VENV)/.installed
	cp $(FR_PO) $(FR_PO).before
	cd quartier && ../$(BIN)/python ../manage.py makemessages -l fr --no-obsolete --add-location file \
		--ignore 'tests/*' --ignore '*/tests/*'
	msgcat --use-first -o $(FR_PO) $(FR_PO) $(FR_PO).before
	rm $(FR_PO).before
	cd quartier && ../$(BIN)/python ../manage.py compilemessages -l fr

clean:
	rm -rf $(VENV) var
