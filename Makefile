# Loopbrug: every entry point for people and CI. See README.md and shared/spec/interfaces.md.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
INSTALLED := $(VENV)/.installed
SPACY_MODEL := var/spacy/nl_loopbrug-1.0.0
MODEL_STAMP := models/.trained
# var/nlu holds the knowledge base's phrasings as training data (generated, see below).
KNOWLEDGE_NLU := var/nlu/knowledge.yml
RASA_DATA := data/nlu $(KNOWLEDGE_NLU) bot/rules bot/stories
RASA_ARGS := --config bot/config.yml --domain bot/domain
# The crisis guard trains a classifier on data/safety/ and normalises text with loopbrug/safety/.
TRAIN_INPUTS := bot/config.yml bot/components/crisis_guard.py $(wildcard loopbrug/safety/*.py) \
	$(shell find bot/domain bot/rules bot/stories data/nlu data/safety -type f -name '*.yml' 2>/dev/null)
SPACY_INPUTS := bot/spacy_pipeline.py $(wildcard data/regions/*.csv data/regions/*.txt data/nlu/lookups/*.txt data/nlu/*.yml)

# Keep TensorFlow quiet and on the CPU; the machines have no accelerator.
export TF_CPP_MIN_LOG_LEVEL := 2
export CUDA_VISIBLE_DEVICES := -1
# Rasa sends anonymous usage data by default; a helpline does not.
export RASA_TELEMETRY_ENABLED := false
# Rasa 3.6 uses SQLAlchemy 1.4 APIs that warn about 2.0 on every start.
export SQLALCHEMY_SILENCE_UBER_WARNING := 1

.PHONY: help setup train run test lint validate unit conversations e2e golden services-deps browser browser-deps bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

setup: $(INSTALLED) $(SPACY_MODEL)/meta.json ## virtualenv, dependencies and the spaCy pipeline (idempotent)

$(INSTALLED): pyproject.toml requirements/lock.txt scripts/find-python310.sh
	@python310=$$(scripts/find-python310.sh); \
	if [ ! -x $(PY) ]; then echo "creating $(VENV) with $$python310"; "$$python310" -m venv $(VENV); fi
	$(PY) -m pip install --quiet --disable-pip-version-check -c requirements/lock.txt -e ".[dev]"
	$(PY) -m pip check
	@touch $@

$(SPACY_MODEL)/meta.json: $(INSTALLED) $(SPACY_INPUTS)
	$(PY) -m bot.spacy_pipeline --force

train: setup $(MODEL_STAMP) ## train a model when data, domain or config changed

# The self-test's slots and questions are generated from data (loopbrug/assessment/domain.py);
# the words around each question are texts (data/texts/nl/assessment.yml).
bot/domain/assessment_questions.yml: data/assessment/questions.yml data/texts/nl/assessment.yml loopbrug/assessment/domain.py loopbrug/assessment/questions.py | $(INSTALLED)
	$(PY) -m loopbrug.assessment.domain

# The stamp gets the time training started, not ended: a file saved during training is newer
# than the stamp, so the next `make train` trains again instead of saying "Nothing to be done".
# The knowledge base's units (data/knowledge/units/) write each phrasing once; this turns them
# into training data for their catalogue intent (loopbrug/knowledge/nlu.py).
$(KNOWLEDGE_NLU): $(wildcard data/knowledge/units/*.yml) loopbrug/knowledge/nlu.py loopbrug/knowledge/units.py loopbrug/knowledge/retrieve.py $(wildcard data/nlu/*.yml) | $(INSTALLED)
	$(PY) -m loopbrug.knowledge nlu $@

$(MODEL_STAMP): $(TRAIN_INPUTS) $(KNOWLEDGE_NLU) bot/domain/assessment_questions.yml $(SPACY_MODEL)/meta.json
	@mkdir -p $(@D) && date +%s > $@.start
	$(BIN)/rasa train $(RASA_ARGS) --data $(RASA_DATA) --out models
	@touch -d @$$(cat $@.start) $@ && rm -f $@.start

run: train ## set up, train if needed, and start the helpline on localhost (Ctrl-C stops it)
	$(PY) -m bot.serve

lint: $(INSTALLED) ## ruff, and the layers' import contracts (pyproject.toml [tool.importlinter])
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

# pip-audit lives in its own virtualenv: it needs packaging>=21, Rasa 3.6 pins packaging<21.
AUDIT_VENV := var/audit-venv
.PHONY: audit audit-list
audit: $(AUDIT_VENV)/.installed ## known vulnerabilities in requirements/lock.txt (needs a vulnerability service; docs/security.md)
	$(AUDIT_VENV)/bin/python scripts/audit.py

# Part of `make test`: pip-audit cannot reach a vulnerability service from these machines, so
# the test checks offline that every documented vulnerability still matches the pinned version.
audit-list: $(INSTALLED) ## the documented vulnerabilities still match requirements/lock.txt
	$(PY) scripts/audit.py --offline

$(AUDIT_VENV)/.installed: requirements/audit-tool.txt scripts/find-python310.sh
	@python310=$$(scripts/find-python310.sh); \
	if [ ! -x $(AUDIT_VENV)/bin/python ]; then "$$python310" -m venv $(AUDIT_VENV); fi
	$(AUDIT_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements/audit-tool.txt
	$(AUDIT_VENV)/bin/python -m pip check
	@touch $@

validate: setup $(KNOWLEDGE_NLU) ## rasa data validate, warnings are errors
	$(BIN)/rasa data validate --fail-on-warnings $(RASA_ARGS) --data $(RASA_DATA)

unit: setup $(KNOWLEDGE_NLU) services-deps ## fast tests: actions, helpers, data (migrations on a real PostgreSQL too)
	$(PY) -m pytest tests/unit -q

conversations: train ## conversation tests against the trained model
	$(BIN)/rasa test core --model models --stories tests/conversations \
		--out var/results/conversations --fail-on-prediction-errors --no-plot

e2e: train services-deps ## the trained model's policies (tests/model), then the real Rasa and action servers
	$(PY) -m pytest tests/model tests/e2e -q

# Golden conversations (tests/golden/) run inside `make e2e`; this target rewrites their
# snapshots for an intended change: review `git diff tests/golden/snapshots` before committing.
# One conversation: `make golden GOLDEN=money_check_start` (a pytest -k expression).
golden: train ## rewrite the golden snapshots (tests/golden/snapshots), then review the diff
	LOOPBRUG_GOLDEN_UPDATE=1 $(PY) -m pytest tests/e2e/test_golden.py -q $(if $(GOLDEN),-k "$(GOLDEN)")

# The multi-process e2e test (tests/e2e/test_multiprocess_e2e.py) starts its own PostgreSQL
# and Redis on loopback, from Debian's packages; the version of PostgreSQL does not matter.
REDIS_SERVER ?= /usr/bin/redis-server

services-deps: ## PostgreSQL and Redis (apt) for the migration and multi-process tests
	@missing=""; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	[ -x $(REDIS_SERVER) ] || missing="$$missing redis-server"; \
	[ -z "$$missing" ] && exit 0; \
	command -v apt-get >/dev/null || { echo "The e2e tests need Debian's packages:$$missing."; exit 1; }; \
	echo "installing$$missing (apt-get)"; \
	apt-get update -qq; \
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing

# Browser tests use Debian's Chromium (no browser download at run time) and axe-core from npm.
CHROMIUM ?= /usr/bin/chromium
AXE := web/node_modules/axe-core/axe.min.js

browser-deps: $(CHROMIUM) $(AXE) ## Chromium (apt) and axe-core (npm) for the browser tests

$(CHROMIUM):
	@command -v apt-get >/dev/null || { echo "The browser tests need Chromium: install Debian's 'chromium' package."; exit 1; }
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium

$(AXE): web/package.json web/package-lock.json
	npm ci --prefix web --no-audit --no-fund --loglevel=error
	@touch $@

browser: train browser-deps ## the web widget in a real headless Chromium, with axe-core
	$(PY) -m pytest tests/browser -q

test: lint audit-list validate unit train conversations e2e browser ## every test; exit 0 only when all pass

# The benchmark trains its own models into var/bench (that is part of what it measures), so it
# needs the set-up, not `make train`; Redis is for its two-worker measurement. About 35 minutes
# on 2 cores. `make bench BENCH_ARGS=--quick` checks the benchmark itself in a few minutes.
bench: setup bot/domain/assessment_questions.yml $(KNOWLEDGE_NLU) services-deps ## benchmarks; writes docs/benchmarks.md
	$(PY) -m bench.run $(BENCH_ARGS)

clean: ## remove trained models, results and the spaCy pipeline (not the virtualenv)
	rm -rf models var/spacy var/results
