//! The block-YAML subset specs are written in, read in one pass over the lines.
//!
//! The general parser (serde-saphyr) builds a tree of spanned serde nodes through an event
//! stream with look-ahead, key recording and budgets, and [`super::tree`] then flattens that tree
//! into a value and positions: four fifths of `validate` at 50,000 rooms (issue 17). Specs are
//! written in a small part of YAML: block mappings and sequences, plain and quoted one-line
//! scalars, one-line flow sequences, comments. This module reads exactly that part straight into
//! the value and positions, and returns `None` for anything else (anchors, aliases, tags, block
//! and multi-line scalars, escapes, flow mappings, floats, words YAML might read as something
//! other than a string, tabs, carriage returns, duplicate keys, any syntax error), so that the
//! general parser reads those documents. Values, positions and every error message therefore
//! stay the general parser's: the tests compare both parsers on every spec in the repository and
//! on generated documents.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::ops::Range;

use serde_json::{Map, Number, Value};

use super::tree::{MAX_DEPTH, MAX_EVENTS, MAX_NODES, NodePos, Pos, Positions, Tree, push_segment};

/// The value and positions of `text`, or `None` when it is not in the subset (see the module).
pub(super) fn parse(text: &str) -> Option<Tree> {
    let (value, positions, _) = read(text, true, true, None)?;
    Some(Tree { value, positions })
}

/// The value of `text` alone, or `None` when it is not in the subset: [`parse`] without the
/// positions, which cost as much again and which only a diagnostic reads.
pub(super) fn parse_value(text: &str) -> Option<Value> {
    read(text, true, false, None).map(|(value, ..)| value)
}

/// The positions of `text` alone: [`parse`] without building the value, whose collections are
/// dropped as soon as they are read, so reading positions late does not hold a second copy
/// of the document in memory.
pub(super) fn parse_positions(text: &str) -> Option<Positions> {
    read(text, false, true, None).map(|(_, positions, _)| positions)
}

/// The positions of the nodes on the way to `pointer`, the root down to `pointer` itself (or as
/// far as the document goes): [`parse_positions`] reading only the entries on that path, and
/// passing over every other subtree line by line, up to the end of the pointer's node. Also
/// answers how many bytes of the text that took. For a text [`parse`] has read: outside the
/// subset the lines of a subtree need not be indented below it.
pub(super) fn positions_along(text: &str, pointer: &str) -> Option<(Positions, usize)> {
    read(text, false, true, Some(pointer)).map(|(_, positions, bytes)| (positions, bytes))
}

/// The value, the positions, and how many bytes of `text` were read (all of them but after a
/// `target`'s node).
fn read(
    text: &str,
    values: bool,
    record: bool,
    target: Option<&str>,
) -> Option<(Value, Positions, usize)> {
    // A path is read only in a text read whole before, which was printable.
    if target.is_none() && !printable(text) {
        return None;
    }
    let (lines, first) = root(text)?;
    let mut parser = Parser {
        lines,
        values,
        record,
        pointer: String::new(),
        target,
        left_after_path: 0,
        positions: Positions::default(),
        nodes: 0,
        events: 0,
        depth: 0,
    };
    let value = parser.mapping(first, 0, None)?;
    if parser.lines.current.is_some() {
        return None;
    }
    let read = text.len().saturating_sub(parser.left_after_path);
    Some((value, parser.positions, read))
}

/// A document's lines and its first content line, where its root mapping starts; `None` when
/// that line is not at the margin (or there is none).
pub(super) fn root(text: &str) -> Option<(Lines<'_>, Line<'_>)> {
    root_of(Lines::new(text))
}

/// [`root`] of the document without the lines of `gap` (see [`Lines::with_gap`]).
pub(super) fn root_with_gap(text: &str, gap: Range<usize>) -> Option<(Lines<'_>, Line<'_>)> {
    root_of(Lines::with_gap(text, gap)?)
}

fn root_of(lines: Lines<'_>) -> Option<(Lines<'_>, Line<'_>)> {
    let first = lines.current?;
    (first.indent == 0).then_some((lines, first))
}

/// Whether every character is one the subset reads as itself: no tabs, carriage returns or
/// other control characters, no byte order mark and none of the characters YAML 1.1 counts as
/// line breaks.
pub(super) fn printable(text: &str) -> bool {
    // By chunks, each folded without an early exit so that it compiles to vector instructions:
    // this was 4% of a 5,000-room render byte by byte.
    let bytes_ok = text.as_bytes().chunks(64).all(|chunk| {
        chunk.iter().fold(true, |ok, &b| {
            ok & (((b >= 0x20) & (b != 0x7f)) | (b == b'\n'))
        })
    });
    bytes_ok
        && (text.is_ascii()
            || text.chars().all(|c| {
                !matches!(
                    c,
                    '\u{80}'
                        ..='\u{9f}'
                            | '\u{2028}'
                            | '\u{2029}'
                            | '\u{feff}'
                            | '\u{fffe}'
                            | '\u{ffff}'
                )
            }))
}

/// One line that holds content (not blank, not only a comment).
#[derive(Clone, Copy)]
pub(super) struct Line<'a> {
    number: u32,
    /// Without the line break.
    pub(super) text: &'a str,
    /// Leading spaces, in bytes (and so in columns).
    pub(super) indent: usize,
    ascii: bool,
}

impl Line<'_> {
    pub(super) fn byte(&self, at: usize) -> Option<u8> {
        self.text.as_bytes().get(at).copied()
    }

    /// The position of the bytes `from..to`, in 1-based characters as the general parser counts.
    fn pos(&self, from: usize, to: usize) -> Pos {
        let (column, len) = if self.ascii {
            (from, to.saturating_sub(from))
        } else {
            let before = self.text.get(..from).map_or(0, |s| s.chars().count());
            let inside = self.text.get(from..to).map_or(0, |s| s.chars().count());
            (before, inside)
        };
        Pos {
            line: self.number,
            column: u32::try_from(column + 1).unwrap_or(u32::MAX),
            len: u32::try_from(len).unwrap_or(u32::MAX),
        }
    }

    pub(super) fn spaces_from(&self, at: usize) -> usize {
        let mut i = at;
        while self.byte(i) == Some(b' ') {
            i += 1;
        }
        i
    }

    /// Whether the line is `- ...` at its indent.
    pub(super) fn is_item(&self) -> bool {
        self.byte(self.indent) == Some(b'-')
            && matches!(self.byte(self.indent + 1), None | Some(b' '))
    }

    /// Whether only spaces or a comment follow `at`, where the comment's `#` must follow a
    /// space (YAML's rule: `a#b` is one scalar).
    pub(super) fn ends_at(&self, at: usize) -> bool {
        let next = self.spaces_from(at);
        match self.byte(next) {
            None => true,
            Some(b'#') => next > at,
            Some(_) => false,
        }
    }
}

/// The content lines of a text, one at a time.
pub(super) struct Lines<'a> {
    rest: &'a str,
    /// The number of the line `rest` starts with.
    number: u32,
    pub(super) current: Option<Line<'a>>,
    /// When `rest` is this long it starts at a gap, and goes on with `after_gap` instead;
    /// `usize::MAX` (never) without one.
    gap_at: usize,
    after_gap: &'a str,
}

impl<'a> Lines<'a> {
    pub(super) fn new(text: &'a str) -> Lines<'a> {
        Lines::stepping_over(text, usize::MAX, "")
    }

    /// The lines of `text` from the first, with the gap (if any) that [`Lines::advance`] steps
    /// over.
    fn stepping_over(text: &'a str, gap_at: usize, after_gap: &'a str) -> Lines<'a> {
        let mut lines = Lines {
            rest: text,
            number: 1,
            current: None,
            gap_at,
            after_gap,
        };
        lines.advance();
        lines
    }

    /// The lines of `text` but those in `gap`, which starts and ends at line starts (`None`
    /// where it does not): another reader reads them (`block_typed::read_in_pieces`). Only
    /// [`Lines::advance`] steps over the gap, and the lines after it are numbered as if it were
    /// not there, so nothing that reads positions or skips lines may read these lines.
    pub(super) fn with_gap(text: &'a str, gap: Range<usize>) -> Option<Lines<'a>> {
        let at_line_start = |at: usize| at == 0 || text.as_bytes().get(at - 1) == Some(&b'\n');
        if gap.is_empty() || !at_line_start(gap.start) || !at_line_start(gap.end) {
            return None;
        }
        Some(Lines::stepping_over(
            text,
            text.len() - gap.start,
            text.get(gap.end..)?,
        ))
    }

    /// No more lines.
    fn finish(&mut self) {
        self.current = None;
        self.rest = "";
    }

    /// Drops the current line and the lines after it indented deeper than `indent` (and `- `
    /// items at `indent` when `items_at_indent`), blank lines and comments among them, looking
    /// at no more than each line's indent; the next other line becomes current.
    fn skip_deeper(&mut self, indent: usize, items_at_indent: bool) {
        self.current = None;
        loop {
            let bytes = self.rest.as_bytes();
            if bytes.is_empty() {
                return;
            }
            let spaces = bytes.iter().take_while(|b| **b == b' ').count();
            let first = bytes.get(spaces).copied();
            let passed = match first {
                None | Some(b'\n' | b'#') => true,
                Some(b'-') if items_at_indent && spaces == indent => {
                    matches!(bytes.get(spaces + 1), None | Some(b' ' | b'\n'))
                }
                Some(_) => spaces > indent,
            };
            if !passed {
                self.advance();
                return;
            }
            // memchr itself: `str::find` of a char set up a searcher for every line, 190
            // instructions a line where findings placed by path reads skip thousands (issue 17).
            match memchr::memchr(b'\n', bytes) {
                Some(end) => self.rest = self.rest.get(end + 1..).unwrap_or_default(),
                None => self.rest = "",
            }
            self.number = self.number.saturating_add(1);
        }
    }

    /// The bytes still to read after the current line (a gap already stepped over not counted):
    /// what a mapping's estimate of its entries left is made from.
    pub(super) fn bytes_left(&self) -> usize {
        self.rest.len()
    }

    pub(super) fn advance(&mut self) {
        self.current = None;
        loop {
            if self.rest.len() == self.gap_at {
                self.rest = self.after_gap;
                self.gap_at = usize::MAX;
            }
            if self.rest.is_empty() {
                return;
            }
            let (end, ascii) = line_end(self.rest.as_bytes());
            let text = self.rest.get(..end).unwrap_or_default();
            let rest = self.rest.get(end + 1..).unwrap_or_default();
            let number = self.number;
            self.rest = rest;
            self.number = self.number.saturating_add(1);
            let indent = text.bytes().take_while(|&b| b == b' ').count();
            if matches!(text.as_bytes().get(indent), None | Some(b'#')) {
                continue;
            }
            self.current = Some(Line {
                number,
                text,
                indent,
                ascii,
            });
            return;
        }
    }
}

/// Where the first line of `bytes` ends (its `\n`, or the end), and whether that line is all
/// ASCII: one pass, eight bytes at a time. A byte loop and then `is_ascii` took about 290
/// instructions a line, a tenth of a 5,000-room `validate`; a library search for one byte spent
/// more setting up than searching on lines this short. The `\n` is found with the "has a zero
/// byte" bit trick, whose lowest flagged byte is always a true match.
fn line_end(bytes: &[u8]) -> (usize, bool) {
    let mut seen = 0_u64;
    let mut words = bytes.chunks_exact(8);
    let mut at = 0;
    for word in &mut words {
        let w = word_le(word);
        let found = flag_bytes(w, b'\n');
        if found != 0 {
            let before = found.trailing_zeros() / 8;
            // The bytes of this word before the `\n`: none when it is the first.
            seen |= w & ((1_u64 << (8 * before)) - 1);
            return (at + before as usize, seen & HIGHS == 0);
        }
        seen |= w;
        at += 8;
    }
    for (i, &b) in words.remainder().iter().enumerate() {
        if b == b'\n' {
            return (at + i, seen & HIGHS == 0);
        }
        seen |= u64::from(b);
    }
    (bytes.len(), seen & HIGHS == 0)
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

fn word_le(word: &[u8]) -> u64 {
    let mut le = [0_u8; 8];
    le.copy_from_slice(word);
    u64::from_le_bytes(le)
}

/// The high bit of each byte of `w` equal to `byte`, by the "has a zero byte" bit trick: the
/// lowest bit set is always a true match (a borrow runs on only from a byte that matches), so
/// several such masks or-ed together still show the first match of any of them.
fn flag_bytes(w: u64, byte: u8) -> u64 {
    let x = w ^ (ONES * u64::from(byte));
    x.wrapping_sub(ONES) & !x & HIGHS
}

/// The first `:` or `#` in `bytes`, eight bytes at a time: a byte loop with both tests was a
/// third of `key_at`, itself a tenth of a 5,000-room `validate`.
fn colon_or_hash(bytes: &[u8]) -> Option<usize> {
    let mut words = bytes.chunks_exact(8);
    let mut at = 0;
    for word in &mut words {
        let w = word_le(word);
        let found = flag_bytes(w, b':') | flag_bytes(w, b'#');
        if found != 0 {
            return Some(at + (found.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    words
        .remainder()
        .iter()
        .position(|&b| b == b':' || b == b'#')
        .map(|i| at + i)
}

/// Where a plain key ends in `bytes`: at the first `:` followed by a space or the end, unless a
/// ` #` (a comment) comes first.
fn plain_key_colon(bytes: &[u8]) -> Option<usize> {
    let mut from = 0;
    loop {
        let i = from + colon_or_hash(bytes.get(from..)?)?;
        match bytes.get(i) {
            Some(b':') if matches!(bytes.get(i + 1), None | Some(b' ')) => return Some(i),
            Some(b'#') if i > 0 && bytes.get(i - 1) == Some(&b' ') => return None,
            _ => from = i + 1,
        }
    }
}

/// A mapping key found at the start of some content.
pub(super) struct Key<'a> {
    pub(super) name: Cow<'a, str>,
    /// Where the key's text starts and ends on its line: its position is worked out only by
    /// the reader that records positions.
    at: usize,
    end: usize,
    /// The byte offset of its `:`.
    pub(super) colon: usize,
}

struct Parser<'a, 't> {
    lines: Lines<'a>,
    /// Whether to keep the value; without, every collection is read as null once read.
    values: bool,
    /// Whether to keep the positions (and so the pointers).
    record: bool,
    /// The JSON pointer of the node being read: one buffer, each child appends its segment and
    /// cuts it off again.
    pointer: String,
    /// Read only the path to this pointer ([`positions_along`]).
    target: Option<&'t str>,
    /// The bytes not read once the path to the target was read (0 until then).
    left_after_path: usize,
    positions: Positions,
    nodes: usize,
    events: usize,
    depth: usize,
}

impl<'a> Parser<'a, '_> {
    /// Counts a node against the general parser's budgets (with room to spare, so a document
    /// near them is left to the general parser and its messages) and records its position.
    fn node(&mut self, value: Pos, key: Option<Pos>, collection: bool) -> Option<()> {
        self.nodes += 1;
        self.events += if collection { 2 } else { 1 };
        if self.nodes + 16 > MAX_NODES || self.events + 16 > MAX_EVENTS {
            return None;
        }
        if self.record && self.on_path() {
            self.positions
                .insert(Box::from(self.pointer.as_str()), NodePos { value, key });
        }
        Some(())
    }

    /// Whether the node being read is the target or on the way to it (always, without one).
    fn on_path(&self) -> bool {
        self.target.is_none_or(|target| {
            target
                .strip_prefix(self.pointer.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        })
    }

    /// Reading the path to the target is done once an entry on it is read: whatever follows is
    /// off the path, so the rest of the text is not read at all.
    fn done_with_path(&mut self) {
        if self.target.is_some() {
            self.left_after_path = self.left_after_path.max(self.lines.bytes_left());
            self.lines.finish();
        }
    }

    /// A collection as read: itself, or null when only positions are wanted.
    fn keep(&self, collection: Value) -> Value {
        if self.values { collection } else { Value::Null }
    }

    /// A plain scalar's value (null when only positions are wanted).
    fn plain(&self, text: &str) -> Option<Value> {
        let scalar = plain(text)?;
        Some(if !self.values {
            Value::Null
        } else {
            match scalar {
                Plain::String => Value::String(text.to_owned()),
                Plain::Bool(b) => Value::Bool(b),
                Plain::Integer(n) => Value::Number(Number::from(n)),
            }
        })
    }

    /// Appends a mapping key to the pointer; returns the length to cut it back to.
    fn push_key(&mut self, name: &str) -> usize {
        let parent = self.pointer.len();
        if self.record {
            push_segment(&mut self.pointer, name);
        }
        parent
    }

    /// Appends a sequence index to the pointer; returns the length to cut it back to.
    fn push_index(&mut self, index: usize) -> usize {
        let parent = self.pointer.len();
        if self.record {
            let _ = write!(self.pointer, "/{index}");
        }
        parent
    }

    fn enter(&mut self) -> Option<()> {
        self.depth += 1;
        (self.depth + 8 <= MAX_DEPTH).then_some(())
    }

    /// A block mapping whose first key starts at byte `start` of `line`; its other keys are
    /// the following lines indented as far.
    fn mapping(&mut self, line: Line<'a>, start: usize, key: Option<Pos>) -> Option<Value> {
        self.enter()?;
        self.node(line.pos(start, start), key, true)?;
        let indent = start;
        let mut map = Map::new();
        let mut line = line;
        let mut at = start;
        loop {
            let entry = key_at(line, at)??;
            if map.contains_key(&*entry.name) {
                return None;
            }
            let parent = self.push_key(&entry.name);
            if self.on_path() {
                let value = self.entry_value(line, &entry, indent)?;
                self.pointer.truncate(parent);
                if self.target.is_none() {
                    map.insert(entry.name.into_owned(), value);
                }
                self.done_with_path();
            } else {
                self.pointer.truncate(parent);
                // The entry's subtree, and a sequence at its key's own indent.
                self.lines.skip_deeper(indent, true);
            }
            match self.lines.current {
                None => break,
                Some(next) if next.indent < indent => break,
                Some(next) if next.indent == indent && !next.is_item() => {
                    line = next;
                    at = indent;
                }
                // Deeper: a scalar going on over lines; `- ` here: an error.
                Some(_) => return None,
            }
        }
        self.depth -= 1;
        Some(self.keep(Value::Object(map)))
    }

    /// What follows `key:`: a scalar on the same line, or a block on the lines below (an
    /// indented mapping or sequence, or a sequence at the key's own indent), or nothing (null,
    /// placed at the colon as the general parser places it).
    fn entry_value(&mut self, line: Line<'a>, key: &Key<'a>, indent: usize) -> Option<Value> {
        let key_pos = line.pos(key.at, key.end);
        let at = line.spaces_from(key.colon + 1);
        if !matches!(line.byte(at), None | Some(b'#')) {
            let value = self.inline(line, at, Some(key_pos))?;
            self.lines.advance();
            return Some(value);
        }
        self.lines.advance();
        match self.lines.current {
            Some(next) if next.indent > indent => {
                if next.is_item() {
                    self.sequence(next, Some(key_pos), false)
                } else {
                    self.mapping(next, next.indent, Some(key_pos))
                }
            }
            Some(next) if next.indent == indent && next.is_item() => {
                self.sequence(next, Some(key_pos), true)
            }
            _ => {
                self.node(line.pos(key.colon, key.colon), Some(key_pos), false)?;
                Some(Value::Null)
            }
        }
    }

    /// A block sequence of `- ` items at `first`'s indent. An indentless one (at its key's own
    /// indent) ends at the next key and is placed where its first item starts; an indented one
    /// is placed at its first `-`.
    fn sequence(&mut self, first: Line<'a>, key: Option<Pos>, indentless: bool) -> Option<Value> {
        self.enter()?;
        let dash = first.indent;
        let content = first.spaces_from(dash + 1);
        let at = if indentless { content } else { dash };
        self.node(first.pos(at, at), key, true)?;
        let mut items = Vec::new();
        let mut line = first;
        loop {
            let start = line.spaces_from(dash + 1);
            match line.byte(start) {
                // An empty item, or `- - x`.
                None | Some(b'#') => return None,
                Some(b'-') if matches!(line.byte(start + 1), None | Some(b' ')) => return None,
                Some(_) => {}
            }
            let parent = self.push_index(items.len());
            if !self.on_path() {
                self.pointer.truncate(parent);
                self.lines.skip_deeper(dash, false);
                items.push(Value::Null);
            } else {
                let item = match key_at(line, start)? {
                    Some(_) => self.mapping(line, start, None),
                    None => self
                        .inline(line, start, None)
                        .inspect(|_| self.lines.advance()),
                };
                self.pointer.truncate(parent);
                items.push(item?);
                self.done_with_path();
            }
            match self.lines.current {
                None => break,
                Some(next) if next.indent < dash => break,
                Some(next) if next.indent == dash && next.is_item() => line = next,
                Some(next) if next.indent == dash && indentless => break,
                Some(_) => return None,
            }
        }
        self.depth -= 1;
        Some(self.keep(Value::Array(items)))
    }

    /// A scalar or a one-line flow collection from `at` to the end of the line (or a comment).
    fn inline(&mut self, line: Line<'a>, at: usize, key: Option<Pos>) -> Option<Value> {
        let (value, end) = match line.byte(at)? {
            b'[' | b'{' | b'"' | b'\'' => self.flow(line, at, key)?,
            _ => {
                let rest = line.text.get(at..)?;
                let len = comment_start(rest);
                let text = rest.get(..len)?.trim_end_matches(' ');
                // `a: b` here is a mapping where none may start; `a:` at the end likewise.
                if text.contains(": ") || text.ends_with(':') {
                    return None;
                }
                let end = at + text.len();
                let value = self.plain(text)?;
                self.node(line.pos(at, end), key, false)?;
                (value, end)
            }
        };
        line.ends_at(end).then_some(value)
    }

    /// A flow node that starts and ends on this line, and the byte after it: `[a, "b", 3]`,
    /// `{ k: v, l: [x] }` (each placed at its bracket, one character long), or a scalar.
    fn flow(&mut self, line: Line<'a>, at: usize, key: Option<Pos>) -> Option<(Value, usize)> {
        let (close, mapping) = match line.byte(at)? {
            b'[' => (b']', false),
            b'{' => (b'}', true),
            b'"' | b'\'' => {
                let (text, end) = quoted(line, at)?;
                self.node(line.pos(at, end), key, false)?;
                return Some((Value::String(text.into_owned()), end));
            }
            _ => {
                let end = flow_plain_end(line, at)?;
                let value = self.plain(line.text.get(at..end)?)?;
                self.node(line.pos(at, end), key, false)?;
                return Some((value, end));
            }
        };
        self.enter()?;
        self.node(line.pos(at, at + 1), key, true)?;
        let mut items = Vec::new();
        let mut map = Map::new();
        let mut next = line.spaces_from(at + 1);
        if line.byte(next) != Some(close) {
            loop {
                let item = if mapping {
                    let (name, key_pos, value_at) = flow_key(line, next)?;
                    if map.contains_key(&*name) {
                        return None;
                    }
                    let parent = self.push_key(&name);
                    let item = self.flow(line, value_at, Some(key_pos));
                    self.pointer.truncate(parent);
                    item.map(|(value, end)| {
                        map.insert(name.into_owned(), value);
                        end
                    })
                } else {
                    let parent = self.push_index(items.len());
                    let item = self.flow(line, next, None);
                    self.pointer.truncate(parent);
                    item.map(|(value, end)| {
                        items.push(value);
                        end
                    })
                };
                next = line.spaces_from(item?);
                match line.byte(next)? {
                    b if b == close => break,
                    // No trailing comma: `[a, ]` is left to the general parser.
                    b',' if line.byte(line.spaces_from(next + 1)) != Some(close) => {
                        next = line.spaces_from(next + 1);
                    }
                    _ => return None,
                }
            }
        }
        self.depth -= 1;
        let value = if mapping {
            Value::Object(map)
        } else {
            Value::Array(items)
        };
        Some((self.keep(value), next + 1))
    }
}

/// Where ` #` (a comment after a space) first starts in `rest`, or its length. Searched for
/// `#` alone: a `str::find(" #")` sets up a substring searcher per scalar, 2% of `validate`.
pub(super) fn comment_start(rest: &str) -> usize {
    let bytes = rest.as_bytes();
    let mut from = 0;
    while let Some(i) = bytes
        .get(from..)
        .and_then(|b| b.iter().position(|&c| c == b'#'))
    {
        let at = from + i;
        if at > 0 && bytes.get(at - 1) == Some(&b' ') {
            return at - 1;
        }
        from = at + 1;
    }
    bytes.len()
}

/// The end of a plain scalar inside a flow collection: before `,`, `]`, `}`, or a `:` that
/// ends a key. Characters that would start something else there are left to the general parser.
pub(super) fn flow_plain_end(line: Line<'_>, at: usize) -> Option<usize> {
    let rest = line.text.get(at..)?.as_bytes();
    let end = plain_run(rest)?;
    let text = rest.get(..end)?;
    let trimmed = text.len() - text.iter().rev().take_while(|&&b| b == b' ').count();
    (trimmed > 0).then_some(at + trimmed)
}

/// Where a plain scalar in a flow collection ends in `rest` (before `,`, `]`, `}`, or a `:`
/// that ends a key), or `None` at a byte that would start something else there. The bytes
/// that matter are found through a table of them, a load and a test a byte, and only then told
/// apart: a `match` of each byte that did both took about 150 instructions a scalar, two
/// scalars a room.
fn plain_run(rest: &[u8]) -> Option<usize> {
    const MATTERS: [bool; 256] = {
        let mut table = [false; 256];
        let mut slots: &mut [bool] = &mut table;
        let mut byte = 0_u8;
        while let [slot, rest @ ..] = slots {
            *slot = matches!(
                byte,
                b',' | b']' | b'}' | b':' | b'[' | b'{' | b'#' | b'"' | b'\''
            );
            byte = byte.wrapping_add(1);
            slots = rest;
        }
        table
    };
    let mut from = 0;
    loop {
        let Some(i) = rest
            .get(from..)?
            .iter()
            .position(|&b| MATTERS.get(usize::from(b)) == Some(&true))
        else {
            return Some(rest.len());
        };
        let at = from + i;
        match rest.get(at)? {
            b',' | b']' | b'}' => return Some(at),
            b':' if matches!(
                rest.get(at + 1),
                None | Some(b' ' | b',' | b']' | b'}' | b'[' | b'{')
            ) =>
            {
                return Some(at);
            }
            b':' => from = at + 1,
            _ => return None,
        }
    }
}

/// A key inside a flow mapping (`k: ` or `"k": `): its text, its position and where its value
/// starts.
pub(super) fn flow_key<'a>(line: Line<'a>, at: usize) -> Option<(Cow<'a, str>, Pos, usize)> {
    let (name, end) = match line.byte(at)? {
        b'"' | b'\'' => quoted(line, at)?,
        _ => {
            let end = flow_plain_end(line, at)?;
            let name = line.text.get(at..end)?;
            plain_key(name)?;
            (Cow::Borrowed(name), end)
        }
    };
    let colon = line.spaces_from(end);
    if line.byte(colon) != Some(b':') || line.byte(colon + 1) != Some(b' ') {
        return None;
    }
    let value_at = line.spaces_from(colon + 1);
    // `{ a: }` (a null) and `{ a: , b: c }`: the general parser's.
    if matches!(line.byte(value_at), None | Some(b',' | b'}' | b'#')) {
        return None;
    }
    Some((name, line.pos(at, end), value_at))
}

/// The mapping key that starts at `at`, if one does: `Some(None)` when the content there is not
/// a key, `None` when it is something the subset does not read.
pub(super) fn key_at<'a>(line: Line<'a>, at: usize) -> Option<Option<Key<'a>>> {
    let rest = line.text.get(at..)?;
    let (name, end, colon) = match rest.as_bytes().first()? {
        b'"' | b'\'' => {
            let (name, end) = quoted(line, at)?;
            let colon = line.spaces_from(end);
            if line.byte(colon) != Some(b':') {
                return Some(None);
            }
            (name, end, colon)
        }
        _ => {
            let Some(i) = plain_key_colon(rest.as_bytes()) else {
                return Some(None);
            };
            let name = rest.get(..i)?.trim_end_matches(' ');
            plain_key(name)?;
            (Cow::Borrowed(name), at + name.len(), at + i)
        }
    };
    if !matches!(line.byte(colon + 1), None | Some(b' ')) {
        return None;
    }
    Some(Some(Key {
        name,
        at,
        end,
        colon,
    }))
}

/// A one-line quoted scalar at `at` and the byte after its closing quote. Double quotes with
/// escapes, and anything spanning lines, are left to the general parser.
pub(super) fn quoted<'a>(line: Line<'a>, at: usize) -> Option<(Cow<'a, str>, usize)> {
    let quote = line.byte(at)?;
    let body = line.text.get(at + 1..)?;
    if quote == b'"' {
        let close = body.find(['"', '\\'])?;
        if body.as_bytes().get(close) != Some(&b'"') {
            return None;
        }
        return Some((Cow::Borrowed(body.get(..close)?), at + 1 + close + 1));
    }
    let first = body.find('\'')?;
    if body.as_bytes().get(first + 1) != Some(&b'\'') {
        return Some((Cow::Borrowed(body.get(..first)?), at + 1 + first + 1));
    }
    let mut text = String::new();
    let mut from = 0;
    loop {
        let close = from + body.get(from..)?.find('\'')?;
        text.push_str(body.get(from..close)?);
        if body.as_bytes().get(close + 1) == Some(&b'\'') {
            text.push('\'');
            from = close + 2;
        } else {
            return Some((Cow::Owned(text), at + 1 + close + 1));
        }
    }
}

/// Whether an unquoted key is one the subset reads: a plain string, and short of where YAML's
/// 1024-character limit on implicit keys begins.
fn plain_key(name: &str) -> Option<()> {
    (name.len() <= 512 && matches!(plain(name)?, Plain::String)).then_some(())
}

/// What a plain scalar is, when the subset is sure of it.
pub(super) enum Plain {
    /// A string that YAML reads as nothing else.
    String,
    /// `true` or `false`.
    Bool(bool),
    /// A decimal integer without a leading zero that fits an `i64`.
    Integer(i64),
}

pub(super) fn plain(text: &str) -> Option<Plain> {
    let first = *text.as_bytes().first()?;
    if first.is_ascii_digit() || first == b'-' {
        let digits = text.strip_prefix('-').unwrap_or(text);
        if digits.is_empty()
            || !digits.bytes().all(|b| b.is_ascii_digit())
            || (digits.len() > 1 && digits.starts_with('0'))
        {
            return None;
        }
        return text.parse::<i64>().ok().map(Plain::Integer);
    }
    if !(first.is_ascii_alphabetic()
        || matches!(first, b'/' | b'_' | b'$' | b'(' | b'=' | b'^')
        || first >= 0x80)
    {
        return None;
    }
    // YAML 1.2's booleans and nulls in any case, and the words Rust would read as floats: the
    // general parser decides those (`yes`, `on`, `y` are strings with strict booleans).
    const WORDS: [&str; 6] = ["true", "false", "null", "nan", "inf", "infinity"];
    if text.len() <= 8 && WORDS.iter().any(|w| w.eq_ignore_ascii_case(text)) {
        return match text {
            "true" => Some(Plain::Bool(true)),
            "false" => Some(Plain::Bool(false)),
            _ => None,
        };
    }
    Some(Plain::String)
}

#[cfg(test)]
mod tests {
    use super::{comment_start, line_end, plain_key_colon, plain_run};

    /// Every string of up to `longest` symbols of `alphabet`, the empty one first.
    fn every_string<T: Copy>(alphabet: &[T], longest: u32) -> impl Iterator<Item = Vec<T>> + '_ {
        (0..=longest).flat_map(move |n| {
            (0..alphabet.len().pow(n)).map(move |mut code| {
                (0..n)
                    .map(|_| {
                        let symbol = alphabet[code % alphabet.len()];
                        code /= alphabet.len();
                        symbol
                    })
                    .collect()
            })
        })
    }

    /// `plain_run` finds what the byte-by-byte `match` it replaced found, on every string of up
    /// to 6 of a letter, a space and each byte that matters.
    #[test]
    fn plain_run_ends_where_a_match_of_each_byte_ends() {
        fn by_match(rest: &[u8]) -> Option<usize> {
            for (i, &b) in rest.iter().enumerate() {
                match b {
                    b',' | b']' | b'}' => return Some(i),
                    b':' if matches!(
                        rest.get(i + 1),
                        None | Some(b' ' | b',' | b']' | b'}' | b'[' | b'{')
                    ) =>
                    {
                        return Some(i);
                    }
                    b'[' | b'{' | b'#' | b'"' | b'\'' => return None,
                    _ => {}
                }
            }
            Some(rest.len())
        }
        let mut tried = 0;
        for bytes in every_string(b"a ,]}:[{#\"'", 6) {
            assert_eq!(plain_run(&bytes), by_match(&bytes), "{bytes:?}");
            tried += 1;
        }
        assert_eq!(tried, 1_948_717);
    }

    /// `plain_key_colon` is the byte loop it replaced, on every string of up to 10 of `a`, `:`,
    /// `#` and ` `.
    #[test]
    fn plain_key_colon_finds_what_a_byte_loop_finds() {
        for bytes in every_string(b"a:# ", 10) {
            let mut found = None;
            for (i, &b) in bytes.iter().enumerate() {
                match b {
                    b':' if matches!(bytes.get(i + 1), None | Some(b' ')) => {
                        found = Some(i);
                        break;
                    }
                    b'#' if i > 0 && bytes[i - 1] == b' ' => break,
                    _ => {}
                }
            }
            assert_eq!(plain_key_colon(&bytes), found, "{bytes:?}");
        }
    }

    /// `line_end` is `position` of the first `\n` and `is_ascii` of what is before it, on every
    /// string of up to 11 bytes of `a`, `\n` and a non-ASCII byte, so that each word boundary
    /// and the remainder are crossed at every offset.
    #[test]
    fn line_end_finds_what_a_byte_loop_finds() {
        for bytes in every_string(&[b'a', b'\n', 0xc3], 11) {
            let end = bytes
                .iter()
                .position(|&b| b == b'\n')
                .unwrap_or(bytes.len());
            assert_eq!(
                line_end(&bytes),
                (end, bytes[..end].is_ascii()),
                "{bytes:?}"
            );
        }
    }

    /// `comment_start` is `find(" #")`, on every string of up to 7 of `a`, ` `, `#`, `é`.
    #[test]
    fn comment_start_finds_what_a_substring_search_finds() {
        for chars in every_string(&['a', ' ', '#', 'é'], 7) {
            let text: String = chars.into_iter().collect();
            assert_eq!(
                comment_start(&text),
                text.find(" #").unwrap_or(text.len()),
                "{text:?}"
            );
        }
    }
}
