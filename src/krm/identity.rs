//! The identity of the objects the function reasons about, read once from the item headers:
//! which DittoServer an item is, which DittoServer a generated object belongs to, and whether
//! the client sent the whole package or a selection of it.
//!
//! Identity survives the pipeline: a generated object belongs to its DittoServer by the marker
//! annotation, its kind and its name, never by where another mutator left it.
//! - The marker names `<namespace>/<name>`. When that DittoServer is in the input, it owns the
//!   object, whatever namespace the object now has; the object is regenerated in the server's
//!   namespace (the DittoServer is the source of truth).
//! - When it is not, but a DittoServer of that name stands in the object's current namespace,
//!   that one owns it: a mutator moved the server and its objects together (kpt's
//!   `set-namespace`), and the objects follow it.
//! - Otherwise the object is an orphan. It is dropped only when the function sees the whole
//!   package; under a kpt selector (see [`annotations::KPT_RESOURCE_ID`]) its server may lie
//!   outside the selection, so it is kept.

use foldhash::{HashMap, HashMapExt};

use super::annotations;
use super::gvk::{self, DITTO_SERVER};
use crate::krm::ValidationResult;
use super::object::Object;

/// A DittoServer's (namespace, name).
pub type ServerKey = (Option<String>, String);

/// (namespace, name) of a DittoServer item that has a name.
pub fn server_key(item: &Object<'_>) -> Option<ServerKey> {
    let named = item.is(DITTO_SERVER) && item.header.name.is_some();
    named.then(|| (item.namespace().map(str::to_string), item.name().to_string()))
}

/// A DittoServer of an apiVersion this function does not expand (`dittofs.dittofs.com/v1beta1`):
/// passed through unexpanded, it would silently yield no objects.
pub fn unsupported_version(item: &Object<'_>) -> Option<ValidationResult> {
    let other = gvk::is_ditto_server(item.api_version(), item.kind()) && item.api_version() != DITTO_SERVER.api_version;
    other.then(|| {
        ValidationResult::error(format!(
            "apiVersion {} is not supported: this function expands {} only, so this DittoServer yields no objects; change its apiVersion",
            item.api_version(),
            DITTO_SERVER.api_version
        ))
        .at("apiVersion")
        .on_item(item)
    })
}

/// The DittoServer a marker value names. Split at the last `/`: a server that expands has a
/// DNS-label name, while the namespace is not checked.
pub fn parse_marker(marker: &str) -> ServerKey {
    match marker.rsplit_once('/') {
        Some((ns, n)) => (Some(ns.to_string()), n.to_string()),
        None => (None, marker.to_string()),
    }
}

/// The marker of an item, if it has one. Only an object of a kind the function generates is
/// one of its own: a DittoServer, or another object a user copied the annotation onto, stays
/// the user's, never replaced or pruned.
pub fn marker(item: &Object<'_>) -> Option<ServerKey> {
    if !gvk::is_generated_kind(item.api_version(), item.kind()) {
        return None;
    }
    item.header.annotation(annotations::GENERATED_FROM).map(parse_marker)
}

/// Who is who in one input: its DittoServers, the owner of each generated object, and whether
/// the input is the whole package.
#[derive(Default)]
pub struct Identities {
    /// Where each DittoServer stands (several places: duplicates, an error result).
    pub servers: HashMap<ServerKey, Vec<usize>>,
    /// The owner of each generated item, by index (see the module documentation).
    owners: HashMap<usize, ServerKey>,
    /// The generated items of each owner, in input order.
    pub generated: HashMap<ServerKey, Vec<usize>>,
    /// kpt sent a selection of the package, not all of it.
    pub selection: bool,
}

impl Identities {
    /// Resolves the owners. `marked` holds the index of every item carrying the marker with the
    /// server it names, in input order; `selection`: an item carries
    /// [`annotations::KPT_RESOURCE_ID`].
    pub fn new(items: &[Object<'_>], servers: HashMap<ServerKey, Vec<usize>>, marked: Vec<(usize, ServerKey)>, selection: bool) -> Self {
        let mut owners = HashMap::with_capacity(marked.len());
        let mut generated: HashMap<ServerKey, Vec<usize>> = HashMap::new();
        for (i, named) in marked {
            let owner = if servers.contains_key(&named) {
                named
            } else {
                let moved = (items[i].namespace().map(str::to_string), named.1);
                if servers.contains_key(&moved) {
                    moved
                } else {
                    (named.0, moved.1)
                }
            };
            generated.entry(owner.clone()).or_default().push(i);
            owners.insert(i, owner);
        }
        Identities { servers, owners, generated, selection }
    }

    /// The DittoServer that owns the generated item `index`.
    pub fn owner(&self, index: usize) -> Option<&ServerKey> {
        self.owners.get(&index)
    }

    /// The items generated from `server`.
    pub fn generated_by(&self, server: &ServerKey) -> &[usize] {
        self.generated.get(server).map_or(&[][..], Vec::as_slice)
    }
}

/// Where a new object of a DittoServer is written, next to the server's file:
/// `<dir>/<server>/<kind>_<name>.yaml` for a server without namespace, and
/// `<dir>/<namespace>/<server>/<kind>_<name>.yaml` for one with a namespace, so that servers of
/// one name in different namespaces never share a file. The directory separator is the one of
/// the server's path (`\` for a Windows path).
pub fn generated_path(server_path: &str, namespace: Option<&str>, server: &str, kind: &str, name: &str) -> String {
    let (dir, sep) = match server_path.rfind(['/', '\\']) {
        Some(i) => (&server_path[..=i], &server_path[i..=i]),
        None => ("", "/"),
    };
    let kind = kind.to_ascii_lowercase();
    // Joined, not `format!`ed: this runs for every new object, and the formatting machinery costs
    // several times as much.
    match namespace {
        Some(ns) => [dir, ns, sep, server, sep, &kind, "_", name, ".yaml"].concat(),
        None => [dir, server, sep, &kind, "_", name, ".yaml"].concat(),
    }
}

/// A DittoServer's namespace names a directory of its generated files, and Kubernetes takes
/// only a DNS label (RFC 1123) for it: anything else (`..`, a `/`) is an error.
pub fn check_namespace(namespace: Option<&str>) -> Option<ValidationResult> {
    let ns = namespace?;
    let b = ns.as_bytes();
    let valid = !b.is_empty()
        && b.len() <= 63
        && b.iter().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b[0] != b'-'
        && b[b.len() - 1] != b'-';
    (!valid).then(|| {
        ValidationResult::error(format!(
            "metadata.namespace {ns:?} is not a namespace name: use at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit"
        ))
        .at("metadata.namespace")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_unique_per_namespace_and_keep_the_separator() {
        assert_eq!(generated_path("nfs.yaml", None, "nfs", "ConfigMap", "nfs-config"), "nfs/configmap_nfs-config.yaml");
        assert_eq!(generated_path("a/nfs.yaml", Some("x"), "nfs", "Service", "nfs-api"), "a/x/nfs/service_nfs-api.yaml");
        assert_eq!(generated_path("a\\b\\nfs.yaml", Some("x"), "nfs", "Service", "nfs-api"), "a\\b\\x\\nfs\\service_nfs-api.yaml");
        assert_eq!(generated_path("a\\nfs.yaml", None, "nfs", "StatefulSet", "nfs"), "a\\nfs\\statefulset_nfs.yaml");
        assert_ne!(
            generated_path("s.yaml", Some("one"), "nfs", "ConfigMap", "nfs-config"),
            generated_path("s.yaml", Some("two"), "nfs", "ConfigMap", "nfs-config")
        );
    }

    #[test]
    fn markers_split_at_the_last_slash() {
        assert_eq!(parse_marker("ns/nfs"), (Some("ns".into()), "nfs".into()));
        assert_eq!(parse_marker("nfs"), (None, "nfs".into()));
        assert_eq!(parse_marker("a/b/nfs"), (Some("a/b".into()), "nfs".into()));
    }
}
