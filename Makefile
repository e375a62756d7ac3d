# Two commands for a fresh Debian/Ubuntu machine with Python 3.11:
#   make run    set up and run the bot (needs a .env, see ".env (sample)")
#   make test   set up and run the tests
VENV := .venv
PYTHON := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test bench system-deps venv clean

system-deps:
	@bash scripts/system-deps.sh

$(STAMP): requirements.txt requirements-dev.txt
	python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

venv: system-deps $(STAMP)

run: venv
	@test -f .env || { echo 'No .env: copy ".env (sample)" to .env and fill it in.' >&2; exit 2; }
	$(PYTHON) wxc_cc_bot.py

test: venv
	$(PYTHON) -m pytest -q

bench: venv
	$(PYTHON) bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache
