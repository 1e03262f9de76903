# Set-up, run and checks. `make run` and `make test` create .venv from the pinned
# versions in requirements.lock on first use, so a fresh clone needs nothing else.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# make bench CUSTOMERS="100000 1000000" PIPELINES=data_processing,feature_engineering
CUSTOMERS ?= 100000
PIPELINES ?= __default__

export KEDRO_DISABLE_TELEMETRY := true
export DO_NOT_TRACK := 1

.PHONY: install install-spark run test lint format viz serve sample bench mlflow-ui clean

$(INSTALLED): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --constraint requirements.lock --editable ".[dev]"
	touch $(INSTALLED)

install: $(INSTALLED)

# The optional Spark engine (kedro run --env=spark); Java 17 comes from the OS
# (apt-get install openjdk-17-jre-headless). Without it the Spark tests skip.
install-spark: $(INSTALLED)
	$(BIN)/python -m pip install --quiet --constraint requirements.lock --editable ".[dev,spark]"

run: $(INSTALLED)
	$(BIN)/kedro run

# One worker per core, each file's tests on one worker (its fixtures built once);
# TEST_WORKERS=0 runs the suite in this process.
TEST_WORKERS ?= auto
test: $(INSTALLED)
	$(BIN)/pytest --numprocesses=$(TEST_WORKERS) --dist=loadfile

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(INSTALLED)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

viz: $(INSTALLED)
	$(BIN)/kedro viz build --include-previews

serve: $(INSTALLED)
	$(BIN)/python -m customer_segmentation.api --host $(HOST) --port $(PORT)

# The MLflow UI on the runs of this project (conf/base/mlflow.yml); kedro-mlflow
# starts the `mlflow` program, hence .venv/bin on PATH.
mlflow-ui: $(INSTALLED)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/kedro mlflow ui --host $(HOST)

sample: $(INSTALLED)
	$(BIN)/python -m customer_segmentation.sample_data --customers 5000 --seed 42 --output-dir data/01_raw

# Floor vs kedro run at each size, with peak memory and the per-node breakdown
# (see docs/performance.md).
bench: $(INSTALLED)
	$(BIN)/python scripts/benchmark_pipeline.py --customers $(CUSTOMERS) --pipelines $(PIPELINES) --per-node

clean:
	rm -rf data/02_intermediate/*.duckdb* data/02_intermediate/duckdb_spill data/0[4-8]_*/*.* data/06_models/model_bundle data/.run.lock build
	# Other environments write under data/<env>/ (conf/<env>/globals.yml).
	rm -rf data/*/0[2-8]_* data/*/.run.lock
