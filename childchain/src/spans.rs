//! Where each value of a TOML document sits, so that a check made *after*
//! parsing (holders that do not add up, a module listed twice) can still name
//! the line, as toml's own parse errors do.
//!
//! The document is parsed a second time into a tree that keeps only the
//! shape and the positions toml reports, never the values.

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use std::collections::BTreeMap;
use std::fmt;

/// Line numbers (1-based) of every value in a document, by field path.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SourceLines {
    root: BTreeMap<String, Located>,
    /// Byte offset where each line starts.
    line_starts: Vec<usize>,
}

impl SourceLines {
    /// Index `text`; a document that does not parse gives an empty index.
    pub fn index(text: &str) -> Self {
        let root = match toml::from_str::<Located>(text) {
            Ok(Located { node: Node::Table(root), .. }) => root,
            _ => BTreeMap::new(),
        };
        let line_starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        SourceLines { root, line_starts }
    }

    /// The line of the value at `path`, written as in error messages:
    /// `token.holders[2].amount`, `modules[1]`, `module_params.polls`.
    /// Falls back to the nearest enclosing value that has a position.
    pub fn line_of(&self, path: &str) -> Option<usize> {
        let mut table = &self.root;
        let mut start = None;
        'path: for segment in path.split('.') {
            let (key, indices) = split_indices(segment);
            let Some(mut located) = table.get(key) else { break };
            start = located.start.or(start);
            for index in indices {
                match &located.node {
                    Node::Array(items) if index < items.len() => {
                        located = &items[index];
                        start = located.start.or(start);
                    }
                    _ => break 'path,
                }
            }
            match &located.node {
                Node::Table(inner) => table = inner,
                _ => break,
            }
        }
        start.map(|offset| self.line_at(offset))
    }

    fn line_at(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&start| start <= offset).max(1)
    }
}

/// `holders[2][0]` → (`holders`, [2, 0]). Malformed indices are ignored.
fn split_indices(segment: &str) -> (&str, Vec<usize>) {
    let Some(open) = segment.find('[') else { return (segment, Vec::new()) };
    let indices = segment[open..]
        .split(['[', ']'])
        .filter(|part| !part.is_empty())
        .filter_map(|part| part.parse().ok())
        .collect();
    (&segment[..open], indices)
}

/// A TOML value reduced to its shape.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Node {
    Table(BTreeMap<String, Located>),
    Array(Vec<Located>),
    Leaf,
}

/// A node and the byte offset where it starts, when toml knows it. Tables
/// that are only implied by a dotted header (`[module_params.polls]` implies
/// `module_params`) have no position of their own.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Located {
    start: Option<usize>,
    node: Node,
}

// toml hands out positions through serde_spanned's private struct protocol,
// the one `toml::Spanned` uses. `Spanned` itself cannot be used here: it fails
// on the implied tables above instead of going without a position.
const SPANNED_NAME: &str = "$__serde_spanned_private_Spanned";
const SPANNED_START: &str = "$__serde_spanned_private_start";
const SPANNED_END: &str = "$__serde_spanned_private_end";
const SPANNED_VALUE: &str = "$__serde_spanned_private_value";

impl<'de> Deserialize<'de> for Located {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_struct(SPANNED_NAME, &[SPANNED_START, SPANNED_END, SPANNED_VALUE], LocatedVisitor)
    }
}

/// The value inside a position: asked for without a position, or toml
/// would answer with the position again.
struct Unlocated(Located);

impl<'de> Deserialize<'de> for Unlocated {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(LocatedVisitor).map(Unlocated)
    }
}

struct LocatedVisitor;

impl LocatedVisitor {
    fn leaf<E>(self) -> Result<Located, E> {
        Ok(Located { start: None, node: Node::Leaf })
    }
}

impl<'de> Visitor<'de> for LocatedVisitor {
    type Value = Located;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any TOML value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Located, A::Error> {
        let mut table = BTreeMap::new();
        let Some(first) = map.next_key::<String>()? else {
            return Ok(Located { start: None, node: Node::Table(table) });
        };
        if first == SPANNED_START {
            let start: usize = map.next_value()?;
            let mut node = Node::Leaf;
            while let Some(key) = map.next_key::<String>()? {
                if key == SPANNED_VALUE {
                    node = map.next_value::<Unlocated>()?.0.node;
                } else {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
            return Ok(Located { start: Some(start), node });
        }
        table.insert(first, map.next_value::<Located>()?);
        while let Some(key) = map.next_key::<String>()? {
            table.insert(key, map.next_value::<Located>()?);
        }
        Ok(Located { start: None, node: Node::Table(table) })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Located, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Located>()? {
            items.push(item);
        }
        Ok(Located { start: None, node: Node::Array(items) })
    }

    fn visit_bool<E>(self, _: bool) -> Result<Located, E> {
        self.leaf()
    }
    fn visit_i64<E>(self, _: i64) -> Result<Located, E> {
        self.leaf()
    }
    fn visit_u64<E>(self, _: u64) -> Result<Located, E> {
        self.leaf()
    }
    fn visit_f64<E>(self, _: f64) -> Result<Located, E> {
        self.leaf()
    }
    fn visit_str<E>(self, _: &str) -> Result<Located, E> {
        self.leaf()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "name = \"x\"\nmodules = [\n  \"a\",\n  \"b\",\n]\n\n[token]\nsupply = \"5\"\n\n[[token.holders]]\namount = \"2\"\n\n[[token.holders]]\namount = \"3\"\n\n[module_params.polls]\nmax_options = 4\n";

    #[test]
    fn finds_lines_of_values_tables_and_array_items() {
        let lines = SourceLines::index(TEXT);
        assert_eq!(lines.line_of("name"), Some(1));
        assert_eq!(lines.line_of("modules[1]"), Some(4));
        assert_eq!(lines.line_of("token.supply"), Some(8));
        assert_eq!(lines.line_of("token.holders[1].amount"), Some(14));
        assert_eq!(lines.line_of("module_params.polls.max_options"), Some(17));
        // Missing leaves fall back to the nearest enclosing value.
        assert_eq!(lines.line_of("token.holders[1].address"), lines.line_of("token.holders[1]"));
        assert_eq!(lines.line_of("nothing"), None);
    }

    #[test]
    fn unparsable_text_has_no_lines() {
        assert_eq!(SourceLines::index("= broken").line_of("name"), None);
    }
}
