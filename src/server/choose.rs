//! Which line renders a DittoServer: the one place that decides, and says why.
//!
//! In order: the release `spec.image` names; else the line of the server's previous render (its
//! StatefulSet in the input); else the fields of the spec that only one line's API has; else the
//! first line, v0.4, so that a package written before there were lines renders as it did.

use serde_json::Value;

use super::image::{tag, Tag};
use super::Which;
use crate::impact::{Edit, Finding};
use crate::krm::ValidationResult;

/// The chosen line, with the results that say why (an info) and what to watch (warnings).
#[derive(Debug)]
pub struct Choice {
    pub which: Which,
    pub results: Vec<ValidationResult>,
    /// The image moves the server from its previous render's line to this one: what that does.
    pub moved: Option<Finding>,
}

/// The line whose binary the StatefulSet's first container runs.
pub fn line_of_stateful_set(stateful_set: &Value) -> Option<Which> {
    let command = stateful_set.pointer("/spec/template/spec/containers/0/command/0")?.as_str()?;
    Which::ALL.into_iter().find(|w| w.facts().binary == command)
}

/// Chooses the line of a DittoServer with this spec, its previous render made for `previous`.
/// Errors when nothing can choose: a release no line covers, or fields of two lines. A release
/// of another line than the previous render's chooses its line, and says what the move does.
pub fn choose(spec: &Value, previous: Option<Which>) -> Result<Choice, Vec<ValidationResult>> {
    let image = spec.get("image").and_then(Value::as_str);
    if let Some((which, mut results)) = image.map(by_release).transpose()?.flatten() {
        let image = image.unwrap_or_default();
        let moved = previous.filter(|p| *p != which).map(|p| switch(p, which, image));
        let facts = which.facts();
        results.insert(0, rendered_for(which, format!("spec.image {image:?} is a release of the {} line", facts.line)).at("spec.image"));
        return Ok(Choice { which, results, moved });
    }
    // The previous render decides only where the fields would choose another line (or none), so
    // that the render of a render says what the first said.
    let fields = by_fields(spec);
    if let Some(previous) = previous.filter(|p| !matches!(&fields, Ok((w, _, _)) if w == p)) {
        let reason = format!("the spec names no release, and its previous StatefulSet was rendered for {}", previous.facts().line);
        return Ok(Choice { which: previous, results: vec![rendered_for(previous, reason).at("spec")], moved: None });
    }
    let (which, reason, path) = fields.map_err(|e| vec![e])?;
    Ok(Choice { which, results: vec![rendered_for(which, reason).at(path)], moved: None })
}

/// The line the fields choose: those only one line's API has (the fields foreign to every other
/// line), or the default line when there are none.
fn by_fields(spec: &Value) -> Result<(Which, String, &'static str), ValidationResult> {
    let present = |w: Which| -> Vec<&'static str> { w.foreign().iter().map(|f| f.field).filter(|f| has(spec, f)).collect() };
    let claims: Vec<(Which, Vec<&'static str>)> = Which::ALL
        .into_iter()
        .map(|w| (w, Which::ALL.into_iter().filter(|o| *o != w).flat_map(present).collect::<Vec<_>>()))
        .filter(|(_, fields)| !fields.is_empty())
        .collect();
    match &claims[..] {
        [] => Ok((
            Which::V0_4,
            "the spec names no release and has no field of one line only, so it keeps the default line (pin spec.image to choose)".to_string(),
            "spec",
        )),
        [(which, fields)] => {
            Ok((*which, format!("the spec names no release, and {} only the {} API has", fields.join(", "), which.facts().line), fields[0]))
        }
        _ => {
            let named: Vec<String> = claims.iter().map(|(w, f)| format!("{} of the {} API", f.join(", "), w.facts().line)).collect();
            Err(ValidationResult::error(format!(
                "the spec mixes the fields of two release lines ({}); pin spec.image to a release and remove the other line's fields",
                named.join("; ")
            ))
            .at("spec"))
        }
    }
}

/// The line of a release: its own (same major and minor); a release after the newest line's goes
/// to the newest line, with a warning. `None` when the image names no release.
fn by_release(image: &str) -> Result<Option<(Which, Vec<ValidationResult>)>, Vec<ValidationResult>> {
    let Tag::Release(major, minor, patch) = tag(image) else { return Ok(None) };
    let version = (major, minor, patch);
    if let Some(which) = Which::ALL.into_iter().find(|w| (w.facts().version.0, w.facts().version.1) == (major, minor)) {
        let facts = which.facts();
        let later = which == newest() && version > facts.version;
        return Ok(Some((which, if later { vec![later_release(image, facts.release)] } else { Vec::new() })));
    }
    let newest = newest();
    if version > newest.facts().version {
        return Ok(Some((newest, vec![later_release(image, newest.facts().release)])));
    }
    let lines: Vec<String> = Which::ALL.iter().map(|w| format!("{}.x (checked against {})", w.facts().line, w.facts().release)).collect();
    Err(vec![ValidationResult::error(format!(
        "image {image:?} is of no release line the function renders for: it covers {} and the releases after {}; pin one of those",
        lines.join(" and "),
        newest.facts().release
    ))
    .at("spec.image")
    .with_current(image)])
}

fn newest() -> Which {
    Which::ALL[Which::ALL.len() - 1]
}

fn later_release(image: &str, release: &str) -> ValidationResult {
    ValidationResult::warning(format!(
        "image {image:?} is a release after {release}: the objects were checked against {release}, the newest release this function knows; check its release notes for changed ports, paths or configuration keys"
    ))
    .at("spec.image")
    .with_current(image)
}

fn rendered_for(which: Which, reason: String) -> ValidationResult {
    let facts = which.facts();
    ValidationResult::info(format!("rendered for the DittoFS {} line ({}): {reason}", facts.line, facts.release))
}

/// A server whose previous render is of another line: Kubernetes rejects the new StatefulSet, and
/// the volumes hold the other layout.
fn switch(from: Which, to: Which, image: &str) -> Finding {
    let (from, to) = (from.facts(), to.facts());
    let message = format!(
        "spec.image {image:?} moves the server from the {} line to the {} line: Kubernetes rejects the update (a StatefulSet's volumeClaimTemplates cannot change), and the data on the volumes is laid out for {} ({} and its config), which {} does not read. A move takes: back up through the server's API, delete the StatefulSet (its PVCs are retained), apply the new line's objects, recreate the stores and shares on the new volumes and restore; or pin spec.image to a {} release to stay",
        from.line, to.line, from.line, from.binary, to.line, from.line
    );
    Finding::new(Edit::LineChanges, "spec.image", message).values(None, Some(&Value::String(image.to_string())))
}

/// Whether the dotted path (`spec.storage.cacheSize`) is set in the spec.
fn has(spec: &Value, field: &str) -> bool {
    let mut at = spec;
    for step in field.trim_start_matches("spec.").split('.') {
        match at.get(step) {
            Some(v) => at = v,
            None => return false,
        }
    }
    true
}
