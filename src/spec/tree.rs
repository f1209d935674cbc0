//! Parses a YAML or JSON document into a `serde_json::Value` and a map from JSON pointer to the
//! source position of every node (and of every mapping key), so that schema errors and semantic
//! diagnostics can point at a line and column.

use std::collections::HashMap;
use std::fmt::{self, Write as _};

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use serde_saphyr::Spanned;

/// A 1-based line and column (in characters) plus the character length of the token.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
    pub len: u32,
}

impl Pos {
    fn from_location(loc: &serde_saphyr::Location) -> Option<Pos> {
        let line = u32::try_from(loc.line()).ok()?;
        let column = u32::try_from(loc.column()).ok()?;
        if line == 0 {
            return None;
        }
        let len = u32::try_from(loc.span().len()).unwrap_or(0);
        Some(Pos { line, column, len })
    }
}

/// Where a node sits: the value itself and, for mapping entries, its key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NodePos {
    pub value: Pos,
    pub key: Option<Pos>,
}

/// The position of every node by JSON pointer. Only ever looked up, never walked in order: a
/// hash map, since sorting 700,000 pointers into a `BTreeMap` was a third of the parse of a
/// 50,000-room spec (issue 17).
pub type Positions = HashMap<Box<str>, NodePos, foldhash::fast::RandomState>;

/// A parsed document: the plain value and the positions of its nodes by JSON pointer.
#[derive(Debug, Default, PartialEq)]
pub struct Tree {
    pub value: Value,
    pub positions: Positions,
}

/// A node as the YAML deserializer hands it to us, before positions are split off.
enum Node {
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    Seq(Vec<Spanned<Node>>),
    Map(Vec<(Spanned<KeyString>, Spanned<Node>)>),
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML or JSON value")
    }
    fn visit_unit<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_none<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
        Node::deserialize(d)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
        Ok(Node::Number(v.into()))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Node, E> {
        i64::try_from(v)
            .map(|v| Node::Number(v.into()))
            .map_err(|_| E::custom(format!("integer `{v}` is too large")))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Node, E> {
        u64::try_from(v)
            .map(|v| Node::Number(v.into()))
            .map_err(|_| E::custom(format!("integer `{v}` is too large")))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Node, E> {
        Number::from_f64(v)
            .map(Node::Number)
            .ok_or_else(|| E::custom(format!("number `{v}` is not finite")))
    }
    fn visit_str<E>(self, v: &str) -> Result<Node, E> {
        Ok(Node::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Node, E> {
        Ok(Node::String(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Spanned<Node>>()? {
            items.push(item);
        }
        Ok(Node::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Spanned<KeyString>>()? {
            let value = map.next_value::<Spanned<Node>>()?;
            entries.push((key, value));
        }
        Ok(Node::Map(entries))
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NodeVisitor)
    }
}

/// A mapping key. JSON Schema only knows string keys, so scalar keys (`1: x`, `true: y`) are read
/// as their text; a sequence or mapping used as a key is refused.
enum KeyString {
    Str(String),
    /// A number, boolean or null, as the parser typed it; [`flatten`] reads its text from the
    /// source instead (`0x1F` stays `0x1F`, not `31`), and falls back to this rendering.
    Scalar(String),
}

impl<'de> Deserialize<'de> for KeyString {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = KeyString;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string key")
            }
            fn visit_str<E>(self, v: &str) -> Result<KeyString, E> {
                Ok(KeyString::Str(v.to_owned()))
            }
            fn visit_bool<E>(self, v: bool) -> Result<KeyString, E> {
                Ok(KeyString::Scalar(v.to_string()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<KeyString, E> {
                Ok(KeyString::Scalar(v.to_string()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<KeyString, E> {
                Ok(KeyString::Scalar(v.to_string()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<KeyString, E> {
                Ok(KeyString::Scalar(v.to_string()))
            }
            fn visit_unit<E>(self) -> Result<KeyString, E> {
                Ok(KeyString::Scalar("null".to_owned()))
            }
        }
        d.deserialize_any(KeyVisitor)
    }
}

/// Escapes one JSON pointer segment (RFC 6901).
pub fn escape_segment(segment: &str) -> String {
    let mut escaped = String::with_capacity(segment.len());
    push_escaped(&mut escaped, segment);
    escaped
}

/// Appends `/segment`, escaped as a JSON pointer segment (RFC 6901).
pub(crate) fn push_segment(pointer: &mut String, segment: &str) {
    pointer.push('/');
    push_escaped(pointer, segment);
}

fn push_escaped(out: &mut String, segment: &str) {
    // Almost every key needs no escape: copied whole, not a character at a time (which was 4%
    // of a 5,000-room `validate`). Both are ASCII, so looked for by bytes: a search for a set
    // of `char`s decodes every character (0.75 M instructions for 5,000 rooms' keys).
    if !segment.bytes().any(|b| matches!(b, b'~' | b'/')) {
        out.push_str(segment);
        return;
    }
    for c in segment.chars() {
        match c {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            c => out.push(c),
        }
    }
}

/// The plain value of `node`, and the position of every node under it in `out`. `pointer` is
/// the node's own JSON pointer, one buffer for the whole walk: each child appends its segment
/// and cuts it off again, so only the positions' keys are allocated.
fn flatten(
    node: Spanned<Node>,
    pointer: &mut String,
    key: Option<Pos>,
    source: &str,
    out: &mut Vec<(Box<str>, NodePos)>,
) -> Result<Value, SyntaxError> {
    if let Some(value) = Pos::from_location(&node.referenced) {
        out.push((Box::from(pointer.as_str()), NodePos { value, key }));
    }
    let parent = pointer.len();
    Ok(match node.value {
        Node::Null => Value::Null,
        Node::Bool(b) => Value::Bool(b),
        Node::Number(n) => Value::Number(n),
        Node::String(s) => Value::String(s),
        Node::Seq(items) => {
            let mut values = Vec::with_capacity(items.len());
            for (i, item) in items.into_iter().enumerate() {
                let _ = write!(pointer, "/{i}");
                let value = flatten(item, pointer, None, source, out);
                pointer.truncate(parent);
                values.push(value?);
            }
            Value::Array(values)
        }
        Node::Map(entries) => {
            let mut map = Map::with_capacity(entries.len());
            for (k, v) in entries {
                let key_pos = Pos::from_location(&k.referenced);
                let text = key_text(k, source);
                // Keys the parser told apart by type (`1` and `"1"`, `1.0` and `1`) can meet as
                // text: refuse that rather than silently keep one of them.
                if map.contains_key(&text) {
                    return Err(SyntaxError {
                        message: format!("duplicate mapping key: {text}"),
                        pos: key_pos,
                    });
                }
                push_segment(pointer, &text);
                let value = flatten(v, pointer, key_pos, source, out);
                pointer.truncate(parent);
                map.insert(text, value?);
            }
            Value::Object(map)
        }
    })
}

/// A key's text: strings as they are, other scalars as written in the source (where the parser
/// says where that is), so a key is never a re-rendering of a number.
fn key_text(key: Spanned<KeyString>, source: &str) -> String {
    match key.value {
        KeyString::Str(s) => s,
        KeyString::Scalar(rendered) => {
            let span = key.defined.span();
            let written = span
                .byte_offset()
                .zip(span.byte_len())
                .and_then(|(at, len)| {
                    let at = usize::try_from(at).ok()?;
                    let end = at.checked_add(usize::try_from(len).ok()?)?;
                    source.get(at..end)
                });
            match written {
                Some(w) if !w.is_empty() && !w.contains(['\n', '#', '"', '\'', '*', '&', '!']) => {
                    w.trim().to_owned()
                }
                _ => rendered,
            }
        }
    }
}

/// A syntax error with the position the parser reported, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub message: String,
    pub pos: Option<Pos>,
}

/// The parser's node budget. The default of 250,000 nodes refuses specs above ~17,000 rooms
/// (about 14 nodes per room); 5,000,000 allows ~350,000.
pub(super) const MAX_NODES: usize = 5_000_000;
/// The parser's event budget: a scalar is one event, a mapping or sequence two (start and
/// end), and a document four more. The default of 1,000,000 refused specs above ~53,000 rooms
/// whatever `MAX_NODES` allowed; this lets the node budget be the one that binds.
pub(super) const MAX_EVENTS: usize = 2 * MAX_NODES + 4;
/// The parser's nesting budget (its default, said in the message for a breach, load.rs).
pub(super) const MAX_DEPTH: usize = 64;

/// Parses YAML (and therefore JSON, which is read through the same YAML 1.2 parser) with
/// YAML 1.1 guessing turned off, so `NO` stays a string and `0755` is not a number.
///
/// A document in the block subset specs are written in is read by [`super::block_yaml`],
/// several times faster, to the same value and positions; every other document, and every
/// error, is the general parser's.
pub fn parse(text: &str) -> Result<Tree, SyntaxError> {
    match super::block_yaml::parse(text) {
        Some(tree) => Ok(tree),
        None => parse_general(text),
    }
}

/// The value of a document and, when they came at no extra cost, its positions: `None` means
/// they are those of [`parse`] of the same text, to be read when a diagnostic needs them
/// ([`super::source::SourceFile::deferred`]).
pub fn parse_deferred(text: &str) -> Result<(Value, Option<Positions>), SyntaxError> {
    match super::block_yaml::parse_value(text) {
        Some(value) => Ok((value, None)),
        None => parse_general(text).map(|tree| (tree.value, Some(tree.positions))),
    }
}

/// The positions of a document, as [`parse`] reads them, without keeping its value.
pub fn parse_positions(text: &str) -> Result<Positions, SyntaxError> {
    match super::block_yaml::parse_positions(text) {
        Some(positions) => Ok(positions),
        None => parse_general(text).map(|tree| tree.positions),
    }
}

/// The positions on the way to `pointer` in a document the block-subset reader has read (see
/// [`super::source::SourceFile::deferred`]), and how many bytes of it that read took; `None`
/// for any other document.
pub fn positions_along(text: &str, pointer: &str) -> Option<(Positions, usize)> {
    super::block_yaml::positions_along(text, pointer)
}

/// The block-subset reader alone: `None` where it leaves a document to the general parser.
/// Public so the tests and the fuzz target can hold the two to the same result.
#[doc(hidden)]
pub fn parse_block_subset(text: &str) -> Option<Tree> {
    super::block_yaml::parse(text)
}

/// [`parse`] without the block-subset reader: public so the tests and the fuzz target can hold
/// the two to the same result.
#[doc(hidden)]
pub fn parse_general(text: &str) -> Result<Tree, SyntaxError> {
    let options = serde_saphyr::options! {
        strict_booleans: true,
        leading_zero_numbers_as_strings: true,
        // Alias expansion keeps its own default limits.
        budget: serde_saphyr::budget! {
            max_nodes: MAX_NODES,
            max_events: MAX_EVENTS,
            max_depth: MAX_DEPTH,
        },
    };
    let root: Spanned<Node> = serde_saphyr::from_str_with_options(text, options).map_err(|e| {
        let pos = e.location().and_then(|l| Pos::from_location(&l));
        SyntaxError {
            message: e.to_string(),
            pos,
        }
    })?;
    let mut positions = Vec::new();
    let value = flatten(root, &mut String::new(), None, text, &mut positions)?;
    // Built in one go from the walk's list: far cheaper than an insert per node (issue 17).
    Ok(Tree {
        value,
        positions: positions.into_iter().collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::escape_segment;

    #[test]
    fn segments_are_escaped_as_rfc_6901_says() {
        for (segment, escaped) in [
            ("room-1", "room-1"),
            ("", ""),
            ("a/b", "a~1b"),
            ("~", "~0"),
            ("~1", "~01"),
            ("/aws/vendedlogs/x~y", "~1aws~1vendedlogs~1x~0y"),
            ("ümlaut/ß", "ümlaut~1ß"),
        ] {
            assert_eq!(escape_segment(segment), escaped, "{segment}");
        }
    }
}
