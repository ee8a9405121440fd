//! Reads a stream of YAML documents with the YAML 1.1 scalar rules that kubectl and Argo CD apply
//! (sigs.k8s.io/yaml over go-yaml v2).
//!
//! `dittofs-krm build` re-writes every manifest it passes through, so it must read each plain
//! scalar as kubectl would have read the original file: `defaultMode: 0644` is the integer 420,
//! `enabled: yes` is `true`, `1_000` is 1000. serde_yaml follows YAML 1.2 and reads those three as
//! the strings "0644", "yes" and "1_000", which the emitter would then quote, changing what
//! reaches the cluster. No maintained Rust YAML crate offers the 1.1 resolution rules, so this
//! module builds values from saphyr-parser's events and resolves plain scalars itself.
//! Timestamps stay strings, as go-yaml v2 leaves them when decoding into untyped values.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Tag};
use serde_json::{Map, Number, Value};

use super::YamlError;

/// A key waiting for its value; `<<` (plain) is YAML 1.1's merge key.
enum Key {
    Merge,
    Name(String),
}

enum Frame {
    Sequence { items: Vec<Value>, anchor: usize },
    Mapping { map: Map<String, Value>, key: Option<Key>, merges: Vec<Value>, anchor: usize },
}

/// Every non-empty document of `text`, in order. Documents that are empty or `null` are skipped,
/// as kubectl skips them.
pub fn parse_stream(text: &str) -> Result<Vec<Value>, YamlError> {
    let mut documents = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: HashMap<usize, Value> = HashMap::new();
    let mut root: Option<Value> = None;

    for next in Parser::new_from_str(text) {
        let (event, span) = next.map_err(|e| YamlError::Syntax {
            message: e.info().to_string(),
            line: e.marker().line(),
            column: e.marker().col() + 1,
        })?;
        let line = span.start.line();
        let completed = match event {
            Event::DocumentStart(_) => {
                anchors.clear();
                continue;
            }
            Event::DocumentEnd => {
                if let Some(v) = root.take().filter(|v| !v.is_null()) {
                    documents.push(v);
                }
                continue;
            }
            Event::Scalar(value, style, anchor, tag) => {
                let is_merge = style == ScalarStyle::Plain && tag.is_none() && value == "<<";
                if is_merge && matches!(stack.last(), Some(Frame::Mapping { key: None, .. })) {
                    if let Some(Frame::Mapping { key, .. }) = stack.last_mut() {
                        *key = Some(Key::Merge);
                    }
                    continue;
                }
                let v = resolve(&value, style, tag.as_deref()).map_err(|m| at_line(m, line))?;
                Some((v, anchor))
            }
            Event::Alias(id) => {
                let v = anchors
                    .get(&id)
                    .cloned()
                    .ok_or_else(|| at_line("an alias refers to an anchor that is not defined before it".into(), line))?;
                Some((v, 0))
            }
            Event::SequenceStart(anchor, tag) => {
                check_collection_tag(tag.as_deref(), "seq").map_err(|m| at_line(m, line))?;
                stack.push(Frame::Sequence { items: Vec::new(), anchor });
                None
            }
            Event::MappingStart(anchor, tag) => {
                check_collection_tag(tag.as_deref(), "map").map_err(|m| at_line(m, line))?;
                stack.push(Frame::Mapping { map: Map::new(), key: None, merges: Vec::new(), anchor });
                None
            }
            Event::SequenceEnd => match stack.pop() {
                Some(Frame::Sequence { items, anchor }) => Some((Value::Array(items), anchor)),
                _ => return Err(at_line("unbalanced sequence".into(), line)),
            },
            Event::MappingEnd => match stack.pop() {
                Some(Frame::Mapping { mut map, merges, anchor, .. }) => {
                    merge_into(&mut map, merges).map_err(|m| at_line(m, line))?;
                    Some((Value::Object(map), anchor))
                }
                _ => return Err(at_line("unbalanced mapping".into(), line)),
            },
            Event::StreamStart | Event::StreamEnd | Event::Nothing => None,
        };
        let Some((value, anchor)) = completed else { continue };
        if anchor != 0 {
            anchors.insert(anchor, value.clone());
        }
        match stack.last_mut() {
            None => root = Some(value),
            Some(Frame::Sequence { items, .. }) => items.push(value),
            Some(Frame::Mapping { map, key, merges, .. }) => match key.take() {
                None => *key = Some(Key::Name(key_string(value).map_err(|m| at_line(m, line))?)),
                Some(Key::Merge) => merges.push(value),
                Some(Key::Name(k)) => {
                    map.insert(k, value);
                }
            },
        }
    }
    if let Some(v) = root.take().filter(|v| !v.is_null()) {
        documents.push(v);
    }
    Ok(documents)
}

fn at_line(message: String, line: usize) -> YamlError {
    YamlError::Syntax { message, line, column: 1 }
}

/// `<<: *base` or `<<: [*a, *b]`: keys written in the mapping win, then earlier sources.
fn merge_into(map: &mut Map<String, Value>, merges: Vec<Value>) -> Result<(), String> {
    for source in merges {
        let sources = match source {
            Value::Array(list) => list,
            other => vec![other],
        };
        for s in sources {
            let Value::Object(entries) = s else {
                return Err("a merge key (<<) must refer to a mapping or a list of mappings".into());
            };
            for (k, v) in entries {
                map.entry(k).or_insert(v);
            }
        }
    }
    Ok(())
}

/// Mapping keys become strings the way sigs.k8s.io/yaml writes them into JSON.
fn key_string(key: Value) -> Result<String, String> {
    match key {
        Value::String(s) => Ok(s),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Null => Ok("null".into()),
        _ => Err("a mapping key must be a scalar, not a mapping or a list".into()),
    }
}

fn check_collection_tag(tag: Option<&Tag>, expected: &str) -> Result<(), String> {
    match tag {
        None => Ok(()),
        Some(t) if t.is_yaml_core_schema() && t.suffix == expected => Ok(()),
        Some(t) => Err(format!("the tag {}{} is not supported", t.handle, t.suffix)),
    }
}

fn resolve(value: &str, style: ScalarStyle, tag: Option<&Tag>) -> Result<Value, String> {
    let Some(tag) = tag else {
        return Ok(if style == ScalarStyle::Plain { resolve_plain(value) } else { Value::String(value.to_string()) });
    };
    // `!` alone is the non-specific tag: the scalar is a string.
    if tag.handle == "!" && tag.suffix.is_empty() {
        return Ok(Value::String(value.to_string()));
    }
    if !tag.is_yaml_core_schema() {
        return Err(format!("the tag {}{} is not supported; remove it", tag.handle, tag.suffix));
    }
    let resolved = resolve_plain(value);
    let ok = match tag.suffix.as_str() {
        "str" => return Ok(Value::String(value.to_string())),
        "int" => resolved.as_i64().is_some() || resolved.as_u64().is_some(),
        "float" => resolved.is_number(),
        "bool" => resolved.is_boolean(),
        "null" => resolved.is_null(),
        other => return Err(format!("the tag !!{other} is not supported")),
    };
    if ok {
        Ok(resolved)
    } else {
        Err(format!("{value:?} is not a valid !!{}", tag.suffix))
    }
}

/// go-yaml v2's resolution of a plain scalar.
pub fn resolve_plain(s: &str) -> Value {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => return Value::Bool(true),
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Value::Bool(false)
        }
        _ => {}
    }
    let Some(first) = s.chars().next() else { return Value::Null };
    if !(first.is_ascii_digit() || matches!(first, '+' | '-' | '.')) {
        return Value::String(s.to_string());
    }
    let plain: String = s.chars().filter(|&c| c != '_').collect();
    if let Some(n) = parse_int(&plain) {
        return Value::Number(n);
    }
    if is_yaml_float(&plain) {
        if let Ok(f) = plain.parse::<f64>() {
            return float(f).unwrap_or_else(|| Value::String(s.to_string()));
        }
    }
    // `.inf` and `.nan` have no JSON form; kubectl could not send them either.
    Value::String(s.to_string())
}

/// Go's `strconv.ParseInt(s, 0, 64)`, then `ParseUint`: sign, `0x`, `0o`, `0b` or a leading `0`
/// (octal) prefix.
fn parse_int(s: &str) -> Option<Number> {
    let (negative, digits) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let (radix, body) = if let Some(rest) = digits.strip_prefix("0x").or_else(|| digits.strip_prefix("0X")) {
        (16, rest)
    } else if let Some(rest) = digits.strip_prefix("0o").or_else(|| digits.strip_prefix("0O")) {
        (8, rest)
    } else if let Some(rest) = digits.strip_prefix("0b").or_else(|| digits.strip_prefix("0B")) {
        (2, rest)
    } else if digits.len() > 1 && digits.starts_with('0') {
        (8, &digits[1..])
    } else {
        (10, digits)
    };
    if body.is_empty() || !body.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = u64::from_str_radix(body, radix).ok()?;
    if negative {
        if magnitude <= i64::MAX as u64 + 1 {
            Some(Number::from((magnitude as i128).wrapping_neg() as i64))
        } else {
            None
        }
    } else {
        Some(Number::from(magnitude))
    }
}

/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`, go-yaml v2's float pattern.
fn is_yaml_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            digits(&mut i);
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// A float as kubectl's JSON carries it: whole numbers without a fraction.
fn float(f: f64) -> Option<Value> {
    if f.fract() == 0.0 && f.abs() < 9.007_199_254_740_992e15 {
        return Some(Value::Number(Number::from(f as i64)));
    }
    Number::from_f64(f).map(Value::Number)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn plain_scalars_follow_yaml_11() {
        let cases = [
            ("0644", json!(420)),
            ("0o644", json!(420)),
            ("0x1F", json!(31)),
            ("0b101", json!(5)),
            ("1_000", json!(1000)),
            ("-12", json!(-12)),
            ("+12", json!(12)),
            ("09", json!(9)),
            ("1e3", json!(1000)),
            ("0.5", json!(0.5)),
            (".5", json!(0.5)),
            ("yes", json!(true)),
            ("Off", json!(false)),
            ("y", json!(true)),
            ("~", Value::Null),
            ("2024-01-01", json!("2024-01-01")),
            ("1:20", json!("1:20")),
            ("10Gi", json!("10Gi")),
            (".inf", json!(".inf")),
            ("-", json!("-")),
            ("1.2.3", json!("1.2.3")),
        ];
        for (input, expected) in cases {
            assert_eq!(resolve_plain(input), expected, "{input}");
        }
    }

    #[test]
    fn quoted_and_tagged_scalars() {
        let docs = parse_stream("a: '0644'\nb: \"yes\"\nc: !!str 0644\nd: |\n  x\ne: !!int \"12\"\n").unwrap();
        assert_eq!(docs, vec![json!({"a": "0644", "b": "yes", "c": "0644", "d": "x\n", "e": 12})]);
        assert!(parse_stream("a: !!int abc\n").is_err());
        assert!(parse_stream("a: !Ref x\n").is_err());
    }

    #[test]
    fn streams_skip_empty_documents() {
        let docs = parse_stream("---\n# only a comment\n---\na: 1\n---\n~\n---\nb: 2\n...\n").unwrap();
        assert_eq!(docs, vec![json!({"a": 1}), json!({"b": 2})]);
    }

    #[test]
    fn anchors_aliases_and_merge_keys() {
        let text = "base: &b {x: 1, z: 2}\nother: *b\nmerged:\n  <<: *b\n  z: 3\nlist:\n  <<: [{p: 1}, {p: 2, q: 2}]\n";
        let docs = parse_stream(text).unwrap();
        assert_eq!(
            docs[0],
            json!({"base": {"x": 1, "z": 2}, "other": {"x": 1, "z": 2}, "merged": {"z": 3, "x": 1}, "list": {"p": 1, "q": 2}})
        );
    }

    #[test]
    fn keys_become_strings() {
        // kubectl reads the key `on` (and `y`) as the boolean true, written "true" in JSON.
        let docs = parse_stream("on: push\n1: one\ny: 2\n").unwrap();
        assert_eq!(docs[0], json!({"true": 2, "1": "one"}));
    }

    #[test]
    fn syntax_errors_carry_the_line() {
        let err = parse_stream("a: 1\nb: [\n").unwrap_err();
        assert!(matches!(err, YamlError::Syntax { .. }), "{err:?}");
    }
}
