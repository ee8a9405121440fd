//! Block-style YAML writer for generated objects and rebuilt items.
//!
//! Hand-rolled on purpose: serde_yaml (like most YAML 1.2 emitters) writes `on`, `yes`, `no`,
//! `2024-01-01`, `12:30:00` or `1_000` as plain scalars, which kubectl's YAML 1.1 reader turns
//! into booleans, dates and integers. This writer quotes every string that either YAML version
//! could read as something else, and always writes block style, which kpt keeps as it is.

use std::cell::Cell;

use serde_json::Value;

/// The longest implicit key YAML allows, in characters (YAML 1.2 §7.4.2, "at most 1024 Unicode
/// characters"); a longer one must be written as an explicit key.
pub(crate) const MAX_IMPLICIT_KEY: usize = 1024;

/// Writes `value` as a block node whose nested lines are indented by `indent` spaces. The first
/// line carries no indentation: the caller writes whatever precedes it (`- ` or `key: `).
pub fn write_node(value: &Value, indent: usize, out: &mut String) {
    super::serialize::write(value, indent, &super::serialize::Shape::NONE, &super::serialize::Extra::NONE, out)
        .expect("a JSON value is written as YAML whatever it holds");
}

/// A leaf of the tree being written.
#[derive(Clone, Copy)]
pub(crate) enum Scalar<'a> {
    Null,
    Bool(bool),
    Number(&'a serde_json::Number),
    Str(&'a str),
}

pub(crate) fn write_scalar(v: Scalar<'_>, indent: usize, out: &mut String) {
    match v {
        Scalar::Null => out.push_str("null"),
        Scalar::Bool(b) => out.push_str(if b { "true" } else { "false" }),
        Scalar::Number(n) if n.is_f64() => write_float(&n.to_string(), out),
        Scalar::Number(n) => {
            use std::fmt::Write;
            let _ = write!(out, "{n}"); // writing to a String cannot fail
        }
        Scalar::Str(s) => write_string(s, indent, out, false),
    }
}

/// YAML 1.1 reads a float only with a `.` in the mantissa and a signed exponent (`1.0e+30`);
/// serde_json writes `1e30` or `2`, which a YAML 1.1 reader would take for a string or an integer.
fn write_float(repr: &str, out: &mut String) {
    let (mantissa, exponent) = match repr.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e)),
        None => (repr, None),
    };
    out.push_str(mantissa);
    if !mantissa.contains('.') {
        out.push_str(".0");
    }
    if let Some(e) = exponent {
        out.push('e');
        if !e.starts_with(['-', '+']) {
            out.push('+');
        }
        out.push_str(e);
    }
}

pub(crate) fn push_indent(out: &mut String, n: usize) {
    const SPACES: &str = "                                                                ";
    let mut n = n;
    while n > 0 {
        let k = n.min(SPACES.len());
        out.push_str(&SPACES[..k]);
        n -= k;
    }
}

/// Writes a string plain when no YAML 1.1 or 1.2 reader can take it for anything else, as a
/// literal block when it is multi-line text, and double-quoted otherwise.
pub(crate) fn write_string(s: &str, indent: usize, out: &mut String, is_key: bool) {
    if is_plain_safe(s) {
        out.push_str(s);
    } else if !is_key && fits_literal_block(s) {
        write_literal(s, indent, out);
    } else {
        write_double_quoted(s, out);
    }
}

/// [`is_plain_safe`] for a name the program holds as a `&'static str` (a struct's field, an
/// enum's variant), remembered by the name's address and length: a static string's text never
/// changes, so one answer holds for the run, and the generated objects write the same few
/// hundred names over and over (a fifth of the writer's time went to deciding them again).
pub(crate) fn name_is_plain_safe(name: &'static str) -> bool {
    const SLOTS: usize = 256;
    thread_local! {
        static SEEN: [Cell<(usize, usize, bool)>; SLOTS] = const { [const { Cell::new((0, 0, false)) }; SLOTS] };
    }
    // A reference is never null, so no name is at address 0, the empty slots' address.
    let (at, len) = (name.as_ptr() as usize, name.len());
    let slot = ((at >> 3) ^ len) % SLOTS;
    SEEN.with(|seen| {
        let (seen_at, seen_len, plain) = seen[slot].get();
        if (seen_at, seen_len) == (at, len) {
            return plain;
        }
        let plain = is_plain_safe(name);
        seen[slot].set((at, len, plain));
        plain
    })
}

/// True when `s` reads back as the same string, plain, under YAML 1.1 and 1.2 alike: no
/// character needs quoting here, and [`super::schema`] resolves it to a string everywhere.
pub fn is_plain_safe(s: &str) -> bool {
    let Some(first) = s.chars().next() else { return false };
    if s.len() > 1024 {
        // Long scalars are quoted rather than checked for folding quirks.
        return false;
    }
    if !(first.is_alphanumeric() || first == '/' || first == '_') {
        return false;
    }
    if s.ends_with([' ', ':']) {
        return false;
    }
    // Most strings hold no byte that needs a second look: one table lookup a byte, without a
    // branch, says so.
    let bytes = s.as_bytes();
    if bytes.iter().fold(false, |seen, &b| seen | SECOND_LOOK[usize::from(b)]) {
        // One pass over the bytes for `: ` and the ASCII characters that need quoting (`#`
        // covers ` #`); bytes of multi-byte characters are never ASCII, so this is exact for
        // them too.
        for (i, &b) in bytes.iter().enumerate() {
            match b {
                b':' if bytes.get(i + 1) == Some(&b' ') => return false,
                b if needs_quotes(b) => return false,
                _ => {}
            }
        }
        if !s.is_ascii() && s.chars().any(|c| c.is_control() || matches!(c, '\u{feff}' | '\u{85}' | '\u{2028}' | '\u{2029}')) {
            return false;
        }
    }
    super::schema::reads_as_string_everywhere(s)
}

/// An ASCII character no plain scalar may hold.
const fn needs_quotes(b: u8) -> bool {
    matches!(b, b'"' | b'\'' | b'{' | b'}' | b'[' | b']' | b',' | b'#' | b'`' | 0x00..=0x1f | 0x7f)
}

/// The bytes [`is_plain_safe`] looks at twice: those that need quotes, `:` and the bytes of
/// non-ASCII characters.
const SECOND_LOOK: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < table.len() {
        table[b] = needs_quotes(b as u8) || b as u8 == b':' || b >= 0x80;
        b += 1;
    }
    table
};

/// Multi-line text without characters a literal block cannot carry.
fn fits_literal_block(s: &str) -> bool {
    s.contains('\n')
        && !s.starts_with([' ', '\n'])
        && !s.chars().any(|c| (c.is_control() && c != '\n') || matches!(c, '\u{feff}' | '\u{85}' | '\u{2028}' | '\u{2029}'))
        // No line ends with a space (the text holds no CR by now).
        && !s.ends_with(' ')
        && !line_breaks(s).any(|i| i > 0 && s.as_bytes()[i - 1] == b' ')
}

/// Where the line breaks of `s` are: one memchr iterator, not a search set up per line.
fn line_breaks(s: &str) -> impl Iterator<Item = usize> + '_ {
    memchr::memchr_iter(b'\n', s.as_bytes())
}

fn write_literal(s: &str, indent: usize, out: &mut String) {
    let body = s.trim_end_matches('\n');
    let trailing = s.len() - body.len();
    out.push_str(match trailing {
        0 => "|-",
        1 => "|",
        _ => "|+",
    });
    let mut start = 0;
    for end in line_breaks(body).chain(std::iter::once(body.len())) {
        let line = &body[start..end];
        out.push('\n');
        if !line.is_empty() {
            push_indent(out, indent);
            out.push_str(line);
        }
        start = end + 1;
    }
    // `|+` keeps the extra line breaks; write them as empty lines.
    for _ in 1..trailing {
        out.push('\n');
    }
}

fn write_double_quoted(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() || matches!(c, '\u{feff}' | '\u{85}' | '\u{2028}' | '\u{2029}') => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_11_lookalikes_are_quoted() {
        for s in ["on", "off", "yes", "no", "y", "n", "~", "null", "0123", "1e3", "0x1F", ".inf", "2024-01-01", "true", "12:30:00", "1_000", "-1", "", " a", "a: b", "#x", "=", "<<"] {
            assert!(!is_plain_safe(s), "{s:?} must be quoted");
        }
    }

    #[test]
    fn ordinary_words_stay_plain() {
        for s in ["10Gi", "5Gi", "15m", "168h", "dittofs-server", "app.kubernetes.io/name", "/data/state", "ClusterIP", "example/dfs:latest"] {
            assert!(is_plain_safe(s), "{s:?} should be plain");
        }
    }

    #[test]
    fn floats_read_as_floats_in_yaml_11() {
        let mut out = String::new();
        write_node(&serde_json::json!([1e30, 2.0, 0.5, -1.5e-7]), 0, &mut out);
        assert_eq!(out, "- 1.0e+30\n- 2.0\n- 0.5\n- -1.5e-7\n");
    }

    #[test]
    fn characters_that_need_quotes_are_found_anywhere() {
        for s in ["a: b", "a #b", "a#b", "a,b", "a[0]", "a{b}", "it's", "say \"hi\"", "a`b", "a\tb", "a\u{7f}", "a\u{85}b", "a\u{2028}b", "a\u{feff}", "é\u{9f}", "a:", "a "] {
            assert!(!is_plain_safe(s), "{s:?} must be quoted");
        }
        for s in ["a:b", "http://x.y/z", "héllo wörld", "a-b_c.d/e", "x=y", "a b"] {
            assert!(is_plain_safe(s), "{s:?} should be plain");
        }
    }

    #[test]
    fn deep_indentation_and_numbers() {
        let mut out = String::new();
        write_node(&serde_json::json!({"size": 1.5, "count": -3}), 70, &mut out);
        assert_eq!(out, format!("size: 1.5\n{}count: -3\n", " ".repeat(70)));
    }

    #[test]
    fn multi_line_text_is_a_literal_block() {
        let mut out = String::new();
        write_node(&serde_json::json!({"data": {"config.yaml": "a: 1\nb: 2\n"}}), 0, &mut out);
        assert_eq!(out, "data:\n  config.yaml: |\n    a: 1\n    b: 2\n");
    }

    #[test]
    fn a_key_too_long_for_an_implicit_key_is_written_explicitly() {
        let long = "k".repeat(1025);
        let quoted = "\u{1}".repeat(200); // 1,202 characters once escaped
        for key in [long.as_str(), quoted.as_str()] {
            let value = serde_json::json!({"before": 1, key: {"nested": [1, "on"]}, "after": "x"});
            let mut out = String::new();
            write_node(&value, 0, &mut out);
            assert!(out.contains("\n? "), "{out}");
            assert_eq!(crate::yaml::parse_value(&out, crate::yaml::Schema::Yaml12).expect("reads back"), value);
        }
        let mut out = String::new();
        write_node(&serde_json::json!({"k".repeat(1024): 1}), 0, &mut out);
        assert!(out.starts_with("kkkk") && out.ends_with(": 1\n"), "1,024 characters still fit an implicit key");
    }
}
