// Runs the dittofs-krm WASI module under Node's node:wasi as an exec function: stdin in, stdout
// out, the module's exit code as ours. Usage: node wasi_run.mjs MODULE.wasm [ARGS...]
// With BENCH_WASI_TIMING=FILE the seconds spent inside `_start` are written to FILE.
import { readFile, writeFile } from "node:fs/promises";
import { WASI } from "node:wasi";

const [path, ...args] = process.argv.slice(2);
const wasi = new WASI({ version: "preview1", args: ["dittofs-krm", ...args], env: {}, returnOnExit: true });
const module = await WebAssembly.compile(await readFile(path));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
const t0 = process.hrtime.bigint();
const code = wasi.start(instance);
const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
if (process.env.BENCH_WASI_TIMING) await writeFile(process.env.BENCH_WASI_TIMING, `${elapsed}\n`);
process.exitCode = code;
