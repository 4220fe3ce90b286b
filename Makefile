# ous-mm developer entry points. `make demo` and `make test` set up .venv first when needed.
VENV ?= .venv
PY := $(VENV)/bin/python
# Re-run setup only when what it installs changes (a second `make setup` takes seconds).
STAMP := $(VENV)/.ous-setup-stamp
SETUP_INPUTS := requirements/runtime.txt requirements/tests.txt requirements/constraints.txt setup.py \
                tools/install/setup.sh tools/install/build_mmcv.sh

.PHONY: setup test demo clean-venv

setup: $(STAMP)

$(STAMP): $(SETUP_INPUTS)
	VENV=$(VENV) bash tools/install/setup.sh
	touch $@

test: setup
	$(PY) -m pytest

demo: setup
	$(PY) tools/run_demo.py

clean-venv:
	rm -rf $(VENV)
