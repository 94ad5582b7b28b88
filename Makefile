# Two entry points (see README): `make run` and `make test`. Only python3 (3.11) and make needed.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DATA ?= data/demo

.PHONY: setup run test test-fast demo bench lock docs clean

$(STAMP): requirements.lock pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	# --no-deps: the lock is complete (a pip freeze), so install exactly it. It leaves out rfc3987-syntax
	# and lark, which jupyter-events pulls in through jsonschema[format-nongpl] only to check IRI formats:
	# importing them builds 39 grammars, about 0.7 s of every process that imports nbformat (each report).
	$(BIN)/python -m pip install -q --no-deps -r requirements.lock
	$(BIN)/python -m pip install -q --no-deps -e .
	# the editable ucj gets its bytecode now, as an installed wheel does from pip: where PYTHONDONTWRITEBYTECODE is
	# set, every process (the command, the fork server, each kernel) compiled the ucj modules it imported, ~0.1 CPU-s
	$(BIN)/python -m compileall -q ucj >/dev/null
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (ucj)" >/dev/null
	touch $@

setup: $(STAMP)

$(DATA)/manifest.json: $(STAMP) $(wildcard ucj/ingest/demo.py) $(wildcard data/published/*.csv)
	$(BIN)/ucj demo --out $(DATA)

demo: $(DATA)/manifest.json

SEEDS := --district Minahasa --district Banggai --district Boalemo --district "Muna Barat"

run: demo
	$(BIN)/ucj summary --data-dir $(DATA)
	$(BIN)/ucj reports $(SEEDS) --data-dir $(DATA) --run demo --pdf

# Tests run on every core (pytest-xdist, -n auto); --dist loadfile keeps a test file on one worker, so a
# file's module fixtures (rendered reports, kernels) are built once. Each worker builds its own demo dataset
# in its own temp folder.
XDIST := -n auto --dist loadfile

test: setup  # everything (kernels, browsers, PDFs, the 514-district page checks, the wheel build): about 22 min on 2 cores
	$(BIN)/python -m pytest $(XDIST)

test-fast: setup  # the quick subset, about 2 minutes on 2 cores: no kernels, browsers or wheel builds
	$(BIN)/python -m pytest $(XDIST) -m "not slow"

bench: demo
	$(BIN)/python -m compileall -q ucj >/dev/null  # the bytecode of today's sources (see setup)
	$(BIN)/python benchmarks/load_demo.py --data-dir $(DATA)
	$(BIN)/python benchmarks/analysis_all.py --data-dir $(DATA)
	$(BIN)/python benchmarks/report_one.py --data-dir $(DATA)
	$(BIN)/python benchmarks/report_batch.py --data-dir $(DATA)
	$(BIN)/python benchmarks/report_all.py --data-dir $(DATA)
	$(BIN)/python benchmarks/explore_redraw.py --data-dir $(DATA)
	$(BIN)/python benchmarks/explore_first_paint.py --data-dir $(DATA)
	$(BIN)/python benchmarks/participants_check.py

docs: setup  # the documentation site (mkdocs.yml, docs/) into site/
	NO_MKDOCS_2_WARNING=1 $(BIN)/python -m mkdocs build --strict --site-dir site

lock:
	$(BIN)/python -m pip freeze --exclude-editable | sed '1i # Exact versions for a reproducible environment (Python 3.11). Regenerate with: make lock' > requirements.lock

clean:
	rm -rf $(VENV) $(DATA)
