"""Validates DittoServer objects against the openAPIV3Schema of a CRD.

Usage: validate_crd.py CRD_FILE [--valid FILE...] [--invalid FILE...]

Every DittoServer found in a --valid file (plain manifests or a ResourceList) must validate;
every DittoServer in an --invalid file must be rejected. Exits 1 on any mismatch, and when a
list names no DittoServer at all (a test that checks nothing must not pass).

The python `jsonschema` package (pinned in tests/requirements.txt) checks the schema: an
OpenAPI v3 schema object as Kubernetes uses it is draft-4 JSON Schema plus `x-kubernetes-*`
keywords, which a draft-4 validator ignores.
"""

import sys

import jsonschema
import yaml


def ditto_servers(path):
    with open(path, encoding="utf-8") as f:
        for doc in yaml.safe_load_all(f):
            if not isinstance(doc, dict):
                continue
            objects = doc.get("items") or [] if doc.get("kind") == "ResourceList" else [doc]
            for obj in objects:
                if obj.get("kind") == "DittoServer" and str(obj.get("apiVersion", "")).startswith("dittofs.dittofs.com/"):
                    yield obj


def main(argv):
    crd_path, rest = argv[0], argv[1:]
    with open(crd_path, encoding="utf-8") as f:
        crd = yaml.safe_load(f)
    schema = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    jsonschema.Draft4Validator.check_schema(schema)
    validator = jsonschema.Draft4Validator(schema)

    mode, files = None, {"--valid": [], "--invalid": []}
    for arg in rest:
        if arg in files:
            mode = arg
        elif mode is None:
            sys.exit(f"{arg}: name --valid or --invalid first")
        else:
            files[mode].append(arg)

    failures, counts = 0, {"--valid": 0, "--invalid": 0}
    for mode, paths in files.items():
        for path in paths:
            for obj in ditto_servers(path):
                counts[mode] += 1
                name = obj.get("metadata", {}).get("name")
                errors = sorted(validator.iter_errors(obj), key=lambda e: list(e.absolute_path))
                if mode == "--valid" and errors:
                    failures += 1
                    for e in errors:
                        print(f"FAIL {path}: {name}: {'.'.join(map(str, e.absolute_path))}: {e.message}")
                elif mode == "--invalid" and not errors:
                    failures += 1
                    print(f"FAIL {path}: {name}: the CRD schema accepts it")
                else:
                    what = "valid" if mode == "--valid" else f"rejected ({errors[0].message})"
                    print(f"ok {path}: {name}: {what}")
    for mode, paths in files.items():
        if paths and counts[mode] == 0:
            failures += 1
            print(f"FAIL {mode}: no DittoServer found in {paths}")
    print(f"{counts['--valid'] + counts['--invalid'] - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
