# Build, run and test dittofs-krm. `make example` and `make test` are the README's two commands.
WASM := target/wasm32-wasip1/release/dittofs-krm.wasm
BIN := target/release/dittofs-krm

.PHONY: example test deps build wasm bench

# Builds the function and runs it on the example ResourceList, printing the expanded objects.
example: build
	$(BIN) < examples/resource-list.yaml

build:
	cargo build --release --locked

wasm:
	cargo build --release --locked --target wasm32-wasip1

# Everything the tests need that a fresh machine lacks (idempotent).
deps:
	rustup target add wasm32-wasip1
	python3 -m pip install --quiet --disable-pip-version-check -r tests/requirements.txt

# All tests: unit, golden, rules, properties, WASI and kpt end-to-end, schema validation,
# build/kustomize/Argo CD clients, CRD checks, Dockerfile lint (hadolint).
test: deps build wasm
	cargo test --release --locked

# Benchmark on generated ResourceLists up to ~7.5 MB: native, serde_yaml identity, WASI (wasmtime
# and node), kpt. Prints the figures tables of README.md#performance (about two minutes).
bench: deps build wasm
	cargo build --release --locked --example identity --example saphyr_events
	python3 bench/run.py $(BENCH_ARGS)
