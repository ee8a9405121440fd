//! The line grammar of the block style kpt, kustomize and Argo CD write: one key or one `- `
//! entry a line, single-line scalars, literal and folded block scalars. The line event source ([`super::lines`]) reads
//! with it; each function returns `None` (or false) for text outside the subset, which saphyr-parser then reads.

use std::borrow::Cow;

/// The lines of `text` (each line break ends one) and where each starts. memchr over the whole
/// text rather than a search per line.
pub(super) fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> + '_ {
    let mut start = 0;
    memchr::memchr_iter(b'\n', text.as_bytes()).map(move |end| {
        let line = (start, &text[start..end]);
        start = end + 1;
        line
    })
}

/// Printable ASCII and LF only, and a final line break: every other character and shape is the
/// parser's to judge.
pub(super) fn in_subset(text: &str) -> bool {
    let bytes = text.as_bytes();
    // Chunks without an early exit inside: the check over a chunk compiles to vector code.
    bytes.ends_with(b"\n")
        && bytes.chunks(64).all(|chunk| chunk.iter().fold(true, |ok, &b| ok & (b == b'\n' || (0x20..0x7f).contains(&b))))
}

/// The lines after a block scalar's header (`|`, `>`): which belong to it.
pub(super) struct BlockScalar {
    /// Indentation of the node holding it: content lines are indented more.
    parent: usize,
    /// The content's indentation, set by its first line that is not all spaces.
    pub(super) content: Option<usize>,
    /// Most spaces on an all-space line before the first content line.
    leading_spaces: usize,
}

/// Where a line stands to an open block scalar.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum BlockLine {
    Inside,
    /// The line ends the scalar and is read as structure.
    After,
}

impl BlockScalar {
    pub(super) fn new(parent: usize) -> Self {
        BlockScalar { parent, content: None, leading_spaces: 0 }
    }

    /// A line indented `indent` (`blank`: nothing else on it); `None` when the leading all-space
    /// lines have more spaces than the content (an error, or an indentation the parser
    /// works out).
    pub(super) fn take(&mut self, indent: usize, blank: bool) -> Option<BlockLine> {
        if blank {
            if self.content.is_none() {
                self.leading_spaces = self.leading_spaces.max(indent);
            }
            return Some(BlockLine::Inside);
        }
        match self.content {
            Some(content) if indent >= content => Some(BlockLine::Inside),
            None if indent > self.parent => {
                if self.leading_spaces > indent {
                    return None;
                }
                self.content = Some(indent);
                Some(BlockLine::Inside)
            }
            None if self.leading_spaces > self.parent => None,
            _ => Some(BlockLine::After),
        }
    }

    /// At the end of the input: the same check for a scalar without content.
    pub(super) fn end(&self) -> Option<()> {
        (self.content.is_some() || self.leading_spaces <= self.parent).then_some(())
    }
}

/// A block scalar's chomping indicator: what becomes of its final line breaks.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Chomp {
    Clip,
    Strip,
    Keep,
}

/// The chomping of a block scalar header (`|`, `>`) from what follows its indicator; `None`
/// for explicit indentation indicators, which are left to the parser.
pub(super) fn chomp_of(after_indicator: &str) -> Option<Chomp> {
    match after_indicator.split(" #").next().unwrap_or("").trim_end_matches(' ') {
        "" => Some(Chomp::Clip),
        "-" => Some(Chomp::Strip),
        "+" => Some(Chomp::Keep),
        _ => None,
    }
}

pub(super) fn is_entry(rest: &str) -> bool {
    rest == "-" || rest.starts_with("- ")
}

/// Nothing but spaces and perhaps a comment after a value.
pub(super) fn ends_cleanly(after: &str) -> bool {
    after.is_empty() || (after.starts_with(' ') && matches!(after.trim_start_matches(' ').as_bytes().first(), None | Some(b'#')))
}

pub(super) enum KeyLine<'a> {
    /// `key:` and the text after the colon's spaces; `quoted` when the key is a quoted scalar.
    /// `len` is the key's length in the line (quotes included), `colon` where its colon is.
    Key { key: Cow<'a, str>, quoted: bool, value: &'a str, len: usize, colon: usize },
    /// A lone scalar (a sequence entry's value).
    Scalar,
}

/// Splits `key: value`; `None` for a line outside the subset.
pub(super) fn key_of(rest: &str) -> Option<KeyLine<'_>> {
    let b = rest.as_bytes();
    let is_quoted = matches!(b[0], b'\'' | b'"');
    let (key, len, colon) = match b[0] {
        b'\'' | b'"' => {
            let (key, len) = quoted(rest)?;
            let after = rest[len..].trim_start_matches(' ');
            // The parser takes no implicit key longer than 1024 characters.
            if len > 1000 && after.starts_with(':') {
                return None;
            }
            if !after.starts_with(':') {
                return if ends_cleanly(&rest[len..]) { Some(KeyLine::Scalar) } else { None };
            }
            (key, len, rest.len() - after.len())
        }
        _ => {
            let Some(colon) = key_colon(b) else { return Some(KeyLine::Scalar) };
            let key = rest[..colon].trim_end_matches(' ');
            if key.is_empty() || key.len() > 1000 || !plain_start(key.as_bytes()) {
                return None;
            }
            (Cow::Borrowed(key), key.len(), colon)
        }
    };
    let after = &rest[colon + 1..];
    // Merge keys are the parser's to read (the line source declines them, quoted or plain).
    if !(after.is_empty() || after.starts_with(' ')) || key == "<<" {
        return None;
    }
    Some(KeyLine::Key { key, quoted: is_quoted, value: after.trim_start_matches(' '), len, colon })
}

/// The colon that ends a plain key: the first `:` before a space or the end of the line, unless
/// a comment (` #`) starts before it.
fn key_colon(b: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = colon_or_hash(b, from) {
        if b[i] == b':' {
            if matches!(b.get(i + 1), None | Some(b' ')) {
                return Some(i);
            }
        } else if i > 0 && b[i - 1] == b' ' {
            return None;
        }
        from = i + 1;
    }
    None
}

/// The first `:` or `#` in `b` from byte `from`, eight bytes at a time, then byte by byte. This
/// runs over every key and plain value of the input, which are short: a memchr search costs
/// more to set up than it saves.
fn colon_or_hash(b: &[u8], mut from: usize) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    // The bytes of `w` equal to `c` have their high bit set in the result, and the first of
    // them is exact (a borrow can only mark bytes after a match).
    let matches = |w: u64, c: u8| {
        let x = w ^ (ONES * u64::from(c));
        x.wrapping_sub(ONES) & !x & (ONES << 7)
    };
    while let Some(word) = b.get(from..).and_then(<[u8]>::first_chunk::<8>) {
        let w = u64::from_le_bytes(*word);
        let found = matches(w, b':') | matches(w, b'#');
        if found != 0 {
            return Some(from + found.trailing_zeros() as usize / 8);
        }
        from += 8;
    }
    b.get(from..)?.iter().position(|&c| c == b':' || c == b'#').map(|i| from + i)
}

/// A plain scalar may start here: not an indicator, and `-` only before something that is not
/// a space (`-1`, `--flag`).
pub(super) fn plain_start(b: &[u8]) -> bool {
    match b[0] {
        b'-' => !matches!(b.get(1), None | Some(b' ')),
        c => c.is_ascii_alphanumeric() || b"._/$~+=^;()<\\".contains(&c),
    }
}

/// The value of a single-line scalar that runs to the end of the line (comment aside).
pub(super) fn scalar_of(value: &str) -> Option<Cow<'_, str>> {
    match value.as_bytes()[0] {
        b'\'' | b'"' => {
            let (decoded, len) = quoted(value)?;
            ends_cleanly(&value[len..]).then_some(decoded)
        }
        _ => {
            let b = value.as_bytes();
            if !plain_start(b) {
                return None;
            }
            // One search for both: the text ends where a comment (` #`) starts, and holds no
            // `: ` before it (`a: b: c` is not a plain scalar).
            let mut end = b.len();
            let mut from = 0;
            while let Some(i) = colon_or_hash(b, from) {
                if b[i] == b':' && b.get(i + 1) == Some(&b' ') {
                    return None;
                }
                if b[i] == b'#' && i > 0 && b[i - 1] == b' ' {
                    end = i - 1;
                    break;
                }
                from = i + 1;
            }
            let text = value[..end].trim_end_matches(' ');
            // `a: b:` is not one either.
            if text.ends_with(':') {
                return None;
            }
            Some(Cow::Borrowed(text))
        }
    }
}

/// A quoted scalar closed on its line: its value and its length in `s`.
pub(super) fn quoted(s: &str) -> Option<(Cow<'_, str>, usize)> {
    let b = s.as_bytes();
    if b[0] == b'\'' {
        let mut i = 1;
        let mut escaped = false;
        loop {
            i += memchr::memchr(b'\'', b.get(i..)?)?;
            if b.get(i + 1) != Some(&b'\'') {
                break;
            }
            escaped = true;
            i += 2;
        }
        let inner = &s[1..i];
        let value = if escaped { Cow::Owned(inner.replace("''", "'")) } else { Cow::Borrowed(inner) };
        return Some((value, i + 1));
    }
    let mut i = 1;
    let mut out: Option<String> = None;
    let mut run = 1;
    loop {
        // The closing quote, or a backslash's escape.
        i += memchr::memchr2(b'"', b'\\', b.get(i..)?)?;
        if b[i] == b'"' {
            break;
        }
        let o = out.get_or_insert_with(String::new);
        o.push_str(&s[run..i]);
        let (c, len) = escape(&s[i + 1..])?;
        o.push(c);
        i += 1 + len;
        run = i;
    }
    let value = match out {
        Some(mut o) => {
            o.push_str(&s[run..i]);
            Cow::Owned(o)
        }
        None => Cow::Borrowed(&s[1..i]),
    };
    Some((value, i + 1))
}

/// A double-quoted scalar's escape after the backslash: the character and the escape's length.
fn escape(s: &str) -> Option<(char, usize)> {
    let c = match *s.as_bytes().first()? {
        b'0' => '\0',
        b'a' => '\x07',
        b'b' => '\x08',
        b't' => '\t',
        b'n' => '\n',
        b'v' => '\x0b',
        b'f' => '\x0c',
        b'r' => '\r',
        b'e' => '\x1b',
        b' ' => ' ',
        b'"' => '"',
        b'/' => '/',
        b'\\' => '\\',
        b'N' => '\u{85}',
        b'_' => '\u{a0}',
        b'L' => '\u{2028}',
        b'P' => '\u{2029}',
        b'x' => return hex(s, 2),
        b'u' => return hex(s, 4),
        b'U' => return hex(s, 8),
        _ => return None,
    };
    Some((c, 1))
}

fn hex(s: &str, digits: usize) -> Option<(char, usize)> {
    let h = s.get(1..1 + digits)?;
    if !h.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let c = char::from_u32(u32::from_str_radix(h, 16).ok()?)?;
    Some((c, 1 + digits))
}
