# ous-mm developer entry points. Each target sets up what it needs first; stamps make a
# second run return in seconds (a stage re-runs only when its inputs change).
#   make setup        venv + pinned stack with mmcv-lite + ous_mm      (what `make demo` needs)
#   make setup-mmdet  + mmcv 2.1.0 with compiled ops, for mmdet's detectors (cached wheel or ~13 min build)
#   make setup-full   + test and web-demo dependencies                 (what `make test` needs)
VENV ?= .venv
PY := $(VENV)/bin/python
SETUP := VENV=$(VENV) bash tools/install/setup.sh
INSTALL_LIB := tools/install/lib.sh tools/install/mmcv_wheel.py requirements/constraints.txt
CORE_STAMP := $(VENV)/.ous-setup-stamp
MMDET_STAMP := $(VENV)/.ous-mmdet-stamp
FULL_STAMP := $(VENV)/.ous-full-stamp

.PHONY: setup setup-mmdet setup-full test demo clean-venv

setup: $(CORE_STAMP)
setup-mmdet: $(MMDET_STAMP)
setup-full: $(FULL_STAMP)

$(CORE_STAMP): requirements/runtime.txt requirements/nodeps.txt setup.py tools/install/setup.sh $(INSTALL_LIB)
	$(SETUP) core
	touch $@

$(MMDET_STAMP): $(CORE_STAMP) requirements/build.txt tools/install/build_mmcv.sh
	$(SETUP) mmdet
	touch $@

$(FULL_STAMP): $(MMDET_STAMP) requirements/tests.txt requirements/webui.txt
	$(SETUP) full
	touch $@

test: setup-full
	$(PY) -m pytest

demo: setup
	$(PY) tools/run_demo.py

clean-venv:
	rm -rf $(VENV)
