# The front door. `make demo` and `make test` are each the only command a fresh Debian 12
# machine needs: both install what is missing (scripts/bootstrap.sh) before doing anything.
SHELL := /bin/bash
JOBS ?= $(shell nproc)
PHASEOUT := build/release/src/cli/phaseout
DEMO_DIR := build/demo

.PHONY: all bootstrap build demo test test-fast check-deps bench fuzz format clean screenshots

all: build

bootstrap:
	@scripts/bootstrap.sh

build: bootstrap
	@cmake --preset release >/dev/null
	@cmake --build --preset release -j $(JOBS)
	@echo "built $(PHASEOUT)"

demo: build
	@mkdir -p $(DEMO_DIR)
	@rm -f $(DEMO_DIR)/phaseout.db*
	$(PHASEOUT) --db $(DEMO_DIR)/phaseout.db demo --report $(DEMO_DIR)/report.html
	@scripts/demo_dashboard.sh $(PHASEOUT) $(DEMO_DIR)/phaseout.db

# The whole suite under AddressSanitizer and UndefinedBehaviorSanitizer, warnings as errors,
# plus the dependency-rule check.
test: bootstrap check-deps
	@cmake --preset asan >/dev/null
	@cmake --build --preset asan -j $(JOBS)
	@ctest --preset asan -j $(JOBS)

# The same suite in a plain debug build (quicker to build while working).
test-fast: bootstrap
	@cmake --preset debug >/dev/null
	@cmake --build --preset debug -j $(JOBS)
	@ctest --preset debug -j $(JOBS)

# docs/screenshots/*.png: the main pages in English and Russian, from a real `phaseout serve`.
screenshots: build
	@scripts/screenshots.sh $(PHASEOUT)

check-deps:
	@scripts/check_deps.py

bench: build
	@bench/run_all.sh

fuzz: bootstrap
	@cmake --preset fuzz >/dev/null
	@cmake --build --preset fuzz -j $(JOBS)

format:
	@clang-format -i $$(git ls-files 'src/*.cc' 'src/*.h' 'fuzz/*.cc' 'bench/*.cc' 'tests/*.cc')

clean:
	@rm -rf build
