"""Writes the inputs of the golden cases `tests/cases/impact-*`: a server rendered once by the
release binary (its previous render), then the edit each case is about. Run from the repository
root after `cargo build --release`: python3 tests/tools/impact_cases.py"""
import base64
import copy
import os
import subprocess

import yaml

BIN = "target/release/dittofs-krm"
OUT = "tests/cases"

def b64(s): return base64.b64encode(s.encode()).decode()

def sc(name, expand):
    o = {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": name, "annotations": {"config.kubernetes.io/path": "classes.yaml", "config.kubernetes.io/index": "0" if name == "fast" else "1"}}, "provisioner": "ebs.csi.aws.com"}
    if expand: o["allowVolumeExpansion"] = True
    return o

def secret(value):
    return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "nas-jwt-secret", "namespace": "storage", "annotations": {"config.kubernetes.io/path": "secret.yaml", "config.kubernetes.io/index": "0"}}, "type": "Opaque", "data": {"jwt-secret": b64(value)}}

def v04(**spec):
    s = {"image": "marmos91c/dittofs:v0.4.2", "storage": {"metadataSize": "10Gi", "contentSize": "100Gi", "cacheSize": "5Gi", "storageClassName": "fast"}, "smb": {"enabled": True}, "metrics": {"enabled": True}, "service": {"type": "LoadBalancer"}}
    s.update(spec)
    return s

def v029():
    return {"image": "marmos91c/dittofs:v0.29.0", "storage": {"metadataSize": "10Gi", "contentSize": "100Gi", "storageClassName": "fast"}}

def server(spec):
    return {"apiVersion": "dittofs.dittofs.com/v1alpha1", "kind": "DittoServer", "metadata": {"name": "nas", "namespace": "storage", "annotations": {"config.kubernetes.io/path": "nas.yaml", "config.kubernetes.io/index": "0"}}, "spec": spec}

def rl(items):
    return {"apiVersion": "config.kubernetes.io/v1", "kind": "ResourceList", "items": items}

def render(items):
    text = yaml.safe_dump(rl(items), sort_keys=False)
    p = subprocess.run([BIN], input=text.encode(), capture_output=True)
    out = yaml.safe_load(p.stdout)
    return out["items"], out.get("results", [])

def find(items, kind, name=None):
    for i in items:
        if i["kind"] == kind and (name is None or i["metadata"]["name"] == name):
            return i
    raise KeyError((kind, name))

def write(case, comment, items):
    d = os.path.join(OUT, case)
    os.makedirs(d, exist_ok=True)
    text = "# " + "\n# ".join(comment.strip().splitlines()) + "\n" + yaml.safe_dump(rl(items), sort_keys=False)
    open(os.path.join(d, "input.yaml"), "w").write(text)

def fingerprint(items):
    _, results = render(items)
    for r in results:
        if r["severity"] == "error" and "acknowledge-impact" in r["message"]:
            return r["message"].split('acknowledge-impact: "')[1].split('"')[0]
    raise SystemExit("no fingerprint: %r" % results)

KEY = "x" * 40
def base(spec=None):
    return [server(spec or v04()), sc("fast", True), sc("slow", False), secret(KEY)]

def case(name, comment, edit, spec=None):
    items, _ = render(base(spec))
    items = copy.deepcopy(items)
    edit(items)
    write(name, comment, items)
    return items

def ds(items): return find(items, "DittoServer")

case("impact-unchanged", "The previous render of an unchanged DittoServer: nothing to report (f(f(x)) = f(x)).", lambda it: None)
case("impact-restart-image", "spec.image moves to another release of the line: the pod restarts (info).", lambda it: ds(it)["spec"].update(image="marmos91c/dittofs:v0.4.1"))
case("impact-restart-secret", "The JWT Secret's data changes, config.yaml does not: the config hash restarts the pod (info).", lambda it: find(it, "Secret")["data"].update({"jwt-secret": b64("y" * 40)}))
case("impact-claim-grows", "cacheSize grows on a StorageClass that allows expansion: an error naming the PVC to patch, previous objects kept.", lambda it: ds(it)["spec"]["storage"].update(cacheSize="8Gi"))
case("impact-claim-grows-no-expansion", "metadataSize grows on a StorageClass without allowVolumeExpansion: the patch would be refused.", lambda it: ds(it)["spec"]["storage"].update(metadataSize="20Gi"),
     spec=v04(storage={"metadataSize": "10Gi", "contentSize": "100Gi", "cacheSize": "5Gi", "storageClassName": "slow"}))
case("impact-claim-shrinks", "contentSize shrinks: Kubernetes rejects it, and a PVC never shrinks.", lambda it: ds(it)["spec"]["storage"].update(contentSize="50Gi"))
case("impact-claim-class", "storageClassName changes: Kubernetes rejects it; the PVCs stay on the old class.", lambda it: ds(it)["spec"]["storage"].update(storageClassName="slow"))
case("impact-claim-added", "contentSize is set: a claim is added (rejected), the pod starts on an empty volume.", lambda it: ds(it)["spec"]["storage"].update(contentSize="100Gi"),
     spec=v04(storage={"metadataSize": "10Gi", "cacheSize": "5Gi", "storageClassName": "fast"}))
case("impact-claim-removed", "contentSize is unset: a claim is removed (rejected); its PVC stays but is no longer mounted.", lambda it: ds(it)["spec"]["storage"].pop("contentSize"))
case("impact-service-type", "service.type LoadBalancer -> ClusterIP: the external address is released (warning).", lambda it: ds(it)["spec"]["service"].update(type="ClusterIP"))
case("impact-service-port", "nfsPort changes: clients must remount at the new port (warning), and the pod restarts.", lambda it: ds(it)["spec"].update(nfsPort=12049))
case("impact-service-removed", "metrics are turned off: the metrics Service is no longer generated (warning).", lambda it: ds(it)["spec"]["metrics"].update(enabled=False))
def no_cluster_ip(it):
    find(it, "Service", "nas-headless")["spec"].pop("clusterIP")
case("impact-service-cluster-ip", "The previous headless Service was applied without clusterIP: None (edited by hand): the render makes it headless, which Kubernetes rejects.", no_cluster_ip)
def service_name(it):
    find(it, "StatefulSet")["spec"]["serviceName"] = "nas-old"
case("impact-statefulset-service-name", "The previous StatefulSet has another serviceName (an older render, edited by hand): a fixed field, rejected.", service_name)
def access_modes(it):
    for t in find(it, "StatefulSet")["spec"]["volumeClaimTemplates"]:
        if t["metadata"]["name"] == "cache":
            t["spec"]["accessModes"] = ["ReadWriteMany"]
case("impact-claim-access-modes", "The previous StatefulSet's cache claim was ReadWriteMany (edited by hand): the render's ReadWriteOnce is rejected.", access_modes)
case("impact-replicas-zero", "replicas 1 -> 0: the server stops (warning).", lambda it: ds(it)["spec"].update(replicas=0))
case("impact-replicas-from-zero", "replicas 0 -> 1 with another image: the server starts; no running pod restarts, so nothing is said.",
     lambda it: ds(it)["spec"].update(replicas=1, image="marmos91c/dittofs:v0.4.1"), spec=v04(replicas=0))
case("impact-server-removed", "The DittoServer is gone, its previous objects are in the input: they are pruned, the PVCs stay (warning naming them).", lambda it: it.remove(ds(it)))
def labels(it):
    for o in it:
        if o["kind"] in ("DittoServer", "StorageClass"): continue
        o["metadata"].setdefault("labels", {})["team"] = "storage"
        if o["kind"] == "StatefulSet":
            o["spec"]["selector"]["matchLabels"]["team"] = "storage"
            o["spec"]["template"]["metadata"]["labels"]["team"] = "storage"
            for t in o["spec"]["volumeClaimTemplates"]:
                t["metadata"].setdefault("labels", {})["team"] = "storage"
        if o["kind"] == "Service":
            o["spec"].setdefault("selector", {})["team"] = "storage"
case("impact-pipeline-labels", "A later function (set-labels) added labels to the previous objects, their selectors and claim templates: no impact, they are not the render's.", labels)

grown = case("impact-acknowledged-other", "cacheSize grows, and the DittoServer acknowledges another edit: still an error.",
     lambda it: (ds(it)["spec"]["storage"].update(cacheSize="8Gi"), ds(it)["metadata"]["annotations"].update({"fn.dittofs.com/acknowledge-impact": "0123456789"})))
ds(grown)["metadata"]["annotations"].pop("fn.dittofs.com/acknowledge-impact")
fp = fingerprint(grown)
case("impact-acknowledged", "cacheSize grows, and the DittoServer acknowledges this edit: the new objects are written, the steps reported as a warning.",
     lambda it: (ds(it)["spec"]["storage"].update(cacheSize="8Gi"), ds(it)["metadata"]["annotations"].update({"fn.dittofs.com/acknowledge-impact": fp})))

def to_v029(it):
    s = ds(it)["spec"]
    s["image"] = "marmos91c/dittofs:v0.29.0"
    s["storage"].pop("cacheSize")
    for k in ("smb", "metrics", "service"): s.pop(k)
moved = case("impact-line-change", "The image moves the server from v0.4 to v0.29: an error, the previous objects kept.", to_v029)
fp = fingerprint(moved)
case("impact-line-change-acknowledged", "The move to v0.29, acknowledged: the v0.29 objects are written.",
     lambda it: (to_v029(it), ds(it)["metadata"]["annotations"].update({"fn.dittofs.com/acknowledge-impact": fp})))
case("impact-v029-claim-grows", "A v0.29 server whose controlPlaneSize grows.", lambda it: ds(it)["spec"]["storage"].update(controlPlaneSize="2Gi"), spec=v029())
