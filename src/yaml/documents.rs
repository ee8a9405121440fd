//! A stream of documents (the manifests of `dittofs-krm build`) read in one pass of events: each
//! document's lines, its header from the outline builder, and its value from the value builder
//! under the schema its header calls for. A document's events are held until it ends, when its
//! header is known, and then build its value: no document is parsed twice.

use std::ops::Range;

use saphyr_parser::{Event, Span, SpannedEventReceiver};
use serde_json::Value;

use super::events;
use super::header::Header;
use super::line_table::LineTable;
use super::outline::OutlineBuilder;
use super::value::{Builder, FromText};
use super::{Schema, YamlError};

/// One document of a stream.
#[derive(Debug)]
pub struct Document {
    /// From the start of the line its `---` or first token is on (an indented root keeps its
    /// indentation) up to the next `---` or `...`, or the end of the stream.
    pub range: Range<usize>,
    /// The header of a mapping root, as the outline reads an item's (from its value as written
    /// when aliases or merge keys may supply it); empty for another root.
    pub header: Header,
    /// The schema the header called for, and the document's value under it.
    pub schema: Schema,
    pub value: Result<Value, YamlError>,
}

/// Every document of `text`, in order, each read under the schema `schema_of` gives for its
/// header. `Err`: the stream is not YAML; the error is the first in the stream, a document's
/// own (as its value builder found it) or the parser's.
pub fn documents(text: &str, schema_of: impl Fn(&Header) -> Schema) -> Result<Vec<Document>, YamlError> {
    let (reader, parsed) = events::read(text, || FromText::new(text, Reader::new(text, &schema_of)));
    let Reader { documents, open, .. } = reader.inner;
    if let Err(e) = parsed {
        // A document cut short: its value builder may have failed before the parser did.
        let cut_short = open.map(|o| value(o.events, schema_of(&Header::default())));
        let first = documents.into_iter().filter_map(|d| d.value.err()).chain(cut_short.and_then(Result::err)).next();
        return Err(first.unwrap_or_else(|| e.into()));
    }
    Ok(documents)
}

struct Reader<'t, 's, F> {
    text: &'t str,
    /// Markers count characters: the table turns them into byte offsets in other than ASCII text.
    table: Option<LineTable>,
    schema_of: &'s F,
    open: Option<Open<'t>>,
    documents: Vec<Document>,
}

/// The document being read: where it starts, its outline so far, its events.
struct Open<'t> {
    start: usize,
    outline: OutlineBuilder<'t>,
    events: Vec<(Event<'t>, Span)>,
}

impl<'t, 's, F: Fn(&Header) -> Schema> Reader<'t, 's, F> {
    fn new(text: &'t str, schema_of: &'s F) -> Self {
        Reader { text, table: (!text.is_ascii()).then(|| LineTable::new(text)), schema_of, open: None, documents: Vec::new() }
    }

    fn offset(&self, span: &Span) -> usize {
        match &self.table {
            Some(table) => table.offset(self.text, &span.start),
            None => span.start.index().min(self.text.len()),
        }
    }
}

impl<'t, F: Fn(&Header) -> Schema> SpannedEventReceiver<'t> for Reader<'t, '_, F> {
    fn on_event(&mut self, event: Event<'t>, span: Span) {
        match event {
            Event::StreamStart | Event::StreamEnd | Event::Nothing => {}
            Event::DocumentStart(_) => {
                let at = self.offset(&span);
                let start = self.text[..at].rfind(['\n', '\r']).map_or(0, |i| i + 1);
                let mut open = Open { start, outline: OutlineBuilder::for_object(self.text), events: Vec::new() };
                open.take(event, span);
                self.open = Some(open);
            }
            Event::DocumentEnd => {
                let end = self.offset(&span);
                let Some(mut open) = self.open.take() else { return };
                open.take(event, span);
                let Open { start, outline, events } = open;
                let header = header(outline, &events, self.schema_of);
                let schema = (self.schema_of)(&header);
                let value = value(events, schema);
                self.documents.push(Document { range: start..end, header, schema, value });
            }
            event => {
                if let Some(open) = self.open.as_mut() {
                    open.take(event, span);
                }
            }
        }
    }
}

impl<'t> Open<'t> {
    fn take(&mut self, event: Event<'t>, span: Span) {
        self.outline.on_event(event.clone(), span);
        self.events.push((event, span));
    }
}

/// A document's header: the outline's, or, when aliases or merge keys may supply its fields, its
/// value's read as written. Empty when the root is not a mapping.
fn header(outline: OutlineBuilder<'_>, events: &[(Event<'_>, Span)], schema_of: impl Fn(&Header) -> Schema) -> Header {
    let Some(item) = outline.finish(Ok(())).ok().and_then(|o| o.items).and_then(|mut items| items.pop()) else {
        return Header::default();
    };
    if !item.header_from_value {
        return item.header;
    }
    let mut as_written = Builder::as_written(schema_of(&item.header));
    for (event, span) in events {
        as_written.on_event(event.clone(), *span);
    }
    match as_written.finish().map(|mut documents| documents.pop()) {
        Ok(Some(value)) => Header::of_value(&value),
        _ => item.header,
    }
}

/// A document's value under `schema`, from its events.
fn value(events: Vec<(Event<'_>, Span)>, schema: Schema) -> Result<Value, YamlError> {
    let mut builder = Builder::new(schema);
    for (event, span) in events {
        builder.on_event(event, span);
    }
    Ok(builder.finish()?.pop().unwrap_or(Value::Null))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn documents_of(text: &str) -> Vec<&str> {
        documents(text, |_| Schema::Yaml11).unwrap().into_iter().filter(|d| d.value.as_ref().is_ok_and(Value::is_object)).map(|d| &text[d.range]).collect()
    }

    #[test]
    fn each_mapping_document_with_its_lines() {
        assert_eq!(documents_of("a: 1\n---\nb: 2\n"), ["a: 1\n", "---\nb: 2\n"]);
        assert_eq!(documents_of("# c\n  a: 1\n  b: |\n    x\n...\n--- \n- 1\n---\nc: é\n"), ["  a: 1\n  b: |\n    x\n", "---\nc: é\n"]);
        assert_eq!(documents_of("é: 1\n---\n---\nz: ü"), ["é: 1\n", "---\nz: ü"]);
        assert_eq!(documents_of("%YAML 1.2\n---\na: {b: 1}\n"), ["---\na: {b: 1}\n"]);
        assert!(documents_of("").is_empty());
        assert!(documents("a: [\n", |_| Schema::Yaml11).is_err());
    }

    #[test]
    fn each_document_is_read_under_the_schema_its_header_calls_for() {
        let text = "kind: A\nv: yes\n---\nkind: B\nv: yes\n";
        let docs = documents(text, |h| if h.kind.as_deref() == Some("A") { Schema::Yaml11 } else { Schema::Yaml12 }).unwrap();
        let values: Vec<&Value> = docs.iter().map(|d| &d.value.as_ref().unwrap()["v"]).collect();
        assert_eq!(values, [&Value::Bool(true), &Value::String("yes".into())]);
    }

    #[test]
    fn headers_are_read_as_written_through_aliases() {
        let text = "kind: &k 0x1F\nmetadata:\n  name: *k\n  annotations:\n    a:\n";
        let header = &documents(text, |_| Schema::Yaml11).unwrap()[0].header;
        assert_eq!((header.kind.as_deref(), header.name.as_deref(), header.annotation("a")), (Some("0x1F"), Some("0x1F"), Some("")));
    }
}
