# 破串 pochuan: `make run` serves the demo on http://127.0.0.1:8000, `make test` runs the whole suite.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
export POCHUAN_DATA ?= $(CURDIR)/var
HOST ?= 127.0.0.1
PORT ?= 8000
APT_RUN := fonts-noto-cjk graphviz
APT_TEST := chromium poppler-utils
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: install system-deps test-deps node-deps run test lint-cypher clean

install: $(VENV)/.installed system-deps

$(VENV)/.installed: pyproject.toml requirements.txt
	python3 -m venv $(VENV)
	$(PIP) install -q --disable-pip-version-check -r requirements.txt
	$(PIP) install -q --disable-pip-version-check --no-deps -e .
	touch $@

# Fonts for Chinese in server-side drawings (PNG/SVG/PDF exports); installed only when missing.
system-deps:
	@missing=$$(for p in $(APT_RUN); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; fi

test-deps: install
	@missing=$$(for p in $(APT_TEST); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; fi

node-deps: node_modules/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

lint-cypher: node-deps install
	node tests/neo4j_lint.mjs cypher --summary

run: install
	$(VENV)/bin/pochuan db start
	HOST=$(HOST) PORT=$(PORT) $(VENV)/bin/pochuan demo-setup
	$(VENV)/bin/gunicorn --bind $(HOST):$(PORT) --workers 3 --threads 4 --timeout 120 'web:create_app()'

test: test-deps node-deps
	$(MAKE) lint-cypher
	$(VENV)/bin/pytest -q

clean:
	-$(VENV)/bin/pochuan db stop
	rm -rf $(VENV) node_modules
