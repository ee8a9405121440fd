#!/usr/bin/env python3
"""A KRM exec function standing in for kpt's set-namespace: sets metadata.namespace of every
namespaced item of the ResourceList on stdin to the functionConfig's `namespace`.

functionConfig data (a ConfigMap, as `kpt fn eval -- key=value` and a Kptfile configMap send it):
  namespace   the namespace to set (required)
  skip-kinds  comma-separated kinds left alone (e.g. `DittoServer`: move only its objects)

Cluster-scoped kinds used in the tests (StorageClass, Namespace) and local-config items (the
Kptfile) are left alone, as set-namespace does.
"""

import sys

import yaml

CLUSTER_SCOPED = {"StorageClass", "Namespace", "CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding"}


def main():
    resource_list = yaml.safe_load(sys.stdin)
    data = (resource_list.get("functionConfig") or {}).get("data") or {}
    namespace = data.get("namespace")
    if not namespace:
        sys.stderr.write("set_namespace.py: functionConfig data.namespace is required\n")
        return 1
    skip = {k for k in str(data.get("skip-kinds", "")).split(",") if k}
    for item in resource_list.get("items") or []:
        metadata = item.setdefault("metadata", {})
        annotations = metadata.get("annotations") or {}
        local = annotations.get("config.kubernetes.io/local-config") == "true" and item.get("kind") != "DittoServer"
        if item.get("kind") in CLUSTER_SCOPED or item.get("kind") in skip or local:
            continue
        metadata["namespace"] = namespace
    yaml.safe_dump(resource_list, sys.stdout, default_flow_style=False, sort_keys=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
