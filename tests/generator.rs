//! Generator contract: idempotent on its own output, deterministic, untouched items byte-for-byte.

fn cases() -> Vec<(String, String)> {
    let dir = format!("{}/tests/cases", env!("CARGO_MANIFEST_DIR"));
    let mut out: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("tests/cases")
        .map(|e| e.expect("entry").path())
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(p.join("input.yaml")).expect("input.yaml")))
        .collect();
    out.sort();
    assert!(out.len() >= 20, "expected the golden cases, found {}", out.len());
    out
}

#[test]
fn running_on_its_own_output_changes_nothing() {
    for (name, input) in cases() {
        let Ok(first) = dittofs_krm::run(&input) else { continue };
        let second = dittofs_krm::run(&first.resource_list).unwrap_or_else(|e| panic!("{name}: own output rejected: {e}"));
        // Results may differ (a warning about a change is only given once); the items may not.
        assert_eq!(items_of(&first.resource_list), items_of(&second.resource_list), "{name}: second run differs");
    }
}

fn items_of(resource_list: &str) -> &str {
    resource_list.find("\nresults:\n").map_or(resource_list, |i| &resource_list[..=i])
}

#[test]
fn same_input_same_bytes() {
    for (name, input) in cases() {
        let a = dittofs_krm::run(&input).map(|o| o.resource_list);
        let b = dittofs_krm::run(&input).map(|o| o.resource_list);
        assert_eq!(a, b, "{name}");
    }
}

#[test]
fn untouched_block_items_pass_through_byte_for_byte() {
    let input = std::fs::read_to_string(format!("{}/tests/cases/passthrough-unrelated/input.yaml", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let output = dittofs_krm::run(&input).unwrap().resource_list;
    // The Deployment (comments, ids, a literal block with inner indentation, a YAML 1.1 `on`)
    // and the block-style ConfigMap appear exactly as they were.
    let deployment = &input[input.find("- apiVersion: apps/v1").unwrap()..input.find("- {apiVersion").unwrap()];
    let config_map = &input[input.find("- apiVersion: v1\n  kind: ConfigMap").unwrap()..];
    assert!(output.contains(deployment), "Deployment text changed:\n{output}");
    assert!(output.contains(config_map), "ConfigMap text changed:\n{output}");
}

#[test]
fn a_dittoserver_is_kept_and_marked_local_config() {
    let input = std::fs::read_to_string(format!("{}/tests/cases/memory-sample/input.yaml", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let output = dittofs_krm::run(&input).unwrap().resource_list;
    let server = &output[output.find("kind: DittoServer").unwrap()..output.find("kind: ConfigMap").unwrap()];
    assert!(server.contains("config.kubernetes.io/local-config: \"true\""), "{server}");
    assert!(server.contains("internal.config.kubernetes.io/id: '1'") || server.contains("internal.config.kubernetes.io/id: \"1\""), "ids kept: {server}");
}
