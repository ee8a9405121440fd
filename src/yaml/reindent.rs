//! Cuts a block node out of the input and writes it at another indentation: how untouched items
//! go from the input to the output as text, and what is read of an item alone.

use super::scan::BlockSpan;

/// The block node's text as a document of its own (at indentation 0).
pub fn cut(text: &str, span: &BlockSpan) -> String {
    let mut out = String::with_capacity(span.end - span.start + 1);
    reindent(text, span, 0, &mut out);
    out
}

/// The node's text re-indented so that its first line starts at `indent` columns; the first
/// line itself carries no indentation (the caller writes what precedes it).
pub fn reindent(text: &str, span: &BlockSpan, indent: usize, out: &mut String) {
    let body = &text[span.start..span.end];
    let first_end = memchr::memchr(b'\n', body.as_bytes()).map_or(body.len(), |i| i + 1);
    out.push_str(&body[..first_end]);
    if indent == span.indent {
        // Same indentation (kpt's `- ` items written back as `- ` items): most items come out
        // as they are, checked at once; otherwise copy runs of such lines and rewrite the others.
        let rest = &body[first_end..];
        if all_unchanged_by_reindent(rest.as_bytes(), indent) {
            out.push_str(rest);
        } else {
            let mut run_start = first_end;
            for (at, end) in line_ranges(body, first_end) {
                let line = &body[at..end];
                if !unchanged_by_reindent(line.as_bytes(), indent) {
                    out.push_str(&body[run_start..at]);
                    reindent_line(line, span.indent, indent, out);
                    run_start = end;
                }
            }
            out.push_str(&body[run_start..]);
        }
    } else if all_unchanged_by_reindent(body[first_end..].as_bytes(), span.indent) {
        // Every line keeps what follows the node's indentation (what `reindent_line` does to
        // such a line).
        for (at, end) in line_ranges(body, first_end) {
            push_spaces(out, indent);
            out.push_str(&body[at + span.indent..end]);
        }
    } else {
        for (at, end) in line_ranges(body, first_end) {
            reindent_line(&body[at..end], span.indent, indent, out);
        }
    }
    if !out.ends_with('\n') {
        out.push('\n');
    }
}

/// The lines of `body` from byte `from` (a line start), each with its line break: one memchr
/// iterator over the body rather than a search set up per line.
fn line_ranges(body: &str, from: usize) -> impl Iterator<Item = (usize, usize)> + '_ {
    let breaks = memchr::memchr_iter(b'\n', &body.as_bytes()[from..]).map(move |i| from + i + 1);
    let mut at = from;
    breaks.chain((body.len() > from).then_some(body.len())).filter_map(move |end| {
        let line = (at < end).then_some((at, end));
        at = end;
        line
    })
}

/// Every line of `lines` (whole lines, the first at its start) passes [`unchanged_by_reindent`].
fn all_unchanged_by_reindent(lines: &[u8], indent: usize) -> bool {
    let Some(&last_byte) = lines.last() else { return true };
    // The columns check the lines after a line break as far as the text goes: the first line,
    // and a last one without a line break, are checked whole.
    let first = &lines[..memchr::memchr(b'\n', lines).map_or(lines.len(), |i| i + 1)];
    let last = &lines[memchr::memrchr(b'\n', &lines[..lines.len() - 1]).map_or(0, |i| i + 1)..];
    unchanged_by_reindent(first, indent)
        && (last_byte == b'\n' || unchanged_by_reindent(last, indent))
        && lines_start_with(lines, indent, |b| b == b' ')
        && after_every_break(lines, indent + 1, |b| !matches!(b, b'\n' | b'\r'))
}

/// The deepest indentation the column checks take on; deeper nodes are read line by line.
const MAX_COLUMN_CHECKS: usize = 16;

/// After every line break of `node`, the first `indent` bytes of the line that follows (as many
/// as the node holds) pass `ok`. One pass per column over the whole node, in vector code; a
/// line-break search per line costs more on the short lines of YAML. `false` also when the
/// indentation is deeper than this checks.
pub(super) fn lines_start_with(node: &[u8], indent: usize, ok: impl Fn(u8) -> bool + Copy) -> bool {
    indent <= MAX_COLUMN_CHECKS && (1..=indent).all(|column| after_every_break(node, column, ok))
}

/// Every byte `distance` bytes after a line break of `node` passes `ok`.
fn after_every_break(node: &[u8], distance: usize, ok: impl Fn(u8) -> bool) -> bool {
    let Some(breaks) = node.len().checked_sub(distance) else { return true };
    // No early exit: the check over the whole node compiles to vector code.
    node[..breaks].iter().zip(&node[distance..]).fold(true, |all, (&b, &a)| all & ((b != b'\n') | ok(a)))
}

/// True when [`reindent_line`] from `indent` to the same `indent` gives `line` back: at least
/// `indent` spaces, then something other than a line break (a line holding exactly `indent`
/// spaces loses them).
fn unchanged_by_reindent(b: &[u8], indent: usize) -> bool {
    b.len() > indent && b[..indent].iter().all(|&c| c == b' ') && !matches!(b[indent], b'\n' | b'\r')
}

/// One line after the first, from the node's indentation `from` to `to`.
fn reindent_line(line: &str, from: usize, to: usize, out: &mut String) {
    let content = line.trim_start_matches(' ');
    let leading = line.len() - content.len();
    if content.trim_end_matches(['\n', '\r']).is_empty() {
        // Blank line: keep the spaces beyond the node's indentation (block scalars count them).
        if leading > from {
            push_spaces(out, to);
            out.push_str(&line[from..]);
        } else {
            out.push_str(content);
        }
        return;
    }
    if leading >= from {
        push_spaces(out, to);
        out.push_str(&line[from..]);
    } else {
        // Only comment lines get here (block_extent checked the rest). A comment may stand at
        // any column and means nothing there, so it keeps the one it was written at: the
        // user's `#` at column 0 stays at column 0.
        out.push_str(line);
    }
}

fn push_spaces(out: &mut String, n: usize) {
    for _ in 0..n {
        out.push(' ');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The line-by-line rewrite, as reindent did it for every line before it copied runs.
    fn reindent_slowly(text: &str, span: &BlockSpan, indent: usize) -> String {
        let mut out = String::new();
        let body = &text[span.start..span.end];
        let mut lines = body.split_inclusive('\n');
        out.push_str(lines.next().unwrap_or(""));
        for line in lines {
            reindent_line(line, span.indent, indent, &mut out);
        }
        if !out.ends_with('\n') {
            out.push('\n');
        }
        out
    }

    #[test]
    fn copying_runs_gives_the_line_by_line_text() {
        let texts = [
            "- a: 1\n  b: |\n    x\n\n     \n  \n \n    y\n  # c\n # d\n#e\n  c:\r\n  \r\n  d: 2",
            // Every line unchanged at the same indentation, with and without a final line
            // break, and with a last line the columns see only in part.
            "- a: 1\n  b:\n    c: 2\n  d: |\n    x\n",
            "- a: 1\n  b:\n    c: 2\n  d: 3",
            "- a: 1\n  b: 2\n  ",
            "- a: 1\n  b: 2\n ",
            "- a: 1\n  b: 2\n  \r",
            "- a: 1\n  b: 2\n  \n  c: 3\n",
            "- a: 1\n\n  b: 2\n",
            "- a: 1\n",
            "- a: 1",
        ];
        for text in texts {
            for indent in [0, 1, 2, 3] {
                let span = BlockSpan { start: 2, end: text.len(), indent: 2 };
                let mut fast = String::new();
                reindent(text, &span, indent, &mut fast);
                assert_eq!(fast, reindent_slowly(text, &span, indent), "{text:?} to {indent}");
            }
        }
    }

    #[test]
    fn a_comment_less_indented_than_its_node_keeps_its_column() {
        let text = "- a: 1\n#c\n # d\n  # e\n  b: 2\n";
        let span = BlockSpan { start: 2, end: text.len(), indent: 2 };
        for (indent, lines) in [(2, "  # e\n  b: 2\n"), (4, "    # e\n    b: 2\n"), (0, "# e\nb: 2\n")] {
            let mut out = String::new();
            reindent(text, &span, indent, &mut out);
            assert_eq!(out, format!("a: 1\n#c\n # d\n{lines}"), "to {indent}");
        }
    }

    #[test]
    fn the_column_checks_look_after_every_line_break() {
        let node = b"a: 1\n  b: 2\n    c: 3\n  d\n";
        assert!(lines_start_with(node, 2, |b| b == b' '));
        assert!(!lines_start_with(node, 3, |b| b == b' '));
        assert!(!lines_start_with(b"a: 1\n b: 2\n", 2, |b| b == b' '));
        // A last line shorter than the indentation is seen as far as it goes.
        assert!(lines_start_with(b"a: 1\n ", 2, |b| b == b' '));
        assert!(!lines_start_with(b"a: 1\nb", 2, |b| b == b' '));
        // Deeper than the checks go: the caller reads line by line.
        let deep = format!("a:\n{}b: 1\n", " ".repeat(MAX_COLUMN_CHECKS + 1));
        assert!(!lines_start_with(deep.as_bytes(), MAX_COLUMN_CHECKS + 1, |b| b == b' '));
        let long = format!("a: 1\n{}", "  b: 2\n".repeat(40));
        assert!(lines_start_with(long.as_bytes(), 2, |b| b == b' '));
        assert!(!lines_start_with(format!("{long}c: 3\n").as_bytes(), 2, |b| b == b' '));
    }
}
