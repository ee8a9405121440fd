//! The outline of a ResourceList: where its items lie in the input and their headers, as the
//! outline builder ([`super::outline`]) finds them without building the items.

use super::YamlError;

pub use super::header::{Annotations, Header};
pub use super::reindent::reindent;

/// Where a block node lies in the input: whole lines, the first one starting at `col`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockSpan {
    /// Byte offset of the node's first character.
    pub start: usize,
    /// Byte offset one past the node's last line (its line break included).
    pub end: usize,
    /// The node's indentation: every further non-blank, non-comment line is indented this much.
    pub indent: usize,
}

/// How an item (or the functionConfig) can be taken out of the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extent {
    /// A block mapping that can be cut out as text and re-indented.
    Block(BlockSpan),
    /// A flow mapping (`{...}`) whose aliases stay inside it: its text (byte offsets
    /// `start..end`) parses alone, so the document needs no full parse for it.
    Flow { start: usize, end: usize },
    /// An alias to an anchor of another node, or odd indentation: the value is read from the
    /// document's events (see [`super::select`]).
    Rebuild,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScannedItem {
    pub header: Header,
    pub extent: Extent,
    /// The node holds an alias or a merge key (`<<`): its header fields may come from them,
    /// which the outline builder does not resolve, so the reader takes the header from its value.
    pub header_from_value: bool,
    /// The anchors defined in the node, and the anchors of other nodes its aliases name.
    pub anchors: Box<[usize]>,
    pub foreign_aliases: Box<[usize]>,
}

/// The outline of a ResourceList document.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Outline {
    pub api_version: Option<String>,
    pub kind: Option<String>,
    /// `None` when the document has no `items` key.
    pub items: Option<Vec<ScannedItem>>,
    pub function_config: Option<FunctionConfigNode>,
    /// Some node is read from the document's events (see [`Extent::Rebuild`]).
    pub needs_rebuild: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionConfigNode {
    pub header: Header,
    pub extent: Extent,
    pub header_from_value: bool,
    pub anchors: Box<[usize]>,
    pub foreign_aliases: Box<[usize]>,
}

/// The shape errors the outline builder can tell apart; syntax errors come as [`YamlError::Syntax`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShapeError {
    Empty,
    MultipleDocuments,
    NotAMapping,
    ItemsNotASequence { line: usize },
    ItemNotAMapping { index: usize, line: usize },
}

#[derive(Debug)]
pub enum ScanFailure {
    Yaml(YamlError),
    Shape(ShapeError),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outline(text: &str) -> Outline {
        match crate::yaml::outline(text) {
            Ok(o) => o,
            Err(_) => panic!("scan failed on {text:?}"),
        }
    }

    #[test]
    fn annotations_keep_document_order_and_quoted_values() {
        let o = outline(
            "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- apiVersion: v1\n  kind: Secret\n  metadata:\n    name: s\n    annotations:\n      b: 'x'\n      a: \"\"\n      config.kubernetes.io/index: '0'\n      b: second\n",
        );
        let header = &o.items.expect("items")[0].header;
        let pairs: Vec<(&str, &str)> = header.annotations.iter().collect();
        assert_eq!(pairs, [("b", "x"), ("a", ""), ("config.kubernetes.io/index", "0"), ("b", "second")]);
        assert_eq!(header.annotations.len(), 4);
        // The first of duplicate keys wins, as before the annotations were packed.
        assert_eq!(header.annotation("b"), Some("x"));
        assert_eq!(header.annotation("a"), Some(""));
        assert_eq!(header.annotation("c"), None);
    }

    #[test]
    fn an_item_without_annotations_has_none() {
        let o = outline("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- apiVersion: v1\n  kind: Secret\n  metadata:\n    name: s\n");
        let header = &o.items.expect("items")[0].header;
        assert!(header.annotations.is_empty());
        assert_eq!(header.annotations.iter().count(), 0);
    }
}
