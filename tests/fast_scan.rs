//! The line source (`yaml::lines`) gives saphyr-parser's events and spans on every input it
//! reads, and it reads what clients send. The fuzz target checks the same on mutated inputs (through the shared oracle);
//! the property here builds block YAML from the pieces the line source must tell apart.

use crate::support::oracle;

use std::fs;
use std::path::{Path, PathBuf};

use proptest::prelude::*;

fn input_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in ["tests/cases", "tests/fuzz-regressions", "examples"] {
        collect(Path::new(env!("CARGO_MANIFEST_DIR")).join(dir).as_path(), &mut files);
    }
    files.sort();
    files
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("readable directory") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
}

#[test]
fn agrees_with_saphyr_parser_on_every_input_file() {
    for path in input_files() {
        let text = fs::read_to_string(&path).expect("input file");
        oracle::events_agree(&text);
    }
}

/// The shapes kpt writes are the line source's to read: the golden cases that are plain block
/// YAML all take the fast path.
#[test]
fn reads_the_block_style_clients_write() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    for case in ["memory-sample", "s3-sample", "rerun-own-output", "smb-and-metrics"] {
        let text = fs::read_to_string(root.join(case).join("input.yaml")).expect("case input");
        assert!(oracle::events_agree(&text), "the line source declined tests/cases/{case}/input.yaml");
    }
    let output = dittofs_krm::run(&fs::read_to_string(root.join("s3-sample/input.yaml")).expect("case input"))
        .expect("the s3-sample case runs")
        .resource_list;
    assert!(oracle::events_agree(&output), "the line source declined the function's own output");
}

/// Scalars, keys and line tails the line source must read right or decline.
const SCALARS: &[&str] = &[
    "a", "v1", "-1", "--flag=x", "-", "- a", "a: b", "a:b", "a :b", "a:", ":a", "?a", "? a", "a #c", "a#c", "#c",
    "'q'", "'q''q'", "'a: b'", "'", "'a' b", "'a'#c", "\"d\"", "\"e\\n\"", "\"\\x41\\u00e9\"", "\"\\q\"", "\"a",
    "\"a\" #c", "{}", "[]", "{ }", "{} ", "[] #c", "{}#c", "[]  ", "[a]", "{a: b}", "~", "null", "''", "&a x", "*a",
    "!t x", "!!str x", "%a", "@a", "`a", "a]", "a}", "${X}", "a,b", "<<", "<a", "a  b", "a ", "|", "|-", "|+", ">",
    ">-", "|2", "| #c", "|x", "...", "---", "a\"b", "a'b", "=", "\\", "x: |", "x:", "*", "&", "!", ",a", "]a", "a [b]",
];

/// The scalars of plain block YAML, which the line source must read.
const SAFE_SCALARS: &[&str] = &[
    "a", "v1", "-1", "--flag=x", "a:b", "a #c", "a#c", "'q'", "'q''q'", "'a: b'", "\"d\"", "\"e\\n\"",
    "\"\\x41\\u00e9\"", "{}", "[]", "{} ", "[]  #c", "~", "null", "''", "${X}", "a  b", "a ", "a,b", "x/y:z", "5 * * * *",
];

/// Header keys take no block scalar on the fast path: they are left out here.
const SAFE_KEYS: &[&str] = &[
    "metadata", "spec", "data", "a b", "-k", "k#x", "config.kubernetes.io/index", "'a''b'", "\"a\\tb\"",
];

const KEYS: &[&str] = &[
    "apiVersion", "kind", "metadata", "name", "namespace", "annotations", "items", "functionConfig", "spec", "data",
    "'name'", "\"kind\"", "a b", "<<", "-k", "k#x", "config.kubernetes.io/index", "'a''b'", "\"a\\tb\"", "?", "",
];

#[derive(Debug, Clone)]
enum Node {
    Scalar(&'static str),
    Map(Vec<(&'static str, Node)>),
    Seq(Vec<Node>),
    /// A block scalar: its header and content lines (with their extra indentation).
    Block(&'static str, Vec<(usize, &'static str)>),
}

/// The scalars and keys a generated document is made of.
#[derive(Debug, Clone, Copy)]
struct Pool {
    scalars: &'static [&'static str],
    keys: &'static [&'static str],
    block_headers: &'static [&'static str],
    block_lines: &'static [&'static str],
}

const ANY: Pool = Pool {
    scalars: SCALARS,
    keys: KEYS,
    block_headers: &["|", "|-", "|+", ">", ">-", "|2"],
    block_lines: &["x", "", "# c", "  y", "- z", "a: b", "  "],
};

const SAFE: Pool = Pool {
    scalars: SAFE_SCALARS,
    keys: SAFE_KEYS,
    block_headers: &["|", "|-", "|+", ">", ">-"],
    block_lines: &["x", "# c", "  y", "- z", "a: b", "  #!/bin/sh"],
};

fn node(pool: Pool) -> impl Strategy<Value = Node> {
    let leaf = prop_oneof![
        4 => prop::sample::select(pool.scalars).prop_map(Node::Scalar),
        1 => (
            prop::sample::select(pool.block_headers),
            prop::collection::vec((0usize..3, prop::sample::select(pool.block_lines)), 0..4),
        )
            .prop_map(|(h, lines)| Node::Block(h, lines)),
    ];
    leaf.prop_recursive(4, 40, 5, move |inner| {
        prop_oneof![
            // Keys once each: serde_yaml rejects a repeated key (the value builder declines it).
            prop::collection::vec((prop::sample::select(pool.keys), inner.clone()), 0..5).prop_map(|mut entries| {
                let mut seen = std::collections::HashSet::new();
                entries.retain(|(k, _)| seen.insert(*k));
                Node::Map(entries)
            }),
            prop::collection::vec(inner, 0..4).prop_map(Node::Seq),
        ]
    })
}

/// How a document is laid out: indentation steps, compact sequences, comments, blank lines.
#[derive(Debug, Clone)]
struct Layout {
    /// Comments and blank lines at the indentation of the line before them, no odd indentation.
    tidy: bool,
    step: usize,
    compact: bool,
    comment_every: usize,
    blank_every: usize,
    odd_indent_every: usize,
}

fn layout(tidy: bool) -> impl Strategy<Value = Layout> {
    (1usize..5, any::<bool>(), 0usize..7, 0usize..7, 0usize..40).prop_map(
        move |(step, compact, comment_every, blank_every, odd_indent_every)| Layout {
            tidy,
            step,
            compact,
            comment_every,
            blank_every,
            odd_indent_every,
        },
    )
}

struct Writer<'l> {
    out: String,
    layout: &'l Layout,
    lines: usize,
    /// Writing a block scalar: a tidy layout puts no comment in it.
    in_block: bool,
}

impl Writer<'_> {
    fn line(&mut self, indent: usize, text: &str) {
        self.lines += 1;
        let l = self.layout;
        let mut indent = indent;
        if !l.tidy && l.odd_indent_every > 0 && self.lines % l.odd_indent_every == 0 {
            indent += 1;
        }
        self.out.push_str(&" ".repeat(indent));
        self.out.push_str(text);
        self.out.push('\n');
        if l.tidy && self.in_block {
            return;
        }
        if l.comment_every > 0 && self.lines % l.comment_every == 0 {
            self.out.push_str(&" ".repeat(if l.tidy { indent } else { self.lines % 5 }));
            self.out.push_str("# note: x\n");
        }
        if l.blank_every > 0 && self.lines % l.blank_every == 0 {
            self.out.push_str(&" ".repeat(if l.tidy { 0 } else { self.lines % 4 }));
            self.out.push('\n');
        }
    }

    /// `node` as the value after `prefix` (a `key:` or `-`) on a line indented `indent`, the key
    /// (or dash) at column `base`.
    fn value(&mut self, indent: usize, base: usize, prefix: &str, node: &Node, is_key: bool) {
        match node {
            Node::Scalar(s) => self.line(indent, &format!("{prefix} {s}")),
            Node::Block(header, lines) => {
                self.in_block = true;
                self.line(indent, &format!("{prefix} {header}"));
                for (i, (extra, text)) in lines.iter().enumerate() {
                    // A tidy block scalar's first line sets its indentation: no line is less indented.
                    let first = self.layout.tidy && i == 0;
                    let (extra, text) = if first { (0, text.trim_start()) } else { (*extra, *text) };
                    self.line(base + self.layout.step + extra, text);
                }
                self.in_block = false;
            }
            Node::Map(entries) if entries.is_empty() => self.line(indent, &format!("{prefix} {{}}")),
            Node::Seq(entries) if entries.is_empty() => self.line(indent, &format!("{prefix} []")),
            Node::Map(entries) => {
                self.line(indent, prefix);
                self.map(base + self.layout.step, entries);
            }
            Node::Seq(entries) => {
                self.line(indent, prefix);
                let at = if is_key && self.layout.compact { base } else { base + self.layout.step };
                self.seq(at, entries);
            }
        }
    }

    fn map(&mut self, indent: usize, entries: &[(&str, Node)]) {
        for (key, node) in entries {
            self.value(indent, indent, &format!("{key}:"), node, true);
        }
    }

    fn seq(&mut self, indent: usize, entries: &[Node]) {
        for node in entries {
            match node {
                // `- key: value` on the dash's line.
                Node::Map(entries) if !entries.is_empty() => {
                    let (key, first) = &entries[0];
                    let inner = indent + 2;
                    self.value(indent, inner, &format!("- {key}:"), first, true);
                    // Later keys line up with the first.
                    let rest: Vec<(&str, Node)> = entries[1..].iter().map(|(k, n)| (*k, n.clone())).collect();
                    self.map(inner, &rest);
                }
                other => self.value(indent, indent, "-", other, false),
            }
        }
    }
}

/// A ResourceList around generated items, as kpt lays it out.
fn resource_list(items: &[Node], function_config: Option<&Node>, layout: &Layout) -> String {
    let mut w = Writer { out: String::new(), layout, lines: 0, in_block: false };
    w.line(0, "apiVersion: config.kubernetes.io/v1");
    w.line(0, "kind: ResourceList");
    w.line(0, "items:");
    let at = if layout.compact { 0 } else { layout.step };
    w.seq(at, items);
    if let Some(fc) = function_config {
        w.value(0, 0, "functionConfig:", fc, true);
    }
    w.out
}

/// An item with the header fields the outline records, and generated nodes among them.
fn item(pool: Pool) -> impl Strategy<Value = Node> {
    (
        prop::sample::select(&["v1", "'v1'", "\"apps/v1\"", "~", "{}"][..]),
        prop::sample::select(&["Secret", "DittoServer", "''", "\"K\\x41\"", "Kind #c"][..]),
        prop::collection::vec((prop::sample::select(pool.keys), node(pool)), 0..3),
        prop::collection::vec((prop::sample::select(pool.keys), prop::sample::select(pool.scalars)), 0..4),
        node(pool),
    )
        .prop_map(|(api, kind, metadata_extra, annotations, spec)| {
            let mut metadata: Vec<(&'static str, Node)> = vec![("name", Node::Scalar("n1"))];
            metadata.extend(metadata_extra);
            metadata.push(("annotations", Node::Map(annotations.into_iter().map(|(k, v)| (k, Node::Scalar(v))).collect())));
            Node::Map(vec![
                ("apiVersion", Node::Scalar(api)),
                ("kind", Node::Scalar(kind)),
                ("metadata", Node::Map(metadata)),
                ("spec", spec),
            ])
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn agrees_with_saphyr_parser_on_generated_block_yaml(
        items in prop::collection::vec(prop_oneof![3 => item(ANY), 1 => node(ANY)], 0..4),
        function_config in proptest::option::of(node(ANY)),
        layout in layout(false),
    ) {
        let text = resource_list(&items, function_config.as_ref(), &layout);
        oracle::events_agree(&text);
        oracle::halves_agree(&text, 8);
    }

    #[test]
    fn reads_generated_plain_block_yaml(
        items in prop::collection::vec(item(SAFE), 0..4),
        layout in layout(true),
    ) {
        let text = resource_list(&items, None, &layout);
        prop_assert!(oracle::events_agree(&text), "the line source declined\n{}", text);
        oracle::halves_agree(&text, 8);
    }
}
