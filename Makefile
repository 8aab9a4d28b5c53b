PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export OMNICASE_DATABASE_URL ?= sqlite:///./omnicase.db

.PHONY: venv demo serve test test-fast lint bench clean fuzz

$(BIN)/omnicase: pyproject.toml
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q -e '.[dev]'
	touch $(BIN)/omnicase

venv: $(BIN)/omnicase

demo: venv
	$(BIN)/omnicase db upgrade
	$(BIN)/omnicase demo
	$(BIN)/omnicase serve --host 127.0.0.1 --port 8000

# Tests that start real processes (web, worker, a second writer) run alone after the
# parallel part: beside another test on two cores they would miss their deadlines.
test: venv
	$(BIN)/pytest -q -n 2 -m "not processes"
	$(BIN)/pytest -q -m processes

test-fast: venv
	$(BIN)/pytest -q -x -m "not slow"

lint: venv
	$(BIN)/ruff check src tests bench tools
	$(BIN)/ruff format --check src tests bench tools
	$(BIN)/mypy

FUZZ_SECONDS ?= 30
FUZZ_TARGETS ?= email meta x sms phone phone_twilio chat chat_frame webform

# each parser target for FUZZ_SECONDS (atheris if `pip install -e '.[fuzz]'`, else the
# mutation fuzzer); a crash leaves its input in .fuzz/ and fails
fuzz: venv
	@for t in $(FUZZ_TARGETS); do $(BIN)/python -m tests.fuzz.run $$t $(FUZZ_SECONDS) || exit 1; done

bench: venv
	$(BIN)/omnicase bench ingest --messages 100000 --json

clean:
	rm -rf $(VENV) omnicase.db* .pytest_cache .mypy_cache .ruff_cache
