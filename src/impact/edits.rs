//! Every kind of edit whose effect on the running server the function reports: its severity,
//! what Kubernetes does with it, what happens to the server and its data, and what to do. The
//! results take their severity from here, and the README's table is printed from here
//! ([`markdown_table`]), so the two cannot disagree.

use crate::krm::Severity;

/// A kind of edit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Edit {
    PodRestarts,
    ClaimGrows,
    ClaimShrinks,
    ClaimClass,
    ClaimAccessModes,
    ClaimAdded,
    ClaimRemoved,
    StatefulSetFixed,
    ServiceClusterIp,
    ServiceType,
    ServicePort,
    ServiceRemoved,
    ScaledToZero,
    LineChanges,
    ServerRemoved,
}

/// What one kind of edit does.
pub struct EditInfo {
    pub edit: Edit,
    /// Its name in the results' `tags` (`impact: claim-grows`).
    pub id: &'static str,
    /// The edit, as the user makes it.
    pub what: &'static str,
    pub severity: Severity,
    /// What the API server does with the changed objects.
    pub kubernetes: &'static str,
    /// What happens to the server, its clients and its data.
    pub happens: &'static str,
    /// What to do.
    pub todo: &'static str,
}

/// Every edit, in the order the README lists them.
pub const EDITS: &[EditInfo] = &[
    EditInfo {
        edit: Edit::PodRestarts,
        id: "pod-restarts",
        what: "the pod template changes: image, environment, `config.yaml`, a Secret the server reads (the config hash), resources, probes, security context",
        severity: Severity::Info,
        kubernetes: "accepts; the StatefulSet replaces the pod",
        happens: "the pod restarts: NFS and SMB clients lose the server while it stops and starts; the data stays",
        todo: "apply when a short outage is acceptable",
    },
    EditInfo {
        edit: Edit::ClaimGrows,
        id: "claim-grows",
        what: "a storage size grows",
        severity: Severity::Error,
        kubernetes: "rejects the StatefulSet (its claim templates are fixed); a bound PVC may grow when its StorageClass has `allowVolumeExpansion: true`",
        happens: "a StatefulSet never resizes the PVCs it made: recreated alone, it leaves the volumes at their old size",
        todo: "acknowledge; delete the StatefulSet with `--cascade=orphan`, apply, and patch each PVC `<claim>-<statefulset>-<ordinal>` to the new size (the results name them and check the StorageClass)",
    },
    EditInfo {
        edit: Edit::ClaimShrinks,
        id: "claim-shrinks",
        what: "a storage size shrinks",
        severity: Severity::Error,
        kubernetes: "rejects the StatefulSet; a PVC never shrinks below its capacity",
        happens: "the existing PVCs keep their size; only a PVC made anew gets the smaller one",
        todo: "keep the size; or acknowledge, recreate the StatefulSet with `--cascade=orphan` and, to really shrink, move the data to a new, smaller PVC",
    },
    EditInfo {
        edit: Edit::ClaimClass,
        id: "claim-class",
        what: "the StorageClass changes",
        severity: Severity::Error,
        kubernetes: "rejects the StatefulSet; a PVC's class never changes",
        happens: "the existing PVCs stay on the old class; only a PVC made anew gets the new one",
        todo: "acknowledge and recreate the StatefulSet with `--cascade=orphan`; to move the data, scale to 0, copy each PVC to one of the new class under the same name, and scale back",
    },
    EditInfo {
        edit: Edit::ClaimAccessModes,
        id: "claim-access-modes",
        what: "a claim's access modes change",
        severity: Severity::Error,
        kubernetes: "rejects the StatefulSet; a PVC's access modes never change",
        happens: "the existing PVCs keep their access modes",
        todo: "as for a StorageClass change",
    },
    EditInfo {
        edit: Edit::ClaimAdded,
        id: "claim-added",
        what: "a volume is added (a size set that was not)",
        severity: Severity::Error,
        kubernetes: "rejects the StatefulSet",
        happens: "once recreated, the pod mounts a new, empty PVC; what the server kept at that path before (in the container) is not moved onto it",
        todo: "acknowledge and recreate the StatefulSet with `--cascade=orphan`",
    },
    EditInfo {
        edit: Edit::ClaimRemoved,
        id: "claim-removed",
        what: "a volume is removed (a size unset)",
        severity: Severity::Error,
        kubernetes: "rejects the StatefulSet",
        happens: "the PVC stays with its data (Retain), but is no longer mounted: the server no longer sees what it stored there",
        todo: "copy the data elsewhere first; then acknowledge, recreate the StatefulSet with `--cascade=orphan`, and delete the PVC when it is no longer needed",
    },
    EditInfo {
        edit: Edit::StatefulSetFixed,
        id: "statefulset-fixed-field",
        what: "another fixed StatefulSet field changes (selector, service name, pod management policy, a claim template's labels)",
        severity: Severity::Error,
        kubernetes: "rejects the StatefulSet",
        happens: "nothing is applied until the StatefulSet is recreated",
        todo: "acknowledge; delete the StatefulSet with `--cascade=orphan` and apply",
    },
    EditInfo {
        edit: Edit::ServiceClusterIp,
        id: "service-cluster-ip",
        what: "a Service's cluster IP changes (a Service becomes headless, or stops being so)",
        severity: Severity::Error,
        kubernetes: "rejects the Service: a cluster IP never changes once set",
        happens: "nothing is applied until the Service is recreated; clients of its address lose it",
        todo: "acknowledge; delete the Service and apply",
    },
    EditInfo {
        edit: Edit::ServiceType,
        id: "service-type",
        what: "a Service's type changes",
        severity: Severity::Warning,
        kubernetes: "accepts",
        happens: "from LoadBalancer or NodePort, the external address or node port is released and clients outside the cluster lose the server; to them, a new one is allocated",
        todo: "tell the clients the new address, and remount",
    },
    EditInfo {
        edit: Edit::ServicePort,
        id: "service-port",
        what: "a Service's port changes, or a port is no longer served",
        severity: Severity::Warning,
        kubernetes: "accepts",
        happens: "clients mounted at the old port lose the server",
        todo: "remount the clients at the new port",
    },
    EditInfo {
        edit: Edit::ServiceRemoved,
        id: "service-removed",
        what: "a Service is no longer generated (an adapter or the API turned off)",
        severity: Severity::Warning,
        kubernetes: "deletes it when the apply prunes",
        happens: "clients of that Service lose the server",
        todo: "move the clients to a Service that stays",
    },
    EditInfo {
        edit: Edit::ScaledToZero,
        id: "scaled-to-zero",
        what: "replicas goes to 0",
        severity: Severity::Warning,
        kubernetes: "accepts",
        happens: "the server stops: clients lose it until replicas is 1 again; the volumes stay",
        todo: "apply when the outage is planned",
    },
    EditInfo {
        edit: Edit::LineChanges,
        id: "line-changes",
        what: "the image moves the server to another release line",
        severity: Severity::Error,
        kubernetes: "rejects the StatefulSet (other claim templates)",
        happens: "the volumes hold the old line's layout, which the new line does not read",
        todo: "back up through the server's API; acknowledge; delete the StatefulSet (its PVCs are kept), apply, recreate the stores and shares and restore; or pin the image to the old line",
    },
    EditInfo {
        edit: Edit::ServerRemoved,
        id: "server-removed",
        what: "a DittoServer is removed",
        severity: Severity::Warning,
        kubernetes: "deletes its objects when the apply prunes; the PVCs stay (retention policy Retain)",
        happens: "the server stops; its data stays on PVCs nobody mounts",
        todo: "delete the PVCs (the results name them) when the data is no longer needed, or restore the DittoServer to serve them again",
    },
];

impl Edit {
    pub fn info(self) -> &'static EditInfo {
        EDITS.iter().find(|e| e.edit == self).expect("every edit is in the table")
    }

    pub fn id(self) -> &'static str {
        self.info().id
    }

    pub fn severity(self) -> Severity {
        self.info().severity
    }
}

/// The README's table of edits.
pub fn markdown_table() -> String {
    let mut out = String::from("| edit | severity (tag) | Kubernetes | what happens | what to do |\n|---|---|---|---|---|\n");
    for e in EDITS {
        let severity = match e.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        };
        out.push_str(&format!("| {} | {severity} (`{}`) | {} | {} | {} |\n", e.what, e.id, e.kubernetes, e.happens, e.todo));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_edit_is_in_the_table_once() {
        for e in EDITS {
            assert_eq!(EDITS.iter().filter(|o| o.edit == e.edit).count(), 1, "{:?}", e.edit);
        }
        assert_eq!(EDITS.len(), Edit::ServerRemoved as usize + 1);
    }

    /// The README's section shows this very table.
    #[test]
    fn the_readme_table_is_this_one() {
        let readme = include_str!("../../README.md");
        let table = markdown_table();
        assert!(readme.contains(&table), "README.md's table of edits differs; paste this:\n{table}");
    }

    #[test]
    fn an_edit_kubernetes_rejects_is_an_error() {
        for e in EDITS.iter().filter(|e| e.kubernetes.starts_with("rejects")) {
            assert_eq!(e.severity, Severity::Error, "{:?}", e.edit);
        }
    }
}
