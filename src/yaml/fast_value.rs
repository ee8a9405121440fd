//! The value of one block-style node, built line by line.
//!
//! The function reads a few kinds of items (DittoServers, the Secrets they name, earlier
//! outputs); each is cut out of the input and parsed. For the block style clients write,
//! [`parse`] builds the value the value builder ([`super::value`] under YAML 1.2) gives, with
//! the line grammar of [`super::line_grammar`], at a fraction of its cost. It declines (`None`) whatever it cannot
//! tell exactly as serde_yaml would: plain scalars that could be numbers other than small
//! decimal integers, folded block scalars, duplicate keys, and everything the line scan
//! declines. `tests/fast_scan.rs` holds it to serde_yaml's value, the fuzz oracle to the value
//! builder's.

use serde_json::{Map, Value};

use super::line_grammar::{
    chomp_of, ends_cleanly, in_subset, is_entry, key_of, lines, plain_start, quoted, scalar_of, BlockLine, BlockScalar, Chomp,
    KeyLine,
};

/// The value builder stops at 128 nested collections; deeper input is left to it to report.
const MAX_DEPTH: usize = 100;

/// The value of `text`, a block mapping at column 0, or `None` when it is outside the subset.
pub fn parse(text: &str) -> Option<Value> {
    if !in_subset(text) {
        return None;
    }
    let mut builder = Builder::default();
    for (_, line) in lines(text) {
        builder.line(line)?;
    }
    builder.finish()
}

enum Container {
    /// The entries so far and the key whose value comes next.
    Mapping(Map<String, Value>, Option<String>),
    Sequence(Vec<Value>),
}

struct Frame {
    indent: usize,
    container: Container,
}

/// A key (or a `-`) at `column` with nothing after it on its line.
struct Pending {
    column: usize,
    after_key: bool,
}

/// A literal block scalar being read: its lines after the header, as written.
struct Literal<'t> {
    block: BlockScalar,
    chomp: Chomp,
    lines: Vec<&'t str>,
}

impl Literal<'_> {
    /// The scalar's value: lines longer than the content indentation are text (spaces beyond it
    /// included), the others empty lines; the chomping indicator decides the final breaks.
    fn value(&self) -> Option<String> {
        let indent = self.block.content.unwrap_or(usize::MAX);
        let mut out = String::new();
        let mut text_end = None;
        for line in &self.lines {
            if line.len() > indent {
                out.push_str(&line[indent..]);
                text_end = Some(out.len());
            }
            out.push('\n');
        }
        match (self.chomp, text_end) {
            (Chomp::Keep, None) if !out.is_empty() => return None,
            (Chomp::Keep, _) => {}
            (_, None) => out.clear(),
            (Chomp::Strip, Some(end)) => out.truncate(end),
            (Chomp::Clip, Some(end)) => out.truncate(end + 1),
        }
        Some(out)
    }
}

#[derive(Default)]
struct Builder<'t> {
    frames: Vec<Frame>,
    pending: Option<Pending>,
    literal: Option<Literal<'t>>,
    root: Option<Value>,
}

impl<'t> Builder<'t> {
    fn line(&mut self, line: &'t str) -> Option<()> {
        let rest = line.trim_start_matches(' ');
        let indent = line.len() - rest.len();
        if let Some(literal) = self.literal.as_mut() {
            match literal.block.take(indent, rest.is_empty())? {
                BlockLine::Inside => {
                    literal.lines.push(line);
                    return Some(());
                }
                BlockLine::After => self.end_literal()?,
            }
        }
        if rest.is_empty() || rest.starts_with('#') {
            return Some(());
        }
        if indent == 0 && (rest.starts_with("---") || rest.starts_with("...")) {
            return None;
        }
        self.structure(indent, rest)
    }

    fn end_literal(&mut self) -> Option<()> {
        let literal = self.literal.take()?;
        self.attach(Value::String(literal.value()?))
    }

    fn structure(&mut self, indent: usize, rest: &str) -> Option<()> {
        if self.frames.is_empty() {
            if indent != 0 || is_entry(rest) || self.root.is_some() {
                return None;
            }
            self.push(0, Container::Mapping(Map::new(), None))?;
        }
        if let Some(p) = self.pending.take() {
            let nested = indent > p.column || (indent == p.column && p.after_key && is_entry(rest));
            if nested {
                let container = if is_entry(rest) {
                    Container::Sequence(Vec::new())
                } else if matches!(key_of(rest)?, KeyLine::Key { .. }) {
                    Container::Mapping(Map::new(), None)
                } else {
                    return None;
                };
                self.push(indent, container)?;
            } else {
                self.attach(Value::Null)?;
            }
        }
        while self.frames.last().is_some_and(|f| f.indent > indent) {
            self.close()?;
        }
        let n = self.frames.len();
        if n >= 2
            && !is_entry(rest)
            && matches!(self.frames[n - 1].container, Container::Sequence(_))
            && self.frames[n - 1].indent == indent
            && matches!(self.frames[n - 2].container, Container::Mapping(..))
            && self.frames[n - 2].indent == indent
        {
            self.close()?;
        }
        let top = self.frames.last()?;
        if top.indent != indent {
            return None;
        }
        match (&top.container, is_entry(rest)) {
            (Container::Mapping(..), false) => self.key_line(indent, rest),
            (Container::Sequence(_), true) => self.entry_line(indent, rest),
            _ => None,
        }
    }

    fn push(&mut self, indent: usize, container: Container) -> Option<()> {
        if self.frames.len() >= MAX_DEPTH {
            return None;
        }
        self.frames.push(Frame { indent, container });
        Some(())
    }

    /// Ends the innermost collection: it becomes the value of its parent's key or entry.
    fn close(&mut self) -> Option<()> {
        let frame = self.frames.pop()?;
        let value = match frame.container {
            // A key whose value never came is the parser's error to report.
            Container::Mapping(_, Some(_)) => return None,
            Container::Mapping(map, None) => Value::Object(map),
            Container::Sequence(items) => Value::Array(items),
        };
        if self.frames.is_empty() {
            self.root = Some(value);
            Some(())
        } else {
            self.attach(value)
        }
    }

    fn attach(&mut self, value: Value) -> Option<()> {
        match &mut self.frames.last_mut()?.container {
            Container::Mapping(map, key) => {
                let key = key.take()?;
                // serde_yaml rejects a mapping with a repeated key.
                if map.contains_key(&key) {
                    return None;
                }
                map.insert(key, value);
            }
            Container::Sequence(items) => items.push(value),
        }
        Some(())
    }

    fn key_line(&mut self, indent: usize, rest: &str) -> Option<()> {
        let KeyLine::Key { key, quoted, value, .. } = key_of(rest)? else { return None };
        if !quoted && !plain_string(&key) {
            return None;
        }
        let Some(Frame { container: Container::Mapping(_, slot), .. }) = self.frames.last_mut() else { return None };
        *slot = Some(key.into_owned());
        self.value(indent, value, true)
    }

    fn entry_line(&mut self, indent: usize, rest: &str) -> Option<()> {
        let after = rest[1..].trim_start_matches(' ');
        let column = indent + (rest.len() - after.len());
        if after.is_empty() || after.starts_with('#') {
            self.pending = Some(Pending { column: indent, after_key: false });
            return Some(());
        }
        if is_entry(after) {
            self.push(column, Container::Sequence(Vec::new()))?;
            return self.entry_line(column, after);
        }
        match key_of(after)? {
            KeyLine::Key { .. } => {
                self.push(column, Container::Mapping(Map::new(), None))?;
                self.key_line(column, after)
            }
            KeyLine::Scalar => self.value(indent, after, false),
        }
    }

    /// The value after a key or dash at `column`.
    fn value(&mut self, column: usize, value: &str, after_key: bool) -> Option<()> {
        if value.is_empty() || value.starts_with('#') {
            self.pending = Some(Pending { column, after_key });
            return Some(());
        }
        match value.as_bytes()[0] {
            b'|' => {
                let chomp = chomp_of(&value[1..])?;
                self.literal = Some(Literal { block: BlockScalar::new(column), chomp, lines: Vec::new() });
                Some(())
            }
            b'{' | b'[' => {
                let collection = value.get(..2)?;
                if !ends_cleanly(&value[2..]) {
                    return None;
                }
                match collection {
                    "{}" => self.attach(Value::Object(Map::new())),
                    "[]" => self.attach(Value::Array(Vec::new())),
                    _ => None,
                }
            }
            b'\'' | b'"' => {
                let (text, len) = quoted(value)?;
                if !ends_cleanly(&value[len..]) {
                    return None;
                }
                self.attach(Value::String(text.into_owned()))
            }
            _ => {
                let text = scalar_of(value)?;
                self.attach(resolve(&text)?)
            }
        }
    }

    fn finish(mut self) -> Option<Value> {
        if let Some(literal) = &self.literal {
            literal.block.end()?;
            self.end_literal()?;
        }
        if self.pending.take().is_some() {
            self.attach(Value::Null)?;
        }
        while !self.frames.is_empty() {
            self.close()?;
        }
        self.root
    }
}

/// A plain scalar's value as serde_yaml resolves it (YAML 1.2 core schema), for the forms read
/// here: null, booleans, decimal integers without a leading zero, and strings that cannot be
/// read as anything else. `None` for the rest (floats, other integer forms).
fn resolve(text: &str) -> Option<Value> {
    match text {
        "~" | "null" | "Null" | "NULL" => return Some(Value::Null),
        "true" | "True" | "TRUE" => return Some(Value::Bool(true)),
        "false" | "False" | "FALSE" => return Some(Value::Bool(false)),
        _ => {}
    }
    let (negative, digits) = match text.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, text),
    };
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        if digits.len() > 18 || (digits.starts_with('0') && (digits.len() > 1 || negative)) {
            return None;
        }
        let n: i64 = digits.parse().ok()?;
        return Some(Value::from(if negative { -n } else { n }));
    }
    plain_string(text).then(|| Value::String(text.to_string()))
}

/// A plain scalar serde_yaml reads as a string: not a null or boolean word, no integer form
/// (decimal, `0x`, `0o`, `0b`, signed), no finite float (Rust's float syntax, which serde_yaml
/// uses) and not `.inf` or `.nan`.
fn plain_string(text: &str) -> bool {
    if text.is_empty() || !plain_start(text.as_bytes()) {
        return false;
    }
    if matches!(text, "~" | "null" | "Null" | "NULL" | "true" | "True" | "TRUE" | "false" | "False" | "FALSE") {
        return false;
    }
    let unsigned = text.trim_start_matches(['+', '-']);
    match unsigned.as_bytes().first() {
        None => false,
        // Only these can start a number or `.inf`/`.nan` (Rust's float syntax also reads `inf`,
        // `infinity` and `nan`, which serde_yaml then leaves strings as they are not finite).
        Some(b'0'..=b'9' | b'.' | b'i' | b'I' | b'n' | b'N') => {
            !(unsigned.bytes().all(|b| b.is_ascii_digit())
                || ["0x", "0o", "0b"].iter().any(|p| unsigned.starts_with(p))
                || [".inf", ".nan"].contains(&unsigned.to_ascii_lowercase().as_str())
                || text.parse::<f64>().is_ok_and(f64::is_finite))
        }
        Some(_) => true,
    }
}
