//! A large ResourceList outlined as two halves side by side (`yaml::halves`): the same outline
//! as read whole wherever it is used, and declined wherever the halves would not meet.

use dittofs_krm::yaml::{halves, outline};

use crate::support::oracle;

/// A Deployment as kpt sends it, with a literal block scalar whose lines look like entries.
fn item(i: usize, indent: &str) -> String {
    format!(
        "{indent}- apiVersion: apps/v1
{indent}  kind: Deployment
{indent}  metadata:
{indent}    name: web-{i}
{indent}    annotations:
{indent}      config.kubernetes.io/path: 'web-{i}.yaml'
{indent}  spec:
{indent}    template:
{indent}      spec:
{indent}        containers:
{indent}        - name: web
{indent}          args:
{indent}          - |
{indent}            - not an item
{indent}
{indent}            - nor this
{indent}          - --port=80
"
    )
}

fn list(count: usize, indent: &str, after: &str) -> String {
    let items: String = (0..count).map(|i| item(i, indent)).collect();
    format!("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n{items}{after}")
}

/// Where `needle` first stands in the last quarter of `text`: in the second half.
fn in_last_quarter(text: &str, needle: &str) -> usize {
    let from = text.len() * 3 / 4;
    from + text[from..].find(needle).expect("the needle in the last quarter")
}

fn whole(text: &str) -> dittofs_krm::yaml::scan::Outline {
    outline::outline(text).expect("the list outlines")
}

#[test]
fn a_list_read_in_two_halves_is_the_list_read_whole() {
    for indent in ["", "  "] {
        let text = list(200, indent, "");
        let two = halves::in_two(&text).expect("the list is cut between two items");
        assert_eq!(two.items.as_ref().map(Vec::len), Some(200));
        assert_eq!(two, whole(&text));
        oracle::halves_agree(&text, 40);
    }
}

#[test]
fn what_follows_the_items_is_read_by_the_second_half() {
    let after = "functionConfig:\n  apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: fn-config\nkind: ResourceList\n";
    let text = list(100, "", after);
    let two = halves::in_two(&text).expect("the list is cut between two items");
    assert_eq!(two, whole(&text));
    assert!(two.function_config.is_some());
    oracle::halves_agree(&text, 40);
}

#[test]
fn a_cut_that_would_not_meet_is_declined() {
    // A second `items` key after the items: the whole read keeps the last one.
    let text = list(50, "", "items:\n- apiVersion: v1\n  kind: Secret\n  metadata:\n    name: s\n");
    assert_eq!(halves::in_two(&text), None);
    assert_eq!(whole(&text).items.map(|i| i.len()), Some(1));
    // The middle lies in a sequence at the items' column that is not the items.
    let results: String = (0..400).map(|i| format!("- message: m{i}\n  severity: info\n")).collect();
    let text = list(3, "", &format!("results:\n{results}"));
    assert_eq!(halves::in_two(&text), None);
    oracle::halves_agree(&text, 40);
}

#[test]
fn text_the_line_source_does_not_read_is_declined_in_either_half() {
    let mut text = list(100, "", "");
    text.insert_str(in_last_quarter(&text, "name: web"), "# \u{e9}t\u{e9}\n    ");
    assert_eq!(halves::in_two(&text), None);
    assert_eq!(whole(&text).items.map(|i| i.len()), Some(100));

    let mut text = list(100, "", "");
    let at = text.find("name: web-3\n").expect("a name") + "name: web-3".len();
    text.insert_str(at, "\t");
    assert_eq!(halves::in_two(&text), None);
    oracle::halves_agree(&text, 40);
}

#[test]
fn an_error_in_the_second_half_is_left_to_the_whole_read() {
    let mut text = list(100, "", "");
    text.insert_str(in_last_quarter(&text, "\n- apiVersion") + 1, "- just a string\n");
    assert_eq!(halves::in_two(&text), None);
    assert!(outline::outline(&text).is_err());
    oracle::halves_agree(&text, 40);
}
