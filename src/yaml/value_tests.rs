use super::*;
use crate::yaml::final_break::with_final_line_break;
use crate::yaml::{parse_stream, parse_value};
use serde_json::json;

fn yaml11(text: &str) -> Result<Vec<Value>, YamlError> {
    parse_stream(text, Schema::Yaml11)
}

#[test]
fn quoted_and_tagged_scalars() {
    let docs = yaml11("a: '0644'\nb: \"yes\"\nc: !!str 0644\nd: |\n  x\ne: !!int \"12\"\nf: ! 12\n").unwrap();
    assert_eq!(docs, vec![json!({"a": "0644", "b": "yes", "c": "0644", "d": "x\n", "e": 12, "f": "12"})]);
    assert!(yaml11("a: !!int abc\n").is_err());
    // kubectl reads a scalar under a tag it does not resolve as its text, and ignores such a
    // collection's tag.
    assert_eq!(yaml11("a: !Ref x\nb: !<tag:example.com,2000:t> 12\nc: !Ref {d: 1}\ne: !Ref [1]\n"), Ok(vec![json!({"a": "x", "b": "12", "c": {"d": 1}, "e": [1]})]));
    assert!(yaml11("a: !!str {b: 1}\n").is_err());
    let v = parse_value("a: !!str 12\nb: !!int \"0x10\"\nc: !!float '1'\nd: !!bool \"true\"\ne: !!null ~\nf: !!binary aGk=\n", Schema::Yaml12).unwrap();
    assert_eq!(v, json!({"a": "12", "b": 16, "c": 1.0, "d": true, "e": null, "f": "aGk="}));
    assert_eq!(parse_value("a: !Ref x\n", Schema::Yaml12), Err(YamlError::Unsupported("tagged values (!Ref) are not supported".into())));
    assert_eq!(parse_value("a: !Ref {b: 1}\n", Schema::Yaml12), Err(YamlError::Unsupported("tagged values (!Ref) are not supported".into())));
}

#[test]
fn streams_skip_empty_documents() {
    let docs = yaml11("---\n# only a comment\n---\na: 1\n---\n~\n---\nb: 2\n...\n").unwrap();
    assert_eq!(docs, vec![json!({"a": 1}), json!({"b": 2})]);
    assert_eq!(parse_value("", Schema::Yaml12), Ok(Value::Null));
    assert!(matches!(parse_value("a: 1\n---\nb: 2\n", Schema::Yaml12), Err(YamlError::Unsupported(_))));
}

#[test]
fn anchors_aliases_and_merge_keys() {
    let text = "base: &b {x: 1, z: 2}\nother: *b\nmerged:\n  <<: *b\n  z: 3\nlist:\n  <<: [{p: 1}, {p: 2, q: 2}]\n";
    let expected =
        json!({"base": {"x": 1, "z": 2}, "other": {"x": 1, "z": 2}, "merged": {"z": 3, "x": 1}, "list": {"p": 1, "q": 2}});
    assert_eq!(yaml11(text).unwrap()[0], expected);
    assert_eq!(parse_value(text, Schema::Yaml12).unwrap(), expected);
}

#[test]
fn only_a_plain_merge_key_merges() {
    let text = "a: &a {x: 1}\nb:\n  \"<<\": *a\nc:\n  '<<': 2\nd:\n  !!str <<: 3\n";
    let expected = json!({"a": {"x": 1}, "b": {"<<": {"x": 1}}, "c": {"<<": 2}, "d": {"<<": 3}});
    assert_eq!(parse_value(text, Schema::Yaml12).unwrap(), expected);
    assert_eq!(yaml11(text).unwrap()[0], expected);
}

#[test]
fn merges_chain_through_anchors() {
    let text = "a: &a {x: 1}\nb: &b {<<: *a, y: 2}\nc: {<<: *b, z: 3}\n";
    assert_eq!(parse_value(text, Schema::Yaml12).unwrap()["c"], json!({"z": 3, "x": 1, "y": 2}));
}

#[test]
fn bad_merge_sources() {
    for (text, message) in [
        ("a: {<<: 1}\n", "expected a mapping or list of mappings for merging, but found scalar"),
        ("a: {<<: [1]}\n", "expected a mapping for merging, but found scalar"),
        ("a: {<<: [[]]}\n", "expected a mapping for merging, but found sequence"),
    ] {
        match parse_value(text, Schema::Yaml12) {
            Err(YamlError::Syntax { message: m, .. }) => assert_eq!(m, message),
            other => panic!("{text}: {other:?}"),
        }
    }
}

#[test]
fn keys_become_strings() {
    // kubectl reads the key `on` (and `y`) as the boolean true, written "true" in JSON.
    let docs = yaml11("on: push\n1: one\ny: 2\n~: x\n").unwrap();
    assert_eq!(docs[0], json!({"true": 2, "1": "one", "null": "x"}));
    assert_eq!(parse_value("1: a\ntrue: b\n1.5: c\n", Schema::Yaml12).unwrap(), json!({"1": "a", "true": "b", "1.5": "c"}));
    assert_eq!(parse_value("~: a\n", Schema::Yaml12), Err(YamlError::Unsupported("a mapping key must be a string, found null".into())));
    assert_eq!(parse_value("[a]: 1\n", Schema::Yaml12), Err(YamlError::Unsupported("a mapping key must be a string, found a sequence".into())));
    assert!(yaml11("[a]: 1\n").is_err());
}

#[test]
fn repeated_keys() {
    let err = parse_value("a: 1\nb: 2\na: 3\n", Schema::Yaml12).unwrap_err();
    assert_eq!(err, YamlError::Syntax { message: "duplicate entry with key \"a\"".into(), line: 3, column: 4 });
    assert_eq!(yaml11("a: 1\na: 2\n").unwrap()[0], json!({"a": 2}), "kubectl's last one wins");
}

#[test]
fn limits_and_positions() {
    let deep = format!("a: {}{}\n", "[".repeat(200), "]".repeat(200));
    match parse_value(&deep, Schema::Yaml12) {
        Err(YamlError::Syntax { message, line: 1, column: 131 }) => assert!(message.contains("nested too deeply"), "{message}"),
        other => panic!("{other:?}"),
    }
    let laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n";
    match parse_value(laughs, Schema::Yaml12) {
        Err(YamlError::Syntax { message, .. }) => assert!(message.contains("repetition limit"), "{message}"),
        other => panic!("{other:?}"),
    }
    let big = parse_value("spec:\n  replicas: 99999999999999999999999\n", Schema::Yaml12).unwrap_err();
    assert_eq!(
        big,
        YamlError::Syntax { message: "spec.replicas: an integer that does not fit in 64 bits".into(), line: 2, column: 13 }
    );
    let err = yaml11("a: 1\nb: [\n").unwrap_err();
    assert!(matches!(err, YamlError::Syntax { .. }), "{err:?}");
}

#[test]
fn events_from_another_source() {
    // The builder is a receiver: saphyr's push interface feeds it as well as `read` does.
    let mut builder = Builder::new(Schema::Yaml11);
    let mut parser = saphyr_parser::Parser::new_from_str("a: yes\n");
    parser.load(&mut builder, true).expect("parses");
    assert_eq!(builder.finish().unwrap(), vec![json!({"a": true})]);
}

#[test]
fn block_scalars_that_end_the_input_without_a_line_break() {
    // As libyaml (serde_yaml) reads them; saphyr-parser alone adds a line break to each.
    let cases = [
        ("a: |\n  x", "x"),
        ("a: |\n  x\n  ", "x\n"),
        ("a: |\n  x\n     ", "x\n   "),
        ("a: |+\n  x\n\n  ", "x\n\n"),
        ("a: |\n  x\n  # c", "x\n# c"),
        ("- x: |\n    l\n  ", "l\n"),
    ];
    for (text, expected) in cases {
        let v = parse_value(text, Schema::Yaml12).unwrap();
        let s = v.get("a").or_else(|| v.get(0).and_then(|i| i.get("x"))).unwrap();
        assert_eq!(s, expected, "{text:?}");
        let oracle: serde_yaml::Value = serde_yaml::from_str(text).unwrap();
        let o = oracle.get("a").or_else(|| oracle.get(0).and_then(|i| i.get("x"))).unwrap();
        assert_eq!(o.as_str(), Some(expected), "serde_yaml on {text:?}");
    }
}

#[test]
fn a_final_line_break_changes_no_block_scalar() {
    let ended = [
        ("a: |\n  x", "a: |-\n  x\n"),
        ("a: |+2\n   x", "a: |-2\n   x\n"),
        ("a: |2+\n   x", "a: |-2\n   x\n"),
        ("a: >\n  x\n  y", "a: >-\n  x\n  y\n"),
        ("- |\n  x", "- |-\n  x\n"),
        ("a: |+\n  x\n   ", "a: |-\n  x\n   \n"),
        // What the value builder refuses stays as written: the tag, the anchor, the comments.
        ("a: !Ref |\n  x", "a: !Ref |-\n  x\n"),
        ("a|b: &x|y | # a | b >\n  x", "a|b: &x|y |- # a | b >\n  x\n"),
        ("a: # c | d\n  |\n  x", "a: # c | d\n  |-\n  x\n"),
        // A last line of spaces holds nothing of the value: it goes, the break before it stays.
        ("a: |+\n  x\n\n  ", "a: |+\n  x\n\n"),
    ];
    for (text, expected) in ended {
        assert_eq!(with_final_line_break(text).as_deref(), Some(expected), "{text:?}");
        if let Ok(value) = parse_value(text, Schema::Yaml12) {
            assert_eq!(parse_value(expected, Schema::Yaml12), Ok(value), "{text:?}");
        }
    }
    // Nothing to do: a final line break already, or one that changes no value.
    for text in ["a: |\n  x\n", "a: |-\n  x", "a: b", "a: 'b'", "a: |\n  x\n ", "a: [1,\n 2]", "a: |", ""] {
        assert_eq!(with_final_line_break(text), None, "{text:?}");
    }
}
