# netops.srx_vpn — the two commands of the README.
#   make deploy   set up .venv, bring the lab up, run the main job against it
#   make test     set up .venv and run the whole suite
SHELL := /bin/bash
VENV  ?= .venv
# Python 3.12 (ansible-core 2.20). The image ships it under pyenv; any python3.12 works.
PYTHON ?= $(firstword $(wildcard $(shell pyenv root 2>/dev/null)/versions/3.12.*/bin/python3.12) $(shell command -v python3.12 2>/dev/null))
STAMP := $(VENV)/.installed
BIN   := $(abspath $(VENV))/bin
export PATH := $(BIN):$(PATH)
LAB_STATE ?= .lab/default
# model: the emulator computes IKE/IPsec/BGP (fast, no root); real: strongSwan + BIRD 2 in
# network namespaces behind each device (root; the packages are installed on first use).
LAB_BACKEND ?= model
TEST_TIMEOUT ?= 3000

.PHONY: venv test deploy lab-up lab-down lab-status lab-secrets lab-real-deps lint clean

$(STAMP): requirements.txt lab/pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.12 not found (set PYTHON=/path/to/python3.12)"; exit 1; }
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install -q --upgrade pip
	$(VENV)/bin/python -m pip install -q -r requirements.txt
	$(VENV)/bin/python -m pip install -q -e lab/
	@mkdir -p $(VENV)/collections/ansible_collections/netops
	@ln -sfn $(CURDIR) $(VENV)/collections/ansible_collections/netops/srx_vpn
	@touch $(STAMP)

venv: $(STAMP)

lab-real-deps:
	scripts/install-real-backend

lab-up: venv $(if $(filter real,$(LAB_BACKEND)),lab-real-deps)
	srxlab up --topology lab/topologies/seed-pair.yml --state-dir $(LAB_STATE) --backend $(LAB_BACKEND)

lab-status: venv
	srxlab status --state-dir $(LAB_STATE)

lab-down: venv
	srxlab down --state-dir $(LAB_STATE)

lab-secrets: venv
	scripts/lab-vault

# The main job: the lab, then the whole pipeline against it (validate, render, one commit
# confirmed per device, verify both ends, confirm or roll back, report).
deploy: lab-up lab-secrets
	srxlab probe --state-dir $(LAB_STATE)
	$(BIN)/ansible-playbook deploy_vpn.yml

# The whole suite: the quality gates, then pytest on 2 workers (unit, lab, integration,
# Molecule; the real backend's tests too, hence its packages). Both always run; the exit
# status fails if either failed.
test: venv lab-real-deps
	@rc=0; scripts/quality-gates || rc=1; \
	timeout $(TEST_TIMEOUT) $(BIN)/python -m pytest -n 2 -p no:cacheprovider tests || rc=1; \
	exit $$rc

lint: venv
	scripts/quality-gates ansible-lint yamllint ruff

clean:
	-srxlab down --state-dir $(LAB_STATE)
	rm -rf $(VENV) .lab
