# Commands for a fresh Debian/Ubuntu machine with Python 3.11:
#   make run    set up and run the bot (needs a .env, see ".env (sample)")
#   make test   set up and run the tests (also installs Debian's chromium and graphviz for the browser and docs tests)
#   make demo   set up and run the offline sandbox: http://localhost:$(PORT)/sandbox (make demo PORT=7000)
#   make docs   build the documentation into docs/_build/html (warnings are errors; installs graphviz when missing)
VENV := .venv
PYTHON := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# port of the sandbox (make demo PORT=7000)
PORT ?= 6001

.PHONY: run test demo bench docs system-deps test-deps venv clean

system-deps:
	@bash scripts/system-deps.sh

test-deps:
	@bash scripts/system-deps.sh --browser --graphviz

$(STAMP): requirements.txt requirements-dev.txt requirements-docs.txt
	python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

venv: system-deps $(STAMP)

run: venv
	@test -f .env || { echo 'No .env: copy ".env (sample)" to .env and fill it in.' >&2; exit 2; }
	$(PYTHON) wxc_cc_bot.py

test: test-deps venv
	$(PYTHON) -m pytest -q

demo: venv
	@$(PYTHON) -m sandbox --port $(PORT)

bench: venv
	$(PYTHON) bench/run.py

docs: venv
	@bash scripts/system-deps.sh --graphviz
	$(PYTHON) -m sphinx -W --keep-going -q -b html docs docs/_build/html
	@echo "Documentation: docs/_build/html/index.html"

clean:
	rm -rf $(VENV) .pytest_cache
