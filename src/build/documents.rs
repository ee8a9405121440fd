//! Where each document of a manifest stream lies, so that a DittoServer's document can be read
//! again with the function's YAML 1.2 reading (see [`super::read`]).

use std::ops::Range;

use saphyr_parser::{Event, Parser};

/// The byte range of each document whose root is a mapping, in stream order: from the start of
/// the line its `---` or first token is on (an indented root keeps its indentation) up to the
/// next `---` or `...`, or the end of the stream. Documents with another root (a scalar, a list,
/// nothing) are left out: `build` reads mappings only. `None`: the stream is not valid YAML.
pub fn mapping_documents(text: &str) -> Option<Vec<Range<usize>>> {
    let mut bytes = ByteOffsets::new(text);
    let mut out = Vec::new();
    let mut start = None;
    let mut root_is_mapping = false;
    let mut at_root = false;
    for next in Parser::new_from_str(text) {
        let (event, span) = next.ok()?;
        match event {
            Event::DocumentStart(_) => {
                let at = bytes.of(span.start.index());
                start = Some(text[..at].rfind(['\n', '\r']).map_or(0, |i| i + 1));
                at_root = true;
            }
            Event::DocumentEnd => {
                if let (Some(from), true) = (start.take(), root_is_mapping) {
                    out.push(from..bytes.of(span.start.index()));
                }
                root_is_mapping = false;
            }
            other => {
                if at_root {
                    root_is_mapping = matches!(other, Event::MappingStart(..));
                    at_root = false;
                }
            }
        }
    }
    Some(out)
}

/// saphyr's markers count characters; the ranges are byte offsets. Markers come in stream order,
/// so one pass over the text turns them all.
struct ByteOffsets<'t> {
    chars: std::str::CharIndices<'t>,
    len: usize,
    /// (character index, byte offset) of the last character reached.
    at: (usize, usize),
}

impl<'t> ByteOffsets<'t> {
    fn new(text: &'t str) -> Self {
        let mut chars = text.char_indices();
        let first = chars.next().map_or(text.len(), |(b, _)| b);
        ByteOffsets { chars, len: text.len(), at: (0, first) }
    }

    fn of(&mut self, char_index: usize) -> usize {
        while self.at.0 < char_index {
            self.at = (self.at.0 + 1, self.chars.next().map_or(self.len, |(b, _)| b));
        }
        self.at.1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn documents(text: &str) -> Vec<&str> {
        mapping_documents(text).unwrap().into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn each_mapping_document_with_its_lines() {
        assert_eq!(documents("a: 1\n---\nb: 2\n"), ["a: 1\n", "---\nb: 2\n"]);
        assert_eq!(documents("# c\n  a: 1\n  b: |\n    x\n...\n--- \n- 1\n---\nc: é\n"), ["  a: 1\n  b: |\n    x\n", "---\nc: é\n"]);
        assert_eq!(documents("é: 1\n---\n---\nz: ü"), ["é: 1\n", "---\nz: ü"]);
        assert_eq!(documents("%YAML 1.2\n---\na: {b: 1}\n"), ["---\na: {b: 1}\n"]);
        assert!(documents("").is_empty());
        assert!(mapping_documents("a: [\n").is_none());
    }
}
