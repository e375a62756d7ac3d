# Commands for a fresh Debian/Ubuntu machine with Python 3.11:
#   make run    set up and run the bot (needs a .env, see ".env (sample)")
#   make test   set up and run the tests (also installs Debian's chromium and graphviz for the browser and docs tests)
#   make demo   set up and run the offline sandbox: http://localhost:$(PORT)/sandbox (make demo PORT=7000)
#   make bench  the benchmark: this code beside 26b0017 and the original bot (from ../shared/original, in a
#               virtualenv of its own, .venv-original, made once); figures, about five minutes
#   make docs   build the documentation into docs/_build/html (warnings are errors; installs graphviz when missing)
#   make catalogues   bring the reply catalogues (wxc_cc/locales/*/LC_MESSAGES/wxc_cc.po) up to date with the code
VENV := .venv
PYTHON := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# port of the sandbox (make demo PORT=7000)
PORT ?= 6001
# the gettext catalogues of the replies, and their template (an intermediate, kept in the ignored venv)
LOCALES := wxc_cc/locales
DOMAIN := wxc_cc
POT := $(VENV)/$(DOMAIN).pot

.PHONY: run test demo bench docs catalogues system-deps test-deps venv clean

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
	$(PYTHON) bench/run.py --compare

docs: venv
	@bash scripts/system-deps.sh --graphviz
	$(PYTHON) -m sphinx -W --keep-going -q -b html docs docs/_build/html
	@echo "Documentation: docs/_build/html/index.html"

# Babel extracts every key the code asks for, t('key'), or declares, N_('key') (babel.cfg), into the template;
# every locale's .po gets the new keys (empty: fill them in) and loses those the code no longer uses; then each .po
# is compiled, to check it and count its texts. The bot compiles the .po files itself when it loads them, so no
# .mo file is written here.
catalogues: venv
	$(VENV)/bin/pybabel -q extract -F babel.cfg --strip-comment-tags --sort-output --add-location=file \
		--project=$(DOMAIN) -o $(POT) $(DOMAIN)
	$(VENV)/bin/pybabel -q update -i $(POT) -d $(LOCALES) -D $(DOMAIN) \
		--no-fuzzy-matching --ignore-obsolete --ignore-pot-creation-date
	@for po in $(LOCALES)/*/LC_MESSAGES/$(DOMAIN).po; do \
		locale=$$(basename $$(dirname $$(dirname $$po))); \
		$(VENV)/bin/pybabel compile --statistics -D $(DOMAIN) -l $$locale -i $$po -o /dev/null || exit 1; \
	done

clean:
	rm -rf $(VENV) .venv-original .pytest_cache
