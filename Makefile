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

.PHONY: run run-scaled test setup lookups train validate browser lint kb-check kb-stats kb-load eval bench soak clean

run: setup train
	$(PY) scripts/run.py

# The production layout on this machine: two Rasa and two action servers on the local PostgreSQL (conversations,
# knowledge) and Redis (conversation locks); see README "Scaling out".
run-scaled: setup train
	$(PY) scripts/run.py --scaled

test: setup train validate browser
	$(RASA) test core --stories tests/stories --model $$($(PY) -c "from scripts.train import model_path; print(model_path())") \
		--out var/test-stories --fail-on-prediction-errors > var/test-stories.log 2>&1 \
		|| { tail -30 var/test-stories.log; exit 1; }
	@echo "test stories: rasa test core --fail-on-prediction-errors passed"
	$(PY) -m pytest tests

setup:
	@bash scripts/bootstrap.sh

# Lookup tables and synonyms of the knowledge names for the NLU (rewritten only when the knowledge changed).
lookups: setup
	@$(PY) scripts/gen_nlu_lookups.py

train: setup lookups
	@$(PY) scripts/train.py

validate: setup
	@mkdir -p var
	@$(RASA) data validate --fail-on-warnings > var/validate.log 2>&1 \
		|| { grep -E "UserWarning|ERROR|Error" var/validate.log; exit 1; }
	@echo "validate: rasa data validate --fail-on-warnings passed"

# Browser tests drive Debian's chromium (never a downloaded browser).
browser:
	@command -v chromium >/dev/null 2>&1 || { echo "browser: installing Debian's chromium"; \
		apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

kb-check: setup
	$(PY) -m actions.kb check

kb-stats: setup
	$(PY) -m actions.kb stats

kb-load: setup
	$(PY) -m actions.kb load

# Staff shortcuts (see `python -m actions.kb --help`). Optional: SINCE=YYYY-MM-DD CSV=file.csv
.PHONY: kb-diff kb-reload kb-unanswered kb-feedback
kb-diff: setup
	$(PY) -m actions.kb diff

kb-reload: setup
	$(PY) -m actions.kb reload

kb-unanswered: setup
	$(PY) -m actions.kb unanswered $(if $(SINCE),--since $(SINCE)) $(if $(CSV),--csv $(CSV))

kb-feedback: setup
	$(PY) -m actions.kb feedback $(if $(SINCE),--since $(SINCE)) $(if $(CSV),--csv $(CSV))

# Accuracy on data never used for training (tests/nlu_test, tests/answer_eval); see README.
eval: setup train
	$(PY) scripts/evaluate.py

# Latency, throughput, memory, training time and knowledge-base scaling against a stock `rasa init` bot
# (10-20 minutes; figures in var/bench/latest.json and latest.md). BENCH_ARGS=--quick for a smoke run.
bench: setup train
	$(PY) scripts/bench.py $(BENCH_ARGS)

# 10 minutes at the throughput `make bench` measured at 10 users: errors, memory growth and p95 drift (figures
# in var/soak/latest.json and latest.md). SOAK_ARGS="--minutes 1 --rate 5" for a smoke run.
soak: setup train
	$(PY) scripts/soak.py $(SOAK_ARGS)

clean:
	rm -rf models var .pytest_cache
