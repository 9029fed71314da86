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
WITH_ENV = pulumi_env=$$($(PAIRBENCH) env) && eval "$$pulumi_env" &&

# Debian packages the tests run for real: libvirt's and ignition's validators (contract tests),
# (xmllint from libxml2-utils backs virt-xml-validate), iperf3 and sockperf (parsers are
# tested on real loopback runs), chromium (the HTML report is opened in headless Chromium),
# cpio and busybox-static (the initramfs writer is checked against GNU cpio, the guest's boot
# scripts with busybox sh -n; without them those tests are skipped).
TEST_PACKAGES := libvirt-clients libxml2-utils ignition iperf3 sockperf chromium cpio busybox-static

.PHONY: help setup test-packages toolchain typecheck lint test test-unit test-go doctor dev bench-dev

help:
	@echo "make dev        the whole system on this machine: emulated lab, pulumi up --stack dev, results, teardown"
	@echo "make test       install dependencies, build the Pulumi toolchain, type-check, run all tests"
	@echo "make toolchain  build pulumi, its nodejs language host and the command provider (cached)"
	@echo "make doctor     show what pairbench found on this machine"
	@echo "make bench-dev  measure where the time of make dev goes (RUNS=n); scripts/bench-cold.sh for a cold start"
	@echo "make setup      install the npm dependencies (npm ci)"

# npm ci only when package-lock.json changed; --ignore-scripts because @pulumi/command's
# install script would try to download its plugin (the toolchain target installs it instead).
$(NODE_STAMP): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	@touch $@

setup: $(NODE_STAMP)

test-packages:
	@missing=$$(for p in $(TEST_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages: $$missing"; \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
	fi

toolchain: setup
	@$(WITH_ENV) bash toolchain/build.sh

# KEEP=1 leaves the dev stack and the lab up.
dev: setup toolchain
	@$(PAIRBENCH) dev $(if $(KEEP),--keep)

# Where the time of `make dev` goes (docs/performance.md). RUNS=n repeats it; JSON=file keeps the figures.
bench-dev: setup toolchain
	@node -r ts-node/register/transpile-only bench/devBench.ts --runs $(or $(RUNS),1) $(if $(JSON),--json $(JSON))

doctor: setup
	@$(PAIRBENCH) doctor

typecheck: setup
	npx tsc --noEmit -p tsconfig.json
	npx tsc --noEmit -p test/e2e/fixtures/smoke

lint: setup
	bash scripts/check-file-sizes.sh

test-unit: setup
	npx mocha 'test/unit/**/*.test.ts'

# The command provider's own Go tests (in-process SSH server with a jump host).
test-go:
	cd toolchain/command && go test ./...

test: setup test-packages toolchain typecheck lint test-go
	@$(WITH_ENV) npx mocha
