# Two commands on a fresh machine (Python 3.11 with venv):
#   make grade   installs the kit into .venv and grades the example submissions
#   make test    installs the kit into .venv and runs the kit's own tests
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: grade test test-gpu install clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 > /dev/null
	touch $(STAMP)

install: $(STAMP)

grade: $(STAMP)
	$(BIN)/python -m autograder grade examples/submissions --jobs 2 --out out --format json,gradescope,csv

test: $(STAMP)
	$(BIN)/python -m pytest -q

test-gpu: $(STAMP)
	$(BIN)/python -m pytest -q -m gpu

clean:
	rm -rf $(VENV) out
