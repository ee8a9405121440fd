//! The one place that knows what a plain scalar means.
//!
//! Two readers meet the function's text: KRM items are read as serde_yaml 0.9 read them
//! (YAML 1.2's core schema, [`Schema::Yaml12`]), and `dittofs-krm build` reads manifests as
//! kubectl does (sigs.k8s.io/yaml over go-yaml v2, YAML 1.1, [`Schema::Yaml11`]). The emitter
//! writes a string plain only when [`reads_as_string_everywhere`] says that both, and the YAML
//! 1.1 readers clients use (PyYAML), read it back as that string.
//!
//! No maintained Rust crate offers either rule set on its own (serde_yaml, archived, has the 1.2
//! one inside its deserializer), so both are written out here.

use std::borrow::Cow;

use serde_json::{Number, Value};

/// How plain scalars resolve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schema {
    /// serde_yaml 0.9's resolution: `null`/`~`, `true`/`false` (three spellings each), decimal,
    /// `0x`, `0o` and `0b` integers (a leading zero makes a string), Rust's float syntax and
    /// `.inf`/`.nan`.
    Yaml12,
    /// go-yaml v2's: also `yes`/`no`/`on`/`off`/`y`/`n`, `0644` (octal), `1_000`; floats that
    /// JSON cannot carry (`.inf`) and timestamps stay strings.
    Yaml11,
}

/// Every schema the function reads with.
pub const SCHEMAS: [Schema; 2] = [Schema::Yaml12, Schema::Yaml11];

/// A plain scalar that resolves to a value JSON has no form for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoJsonForm {
    /// An integer beyond 64 bits (serde_yaml read it as a 128-bit one).
    BigInteger,
    /// `.inf`, `-.inf` or `.nan`, named as serde_yaml writes them.
    NonFinite(&'static str),
}

impl NoJsonForm {
    /// The number itself is left out: it may be a value of a Secret.
    pub fn message(&self) -> String {
        match self {
            NoJsonForm::BigInteger => "an integer that does not fit in 64 bits".into(),
            NoJsonForm::NonFinite(n) => format!("the number {n} has no JSON form"),
        }
    }
}

/// What a plain scalar is, without building it.
enum Kind {
    Null,
    Bool(bool),
    Number(Number),
    String,
    Unrepresentable(NoJsonForm),
}

/// The value of the plain scalar `s` under `schema` (a string keeps `s`, when it is a `String`).
pub fn resolve_plain<S: AsRef<str> + Into<String>>(s: S, schema: Schema) -> Result<Value, NoJsonForm> {
    Ok(match kind(s.as_ref(), schema) {
        Kind::Null => Value::Null,
        Kind::Bool(b) => Value::Bool(b),
        Kind::Number(n) => Value::Number(n),
        Kind::String => Value::String(s.into()),
        Kind::Unrepresentable(e) => return Err(e),
    })
}

/// A scalar tagged `!!float` under [`Schema::Yaml12`]: serde_yaml read it as a float even with
/// a leading zero or without a fraction (`!!float 1` is 1.0); `None` when it is no float.
pub fn resolve_float_tag_12(s: &str) -> Option<Result<Value, NoJsonForm>> {
    match float_12(s)? {
        Kind::Number(n) => Some(Ok(Value::Number(n))),
        Kind::Unrepresentable(e) => Some(Err(e)),
        _ => None,
    }
}

/// The plain scalar `s` reads back as the string `s` under `schema`.
pub fn reads_as_string(s: &str, schema: Schema) -> bool {
    matches!(kind(s, schema), Kind::String)
}

/// The plain scalar `s` reads back as the string `s` under every schema we read with, and under
/// the YAML 1.1 readers that may meet the output (PyYAML also knows timestamps, sexagesimal
/// numbers like `12:30:00`, the value key `=` and `nan`/`inf` words): the emitter's question.
pub fn reads_as_string_everywhere(s: &str) -> bool {
    // Most keys and values of the generated objects start like no number, and are longer than
    // any word these readers resolve or start otherwise: strings, without the checks below.
    if !s.is_empty() && !starts_like_number(s) && (s.len() > LONGEST_WORD || !s.starts_with(WORD_INITIALS)) {
        return true;
    }
    !looks_like_other_reader_non_string(s) && SCHEMAS.iter().all(|&schema| reads_as_string(s, schema))
}

/// The longest word (`false`, `FALSE`) that a reader here resolves to anything but a string:
/// null, booleans, `nan`/`inf`, `=`, `<<`. Every other non-string starts like a number.
const LONGEST_WORD: usize = 5;

/// The first characters of those words (the empty one aside).
const WORD_INITIALS: [char; 15] = ['~', 'n', 'N', 't', 'T', 'f', 'F', 'y', 'Y', 'o', 'O', 'i', 'I', '=', '<'];

/// Only a digit, a sign or a dot starts a number (or `.inf`, `.nan`), under every schema here.
fn starts_like_number(s: &str) -> bool {
    matches!(s.as_bytes().first(), Some(b'0'..=b'9' | b'+' | b'-' | b'.'))
}

/// Words and numbers some YAML reader resolves to null, booleans, numbers or timestamps. Broader
/// than the two schemas on purpose: a quoted string costs two characters, a misread one a
/// broken object.
fn looks_like_other_reader_non_string(s: &str) -> bool {
    // A `match` rather than a list search: every key and short value of every generated object
    // comes through here, and the match compares lengths before bytes.
    if matches!(s, "nan" | "NaN" | "NAN" | "inf" | "Inf" | "INF" | "=" | "<<" | "") {
        return true;
    }
    // Anything that starts like a number and is made only of characters found in YAML 1.1
    // integers, floats, sexagesimals and timestamps (hex digits, x/o/b prefixes, `_`, `.`, `:`,
    // signs, exponents, `T`/`Z` and spaces) is quoted; `10Gi` or `15m` stay plain.
    starts_like_number(s)
        && s.chars().all(|c| {
            c.is_ascii_hexdigit() || matches!(c, 'x' | 'X' | 'o' | 'O' | '_' | '.' | ':' | '+' | '-' | 'e' | 'E' | 't' | 'T' | 'z' | 'Z' | ' ')
        })
}

fn kind(s: &str, schema: Schema) -> Kind {
    match schema {
        Schema::Yaml12 => kind_12(s),
        Schema::Yaml11 => kind_11(s),
    }
}

// --- YAML 1.2 as serde_yaml 0.9 resolves it (its `visit_untagged_scalar`) ----------------------

fn kind_12(s: &str) -> Kind {
    if let Some(k) = null_or_bool_12(s) {
        return k;
    }
    // Only these can start a number (or `.inf`); the rest is a string without further checks.
    if !starts_like_number(s) {
        return Kind::String;
    }
    if let Some(k) = int_12(s) {
        return k;
    }
    if leading_zero_digits(s) {
        return Kind::String;
    }
    match float_12(s) {
        Some(k) => k,
        None => Kind::String,
    }
}

/// `null`, `~`, the empty scalar and the booleans of YAML 1.2's core schema.
fn null_or_bool_12(s: &str) -> Option<Kind> {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => Some(Kind::Null),
        "true" | "True" | "TRUE" => Some(Kind::Bool(true)),
        "false" | "False" | "FALSE" => Some(Kind::Bool(false)),
        _ => None,
    }
}

/// An integer as serde_yaml reads one: an optional `+` (or `-`), then `0x`, `0o`, `0b` or
/// decimal digits; `0123` is a string. 128-bit values are read, and have no JSON form.
fn int_12(s: &str) -> Option<Kind> {
    let (negative, unsigned) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let (radix, digits) = radix_body(unsigned);
    // A second sign (`+-1`, `0x+1`) is no number; `from_str_radix` would take one `+`.
    if digits.is_empty() || digits.starts_with(['+', '-']) || (radix == 10 && leading_zero_digits(s)) {
        return None;
    }
    let magnitude = u128::from_str_radix(digits, radix).ok()?;
    number_from(negative, magnitude)
}

fn radix_body(s: &str) -> (u32, &str) {
    for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] {
        if let Some(rest) = s.strip_prefix(prefix) {
            // serde_yaml falls back to decimal when the prefixed digits do not parse, which then
            // fails too (`x` is no digit): the same as giving no number here.
            return (radix, rest);
        }
    }
    (10, s)
}

/// serde_yaml tries u64, i64, then u128 and i128; beyond those it reads a float.
fn number_from(negative: bool, magnitude: u128) -> Option<Kind> {
    if !negative {
        return Some(match u64::try_from(magnitude) {
            Ok(u) => Kind::Number(Number::from(u)),
            Err(_) => Kind::Unrepresentable(NoJsonForm::BigInteger),
        });
    }
    if magnitude <= 1 << 63 {
        // -2^63 ..= 0 fits i64, and the negation cannot overflow i128.
        return Some(Kind::Number(Number::from((-(magnitude as i128)) as i64)));
    }
    (magnitude <= 1 << 127).then_some(Kind::Unrepresentable(NoJsonForm::BigInteger))
}

/// `0123`, `-007`: digits after a leading zero, a string in YAML 1.2.
fn leading_zero_digits(s: &str) -> bool {
    let s = s.strip_prefix(['-', '+']).unwrap_or(s);
    s.len() > 1 && s.starts_with('0') && s[1..].bytes().all(|b| b.is_ascii_digit())
}

/// serde_yaml's `parse_f64`: `.inf`/`.nan` in three spellings, else Rust's float syntax, finite.
fn float_12(s: &str) -> Option<Kind> {
    let unpositive = match s.strip_prefix('+') {
        Some(rest) if rest.starts_with(['+', '-']) => return None,
        Some(rest) => rest,
        None => s,
    };
    if matches!(unpositive, ".inf" | ".Inf" | ".INF") {
        return Some(Kind::Unrepresentable(NoJsonForm::NonFinite(".inf")));
    }
    if matches!(s, "-.inf" | "-.Inf" | "-.INF") {
        return Some(Kind::Unrepresentable(NoJsonForm::NonFinite("-.inf")));
    }
    if matches!(s, ".nan" | ".NaN" | ".NAN") {
        return Some(Kind::Unrepresentable(NoJsonForm::NonFinite(".nan")));
    }
    let f = unpositive.parse::<f64>().ok().filter(|f| f.is_finite())?;
    Number::from_f64(f).map(Kind::Number)
}

// --- YAML 1.1 as go-yaml v2 resolves it -------------------------------------------------------

fn kind_11(s: &str) -> Kind {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Kind::Null,
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => return Kind::Bool(true),
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Kind::Bool(false)
        }
        _ => {}
    }
    if !starts_like_number(s) {
        return Kind::String;
    }
    let plain: Cow<str> = if s.contains('_') { Cow::Owned(s.replace('_', "")) } else { Cow::Borrowed(s) };
    if let Some(n) = int_11(&plain) {
        return Kind::Number(n);
    }
    if is_float_11(&plain) {
        if let Some(n) = plain.parse::<f64>().ok().and_then(float_11) {
            return Kind::Number(n);
        }
    }
    // `.inf` and `.nan` have no JSON form; kubectl could not send them either.
    Kind::String
}

/// Go's `strconv.ParseInt(s, 0, 64)`, then `ParseUint`: sign, `0x`, `0o`, `0b` or a leading `0`
/// (octal) prefix.
fn int_11(s: &str) -> Option<Number> {
    let (negative, digits) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let prefix = digits.as_bytes().get(..2).map(<[u8]>::to_ascii_lowercase);
    let (radix, body) = match prefix.as_deref() {
        Some(b"0x") => (16, &digits[2..]),
        Some(b"0o") => (8, &digits[2..]),
        Some(b"0b") => (2, &digits[2..]),
        _ if digits.len() > 1 && digits.starts_with('0') => (8, &digits[1..]),
        _ => (10, digits),
    };
    if body.is_empty() || !body.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = u64::from_str_radix(body, radix).ok()?;
    if !negative {
        return Some(Number::from(magnitude));
    }
    (magnitude <= 1 << 63).then(|| Number::from((-(magnitude as i128)) as i64))
}

/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`, go-yaml v2's float pattern.
fn is_float_11(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
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
fn float_11(f: f64) -> Option<Number> {
    if f.fract() == 0.0 && f.abs() < 9.007_199_254_740_992e15 {
        return Some(Number::from(f as i64));
    }
    Number::from_f64(f)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn plain_scalars_under_both_schemas() {
        // (text, YAML 1.2 as serde_yaml, YAML 1.1 as kubectl)
        let cases = [
            ("0644", json!("0644"), json!(420)),
            ("0o644", json!(420), json!(420)),
            ("0x1F", json!(31), json!(31)),
            ("0X1F", json!("0X1F"), json!(31)),
            ("-0x1F", json!(-31), json!(-31)),
            ("0b101", json!(5), json!(5)),
            ("1_000", json!("1_000"), json!(1000)),
            ("-12", json!(-12), json!(-12)),
            ("+12", json!(12), json!(12)),
            ("09", json!("09"), json!(9)),
            ("1e3", json!(1000.0), json!(1000)),
            ("0.5", json!(0.5), json!(0.5)),
            (".5", json!(0.5), json!(0.5)),
            ("+.5", json!(0.5), json!(0.5)),
            ("1.", json!(1.0), json!(1)),
            ("yes", json!("yes"), json!(true)),
            ("Off", json!("Off"), json!(false)),
            ("y", json!("y"), json!(true)),
            ("~", Value::Null, Value::Null),
            ("", Value::Null, Value::Null),
            ("True", json!(true), json!(true)),
            ("2024-01-01", json!("2024-01-01"), json!("2024-01-01")),
            ("1:20", json!("1:20"), json!("1:20")),
            ("10Gi", json!("10Gi"), json!("10Gi")),
            ("-", json!("-"), json!("-")),
            ("+-1", json!("+-1"), json!("+-1")),
            ("0x+1", json!("0x+1"), json!("0x+1")),
            ("1.2.3", json!("1.2.3"), json!("1.2.3")),
            ("inf", json!("inf"), json!("inf")),
            ("1e999", json!("1e999"), json!("1e999")),
            ("18446744073709551615", json!(18446744073709551615u64), json!(18446744073709551615u64)),
            ("-9223372036854775808", json!(i64::MIN), json!(i64::MIN)),
        ];
        for (text, yaml12, yaml11) in cases {
            assert_eq!(resolve_plain(text, Schema::Yaml12), Ok(yaml12), "{text} under YAML 1.2");
            assert_eq!(resolve_plain(text, Schema::Yaml11), Ok(yaml11), "{text} under YAML 1.1");
        }
    }

    #[test]
    fn numbers_json_cannot_carry() {
        assert_eq!(resolve_plain("99999999999999999999999", Schema::Yaml12), Err(NoJsonForm::BigInteger));
        assert_eq!(resolve_plain("-0x8000000000000001", Schema::Yaml12), Err(NoJsonForm::BigInteger));
        assert_eq!(resolve_plain(".inf", Schema::Yaml12), Err(NoJsonForm::NonFinite(".inf")));
        assert_eq!(resolve_plain("-.Inf", Schema::Yaml12), Err(NoJsonForm::NonFinite("-.inf")));
        assert_eq!(resolve_plain(".NaN", Schema::Yaml12), Err(NoJsonForm::NonFinite(".nan")));
        // Beyond 128 bits serde_yaml read a float; kubectl reads one beyond 64.
        assert_eq!(resolve_plain("400000000000000000000000000000000000000", Schema::Yaml12), Ok(json!(4e38)));
        assert_eq!(resolve_plain("99999999999999999999999", Schema::Yaml11), Ok(json!(1e23)));
        assert_eq!(resolve_plain(".inf", Schema::Yaml11), Ok(json!(".inf")));
    }

    #[test]
    fn strings_that_read_back_everywhere() {
        for s in ["10Gi", "dittofs", "a b", "nfs-4"] {
            assert!(reads_as_string_everywhere(s), "{s}");
        }
        for s in ["yes", "0o17", "0x1F", "1_000", ".5", "+1", "~", "<<", "=", "nan", "12:30:00", "2024-01-01", ""] {
            assert!(!reads_as_string_everywhere(s), "{s}");
        }
    }

    /// The words the readers resolve are no longer than [`LONGEST_WORD`]: past it, a scalar that
    /// starts like no number is a string, which `reads_as_string_everywhere` takes for granted.
    #[test]
    fn no_word_is_longer_than_the_longest() {
        let every_check = |s: &str| !looks_like_other_reader_non_string(s) && SCHEMAS.iter().all(|&schema| reads_as_string(s, schema));
        let words = [
            "~", "null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE", "y", "Y", "yes", "Yes", "YES",
            "n", "N", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF", "nan", "NaN", "NAN", "inf", "Inf", "INF",
            "=", "<<", "",
        ];
        for word in words {
            assert!(word.len() <= LONGEST_WORD && !every_check(word), "{word}");
            assert!(word.is_empty() || word.starts_with(WORD_INITIALS), "{word}");
            for longer in [format!("{word}s"), format!("a{word}"), format!("{word}-{word}"), format!("{word}{word}{word}")] {
                assert_eq!(reads_as_string_everywhere(&longer), every_check(&longer), "{longer}");
            }
        }
    }
}
