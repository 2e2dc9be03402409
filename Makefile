# capheap: the two commands a user needs are `make run` and `make test`.
# Each first installs what is missing (scripts/deps.sh), then works offline.
BUILD ?= build
JOBS ?= 2
CMAKE_FLAGS ?=

.PHONY: all deps build run test bench clean

all: build

deps:
	@scripts/deps.sh

build: deps
	cmake -S . -B $(BUILD)/default -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS) >/dev/null
	cmake --build $(BUILD)/default -j$(JOBS)

# The main job.
run: build
	$(BUILD)/default/examples/multi_heap_demo

# Every test, in every configuration of the matrix (scripts/test-matrix.sh).
test: deps
	BUILD=$(BUILD) JOBS=$(JOBS) scripts/test-matrix.sh

bench: deps
	BUILD=$(BUILD) JOBS=$(JOBS) scripts/bench.sh

clean:
	rm -rf $(BUILD)
