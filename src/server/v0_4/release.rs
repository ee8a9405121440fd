//! Rules that hold the spec against the v0.4 release (see `facts`): the image's release line,
//! and the fields that DittoFS v0.4 does not read.

use super::facts as target;
use super::spec::{DittoServerSpec, SmbSpec};
use crate::krm::ValidationResult;
use crate::server::image::{tag, Tag};

pub fn image(spec: &DittoServerSpec) -> Vec<ValidationResult> {
    let image = spec.image.as_str();
    let (line_major, line_minor) = target::RELEASE_LINE;
    // A release tag chose this line (`server::choose`); a floating tag may run another line's.
    let message = match tag(image) {
        Tag::Latest => format!(
            "image {image:?} floats: it runs whatever was released last, so the same render means another server tomorrow, and the releases after v{line_major}.{line_minor} need the objects of another line; pin a v{line_major}.{line_minor} release such as {}",
            target::IMAGE
        ),
        Tag::Line(tag) => format!(
            "image {image:?} floats: the tag {tag} moves to each new release of its line, so the same render means another server tomorrow; pin a release such as {}",
            target::IMAGE
        ),
        Tag::Digest | Tag::Other | Tag::Release(..) => return Vec::new(),
    };
    vec![ValidationResult::warning(message).at("spec.image").with_current(image)]
}

/// Fields of the API that the v0.4 server cannot honour: each set to other than its default
/// gets a warning saying where the server takes that setting from instead.
pub fn ignored_fields(spec: &DittoServerSpec) -> Vec<ValidationResult> {
    let admin = Some(&spec.identity.admin.username).filter(|a| *a != target::ADMIN_USER);
    let issuer = spec.identity.jwt.as_ref().map(|j| &j.issuer).filter(|i| *i != target::JWT_ISSUER);
    let region = spec.s3.as_ref().and_then(|s3| s3.region.as_ref());
    let set = [
        ("identity.admin.username", admin, format!("the DittoFS v0.4 server's admin user is always \"{}\"", target::ADMIN_USER)),
        ("identity.jwt.issuer", issuer, format!("the DittoFS v0.4 server always issues tokens as \"{}\"", target::JWT_ISSUER)),
        (
            "s3.region",
            region,
            "the DittoFS v0.4 server takes an S3 payload store's region from the store's configuration, given when the store is created through its API (us-east-1 when absent), and ignores AWS_REGION".into(),
        ),
    ];
    let mut out: Vec<ValidationResult> = set
        .into_iter()
        .filter_map(|(field, value, why)| {
            let value = value?;
            Some(
                ValidationResult::warning(format!("{field} {value:?} is ignored: {why}"))
                    .at(format!("spec.{field}"))
                    .with_current(value.as_str()),
            )
        })
        .collect();
    out.extend(smb_tuning(&spec.smb));
    out
}

/// The SMB tuning fields: the v0.4 server keeps its SMB settings in its control-plane database.
fn smb_tuning(smb: &SmbSpec) -> Vec<ValidationResult> {
    let defaults = SmbSpec::default();
    let set = [
        ("maxConnections", smb.max_connections != defaults.max_connections),
        ("maxRequestsPerConnection", smb.max_requests_per_connection != defaults.max_requests_per_connection),
        ("timeouts", smb.timeouts != defaults.timeouts),
        ("credits", smb.credits != defaults.credits),
        ("metricsLogInterval", smb.metrics_log_interval != defaults.metrics_log_interval),
    ];
    set.into_iter()
        .filter(|(_, differs)| *differs)
        .map(|(field, _)| {
            ValidationResult::warning(format!(
                "smb.{field} is not passed to the DittoFS v0.4 server: its SMB settings live in its control-plane database; change them through its API (PUT /api/v1/adapters/smb)"
            ))
            .at(format!("spec.smb.{field}"))
        })
        .collect()
}
