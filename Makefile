# The two commands of the README: `make run` and `make test`. Both install the Debian packages
# the project needs first (scripts/install-deps, quick when they are present).
BUILD ?= build
JOBS ?= $(shell nproc)
PORT ?= 11211
FUZZ_SECONDS ?= 20

.PHONY: all deps configure build test run check check-asan check-tsan check-fuzz clean

all: build

deps:
	@scripts/install-deps

configure:
	@test -f $(BUILD)/build.ninja || cmake --preset release >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

test: deps
	@$(MAKE) --no-print-directory build
	@ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS) --timeout 300

run: deps
	@$(MAKE) --no-print-directory build
	@exec $(BUILD)/bin/map_server -p $(PORT)

# The slow layers: sanitizer builds of every test, and a bounded fuzz run of every parser.
check: deps check-asan check-fuzz

check-asan:
	@test -f build/asan/build.ninja || cmake --preset asan >/dev/null
	@cmake --build build/asan -j $(JOBS)
	@ctest --test-dir build/asan --output-on-failure -j $(JOBS) --timeout 600

check-tsan:
	@test -f build/tsan/build.ninja || cmake --preset tsan >/dev/null
	@cmake --build build/tsan -j $(JOBS)
	@ctest --test-dir build/tsan --output-on-failure -j $(JOBS) --timeout 600 -L concurrency

check-fuzz:
	@test -f build/fuzz/build.ninja || cmake --preset fuzz >/dev/null
	@cmake --build build/fuzz -j $(JOBS)
	@scripts/run-fuzzers build/fuzz $(FUZZ_SECONDS)

clean:
	rm -rf $(BUILD)
