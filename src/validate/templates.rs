//! StatefulSet `volumeClaimTemplates` are immutable: warn when the input's previously generated
//! StatefulSet has different ones (kubernetes/kubernetes#69041).

use k8s_openapi::api::core::v1::PersistentVolumeClaim;
use serde_json::Value;

use crate::krm::ValidationResult;

pub fn immutable_templates(previous: &Value, next: &[PersistentVolumeClaim]) -> Vec<ValidationResult> {
    let before = previous.pointer("/spec/volumeClaimTemplates").cloned().unwrap_or(Value::Null);
    let mut after = serde_json::json!({"spec": {"volumeClaimTemplates": next}});
    crate::expand::strip_template_type_meta(&mut after);
    let after = after.pointer("/spec/volumeClaimTemplates").cloned().unwrap_or(Value::Null);
    if before == after {
        return Vec::new();
    }
    vec![ValidationResult::warning(
        "the StatefulSet's volumeClaimTemplates change (size, class or list of volumes): Kubernetes rejects this update; delete the StatefulSet with `kubectl delete statefulset --cascade=orphan` and apply again (the PVCs are retained)",
    )
    .at("spec.storage")]
}
