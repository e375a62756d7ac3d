# Three commands for a fresh Debian/Ubuntu machine with Python 3.11:
#   make run    set up and run the bot (needs a .env, see ".env (sample)")
#   make test   set up and run the tests (also installs Debian's chromium for the browser test)
#   make demo   set up and run the offline sandbox: http://localhost:$(PORT)/sandbox (make demo PORT=7000)
VENV := .venv
PYTHON := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# port of the sandbox (make demo PORT=7000)
PORT ?= 6001

.PHONY: run test demo bench system-deps browser-deps venv clean

system-deps:
	@bash scripts/system-deps.sh

browser-deps:
	@bash scripts/system-deps.sh --browser

$(STAMP): requirements.txt requirements-dev.txt
	python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

venv: system-deps $(STAMP)

run: venv
	@test -f .env || { echo 'No .env: copy ".env (sample)" to .env and fill it in.' >&2; exit 2; }
	$(PYTHON) wxc_cc_bot.py

test: browser-deps venv
	$(PYTHON) -m pytest -q

demo: venv
	@$(PYTHON) -m sandbox --port $(PORT)

bench: venv
	$(PYTHON) bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache
