# pairbench: set-up and test entry points. Every target installs what it needs itself, so a
# fresh clone needs only `make test` (tests) and, once the emulated lab lands, `make dev`.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

# Go lives outside the default PATH on the project's machines.
ifneq ($(wildcard /usr/local/go/bin/go),)
export PATH := /usr/local/go/bin:$(PATH)
endif

NODE_STAMP := node_modules/.package-lock.json
# The hermetic Pulumi environment (PULUMI_HOME, backend, passphrase, ...) comes from one place:
# automation/environment.ts, printed as shell exports by `pairbench env`.
PAIRBENCH := node bin/pairbench.js
WITH_ENV = eval "$$($(PAIRBENCH) env)" &&

.PHONY: help setup toolchain typecheck lint test test-unit doctor

help:
	@echo "make test       install dependencies, build the Pulumi toolchain, type-check, run all tests"
	@echo "make toolchain  build pulumi, its nodejs language host and the command provider (cached)"
	@echo "make doctor     show what pairbench found on this machine"
	@echo "make setup      install the npm dependencies (npm ci)"

# npm ci only when package-lock.json changed; --ignore-scripts because @pulumi/command's
# install script would try to download its plugin (the toolchain target installs it instead).
$(NODE_STAMP): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	@touch $@

setup: $(NODE_STAMP)

toolchain: setup
	@$(WITH_ENV) bash toolchain/build.sh

doctor: setup
	@$(PAIRBENCH) doctor

typecheck: setup
	npx tsc --noEmit -p tsconfig.json

lint: setup
	bash scripts/check-file-sizes.sh

test-unit: setup
	npx mocha 'test/unit/**/*.test.ts'

test: setup toolchain typecheck lint
	@$(WITH_ENV) npx mocha
