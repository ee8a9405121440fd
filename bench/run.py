#!/usr/bin/env python3
"""Benchmark of dittofs-krm on ResourceLists of growing size (`make bench`).

Generates lists of 10, 100 and 1,000 DittoServers among 100, 1,000 and 10,000 unrelated items
(Deployments with comments, Secrets, StorageClasses, all with the annotations kpt puts on every
item) and measures, in the same run and on the same files:

  native    target/release/dittofs-krm                    wall time, peak RSS of the process
  identity  target/release/examples/identity              serde_yaml parse into a Value + emit
  events    target/release/examples/saphyr_events         saphyr-parser events only: the scan's floor
  wasmtime  the WASI module under wasmtime (bench/wasi_run.py, precompiled once)
  node      the WASI module under Node's node:wasi (bench/wasi_run.mjs)
  kpt       `kpt fn eval - --exec` with the function vs with `cat` (kpt's own cost; big list only)
  kyaml     a do-nothing KRM function on kustomize's Go framework (kyaml), unpacked from
            ../shared/tools/kyaml-identity.xz next to the repository, run interleaved with the
            native function on the same lists: the ratio of the two holds on a noisy machine

Every figure is the median of --repeat runs (kpt: --kpt-repeat). Peak RSS is the maximum
resident set size reported by /usr/bin/time. Nothing is asserted: the goals table says met or not met, the exit code is 0
unless a program fails or the outputs of the native and WASI builds differ.

A Python script rather than a Rust bench binary: the measurements are of whole processes (start-up,
stdin/stdout, peak RSS) and of other programs (kpt, wasmtime, node), which a harness inside the
crate could only spawn the same way; Python is already a test dependency (wasmtime, PyYAML).
"""

import argparse
import lzma
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / "target/release/dittofs-krm"
IDENTITY = ROOT / "target/release/examples/identity"
EVENTS = ROOT / "target/release/examples/saphyr_events"
WASM = ROOT / "target/wasm32-wasip1/release/dittofs-krm.wasm"
WORK = ROOT / "target/bench"
# The Go peer (see ../shared/tools/README.md): a KRM function on kyaml that returns its input.
PEER_XZ = ROOT.parent / "shared/tools/kyaml-identity.xz"
PEER = WORK / "kyaml-identity"

# (DittoServers, unrelated items): the lists of growing size; the last one is the goals' list.
SIZES = [(10, 100), (100, 1_000), (1_000, 10_000)]
# Pass-through only: the cost of the items the function does not read.
PASS_THROUGH = (0, 10_000)
MB = 1_000_000

# ---------------------------------------------------------------------------------------------
# Input generation: deterministic text, shaped like what `kpt fn render` sends.


def kpt_annotations(path: str, index: int, ident: int) -> str:
    return (
        "    annotations:\n"
        f"      config.kubernetes.io/index: '{index}'\n"
        f"      config.kubernetes.io/path: '{path}'\n"
        f"      internal.config.kubernetes.io/index: '{index}'\n"
        f"      internal.config.kubernetes.io/path: '{path}'\n"
        f"      internal.config.kubernetes.io/id: '{ident}'\n"
        "      internal.config.kubernetes.io/seqindent: 'compact'\n"
        f"      config.k8s.io/id: '{ident}'\n"
    )


def deployment(i: int, ident: int) -> str:
    ns = f"team-{i % 40}"
    return (
        "- apiVersion: apps/v1\n"
        "  kind: Deployment\n"
        "  metadata:\n"
        f"    name: web-{i}\n"
        f"    namespace: {ns}\n"
        + kpt_annotations(f"{ns}/web-{i}.yaml", 0, ident)
        + "  spec:\n"
        "    replicas: 2 # survives a node drain\n"
        "    selector:\n"
        "      matchLabels:\n"
        f"        app: web-{i}\n"
        "    template:\n"
        "      metadata:\n"
        "        labels:\n"
        f"          app: web-{i}\n"
        "      spec:\n"
        "        # the image tag is pinned by the release job\n"
        "        containers:\n"
        "        - name: web\n"
        f"          image: registry.example.com/web:1.{i % 30}.0\n"
    )


def secret(i: int, ident: int, name: str | None = None, data: dict[str, str] | None = None) -> str:
    ns = f"team-{i % 40}" if name is None else name.split("/")[0]
    name = f"creds-{i}" if name is None else name.split("/")[1]
    data = data or {"username": "app", "password": f"s3cr3t-{i}"}
    return (
        "- apiVersion: v1\n"
        "  kind: Secret\n"
        "  metadata:\n"
        f"    name: {name}\n"
        f"    namespace: {ns}\n"
        + kpt_annotations(f"{ns}/secret-{name}.yaml", 0, ident)
        + "  type: Opaque\n"
        "  stringData:\n"
        + "".join(f"    {k}: \"{v}\"\n" for k, v in data.items())
    )


def storage_class(i: int, ident: int) -> str:
    name = "standard" if i == 0 else f"class-{i}"
    default = "      storageclass.kubernetes.io/is-default-class: \"true\"\n" if i == 0 else ""
    return (
        "- apiVersion: storage.k8s.io/v1\n"
        "  kind: StorageClass\n"
        "  metadata:\n"
        f"    name: {name}\n"
        + kpt_annotations(f"storage/{name}.yaml", 0, ident)
        + default
        + "  provisioner: ebs.csi.aws.com\n"
        "  reclaimPolicy: Retain\n"
    )


def ditto_server(i: int, ident: int) -> str:
    ns = f"team-{i % 40}"
    extra = ""
    if i % 3 == 1:
        extra = "    smb:\n      enabled: true\n      port: 12445\n    metrics:\n      enabled: true\n"
    return (
        "- apiVersion: dittofs.dittofs.com/v1alpha1\n"
        "  kind: DittoServer\n"
        "  metadata:\n"
        f"    name: ditto-{i}\n"
        f"    namespace: {ns}\n"
        + kpt_annotations(f"{ns}/ditto-{i}.yaml", 0, ident)
        + "  spec:\n"
        "    # internal storage of the server, not the NFS exports\n"
        "    storage:\n"
        "      metadataSize: \"10Gi\"\n"
        "      contentSize: \"50Gi\"\n"
        "      storageClassName: standard\n"
        "    identity:\n"
        "      jwt:\n"
        "        secretRef:\n"
        f"          name: ditto-{i}-jwt\n"
        "          key: jwt-secret\n"
        "      admin:\n"
        "        passwordSecretRef:\n"
        f"          name: ditto-{i}-admin\n"
        "          key: password-hash\n"
        + extra
    )


def resource_list(servers: int, unrelated: int) -> str:
    """`servers` DittoServers interleaved with `unrelated` other items: per ten items five
    Deployments, four Secrets and one StorageClass; the first Secrets are the ones the
    DittoServers reference, so every server expands without a warning."""
    parts = ["apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n"]
    ident = 0
    referenced = [
        (f"team-{s % 40}/ditto-{s}-{what}", {key: f"value-of-{what}-{s}-long-enough-for-a-signing-key"})
        for s in range(servers)
        for what, key in (("jwt", "jwt-secret"), ("admin", "password-hash"))
    ]
    spread = max(1, unrelated // max(1, servers))
    s = 0
    for i in range(unrelated):
        if s < servers and i % spread == 0:
            parts.append(ditto_server(s, ident))
            ident += 1
            s += 1
        slot = i % 10
        if slot < 5:
            parts.append(deployment(i, ident))
        elif slot < 9:
            n = (i // 10) * 4 + slot - 5
            if n < len(referenced):
                parts.append(secret(i, ident, *referenced[n]))
            else:
                parts.append(secret(i, ident))
        else:
            parts.append(storage_class(i // 10, ident))
        ident += 1
    while s < servers:
        parts.append(ditto_server(s, ident))
        ident += 1
        s += 1
    # Referenced Secrets the unrelated slots had no room for (small lists only).
    slots = (unrelated + 9) // 10 * 4
    for n in range(slots, len(referenced)):
        parts.append(secret(n, ident, *referenced[n]))
        ident += 1
    if unrelated < 10:
        parts.append(storage_class(0, ident))
    parts.append(
        "functionConfig:\n"
        "  apiVersion: v1\n"
        "  kind: ConfigMap\n"
        "  metadata:\n"
        "    name: function-input\n"
        "  data: {}\n"
    )
    return "".join(parts)


# ---------------------------------------------------------------------------------------------
# Measurement


@dataclass
class Run:
    wall: float  # seconds
    rss: int | None  # bytes, when measured
    code: int
    inner: float | None = None  # seconds inside the WASI module, when the runner reports it


@dataclass
class Stats:
    runs: list[Run] = field(default_factory=list)
    rss_run: Run | None = None

    @property
    def wall(self) -> float:
        return statistics.median(r.wall for r in self.runs)

    @property
    def rss(self) -> int:
        if self.rss_run is not None:
            return self.rss_run.rss
        return int(statistics.median(r.rss for r in self.runs))

    @property
    def inner(self) -> float | None:
        inner = [r.inner for r in self.runs if r.inner is not None]
        return statistics.median(inner) if inner else None


def run_once(cmd: list[str], stdin: Path, stdout: Path, rss: bool = False) -> Run:
    """One run of `cmd`. With `rss`, under /usr/bin/time for the peak RSS: a child spawned
    from this Python process inherits its memory high-water mark (~40 MB) until exec, so the
    kernel's ru_maxrss of a direct child would be Python's, not the program's."""
    timing = WORK / "wasi-timing"
    rss_file = WORK / "rss"
    timing.unlink(missing_ok=True)
    env = dict(os.environ, BENCH_WASI_TIMING=str(timing))
    if rss:
        cmd = ["/usr/bin/time", "-f", "%M", "-o", str(rss_file), *cmd]
    with open(stdin, "rb") as fin, open(stdout, "wb") as fout, tempfile.TemporaryFile() as ferr:
        t0 = time.perf_counter()
        code = subprocess.run(cmd, stdin=fin, stdout=fout, stderr=ferr, env=env).returncode
        wall = time.perf_counter() - t0
        if code not in (0, 1):
            ferr.seek(0)
            sys.exit(f"{' '.join(cmd)} < {stdin} exited {code}: {ferr.read().decode(errors='replace')[-2000:]}")
    inner = float(timing.read_text()) if timing.exists() else None
    peak = int(rss_file.read_text().split()[-1]) * 1024 if rss else None
    return Run(wall=wall, rss=peak, code=code, inner=inner)


def measure(cmd: list[str], stdin: Path, stdout: Path, repeat: int, warmup: int = 1) -> Stats:
    """`warmup` untimed runs, `repeat` timed runs, then one run for the peak RSS (kpt, with no
    warm-up: its timed runs are the RSS runs)."""
    for _ in range(warmup):
        run_once(cmd, stdin, stdout)
    if warmup == 0:
        return Stats([run_once(cmd, stdin, stdout, rss=True) for _ in range(repeat)])
    runs = [run_once(cmd, stdin, stdout) for _ in range(repeat)]
    runs.append(run_once(cmd, stdin, stdout, rss=True))
    return Stats(runs[:-1], rss_run=runs[-1])


def interleaved(cmds: dict[str, list[str]], stdin: Path, repeat: int) -> dict[str, Stats]:
    """Each command in turn, `repeat` rounds (after one untimed round), then one run each for
    the peak RSS: a burst of load on the machine slows all of them alike, so their ratio holds
    where their times do not."""
    outs = {name: WORK / f"{name}-out.yaml" for name in cmds}
    for name, cmd in cmds.items():
        run_once(cmd, stdin, outs[name])
    runs: dict[str, list[Run]] = {name: [] for name in cmds}
    for _ in range(repeat):
        for name, cmd in cmds.items():
            runs[name].append(run_once(cmd, stdin, outs[name]))
    return {name: Stats(runs[name], rss_run=run_once(cmd, stdin, outs[name], rss=True)) for name, cmd in cmds.items()}


def unpack_peer() -> Path | None:
    """The kyaml peer, unpacked into target/bench (again when the archive is newer); `None`
    when the archive is not there."""
    if not PEER_XZ.exists():
        return None
    if not PEER.exists() or PEER.stat().st_mtime < PEER_XZ.stat().st_mtime:
        part = PEER.with_suffix(".part")
        part.write_bytes(lzma.decompress(PEER_XZ.read_bytes()))
        part.chmod(0o755)
        part.replace(PEER)
    return PEER


# ---------------------------------------------------------------------------------------------
# Report


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f}"


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if b else "–"


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---:" if i else "---" for i in range(len(header))) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=5, help="runs per measurement (median); default 5")
    ap.add_argument("--kpt-repeat", type=int, default=1, help="kpt runs per variant on the biggest list; default 1")
    ap.add_argument("--no-kpt", action="store_true", help="skip kpt (about 40 s)")
    ap.add_argument("--no-wasi", action="store_true", help="skip the WASI runs")
    ap.add_argument("--no-node", action="store_true", help="skip the node:wasi runs")
    ap.add_argument("--no-peer", action="store_true", help="skip the kyaml peer (about a minute)")
    ap.add_argument("--peer-repeat", type=int, default=7, help="interleaved rounds against the kyaml peer; default 7")
    args = ap.parse_args()

    for path, how in (
        (BIN, "cargo build --release"),
        (IDENTITY, "cargo build --release --example identity"),
        (EVENTS, "cargo build --release --example saphyr_events"),
    ):
        if not path.exists():
            sys.exit(f"{path} is missing: run `{how}` (or `make bench`)")
    if not args.no_wasi and not WASM.exists():
        sys.exit(f"{WASM} is missing: run `cargo build --release --target wasm32-wasip1` (or `make bench`)")
    if not Path("/usr/bin/time").exists():
        sys.exit("/usr/bin/time is missing (peak RSS): `apt-get install time`")
    if not args.no_kpt and not shutil.which("kpt"):
        sys.exit("kpt is not on PATH: install it or pass --no-kpt")

    WORK.mkdir(parents=True, exist_ok=True)
    out = WORK / "out.yaml"
    lists = []
    for servers, unrelated in [(1, 0), PASS_THROUGH, *SIZES]:
        path = WORK / f"list-{servers}-{unrelated}.yaml"
        path.write_text(resource_list(servers, unrelated))
        lists.append((servers, unrelated, path))

    cwasm = WORK / "dittofs-krm.cwasm"
    wasmtime_cmd = [sys.executable, str(ROOT / "bench/wasi_run.py"), str(cwasm)]
    # Node 20 crashes (SIGSEGV/SIGBUS, after the output is written) once the module's memory has
    # grown large: here on a 14 MB input, and on the 7.5 MB list before the function streamed its
    # output (nodejs/node#51303 looks alike). The lists below stay under that.
    node_cmd = ["node", "--no-warnings", str(ROOT / "bench/wasi_run.mjs"), str(WASM)]
    compile_s = None
    if not args.no_wasi:
        t0 = time.perf_counter()
        subprocess.run([sys.executable, str(ROOT / "bench/wasi_run.py"), "--compile", str(WASM), str(cwasm)], check=True)
        compile_s = time.perf_counter() - t0

    load = os.getloadavg()[0]
    print(f"dittofs-krm benchmark: median of {args.repeat} runs each, {os.cpu_count()} CPUs, load average {load:.1f}",
          flush=True)
    # What spawning any program from here costs: the floor under the start-up figure.
    spawn = measure([shutil.which("true") or "/bin/true"], lists[0][2], out, 21)
    results = []
    for servers, unrelated, path in lists:
        size = path.stat().st_size
        row = {"servers": servers, "unrelated": unrelated, "size": size}
        print(f"  {servers} DittoServers / {unrelated} items ({size / MB:.2f} MB) ...", flush=True)
        repeat = max(args.repeat, 21) if unrelated == 0 else args.repeat
        row["native"] = measure([str(BIN)], path, out, repeat)
        native_out = out.read_bytes()
        row["out_size"] = len(native_out)
        row["identity"] = measure([str(IDENTITY)], path, WORK / "identity-out.yaml", repeat)
        row["events"] = measure([str(EVENTS)], path, WORK / "events-out.txt", repeat)
        if not args.no_wasi:
            for name, cmd in (("wasmtime", wasmtime_cmd), ("node", node_cmd)):
                if name == "node" and args.no_node:
                    continue
                row[name] = measure(cmd, path, out, args.repeat)
                if out.read_bytes() != native_out:
                    sys.exit(f"the {name} WASI output differs from the native output on {path}")
        results.append(row)

    big = results[-1]
    # A re-render: the biggest list's output as the input, every server's previous objects in it,
    # as a kpt package holds them after its first render; what applying it does is assessed.
    rerender_in = WORK / "rerender.yaml"
    rerender_in.write_bytes(native_out)
    print(f"  re-render of its output ({len(native_out) / MB:.2f} MB) ...", flush=True)
    big["rerender"] = measure([str(BIN)], rerender_in, out, args.repeat)
    big["rerender_size"] = len(native_out)
    # The biggest list in other styles some clients write: every item in flow style (JSON) in
    # a block list, and the whole ResourceList as one line of JSON. Needs PyYAML to convert.
    styles = {}
    try:
        import json
        import yaml
        parsed = yaml.safe_load(lists[-1][2].read_text())
        flow = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n" + "".join(
            f"- {json.dumps(item)}\n" for item in parsed["items"])
        styles = {"flow items": flow, "JSON": json.dumps(parsed)}
    except ImportError:
        print("  (PyYAML is missing: the flow-style and JSON inputs are skipped)")
    for name, text in styles.items():
        path = WORK / f"list-{name.replace(' ', '-')}.txt"
        path.write_text(text)
        print(f"  the biggest list as {name} ({len(text) / MB:.2f} MB) ...", flush=True)
        big.setdefault("styles", {})[name] = (len(text), measure([str(BIN)], path, out, args.repeat))
    sized = [r for r in results if r["servers"] > 0 and r["unrelated"] > 0]
    peer = None if args.no_peer else unpack_peer()
    if peer is not None:
        print(f"  kyaml identity peer, interleaved with the function ({args.peer_repeat} rounds each list) ...", flush=True)
        for r, (servers, unrelated, path) in zip(results, lists):
            if (servers, unrelated) in SIZES:
                r["peer"] = interleaved({"kyaml": [str(peer)], "native": [str(BIN)]}, path, args.peer_repeat)
    if not args.no_kpt:
        cat = WORK / "cat-function"
        cat.write_text("#!/bin/sh\nexec cat\n")
        cat.chmod(0o755)
        path = lists[-1][2]
        print(f"  kpt fn eval on the biggest list ({args.kpt_repeat}× each variant) ...", flush=True)
        big["kpt_cat"] = measure(["kpt", "fn", "eval", "-", "--exec", str(cat)], path, WORK / "kpt-out.yaml", args.kpt_repeat, 0)
        big["kpt_fn"] = measure(["kpt", "fn", "eval", "-", "--exec", str(BIN)], path, WORK / "kpt-out.yaml", args.kpt_repeat, 0)

    # -- tables ---------------------------------------------------------------------------------
    rows = []
    for r in results:
        n, i = r["native"], r["identity"]
        rows.append([
            f"{r['servers']:,} / {r['unrelated']:,}",
            f"{r['size'] / MB:.2f}",
            f"{r['out_size'] / MB:.2f}",
            ms(n.wall),
            f"{r['size'] / MB / n.wall:.0f}",
            f"{n.rss / MB:.1f}",
            f"{n.rss / r['size']:.1f}",
            ms(i.wall),
            f"{i.rss / MB:.1f}",
            ratio(n.wall, i.wall),
            ms(r["events"].wall),
        ])
    print()
    print(table(["DittoServers / other items", "input MB", "output MB", "native ms", "MB/s", "peak RSS MB",
                 "RSS / input", "serde_yaml identity ms", "identity RSS MB", "native / identity",
                 "saphyr events ms"], rows))

    if not args.no_wasi:
        rows = []
        for r in results:
            n = r["native"]
            row = [f"{r['servers']:,} / {r['unrelated']:,}"]
            for name in ("wasmtime", "node"):
                if name not in r:
                    row += ["–"] * 4
                    continue
                w = r[name]
                row += [ms(w.wall), ms(w.inner) if w.inner is not None else "–", ratio(w.wall, n.wall),
                        ratio(w.inner, n.wall) if w.inner is not None else "–"]
            rows.append(row)
        print()
        print(table(["DittoServers / other items", "wasmtime ms", "in module ms", "wasmtime / native",
                     "in module / native", "node ms", "in module ms", "node / native", "in module / native"], rows))
        print(f"\n(wasmtime runs a module precompiled once in {compile_s:.1f} s; node compiles it on every run.)")

    print()
    if peer is None:
        why = "--no-peer" if args.no_peer else f"{PEER_XZ} is absent"
        print(f"kyaml identity peer: not measured ({why}); no kyaml ratio in this run.")
    else:
        rows = []
        for r in results:
            if "peer" not in r:
                continue
            k, n = r["peer"]["kyaml"], r["peer"]["native"]
            rows.append([f"{r['servers']:,} / {r['unrelated']:,}", ms(k.wall), ms(n.wall), f"{k.wall / n.wall:.1f}×",
                         f"{k.rss / MB:.1f}", f"{n.rss / MB:.1f}"])
        print(table(["DittoServers / other items", "kyaml identity ms", "native ms", "kyaml / native",
                     "kyaml peak RSS MB", "native peak RSS MB"], rows))

    if "kpt_cat" in big:
        c, f, n = big["kpt_cat"], big["kpt_fn"], big["native"]
        print()
        print(table(
            ["biggest list", "kpt + cat s", "kpt + dittofs-krm s", "native / kpt identity", "kpt peak RSS MB"],
            [[f"{big['size'] / MB:.2f} MB", f"{c.wall:.1f}", f"{f.wall:.1f}", f"{n.wall / c.wall * 100:.2f} %",
              f"{c.rss / MB:.0f}"]],
        ))

    # -- goals ----------------------------------------------------------------------------------
    n, i = big["native"], big["identity"]
    per_byte = [r["native"].wall / r["size"] for r in sized]
    growth = per_byte[-1] / per_byte[-2]
    startup = results[0]["native"].wall
    goals = [
        ("native ≤ 1.5× serde_yaml identity", f"{n.wall / i.wall:.2f}×", n.wall <= 1.5 * i.wall),
        ("native ≥ 50 MB/s", f"{big['size'] / MB / n.wall:.0f} MB/s", big["size"] / MB / n.wall >= 50),
        ("peak RSS ≤ 4× input", f"{n.rss / big['size']:.1f}×", n.rss <= 4 * big["size"]),
        ("linear growth (time per byte, 10× list vs previous)", f"{growth:.2f}×", growth <= 1.25),
        ("start-up, one DittoServer, native ≤ 5 ms", f"{startup * 1000:.1f} ms (spawning `true`: "
         f"{spawn.wall * 1000:.1f} ms)", startup <= 0.005),
    ]
    if "wasmtime" in big:
        w = big["wasmtime"]
        goals.append(("WASI (wasmtime) ≤ 3× native", f"{w.wall / n.wall:.2f}×", w.wall <= 3 * n.wall))
    if "peer" in big:
        k, kn = big["peer"]["kyaml"], big["peer"]["native"]
        goals.append(("native ≥ 25× faster than kyaml identity", f"{k.wall / kn.wall:.1f}× ({ms(k.wall)} / {ms(kn.wall)} ms)",
                      k.wall >= 25 * kn.wall))
    else:
        goals.append(("native ≥ 25× faster than kyaml identity", "not measured (no peer)", None))
    if "kpt_cat" in big:
        c = big["kpt_cat"]
        goals.append(("native ≤ 1% of kpt's identity", f"{n.wall / c.wall * 100:.2f} %", n.wall <= 0.01 * c.wall))
    print()
    print(table([f"goal (on the {big['size'] / MB:.1f} MB list)", "measured", "met"],
                [[g, m, "–" if ok is None else "yes" if ok else "no"] for g, m, ok in goals]))
    p = next(r for r in results if r["servers"] == 0)
    print(f"\nFor reference: pass-through only ({p['unrelated']:,} items, {p['size'] / MB:.1f} MB): "
          f"{p['size'] / MB / p['native'].wall:.0f} MB/s, peak RSS {p['native'].rss / p['size']:.1f}× input; "
          f"saphyr-parser events alone (the scan's floor) on the {big['size'] / MB:.1f} MB list: "
          f"{big['size'] / MB / big['events'].wall:.0f} MB/s.")
    r = big["rerender"]
    print(f"Re-render (the {big['size'] / MB:.1f} MB list's output, {big['rerender_size'] / MB:.1f} MB, as input: "
          f"{big['servers']:,} servers compared with their previous objects): {ms(r.wall)} ms, "
          f"{r.wall / big['native'].wall:.2f}× the first render, peak RSS {r.rss / MB:.1f} MB "
          f"({r.rss / big['rerender_size']:.1f}× input).")
    for name, (size, st) in big.get("styles", {}).items():
        print(f"The biggest list as {name} ({size / MB:.1f} MB): {ms(st.wall)} ms, peak RSS {st.rss / MB:.1f} MB "
              f"({st.rss / size:.1f}× input).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
