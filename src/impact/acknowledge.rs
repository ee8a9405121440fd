//! The way past an edit Kubernetes rejects as rendered: the user does (or plans) the steps the
//! results give, and says so with an annotation on the DittoServer naming this very edit — a
//! fingerprint of the findings that block it — so that an old acknowledgement never waves
//! through a later, different edit. The render then goes through and reports what was
//! acknowledged; once applied, the next render finds nothing to report and the annotation is
//! inert.

use sha2::{Digest, Sha256};

use super::assess::Finding;
use crate::krm::annotations::ACKNOWLEDGE_IMPACT;
use crate::krm::{Severity, ValidationResult};

/// The tag naming the kind of edit ([`super::EDITS`]) on every impact result.
pub const IMPACT_TAG: &str = "impact";
/// The tag holding the value that acknowledges an edit Kubernetes rejects as rendered.
pub const ACKNOWLEDGE_TAG: &str = "acknowledge";

/// The findings as results, and whether they block the render (an error not acknowledged).
/// `acknowledged`: the DittoServer's annotation, if any.
pub fn results(findings: Vec<Finding>, acknowledged: Option<&str>) -> (Vec<ValidationResult>, bool) {
    let blocking: Vec<&Finding> = findings.iter().filter(|f| f.edit.severity() == Severity::Error).collect();
    let fingerprint = fingerprint(&blocking);
    let blocks = !blocking.is_empty();
    let accepted = blocks && acknowledged == Some(fingerprint.as_str());
    let other = match acknowledged {
        Some(a) if !accepted => format!(" (the annotation now names {a:?}, another edit)"),
        _ => String::new(),
    };
    let results = findings
        .into_iter()
        .map(|f| {
            let severity = f.edit.severity();
            let (severity, message) = match severity {
                Severity::Error if accepted => {
                    (Severity::Warning, format!("acknowledged by {ACKNOWLEDGE_IMPACT}: {fingerprint:?}, rendered: {}", f.message))
                }
                Severity::Error => (
                    Severity::Error,
                    format!(
                        "{}. The previous objects are kept; once these steps are planned, set the annotation {ACKNOWLEDGE_IMPACT}: {fingerprint:?} on the DittoServer{other}, and the next render writes the new objects",
                        f.message
                    ),
                ),
                s => (s, f.message),
            };
            let mut r = ValidationResult::new(severity, message).at(f.field).tagged(IMPACT_TAG, f.edit.id());
            if f.edit.severity() == Severity::Error {
                r = r.tagged(ACKNOWLEDGE_TAG, fingerprint.clone());
            }
            if let Some(field) = r.field.as_mut() {
                field.current_value = f.current;
                field.proposed_value = f.proposed;
            }
            r
        })
        .collect();
    (results, blocks && !accepted)
}

/// Ten hex digits of sha256 over what the blocking findings are about: the kind of edit, the
/// field, the values before and after, and the subject (the message up to its first colon,
/// `claim "cache" grows from 5Gi to 8Gi`), not the advice after it. The same edit of the same
/// objects has the same fingerprint on every run and every machine.
fn fingerprint(blocking: &[&Finding]) -> String {
    let mut h = Sha256::new();
    for f in blocking {
        let subject = f.message.split(':').next().unwrap_or_default();
        h.update(format!("{}\n{}\n{:?}\n{:?}\n{subject}\n", f.edit.id(), f.field, f.current, f.proposed).as_bytes());
    }
    crate::expand::hex(&h.finalize()[..5])
}
