#!/usr/bin/env python3
"""Runs the dittofs-krm WASI module under wasmtime (PyPI `wasmtime`) as an exec function: stdin in,
stdout out, the module's exit code as ours.

    wasi_run.py MODULE [ARGS...]           MODULE: a .wasm file, or a .cwasm made by --compile
    wasi_run.py --compile MODULE.wasm OUT  precompile once (what a wasmtime cache does)

With BENCH_WASI_TIMING=FILE the seconds spent inside the module's `_start` are written to FILE, so
the benchmark can tell the runtime's start-up from the module's own work.
"""

import os
import sys
import time

import wasmtime


def main() -> int:
    engine = wasmtime.Engine()
    if sys.argv[1:2] == ["--compile"]:
        module = wasmtime.Module.from_file(engine, sys.argv[2])
        with open(sys.argv[3], "wb") as f:
            f.write(module.serialize())
        return 0
    path = sys.argv[1]
    if path.endswith(".cwasm"):
        module = wasmtime.Module.deserialize_file(engine, path)
    else:
        module = wasmtime.Module.from_file(engine, path)
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    store = wasmtime.Store(engine)
    wasi = wasmtime.WasiConfig()
    wasi.argv = ["dittofs-krm", *sys.argv[2:]]
    wasi.inherit_stdin()
    wasi.inherit_stdout()
    wasi.inherit_stderr()
    store.set_wasi(wasi)
    instance = linker.instantiate(store, module)
    start = instance.exports(store)["_start"]
    code = 0
    t0 = time.perf_counter()
    try:
        start(store)
    except wasmtime.ExitTrap as e:
        code = e.code
    elapsed = time.perf_counter() - t0
    timing = os.environ.get("BENCH_WASI_TIMING")
    if timing:
        with open(timing, "w") as f:
            f.write(f"{elapsed}\n")
    return code


if __name__ == "__main__":
    sys.exit(main())
