# The two commands of the README: `make run` and `make test`. Both install the Debian packages
# the project needs first (scripts/install-deps, quick when they are present).
BUILD ?= build
JOBS ?= $(shell nproc)
PORT ?= 11211
FUZZ_SECONDS ?= 20
SOAK_SECONDS ?= 120

.PHONY: all deps configure build test run check check-asan check-tsan check-fuzz check-soak clean

all: build

deps:
	@scripts/install-deps

configure:
	@test -f $(BUILD)/build.ninja || cmake --preset release >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

test: deps
	@$(MAKE) --no-print-directory build
	@ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS) --timeout 300 || \
	  { scripts/ctest-failures $(BUILD); exit 1; }

# mnemod in the foreground (127.0.0.1:$(PORT), memory engine); it prints where it listens.
# `-u` names the current user: like memcached, mnemod refuses to run as root without it.
# More flags: make run ARGS="-vv -t 2".
run: deps configure
	@cmake --build $(BUILD) -j $(JOBS) --target mnemod
	@exec $(BUILD)/bin/mnemod -p $(PORT) -u "$$(id -un)" $(ARGS)

# The slow layers: every test under ASan+UBSan, the concurrency tests under TSan, and a bounded
# fuzz run of every libFuzzer target, then the 2-minute memory soak.
check: deps check-asan check-tsan check-fuzz check-soak

check-asan:
	@test -f build/asan/build.ninja || cmake --preset asan >/dev/null
	@cmake --build build/asan -j $(JOBS)
	@ctest --test-dir build/asan --output-on-failure -j $(JOBS) --timeout 600 || \
	  { scripts/ctest-failures build/asan; exit 1; }

check-tsan:
	@test -f build/tsan/build.ninja || cmake --preset tsan >/dev/null
	@cmake --build build/tsan -j $(JOBS)
	@ctest --test-dir build/tsan --output-on-failure -j $(JOBS) --timeout 600 -L concurrency || \
	  { scripts/ctest-failures build/tsan; exit 1; }

check-fuzz:
	@test -f build/fuzz/build.ninja || cmake --preset fuzz >/dev/null
	@cmake --build build/fuzz -j $(JOBS)
	@scripts/run-fuzzers build/fuzz $(FUZZ_SECONDS)

# The memory soak (tests/reliability/soak_main.cc): mnemod -m 64 under mixed load for
# SOAK_SECONDS, RSS sampled every second, no growth after the warm-up.
check-soak: configure
	@cmake --build $(BUILD) -j $(JOBS) --target mnemod_soak
	@$(BUILD)/tests/mnemod_soak $(SOAK_SECONDS)

clean:
	rm -rf $(BUILD)
