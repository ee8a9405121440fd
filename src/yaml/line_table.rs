//! Byte offsets of line starts, to turn saphyr-parser's markers (line, column in characters)
//! into byte offsets in text that is not ASCII. Lines end as the parser ends them: at LF, CRLF or
//! a lone CR.

use saphyr_parser::Marker;

pub struct LineTable {
    starts: Vec<usize>,
}

impl LineTable {
    pub fn new(text: &str) -> Self {
        let mut starts = Vec::with_capacity(text.len() / 32 + 1);
        starts.push(0);
        let bytes = text.as_bytes();
        let breaks = memchr::memchr2_iter(b'\n', b'\r', bytes).filter(|&i| !(bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n')));
        starts.extend(breaks.map(|i| i + 1));
        LineTable { starts }
    }

    /// Byte offset of the start of (1-based) `line`; the end of the text for lines past it.
    fn line_start(&self, text: &str, line: usize) -> usize {
        self.starts.get(line.saturating_sub(1)).copied().unwrap_or(text.len())
    }

    /// Byte offset of a marker in `text`, the text the table was built from.
    pub fn offset(&self, text: &str, m: &Marker) -> usize {
        let start = self.line_start(text, m.line());
        let end = self.starts.get(m.line()).copied().unwrap_or(text.len());
        let line = &text[start..end];
        start + line.char_indices().nth(m.col()).map_or(line.len(), |(i, _)| i)
    }
}
