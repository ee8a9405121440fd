"""Reads the function's output with PyYAML, a YAML 1.1 reader (as kubectl's is), and checks that
every string of expected.json came out as that same string.

Usage: python3 yaml11_check.py EXPECTED_JSON OUTPUT_YAML
Exits 0 when everything matches; prints each mismatch and exits 1 otherwise.
"""
import json
import sys

import yaml  # PyYAML, pinned in tests/requirements.txt


def main(expected_path, output_path):
    expected = json.load(open(expected_path, encoding="utf-8"))
    with open(output_path, encoding="utf-8") as f:
        output = yaml.safe_load(f)
    by_id = {(i["kind"], i["metadata"]["name"]): i for i in output["items"]}
    problems = []

    def same(where, got, want):
        if got != want or type(got) is not type(want):
            problems.append(f"{where}: {got!r} ({type(got).__name__}), expected {want!r}")

    for s in expected["servers"]:
        name = s["name"]
        for svc in ("file", "api"):
            annotations = by_id[("Service", f"{name}-{svc}")]["metadata"]["annotations"]
            for k, v in s["annotations"].items():
                same(f"Service {name}-{svc} annotation {k}", annotations.get(k), v)
        server = by_id[("DittoServer", name)]
        same(f"DittoServer {name} spec.image", server["spec"]["image"], s["image"])
        same(f"DittoServer {name} spec.s3.region", server["spec"]["s3"]["region"], s["region"])
        same(f"DittoServer {name} spec.cache.size", server["spec"]["cache"]["size"], s["cache_size"])
        for k, v in s["annotations"].items():
            same(f"DittoServer {name} spec.service.annotations {k}", server["spec"]["service"]["annotations"].get(k), v)
        container = by_id[("StatefulSet", name)]["spec"]["template"]["spec"]["containers"][0]
        same(f"StatefulSet {name} image", container["image"], s["image"])
        config = yaml.safe_load(by_id[("ConfigMap", f"{name}-config")]["data"]["config.yaml"])
        same(f"ConfigMap {name}-config config.yaml cache.size", config["cache"]["size"], s["cache_size"])

    for name, data in expected["rebuilt"].items():
        got = by_id[("ConfigMap", name)].get("data") or {}
        same(f"ConfigMap {name} keys", sorted(map(str, got.keys())), sorted(data.keys()))
        for k, v in data.items():
            same(f"ConfigMap {name} data[{k!r}]", got.get(k), v)

    for p in problems:
        print(p)
    print(f"{len(problems)} strings changed type or value under YAML 1.1")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
