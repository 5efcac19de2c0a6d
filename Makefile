# The two commands: `make run` and `make test`. Everything else is a step they use.
# Settings may live in .env (never committed; see .env.example); its values override the environment.
-include .env
export

VENV := .venv
PY := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa
export PYTHONPATH := $(CURDIR)
export PYTHONDONTWRITEBYTECODE := 1
export TF_CPP_MIN_LOG_LEVEL := 2

.PHONY: help run run-scaled test setup lookups train validate browser lint kb-check kb-stats kb-load eval bench soak clean

run: setup train ## set up everything and start the assistant and its channels
	$(PY) -m runtime.supervisor

# The production layout on this machine: two Rasa and two action servers on the local PostgreSQL (conversations,
# knowledge) and Redis (conversation locks); see docs/scaling.md.
run-scaled: setup train ## the production layout: two Rasa and two action servers on PostgreSQL and Redis
	$(PY) -m runtime.supervisor --scaled

test: setup train lint validate browser ## set up, then every check: lint, types, Rasa data, test stories, pytest
	$(RASA) test core --stories tests/stories --model $$($(PY) -c "from runtime.train import model_path; print(model_path())") \
		--out var/test-stories --fail-on-prediction-errors > var/test-stories.log 2>&1 \
		|| { tail -30 var/test-stories.log; exit 1; }
	@echo "test stories: rasa test core --fail-on-prediction-errors passed"
	$(PY) -m pytest tests

help: ## this list
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | awk -F'\t' '{printf "  make %-15s %s\n", $$1, $$2}'

setup:
	@bash scripts/bootstrap.sh

# Lookup tables and synonyms of the knowledge names for the NLU (rewritten only when the knowledge changed).
lookups: setup
	@$(PY) -m scripts.gen_nlu_lookups

train: setup lookups
	@$(PY) -m runtime.train

validate: setup
	@mkdir -p var
	@$(RASA) data validate --fail-on-warnings > var/validate.log 2>&1 \
		|| { grep -E "UserWarning|ERROR|Error" var/validate.log; exit 1; }
	@echo "validate: rasa data validate --fail-on-warnings passed"

# Browser tests drive Debian's chromium (never a downloaded browser), with an emoji font so that screenshots show
# what users see (the feedback buttons are emoji).
BROWSER_PACKAGES := chromium fonts-noto-color-emoji
browser:
	@missing=$$(for p in $(BROWSER_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then echo "browser: installing Debian's" $$missing; \
		apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; fi

lint: setup ## ruff check, ruff format --check, mypy (settings in pyproject.toml)
	@$(VENV)/bin/ruff check --quiet .
	@$(VENV)/bin/ruff format --check --quiet .
	@$(VENV)/bin/mypy

kb-check: setup ## validate knowledge/ (file:line problems)
	$(PY) -m assistant.kb check

kb-stats: setup ## entries per topic and province
	$(PY) -m assistant.kb stats

kb-load: setup ## load knowledge/ into the database
	$(PY) -m assistant.kb load

# Staff shortcuts (see `python -m assistant.kb --help`). Optional: SINCE=YYYY-MM-DD CSV=file.csv
.PHONY: kb-diff kb-reload kb-unanswered kb-feedback
kb-diff: setup ## what would change against what is loaded
	$(PY) -m assistant.kb diff

kb-reload: setup ## ask the running action server to reload now
	$(PY) -m assistant.kb reload

kb-unanswered: setup ## questions not answered, grouped (SINCE=, CSV=)
	$(PY) -m assistant.kb unanswered $(if $(SINCE),--since $(SINCE)) $(if $(CSV),--csv $(CSV))

kb-feedback: setup ## feedback per knowledge entry (SINCE=, CSV=)
	$(PY) -m assistant.kb feedback $(if $(SINCE),--since $(SINCE)) $(if $(CSV),--csv $(CSV))

# Accuracy on data never used for training (tests/nlu_test, tests/answer_eval); see README.
eval: setup train ## accuracy on questions never used for training (docs/evaluation.md)
	$(PY) -m scripts.evaluate

# Latency, throughput, memory, training time and knowledge-base scaling against a stock `rasa init` bot
# (10-20 minutes; figures in var/bench/latest.json and latest.md). BENCH_ARGS=--quick for a smoke run.
bench: setup train ## latency, throughput, memory against a stock Rasa bot (docs/benchmarks.md)
	$(PY) -m scripts.bench $(BENCH_ARGS)

# 10 minutes at the throughput `make bench` measured at 10 users: errors, memory growth and p95 drift (figures
# in var/soak/latest.json and latest.md). SOAK_ARGS="--minutes 1 --rate 5" for a smoke run.
soak: setup train ## 10 minutes of load: errors, memory growth, p95 drift
	$(PY) -m scripts.soak $(SOAK_ARGS)

clean: ## remove models, var/ and caches
	rm -rf models var .pytest_cache
