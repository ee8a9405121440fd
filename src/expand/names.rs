//! Names, labels and markers of the generated objects: one function per fact, used by expansion,
//! replacement and pruning alike. Names are joined, not `format!`ed: they are made several
//! times for every server, and the formatting machinery costs several times as much.

use std::collections::BTreeMap;

/// Pod annotation that changes whenever the configuration or a referenced Secret changes.
pub const CONFIG_HASH: &str = "dittofs.io/config-hash";

pub fn config_map(server: &str) -> String {
    [server, "-config"].concat()
}
pub fn headless_service(server: &str) -> String {
    [server, "-headless"].concat()
}
pub fn file_service(server: &str) -> String {
    [server, "-file"].concat()
}
pub fn api_service(server: &str) -> String {
    [server, "-api"].concat()
}
pub fn metrics_service(server: &str) -> String {
    [server, "-metrics"].concat()
}
pub fn stateful_set(server: &str) -> String {
    server.to_string()
}

/// The longest generated suffix (`-headless`): Service names are DNS labels of 63 characters at
/// most, so a DittoServer name may have 63 - 9 = 54.
pub const MAX_SERVER_NAME: usize = 63 - "-headless".len();

pub fn labels(server: &str) -> BTreeMap<String, String> {
    BTreeMap::from([("app".to_string(), "dittofs-server".to_string()), ("instance".to_string(), server.to_string())])
}

/// The marker value: `<namespace>/<name>`, or `<name>` for a DittoServer without namespace.
pub fn generated_from(namespace: Option<&str>, name: &str) -> String {
    match namespace {
        Some(ns) => [ns, "/", name].concat(),
        None => name.to_string(),
    }
}
