//! The claim templates of a server's two renders: a claim that grows, shrinks, changes class or
//! access modes, is added or removed, with what Kubernetes does and the steps that apply it.

use serde_json::{json, Value};

use super::assess::{in_namespace, recreate, replicas, shown, Context, Finding};
use super::diff;
use super::edits::Edit;
use super::kubernetes::{self, ClaimStatus, Verdict};
use super::quantity;

/// The claim templates' differences, one finding per claim and kind of change. `fixed`: the
/// previous spec's fixed fields, projected; `old`: the whole previous StatefulSet.
pub(super) fn claims(ctx: &Context<'_>, fixed: &Value, old: &Value, new: &Value, out: &mut Vec<Finding>) {
    let templates = |v: &Value| v.pointer("/spec/volumeClaimTemplates").and_then(Value::as_array).cloned().unwrap_or_default();
    let (was, will) = (templates(fixed), templates(new));
    let name = |t: &Value| t.pointer("/metadata/name").and_then(Value::as_str).unwrap_or_default().to_string();
    let ordinals = replicas(old).max(replicas(new)).max(1);
    for t in &was {
        let claim = name(t);
        let pvcs = pvc_names(&claim, ctx.stateful_set, ordinals);
        let field = claim_field(ctx, &claim);
        let Some(n) = will.iter().find(|n| name(n) == claim) else {
            let at = mount_path(old, &claim).map(|p| format!(" at {p}")).unwrap_or_default();
            out.push(Finding::new(
                Edit::ClaimRemoved,
                field,
                format!(
                    "claim {claim:?} is removed: Kubernetes rejects the StatefulSet update (its claim templates are fixed). Once it is recreated, the existing PVCs ({}) stay with their data (retention policy Retain) but are no longer mounted: the server no longer sees what it stored{at}. Copy that data elsewhere first; to apply: {}; delete the PVCs when the data is no longer needed",
                    pvcs.join(", "),
                    recreate(ctx)
                ),
            ));
            continue;
        };
        let size = |t: &Value| t.pointer("/spec/resources/requests/storage").cloned();
        let (a, b) = (size(t), size(n));
        let (qa, qb) = (a.as_ref().and_then(Value::as_str).and_then(quantity::nanos), b.as_ref().and_then(Value::as_str).and_then(quantity::nanos));
        if qa != qb {
            let message = if qb > qa { grows(ctx, &claim, t, n, &pvcs) } else { shrinks(ctx, &claim, t, n, &pvcs) };
            out.push(Finding::new(if qb > qa { Edit::ClaimGrows } else { Edit::ClaimShrinks }, field, message).values(a.as_ref(), b.as_ref()));
        }
        let class = |t: &Value| t.pointer("/spec/storageClassName").cloned();
        if class(t) != class(n) {
            let (ca, cb) = (class_name(ctx, t), class_name(ctx, n));
            out.push(
                Finding::new(
                    Edit::ClaimClass,
                    field,
                    format!(
                        "claim {claim:?} changes StorageClass from {ca} to {cb}: Kubernetes rejects the StatefulSet update, and a PVC's class never changes: the existing PVCs ({}) stay on {ca}, only a PVC made anew gets {cb}. To apply: {}. To move the data: set replicas to 0, copy each PVC to a new one of {cb} under the same name (a Job mounting both, or a VolumeSnapshot restored to the new class), then set replicas back",
                        pvcs.join(", "),
                        recreate(ctx)
                    ),
                )
                .values(class(t).as_ref(), class(n).as_ref()),
            );
        }
        let modes = |t: &Value| t.pointer("/spec/accessModes").cloned();
        if modes(t) != modes(n) {
            out.push(
                Finding::new(
                    Edit::ClaimAccessModes,
                    field,
                    format!(
                        "claim {claim:?} changes its access modes from {} to {}: Kubernetes rejects the StatefulSet update, and a PVC's access modes never change: the existing PVCs ({}) keep theirs. To apply: {}; to move the data, copy each PVC to a new one under the same name while replicas is 0",
                        shown(modes(t).as_ref()),
                        shown(modes(n).as_ref()),
                        pvcs.join(", "),
                        recreate(ctx)
                    ),
                )
                .values(modes(t).as_ref(), modes(n).as_ref()),
            );
        }
        let rest = |t: &Value| {
            let mut t = kubernetes::claim_template_defaults(t.clone());
            for p in ["/spec/resources/requests/storage", "/spec/storageClassName", "/spec/accessModes"] {
                let (parent, key) = p.rsplit_once('/').unwrap_or_default();
                if let Some(m) = t.pointer_mut(parent).and_then(Value::as_object_mut) {
                    m.remove(key);
                }
            }
            t
        };
        let other = diff::changes(&rest(t), &rest(n), &format!("spec.volumeClaimTemplates[{claim}]"));
        if !other.is_empty() {
            let paths: Vec<&str> = other.iter().map(|c| c.path.as_str()).collect();
            out.push(Finding::new(
                Edit::StatefulSetFixed,
                field,
                format!("StatefulSet {:?} {} changes: Kubernetes rejects the update (its claim templates are fixed). To apply: {}", ctx.stateful_set, paths.join(", "), recreate(ctx)),
            ));
        }
    }
    for n in will.iter().filter(|n| !was.iter().any(|t| name(t) == name(n))) {
        let claim = name(n);
        let at = mount_path(new, &claim).map(|p| format!(" at {p}")).unwrap_or_default();
        out.push(Finding::new(
            Edit::ClaimAdded,
            claim_field(ctx, &claim),
            format!(
                "claim {claim:?} is added: Kubernetes rejects the StatefulSet update (its claim templates are fixed). To apply: {}; the pod then restarts on a new, empty PVC {}{at}, and what the server kept there until now, inside the container, is not moved onto it",
                recreate(ctx),
                pvc_names(&claim, ctx.stateful_set, 1).join(", ")
            ),
        ));
    }
}

fn grows(ctx: &Context<'_>, claim: &str, old: &Value, new: &Value, pvcs: &[String]) -> String {
    let size = new.pointer("/spec/resources/requests/storage").and_then(Value::as_str).unwrap_or_default();
    let was = old.pointer("/spec/resources/requests/storage").and_then(Value::as_str).unwrap_or_default();
    let class = (ctx.storage_class)(old.pointer("/spec/storageClassName").and_then(Value::as_str));
    let shown_class = class.name.as_deref().map_or("the cluster's default StorageClass".to_string(), |n| format!("StorageClass {n:?}"));
    let patch = json!({"spec": {"resources": {"requests": {"storage": size}}}}).to_string();
    let patches: Vec<String> = pvcs.iter().map(|p| format!("`kubectl patch pvc {p}{} -p '{patch}'`", in_namespace(ctx.namespace))).collect();
    let status = ClaimStatus { bound: true, capacity: Some(was) };
    let expansion = match &class.object {
        // The existing PVC, as its template made it, patched to the new size.
        Some(object) => match kubernetes::claim_update(old, &resized(old, size), status, Some(object)) {
            Verdict::Accepted => format!("{shown_class} allows volume expansion; a PVC grows once it is bound (its pod has run)"),
            Verdict::Rejected { .. } => format!(
                "but {shown_class} does not allow volume expansion (its allowVolumeExpansion is not true), and Kubernetes refuses the patch: set allowVolumeExpansion: true on it if its driver can expand volumes, or move the data to new, larger PVCs"
            ),
        },
        None => match &class.name {
            Some(n) => format!(
                "this works only if {shown_class} has allowVolumeExpansion: true, which the input does not show (`kubectl get storageclass {n} -o jsonpath='{{.allowVolumeExpansion}}'`)"
            ),
            None => format!("this works only if {shown_class} has allowVolumeExpansion: true (`kubectl get storageclass` shows which class is the default)"),
        },
    };
    format!(
        "claim {claim:?} grows from {was} to {size}: Kubernetes rejects the StatefulSet update (its claim templates are fixed), and a StatefulSet never resizes the PVCs it made. To apply: {}; then grow each PVC: {}; {expansion}",
        recreate(ctx),
        patches.join(", ")
    )
}

fn resized(template: &Value, size: &str) -> Value {
    let mut t = template.clone();
    if let Some(requests) = t.pointer_mut("/spec/resources/requests").and_then(Value::as_object_mut) {
        requests.insert("storage".into(), size.into());
    }
    t
}

fn shrinks(ctx: &Context<'_>, claim: &str, old: &Value, new: &Value, pvcs: &[String]) -> String {
    let size = |t: &Value| t.pointer("/spec/resources/requests/storage").and_then(Value::as_str).unwrap_or_default().to_string();
    let (was, will) = (size(old), size(new));
    format!(
        "claim {claim:?} shrinks from {was} to {will}: Kubernetes rejects the StatefulSet update, and never shrinks a PVC below its capacity: the existing PVCs ({}) keep {was}, only a PVC made anew gets {will}. Keep {was}; or, to apply: {}; to really shrink, move the data to new, smaller PVCs while replicas is 0",
        pvcs.join(", "),
        recreate(ctx)
    )
}

/// The PVCs a StatefulSet made for a claim: `<claim>-<statefulset>-<ordinal>`.
fn pvc_names(claim: &str, stateful_set: &str, ordinals: u64) -> Vec<String> {
    (0..ordinals).map(|i| format!("{claim}-{stateful_set}-{i}")).collect()
}

/// Every PVC of `old`'s claim templates, for as many ordinals as either render runs.
pub(super) fn claim_names(old: &Value, new: &Value) -> Vec<String> {
    let name = old.pointer("/metadata/name").and_then(Value::as_str).unwrap_or_default();
    let ordinals = replicas(old).max(replicas(new)).max(1);
    old.pointer("/spec/volumeClaimTemplates")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|t| t.pointer("/metadata/name").and_then(Value::as_str))
        .flat_map(|claim| pvc_names(claim, name, ordinals))
        .collect()
}

fn claim_field(ctx: &Context<'_>, claim: &str) -> &'static str {
    ctx.claim_fields.iter().find(|(c, _)| *c == claim).map_or("spec.storage", |(_, f)| f)
}

fn class_name(ctx: &Context<'_>, template: &Value) -> String {
    match template.pointer("/spec/storageClassName").and_then(Value::as_str) {
        Some(n) => format!("{n:?}"),
        None => match (ctx.storage_class)(None).name {
            Some(n) => format!("the default class ({n:?})"),
            None => "the cluster's default class".into(),
        },
    }
}

/// Where the StatefulSet's first container mounts a claim.
fn mount_path(stateful_set: &Value, claim: &str) -> Option<String> {
    let mounts = stateful_set.pointer("/spec/template/spec/containers/0/volumeMounts")?.as_array()?;
    let m = mounts.iter().find(|m| m.get("name").and_then(Value::as_str) == Some(claim))?;
    m.get("mountPath").and_then(Value::as_str).map(str::to_string)
}
