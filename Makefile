# capheap: the two commands a user needs are `make run` and `make test`.
# Each first installs what is missing (scripts/deps.sh), then works offline.
BUILD ?= build
JOBS ?= 2
CMAKE_FLAGS ?=

.PHONY: all deps configure build run test bench clean deps-target test-target size bench-target deps-fuzz fuzz fuzz-coverage deps-preload deps-bench mutants

all: build

deps:
	@scripts/deps.sh

# Cross compilers, newlib, picolibc and QEMU for the target tests.
deps-target:
	@scripts/deps.sh target

# clang with libFuzzer and the sanitizers, for the fuzz targets.
deps-fuzz:
	@scripts/deps.sh fuzz

# The allocators make bench compares with (LD_PRELOAD) and python3 for its plot.
deps-bench:
	@scripts/deps.sh bench

# sqlite3, lua5.4 and python3 for the preload library's tests (tests/preload).
deps-preload:
	@scripts/deps.sh preload

configure: deps
	cmake -S . -B $(BUILD)/default -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS) >/dev/null

build: configure
	cmake --build $(BUILD)/default -j$(JOBS)

# The main job: a firmware-like workload (tools/workload.c, fixed seed) is
# generated as a trace, replayed on the esp32 board by the capheap tool, and
# drawn (docs/tool.md).
# Only the library, the tool and the workload are built for it, not the tests,
# and as 32-bit programs (-m32): the boards are 32-bit chips, whose block
# headers and rounding a 64-bit build would double (scripts/deps.sh installs
# the 32-bit zlib, and makes 32-bit programs run).
RUN_DIR = $(BUILD)/run32
run: deps
	cmake -S . -B $(RUN_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_FLAGS=-m32 -DCAPHEAP_BUILD_TESTS=OFF \
	  $(CMAKE_FLAGS) >/dev/null
	cmake --build $(RUN_DIR) -j$(JOBS) --target capheap_tool capheap_workload -- --no-print-directory
	$(RUN_DIR)/tools/capheap_workload $(BUILD)/workload.trace
	@# The report, how much room the trace leaves in each heap (alone, and in
	@# heaps 1 and 4 at once: the DRAM after .data/.bss and the IRAM after the
	@# application's IRAM code, the two that grow as the application does), and whether it
	@# would fit other chips (compare: exit 3 there is an answer, not an error)
	@# also go to $(BUILD)/run-report.txt (the README shows it).
	$(RUN_DIR)/tools/capheap replay --board esp32 $(BUILD)/workload.trace \
	  -o $(BUILD)/heap.svg -o $(BUILD)/heap.html >$(BUILD)/run-report.txt; \
	  status=$$?; \
	  if [ $$status -eq 0 ]; then echo >>$(BUILD)/run-report.txt; \
	    $(RUN_DIR)/tools/capheap headroom --quiet --together 1,4 --board esp32 $(BUILD)/workload.trace >>$(BUILD)/run-report.txt; \
	    status=$$?; fi; \
	  if [ $$status -eq 0 ]; then echo >>$(BUILD)/run-report.txt; \
	    $(RUN_DIR)/tools/capheap compare --board esp32s2,esp32s3,esp32c2,esp32c3,esp32c5,esp32c6,esp32c61,esp32h2,esp32p4,esp8266,stm32f407 $(BUILD)/workload.trace \
	      >>$(BUILD)/run-report.txt; \
	    status=$$?; [ $$status -eq 3 ] && status=0; fi; \
	  cat $(BUILD)/run-report.txt; exit $$status
	@echo "make run: the trace is $(BUILD)/workload.trace; the heap pictures are $(BUILD)/heap.svg and $(BUILD)/heap.html"

# Every test, in every configuration of the matrix (scripts/test-matrix.sh),
# the target tests under QEMU included.
test: deps deps-target deps-fuzz deps-preload
	BUILD=$(BUILD) JOBS=$(JOBS) scripts/test-matrix.sh

# Only the target tests: Cortex-M3/M4F/M33 and RV32 under QEMU (tests/target).
test-target: deps-target
	BUILD=$(BUILD) JOBS=$(JOBS) scripts/target-test.sh

# Code size on Cortex-M4 -Os, per part and poisoning level, and the worst-case
# stack of the allocation functions ($(BUILD)/size/size.md).
size: deps-target
	BUILD=$(BUILD) scripts/target-size.sh

# Instructions per malloc and free on Cortex-M3 under QEMU -icount.
bench-target: deps-target
	BUILD=$(BUILD) JOBS=$(JOBS) scripts/target-bench.sh

# Each fuzz target for FUZZ_SECONDS (default 60); new corpus entries stay in
# $(BUILD)/fuzz/corpus, crashes in $(BUILD)/fuzz/artifacts (fuzz/README.md).
FUZZ_SECONDS ?= 60
fuzz: deps-fuzz
	BUILD=$(BUILD) JOBS=$(JOBS) FUZZ_SECONDS=$(FUZZ_SECONDS) fuzz/run.sh run

# Line coverage of the library's files over the fuzz corpora ($(BUILD)/fuzz/coverage.txt).
fuzz-coverage: deps-fuzz
	BUILD=$(BUILD) JOBS=$(JOBS) fuzz/run.sh coverage

# Every host benchmark in one run and one report ($(BUILD)/bench/results.md and
# bench.svg): capheap beside glibc, jemalloc, tcmalloc, mimalloc and the bump
# floor, the capabilities layer, real traces, two threads, issue #7's targets.
bench: deps-bench
	BUILD=$(BUILD) JOBS=$(JOBS) scripts/bench.sh

clean:
	rm -rf $(BUILD)

# Mutation testing of the core against the host unit tests (scripts/mutants.sh;
# not part of make test: about an hour for every mutant): the score per file
# and the surviving mutants, in $(BUILD)/mutants/<level>/report.md.
# MUTANTS_FLAGS passes options, e.g. MUTANTS_FLAGS="-k 3" for every third mutant.
MUTANTS_FLAGS ?=
mutants: deps
	BUILD=$(BUILD) JOBS=$(JOBS) scripts/mutants.sh $(MUTANTS_FLAGS) src/tlsf.c src/multi_heap.c src/multi_heap_diag.c src/corruption.c
	BUILD=$(BUILD) JOBS=$(JOBS) scripts/mutants.sh -p comprehensive $(MUTANTS_FLAGS) src/poison.c
