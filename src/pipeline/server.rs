//! One DittoServer: parsed, its line chosen, validated and, when valid, expanded.

use serde_json::Value;

use crate::expand::{self, names};
use crate::inventory::Inventory;
use crate::krm::annotations;
use crate::impact;
use crate::krm::gvk::{CONFIG_MAP, SERVICE, STATEFUL_SET};
use crate::krm;
use crate::validate;
use crate::yaml::serialize::Extra;
use crate::krm::{Severity, ValidationResult};
use crate::model;
use crate::parse::Item;
use crate::server::{self, Foreign, Line, Plan, Server, Visit};

/// What one DittoServer's validation decided.
pub enum Verdict {
    /// Valid: the objects of this plan replace the previously generated ones.
    Valid(Box<Plan>),
    /// Invalid: its previously generated objects are kept as they were.
    Invalid,
}

/// Parses and validates one DittoServer, and plans its objects. Returns the verdict, its results (without
/// resourceRef/file) and, when the item needs the local-config annotation, its rewritten value.
pub fn decide_server(
    item: &Item<'_>,
    inventory: &Inventory,
    storage_class_check: model::StorageClassCheck,
) -> (Verdict, Vec<ValidationResult>, Option<Value>) {
    let mut found = Vec::new();
    let value = match item.value() {
        Ok(v) => v,
        Err(e) => {
            found.push(ValidationResult::error(format!("the DittoServer is not valid YAML: {}", e.in_text_of("its text"))));
            return (Verdict::Invalid, found, None);
        }
    };
    let spec_value = value.get("spec").cloned().unwrap_or(Value::Null);
    let rewritten = with_local_config(item, value);
    found.extend(validate::name(item.name()));
    found.extend(validate::marker_in_spec(&spec_value));
    found.extend(krm::check_namespace(item.namespace()));
    let key = (item.namespace().map(str::to_string), item.name().to_string());
    // The previous render's objects that say what applying the new one does, each read once.
    let previous: Vec<(&Item<'_>, Value)> = inventory
        .previous_render(&key)
        .into_iter()
        .filter(|p| p.is(STATEFUL_SET) || p.is(SERVICE) || p.is(CONFIG_MAP))
        .filter_map(|p| Some((p, p.value().ok()?)))
        .collect();
    let stateful_set = names::stateful_set(item.name());
    let previous_line = previous
        .iter()
        .find(|(g, _)| g.is(STATEFUL_SET) && g.name() == stateful_set)
        .and_then(|(_, v)| server::line_of_stateful_set(v));
    let choice = match server::choose(&spec_value, previous_line) {
        Ok(choice) => choice,
        Err(errors) => {
            found.extend(errors);
            return (Verdict::Invalid, found, rewritten);
        }
    };
    found.extend(choice.results);
    // A move to another line is judged before the spec, whose fields the new line may not have:
    // it says what the other errors are about.
    let moved = choice.moved.is_some();
    if let Some(finding) = choice.moved {
        let (results, blocked) = impact::acknowledge::results(vec![finding], item.header.annotation(annotations::ACKNOWLEDGE_IMPACT));
        found.extend(results);
        if blocked {
            return (Verdict::Invalid, found, rewritten);
        }
    }
    let (expansion, found) = choice.which.visit(Render { item, spec_value, inventory, previous, moved, storage_class_check, found });
    (expansion, found, rewritten)
}

/// One DittoServer read, validated and expanded as a server of the line `L`.
struct Render<'r, 'i> {
    item: &'r Item<'i>,
    spec_value: Value,
    inventory: &'r Inventory<'i>,
    /// The objects of the server's previous render, with their values.
    previous: Vec<(&'i Item<'i>, Value)>,
    /// Whether the render moves the server to another line (already judged).
    moved: bool,
    storage_class_check: model::StorageClassCheck,
    /// What was found before the line was chosen.
    found: Vec<ValidationResult>,
}

impl Visit for Render<'_, '_> {
    type Out = (Verdict, Vec<ValidationResult>);

    fn visit<L: Line>(self) -> Self::Out {
        let Render { item, spec_value, inventory, previous, moved, storage_class_check, mut found } = self;
        let Some(spec) = read_spec::<L>(spec_value, &mut found) else { return (Verdict::Invalid, found) };
        let namespace = item.namespace();
        let server = Server { name: item.name(), namespace, spec: &spec };
        found.extend(validate::fields(&spec));
        found.extend(L::rules(&server));
        found.extend(validate::storage_class((L::LAYOUT.storage_class)(&spec), inventory, storage_class_check));
        found.extend(L::secret_rules(&server, inventory));
        if found.iter().any(|r| r.severity == Severity::Error) {
            return (Verdict::Invalid, found);
        }

        let plan = Plan::of::<L>(&server);
        // Service and NetworkPolicy names are DNS labels: 63 characters at most.
        if let Some((gvk, long)) = expand::identities(&plan).into_iter().find(|(_, n)| n.len() > 63) {
            found.push(
                ValidationResult::error(format!(
                    "metadata.name {:?} makes the {} name {long:?} longer than 63 characters; shorten the DittoServer's name",
                    item.name(),
                    gvk.kind
                ))
                .at("metadata.name"),
            );
            return (Verdict::Invalid, found);
        }
        if !moved && !previous.is_empty() {
            let (results, blocked) = impact_of(&plan, item, inventory, &previous, &L::LAYOUT.claim_fields());
            found.extend(results);
            if blocked {
                return (Verdict::Invalid, found);
            }
        }
        let mut plan = Box::new(plan);
        plan.shrink_to_fit();
        (Verdict::Valid(plan), found)
    }
}

/// What applying the plan's objects over the previous render does, as results, and whether
/// that keeps the previous objects (an edit Kubernetes rejects, not acknowledged).
fn impact_of(
    plan: &Plan,
    item: &Item<'_>,
    inventory: &Inventory<'_>,
    previous: &[(&Item<'_>, Value)],
    claim_fields: &[(&'static str, &'static str)],
) -> (Vec<ValidationResult>, bool) {
    let namespace = item.namespace();
    let secret = |name: &str| inventory.secret(namespace, name).flatten().cloned();
    let generated = expand::expand(plan.clone(), &secret);
    let values: Vec<Value> = generated.iter().map(|g| g.value(&Extra::NONE)).collect();
    let before: Vec<impact::Object<'_>> = previous.iter().map(|(p, v)| impact::Object { kind: p.kind(), name: p.name(), value: v }).collect();
    let after: Vec<impact::Object<'_>> = generated.iter().zip(&values).map(|(g, value)| impact::Object { kind: g.kind, name: &g.name, value }).collect();
    let stateful_set = names::stateful_set(item.name());
    let storage_class = |name: Option<&str>| inventory.storage_class(name);
    let context = impact::Context { namespace, stateful_set: &stateful_set, claim_fields, storage_class: &storage_class };
    let findings = impact::assess(&context, &before, &after);
    impact::acknowledge::results(findings, item.header.annotation(annotations::ACKNOWLEDGE_IMPACT))
}

/// The spec as the line's type, or the results that say why it cannot be read.
fn read_spec<L: Line>(spec_value: Value, found: &mut Vec<ValidationResult>) -> Option<L::Spec> {
    match spec_value {
        Value::Object(_) => match model::read_typed::<L::Spec>(spec_value, "spec") {
            Ok((spec, unknown)) => {
                found.extend(unknown.into_iter().map(|path| match foreign::<L>(&path) {
                    Some(f) => ValidationResult::error(format!(
                        "{} is not a field of the DittoFS {} API: {}",
                        f.field.trim_start_matches("spec."),
                        L::FACTS.line,
                        f.why
                    ))
                    .at(path),
                    None => ValidationResult::warning(format!("unknown field {path} is ignored; check its spelling against `dittofs-krm crd`"))
                        .at(path),
                }));
                Some(spec)
            }
            Err(p) => {
                found.push(ValidationResult::error(p.message).at(p.path));
                None
            }
        },
        Value::Null => {
            found.push(ValidationResult::error("storage.metadataSize is required: the DittoServer has no spec").at("spec"));
            None
        }
        _ => {
            found.push(ValidationResult::error("spec must be an object (a mapping of fields), not a scalar or list").at("spec"));
            None
        }
    }
}

/// The other line's field that `path` is, or lies within.
fn foreign<L: Line>(path: &str) -> Option<&'static Foreign> {
    L::FOREIGN.iter().find(|f| path == f.field || path.strip_prefix(f.field).is_some_and(|rest| rest.starts_with('.')))
}

/// The DittoServer must not reach a cluster (no CRD there): it is marked local-config, which kpt
/// live apply and kustomize build leave out. `None` when it already carries the mark.
fn with_local_config(item: &Item<'_>, mut value: Value) -> Option<Value> {
    if item.is_local_config() {
        return None;
    }
    annotations::mark_local_config(&mut value)?;
    item.keep_names_as_written(&mut value);
    Some(value)
}
