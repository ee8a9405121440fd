# Build, run and test dittofs-krm. `make example` and `make test` are the README's two commands.
WASM := target/wasm32-wasip1/release/dittofs-krm.wasm
BIN := target/release/dittofs-krm
# The image: the static musl binary built here, then the Dockerfile's `prebuilt` stage.
VERSION := $(shell sed -n 's/^version = "\(.*\)"$$/\1/p' Cargo.toml | head -n 1)
IMAGE := ghcr.io/dittofs/dittofs-krm:v$(VERSION)
MUSL := x86_64-unknown-linux-musl
# Debian's client with DOCKER_BUILDKIT=1 builds with the daemon's BuildKit, which skips the rust
# stage nothing needs, so nothing is pulled. A client without buildx (the newer one on PATH here)
# falls back to the legacy builder, which builds every stage and fails on the pull.
DOCKER_BUILD := DOCKER_BUILDKIT=1 /usr/bin/docker build

# cargo-fuzz drives libFuzzer through rustc's -Z flags. The machine has one (stable) toolchain
# and no other can be fetched, so RUSTC_BOOTSTRAP=1 lets stable rustc take them. `-s none`: no
# sanitizer (the library has no unsafe code; `make fuzz FUZZ_SANITIZER=address` adds ASan for the
# dependencies' unsafe code); `-a`: debug assertions and overflow checks stay on.
CARGO_FUZZ_VERSION := 0.13.2
FUZZ_SANITIZER ?= none
FUZZ := RUSTC_BOOTSTRAP=1 cargo fuzz
FUZZ_CORPUS := fuzz/corpus/run
FUZZ_OPTIONS := -dict=fuzz/yaml.dict -max_len=16384 -rss_limit_mb=2048 -timeout=10 -print_final_stats=1
# `make fuzz` runs until FUZZ_RUNS executions (or a failure); `make test` runs a short one.
FUZZ_RUNS ?= 2000000
FUZZ_SHORT_RUNS ?= 50000

.PHONY: example test deps build wasm musl engine image deps-image test-image bench fuzz fuzz-short fuzz-corpus

# Builds the function and runs it on the example ResourceList, printing the expanded objects.
example: build
	$(BIN) < examples/resource-list.yaml

build:
	cargo build --release --locked

wasm:
	cargo build --release --locked --target wasm32-wasip1

musl:
	cargo build --release --locked --target $(MUSL)

# Starts dockerd unless an engine already answers (container/engine stop stops it again).
engine:
	container/engine start

# ghcr.io/dittofs/dittofs-krm:v<version>, built without registry access.
image: deps-image musl engine
	$(DOCKER_BUILD) --build-arg BINARY=prebuilt --build-arg VERSION=$(VERSION) -t $(IMAGE) .
	/usr/bin/docker image ls $(IMAGE)

# Everything the tests need that a fresh machine lacks (idempotent).
deps: deps-image
	rustup target add wasm32-wasip1
	python3 -m pip install --quiet --disable-pip-version-check -r tests/requirements.txt
	cargo fuzz --version 2>/dev/null | grep -q ' $(CARGO_FUZZ_VERSION)$$' || cargo install --locked cargo-fuzz --version $(CARGO_FUZZ_VERSION)

# What `make image` needs: the musl target, and Debian's musl-tools (musl's C compiler wrapper,
# for mimalloc) and docker.io (engine and client), installed as root when missing.
deps-image:
	rustup target add $(MUSL)
	command -v musl-gcc >/dev/null && test -x /usr/bin/docker || { apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q musl-tools docker.io; }

# All tests: unit, golden, rules, properties, WASI and kpt end-to-end, schema validation,
# build/kustomize/Argo CD clients, CRD checks, Dockerfile lint (hadolint), the image under kpt,
# kustomize's and Argo CD's container runs, and a short fuzz run. The tests that need a tool are
# #[ignore = "needs ..."] so that a plain `cargo test` passes on any checkout; here the tools are
# installed and `--include-ignored` runs them all, so a missing tool fails.
test: deps build wasm image
	@$(if $(KUSTOMIZE_SKIP),echo "kustomize is not on PATH: the real_kustomize test is left out (--skip)")
	cargo test --release --locked -- --include-ignored $(KUSTOMIZE_SKIP)
	$(MAKE) fuzz-short

# kustomize cannot be installed on this machine (the kustomize tests build its ResourceLists
# themselves); where it is on PATH, `make test` runs the tests of the real one too.
KUSTOMIZE_SKIP := $(if $(shell command -v kustomize 2>/dev/null),,--skip real_kustomize)

# The image tests alone (tests/image.rs), against the image `make image` built; `make test` runs
# them with the others.
test-image:
	cargo test --release --locked --test tests image:: -- --ignored

# Benchmark on generated ResourceLists up to ~7.5 MB: native, serde_yaml identity, WASI (wasmtime
# and node), kpt, and the kyaml peer (../shared/tools/kyaml-identity.xz beside the repository,
# run interleaved with the function; a line says so when it is absent). Prints the figures
# tables of README.md#performance (about three minutes).
bench: deps build wasm
	cargo build --release --locked --example identity --example saphyr_events
	python3 bench/run.py $(BENCH_ARGS)

# The fuzz corpus starts from the golden inputs (kept out of git: it grows with every run).
fuzz-corpus:
	mkdir -p $(FUZZ_CORPUS)
	for d in tests/cases/*/; do cp "$$d/input.yaml" "$(FUZZ_CORPUS)/seed-$$(basename "$$d").yaml"; done

# Long run: `make fuzz` (FUZZ_RUNS=-1 runs until stopped). A failing input lands in
# fuzz/artifacts/run/; copy it to tests/fuzz-regressions/ once fixed.
fuzz: fuzz-corpus
	$(FUZZ) run -a -s $(FUZZ_SANITIZER) run $(FUZZ_CORPUS) -- $(FUZZ_OPTIONS) -runs=$(FUZZ_RUNS)

fuzz-short: fuzz-corpus
	$(FUZZ) run -a -s none run $(FUZZ_CORPUS) -- $(FUZZ_OPTIONS) -runs=$(FUZZ_SHORT_RUNS)
