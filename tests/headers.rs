//! One header rule: an object's header (apiVersion, kind, metadata.name, metadata.namespace, the
//! annotations) is each scalar's text as written, a null being no field and an empty annotation,
//! whichever way it is read. On generated items, with number-like and null-like scalars, quoted
//! and plain, supplied directly, through aliases (within the item or from another item) and
//! through merge keys, in block and flow style, these all give the header the item says:
//! - the ResourceList reader (the outline's events; a value read as written where aliases or
//!   merge keys may supply a field),
//! - the same item with every alias and merge written out, read from events alone,
//! - the item's value read as written, the header taken from the value,
//! - `build`'s reading of the item as a document of a manifest stream.

use proptest::prelude::*;

use dittofs_krm::parse;
use dittofs_krm::yaml::{self, Header, Schema};

/// Number-like, boolean-like and null-like texts among plain words. None holds a flow indicator
/// or `: `, so that each can be written plain in block and flow style, and each has a value under
/// YAML 1.2 (`.inf` has none: the function rejects it in any item it reads).
const TEXTS: &[&str] = &[
    "0x1F", "010", "1e3", "true", "~", "null", "Null", "NULL", "", "yes", "on", "0o17", "1_000", "+1", "-1", "3.14",
    "2024-01-01", "v1", "apps/v1", "nas", "web-1", "a b", "x#y",
];

/// Annotation keys, number-like ones among them.
const KEYS: &[&str] = &["a", "config.kubernetes.io/path", "config.kubernetes.io/index", "0x1F", "true", "010", "1e3", "x y", "null"];

#[derive(Clone, Copy, Debug)]
enum Style {
    Plain,
    Single,
    Double,
}

/// A scalar of the header: its text, how it is written, and whether the item gets it through an
/// alias.
#[derive(Clone, Debug)]
struct Scalar {
    text: &'static str,
    style: Style,
    alias: bool,
}

impl Scalar {
    fn written(&self) -> String {
        match self.style {
            Style::Plain => self.text.to_string(),
            Style::Single => format!("'{}'", self.text.replace('\'', "''")),
            Style::Double => serde_json::to_string(self.text).expect("a string"),
        }
    }

    /// What the header holds: the text, or nothing for a plain null.
    fn expected(&self) -> Option<String> {
        let null = matches!(self.style, Style::Plain) && yaml::header::is_null(self.text);
        (!null).then(|| self.text.to_string())
    }
}

fn scalar() -> impl Strategy<Value = Scalar> {
    (prop::sample::select(TEXTS), prop_oneof![Just(Style::Plain), Just(Style::Single), Just(Style::Double)], any::<bool>())
        .prop_map(|(text, style, alias)| Scalar { text, style, alias })
}

#[derive(Clone, Debug)]
struct Spec {
    api_version: Option<Scalar>,
    kind: Option<Scalar>,
    name: Option<Scalar>,
    namespace: Option<Scalar>,
    /// Keys (quoted or not) and values; the first `merged` come through a merge key.
    annotations: Vec<(&'static str, bool, Scalar)>,
    merged: usize,
    /// name and namespace come through a merge key.
    metadata_merged: bool,
    /// The anchors stand in an item of their own before this one.
    cross: bool,
    flow: bool,
}

fn spec() -> impl Strategy<Value = Spec> {
    let annotations = prop::sample::subsequence(KEYS, 0..=4).prop_flat_map(|keys| {
        let n = keys.len();
        (Just(keys), prop::collection::vec((any::<bool>(), scalar()), n), 0..=n)
    });
    let fields = (prop::option::of(scalar()), prop::option::of(scalar()), prop::option::of(scalar()), prop::option::of(scalar()));
    (fields, annotations, any::<bool>(), any::<bool>(), any::<bool>()).prop_map(
        |((api_version, kind, name, namespace), (keys, values, merged), metadata_merged, cross, flow)| Spec {
            api_version,
            kind,
            name,
            namespace,
            annotations: keys.into_iter().zip(values).map(|(k, (quoted, v))| (k, quoted, v)).collect(),
            merged,
            metadata_merged,
            cross,
            flow,
        },
    )
}

/// A node as written: a scalar (with its anchor), an alias, or a mapping (with its anchor).
enum Node {
    Scalar(String, Option<String>),
    Alias(String),
    Map(Vec<(String, Node)>, Option<String>),
}

type Entries = Vec<(String, Node)>;

fn key(text: &str, quoted: bool) -> String {
    if quoted || yaml::header::is_null(text) {
        serde_json::to_string(text).expect("a string")
    } else {
        text.to_string()
    }
}

impl Spec {
    /// The header the item says it has.
    fn expected(&self) -> Header {
        let text = |s: &Option<Scalar>| s.as_ref().and_then(Scalar::expected).map(String::into_boxed_str);
        let (merged, own) = self.annotations.split_at(self.merged);
        Header {
            api_version: text(&self.api_version),
            kind: text(&self.kind),
            name: text(&self.name),
            namespace: text(&self.namespace),
            // A merge adds its keys after the mapping's own.
            annotations: own.iter().chain(merged).map(|(k, _, v)| (k.to_string(), v.expected().unwrap_or_default())).collect(),
        }
    }

    /// The item's entries and the anchored definitions they use (`written_out`: none, every
    /// alias and merge written out in place). Anchors are named after the item, `i`.
    fn entries(&self, i: usize, written_out: bool) -> (Entries, Entries) {
        let mut scalars = Vec::new();
        let mut defs = Vec::new();
        let mut value = |s: &Scalar| {
            if s.alias && !written_out {
                let anchor = format!("i{i}s{}", scalars.len());
                scalars.push((anchor.clone(), Node::Scalar(s.written(), Some(anchor.clone()))));
                Node::Alias(anchor)
            } else {
                Node::Scalar(s.written(), None)
            }
        };
        let mut item = Vec::new();
        for (k, s) in [("apiVersion", &self.api_version), ("kind", &self.kind)] {
            if let Some(s) = s {
                item.push((k.to_string(), value(s)));
            }
        }
        let mut metadata = Vec::new();
        let mut names = Vec::new();
        for (k, s) in [("name", &self.name), ("namespace", &self.namespace)] {
            if let Some(s) = s {
                names.push((k.to_string(), if self.metadata_merged { Node::Scalar(s.written(), None) } else { value(s) }));
            }
        }
        if self.metadata_merged && !written_out {
            defs.push(("x-metadata".to_string(), Node::Map(names, Some(format!("i{i}m")))));
            metadata.push(("<<".to_string(), Node::Alias(format!("i{i}m"))));
        } else {
            metadata.extend(names);
        }
        let (merged, own) = self.annotations.split_at(self.merged);
        let inline = |list: &[(&str, bool, Scalar)]| -> Entries {
            list.iter().map(|(k, q, v)| (key(k, *q), Node::Scalar(v.written(), None))).collect()
        };
        let mut annotations = Vec::new();
        if written_out {
            annotations.extend(inline(own));
            annotations.extend(inline(merged));
        } else {
            if !merged.is_empty() {
                defs.push(("x-annotations".to_string(), Node::Map(inline(merged), Some(format!("i{i}a")))));
                annotations.push(("<<".to_string(), Node::Alias(format!("i{i}a"))));
            }
            annotations.extend(own.iter().map(|(k, q, v)| (key(k, *q), value(v))));
        }
        if !annotations.is_empty() {
            metadata.push(("annotations".to_string(), Node::Map(annotations, None)));
        }
        if !metadata.is_empty() {
            item.push(("metadata".to_string(), Node::Map(metadata, None)));
        }
        if !scalars.is_empty() {
            defs.insert(0, ("x-scalars".to_string(), Node::Map(scalars, None)));
        }
        (defs, item)
    }
}

fn block(entries: &Entries, indent: usize, out: &mut String) {
    for (k, v) in entries {
        out.push_str(&format!("{:indent$}{k}:", ""));
        match v {
            Node::Scalar(w, anchor) => {
                for part in [anchor.as_ref().map(|a| format!("&{a}")), Some(w.clone())].into_iter().flatten() {
                    if !part.is_empty() {
                        out.push(' ');
                        out.push_str(&part);
                    }
                }
                out.push('\n');
            }
            Node::Alias(a) => out.push_str(&format!(" *{a}\n")),
            Node::Map(es, anchor) => {
                if let Some(a) = anchor {
                    out.push_str(&format!(" &{a}"));
                }
                if es.is_empty() {
                    out.push_str(" {}\n");
                } else {
                    out.push('\n');
                    block(es, indent + 2, out);
                }
            }
        }
    }
}

fn flow(entries: &Entries) -> String {
    let node = |v: &Node| match v {
        // An empty plain scalar is written `~` in flow style: the same null.
        Node::Scalar(w, anchor) => format!("{}{}", anchor.as_ref().map(|a| format!("&{a} ")).unwrap_or_default(), if w.is_empty() { "~" } else { w }),
        Node::Alias(a) => format!("*{a}"),
        Node::Map(es, anchor) => format!("{}{}", anchor.as_ref().map(|a| format!("&{a} ")).unwrap_or_default(), flow(es)),
    };
    format!("{{{}}}", entries.iter().map(|(k, v)| format!("{k}: {}", node(v))).collect::<Vec<_>>().join(", "))
}

/// A mapping as a document of its own.
fn document(entries: &Entries, in_flow: bool) -> String {
    if in_flow || entries.is_empty() {
        format!("{}\n", flow(entries))
    } else {
        let mut out = String::new();
        block(entries, 0, &mut out);
        out
    }
}

/// A document as an item of `items`.
fn list_item(document: &str) -> String {
    let mut out = String::from("- ");
    for (n, line) in document.lines().enumerate() {
        if n > 0 {
            out.push_str("  ");
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

const HEADER: &str = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n";

/// The item holding item `i`'s anchors when they stand apart, and its header.
fn definitions(i: usize, defs: Entries) -> (Entries, Header) {
    let mut entries: Entries = vec![
        ("apiVersion".into(), Node::Scalar("v1".into(), None)),
        ("kind".into(), Node::Scalar("ConfigMap".into(), None)),
        ("metadata".into(), Node::Map(vec![("name".into(), Node::Scalar(format!("defs-{i}"), None))], None)),
    ];
    entries.extend(defs);
    let header = Header { api_version: Some("v1".into()), kind: Some("ConfigMap".into()), name: Some(format!("defs-{i}").into()), ..Header::default() };
    (entries, header)
}

fn headers_of(list: &str) -> Result<Vec<Header>, TestCaseError> {
    let read = parse::read(list).map_err(|e| TestCaseError::fail(format!("{e}\n{list}")))?;
    Ok(read.items.into_iter().map(|item| item.header).collect())
}

fn check(specs: &[Spec]) -> Result<(), TestCaseError> {
    let mut list = String::from(HEADER);
    let mut written_out = String::from(HEADER);
    let mut stream = Vec::new();
    let mut expected = Vec::new();
    for (i, spec) in specs.iter().enumerate() {
        let (defs, item) = spec.entries(i, false);
        if spec.cross && !defs.is_empty() {
            let (entries, header) = definitions(i, defs);
            list.push_str(&list_item(&document(&entries, false)));
            expected.push(header);
            list.push_str(&list_item(&document(&item, spec.flow)));
        } else {
            let mut entries = defs;
            entries.extend(item);
            let doc = document(&entries, spec.flow);
            list.push_str(&list_item(&doc));
            // Its value read as written gives the same header.
            let value = yaml::parse_as_written(&doc, Schema::Yaml12).map_err(|e| TestCaseError::fail(format!("{e}\n{doc}")))?;
            prop_assert_eq!(Header::of_value(&value), spec.expected(), "from the value of\n{}", doc);
            stream.push((doc, spec.expected()));
        }
        expected.push(spec.expected());
        written_out.push_str(&list_item(&document(&spec.entries(i, true).1, spec.flow)));
    }
    prop_assert_eq!(headers_of(&list)?, expected.clone(), "read from\n{}", list);
    let plain: Vec<Header> = specs.iter().map(Spec::expected).collect();
    prop_assert_eq!(headers_of(&written_out)?, plain, "read from\n{}", written_out);

    // `build`'s reading: each item a document of a stream.
    let text = stream.iter().map(|(doc, _)| doc.as_str()).collect::<Vec<_>>().join("---\n");
    let documents = yaml::documents(&text, |_| Schema::Yaml11).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
    let read: Vec<&Header> = documents.iter().map(|d| &d.header).collect();
    let wanted: Vec<&Header> = stream.iter().map(|(_, h)| h).collect();
    prop_assert_eq!(read, wanted, "documents of\n{}", text);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn every_reading_of_a_header_agrees(specs in prop::collection::vec(spec(), 1..5)) {
        check(&specs)?;
    }
}

/// The two readings that once disagreed, each on its own.
#[test]
fn an_aliased_item_reads_its_header_as_a_plain_one_does() {
    let list = format!(
        "{HEADER}- apiVersion: v1\n  kind: ConfigMap\n  data:\n    a: &a x\n    b: *a\n  metadata:\n    name: 0x1F\n    annotations:\n      config.kubernetes.io/path:\n"
    );
    let header = &headers_of(&list).expect("a ResourceList")[0];
    assert_eq!(header.name.as_deref(), Some("0x1F"), "the name as written, not 31");
    assert_eq!(header.annotation("config.kubernetes.io/path"), Some(""), "a null annotation is empty, not \"null\"");
}
