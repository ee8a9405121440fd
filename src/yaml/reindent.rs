//! Cuts a node out of the input: a block node written at another indentation (how untouched
//! items go from the input to the output as text), and a node read alone, its errors placed in
//! the input.

use super::scan::BlockSpan;
use super::YamlError;

/// The block node's text as a document of its own (at indentation 0).
pub fn cut(text: &str, span: &BlockSpan) -> String {
    let mut out = String::with_capacity(span.end - span.start + 1);
    reindent(text, span, 0, &mut out);
    out
}

/// Reads the block node with `read`, which takes its [`cut`] text; an error's position is given
/// in the input.
pub fn read_cut<T>(text: &str, span: &BlockSpan, read: impl FnOnce(&str) -> Result<T, YamlError>) -> Result<T, YamlError> {
    // Every line of the cut text lost the node's indentation.
    read(&cut(text, span)).map_err(|e| placed(e, &text[..span.start], |_| span.indent))
}

/// Reads the flow node at `start..end` alone, as its text stands (the first line starts inside
/// a line of the input); an error's position is given in the input.
pub fn read_flow<T>(text: &str, start: usize, end: usize, read: impl FnOnce(&str) -> Result<T, YamlError>) -> Result<T, YamlError> {
    let before = &text[..start];
    let first_column = before.len() - before.rfind('\n').map_or(0, |i| i + 1);
    read(&text[start..end]).map_err(|e| placed(e, before, |line| if line == 1 { first_column } else { 0 }))
}

/// A syntax error of a node read alone, moved to its place in the input: `before` is the input
/// before the node, `shift` the columns a line of the node lost.
fn placed(e: YamlError, before: &str, shift: impl Fn(usize) -> usize) -> YamlError {
    match e {
        YamlError::Syntax { message, line, column } => {
            YamlError::Syntax { message, line: line + before.matches('\n').count(), column: column + shift(line) }
        }
        other => other,
    }
}

/// The node's text re-indented so that its first line starts at `indent` columns; the first
/// line itself carries no indentation (the caller writes what precedes it).
pub fn reindent(text: &str, span: &BlockSpan, indent: usize, out: &mut String) {
    let body = &text[span.start..span.end];
    let mut lines = body.split_inclusive('\n');
    let first = lines.next().unwrap_or("");
    out.push_str(first);
    if indent == span.indent {
        // Same indentation (kpt's `- ` items written back as `- ` items): most lines come out as
        // they are, so copy runs of such lines at once and rewrite only the others.
        let mut run_start = first.len();
        let mut at = run_start;
        let mut breaks = memchr::memchr_iter(b'\n', &body.as_bytes()[at..]).map(|i| first.len() + i + 1);
        while at < body.len() {
            let end = breaks.next().unwrap_or(body.len());
            let line = &body[at..end];
            if !unchanged_by_reindent(line, indent) {
                out.push_str(&body[run_start..at]);
                reindent_line(line, span.indent, indent, out);
                run_start = end;
            }
            at = end;
        }
        out.push_str(&body[run_start..]);
    } else {
        for line in lines {
            reindent_line(line, span.indent, indent, out);
        }
    }
    if !out.ends_with('\n') {
        out.push('\n');
    }
}

/// True when [`reindent_line`] from `indent` to the same `indent` gives `line` back: at least
/// `indent` spaces, then something other than a line break (a line holding exactly `indent`
/// spaces loses them).
fn unchanged_by_reindent(line: &str, indent: usize) -> bool {
    let b = line.as_bytes();
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
        // Only comment lines get here (block_extent checked the rest).
        push_spaces(out, to);
        out.push_str(content);
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
        let text = "- a: 1\n  b: |\n    x\n\n     \n  \n \n    y\n  # c\n # d\n#e\n  c:\r\n  \r\n  d: 2";
        for indent in [0, 1, 2, 3] {
            let span = BlockSpan { start: 2, end: text.len(), indent: 2 };
            let mut fast = String::new();
            reindent(text, &span, indent, &mut fast);
            assert_eq!(fast, reindent_slowly(text, &span, indent), "to {indent}");
        }
    }
}
