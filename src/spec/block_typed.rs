//! The typed spec read straight from block-YAML text, with no value tree in between.
//!
//! [`super::block_yaml`] reads the subset into a `serde_json::Value`, and the types are then read
//! from that value through [`super::strict::Strict`]: the value's maps, hashed keys and strings
//! were a third of a 5,000-room render (issue 17). This module is a serde deserializer over the
//! same lines, read with the same helpers and in the same order, that hands every visitor what
//! `Strict` over the value would hand it: mappings and sequences in document order, strings,
//! booleans, non-negative integers as `u64` and negative ones as `i64`, an empty value as unit.
//!
//! It is only a fast path. It refuses whatever the block reader refuses (and so leaves to the
//! general parser), and on any error, of the text or of the types, it answers `None`: the caller
//! then reads the file the slow way, which alone says what is wrong and where. So an accepted
//! file's spec is the one the slow way reads, and debug builds (every test) read both and
//! compare them.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;
use std::ops::Range;

use serde::de::value::CowStrDeserializer;
use serde::de::{self, DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, SeqAccess};
use serde::de::{Deserialize, Visitor};

use super::block_yaml::{
    Line, Lines, Plain, comment_start, flow_key, flow_plain_end, key_at, plain, printable, quoted,
    root, root_with_gap,
};
use super::tree::{MAX_DEPTH, MAX_EVENTS, MAX_NODES};

/// `text` read as a `T`, or `None` where the slow way must read it (see the module).
pub(super) fn read<T: for<'de> Deserialize<'de>>(text: &str) -> Option<T> {
    if !printable(text) {
        return None;
    }
    let (lines, first) = root(text)?;
    read_mapping(lines, first, 0).map(|(value, _)| value)
}

/// How [`read_in_pieces`] may read a section: on at most `most` threads (one per core), each
/// with a share of at least `shortest` bytes, since a thread costs more than a short share takes
/// to read.
#[derive(Clone, Copy, Debug)]
pub(super) struct Pieces {
    pub most: usize,
    pub shortest: usize,
    /// The longest piece read at one go: a thread reads its share of the section as pieces of
    /// at most this many bytes, each checked and then read while a core's cache still holds
    /// it (see `CHUNK` in `load`).
    pub chunk: usize,
}

/// `text` read as [`read`] reads it, but with the entries of its top-level mapping `section`
/// (a large spec's `rooms:` is most of it) cut at entry lines into pieces that are read at
/// once: each thread reads a run of them, each piece as an `M`, and this thread then reads the
/// last piece with the rest of the document. `join` puts the pieces, in document order, into
/// the `T`; it answers `None` where they hold one key twice (each piece refuses a repeat within
/// itself, as the whole read would). Also answers how many pieces were read: 1 where the text
/// was read whole, because it is too short to cut or because a cut did not hold (a piece that
/// did not read as entries of the section to its last line: the text is then read whole, which
/// says what is wrong).
pub(super) fn read_in_pieces<T, M>(
    text: &str,
    section: &str,
    pieces: Pieces,
    join: impl FnOnce(T, Vec<M>) -> Option<T>,
) -> Option<(T, usize)>
where
    T: for<'de> Deserialize<'de>,
    M: for<'de> Deserialize<'de> + Send,
{
    let whole = || read(text).map(|value| (value, 1));
    let Some(cuts) = cuts(text, section, pieces) else {
        return whole();
    };
    let mut unprintable = false;
    let read_at_once = std::thread::scope(|scope| {
        let here = crate::cores::current();
        // Each thread reads a run of pieces in turn, this one the last run before the rest.
        // An unprintable piece leaves the text to the whole read, which refuses it.
        let read_run = |run: &[Range<usize>]| -> Option<Vec<(M, Spent)>> {
            run.iter()
                .map(|piece| {
                    let piece = text.get(piece.clone()).filter(|piece| printable(piece))?;
                    read_entries::<M>(piece, cuts.indent)
                })
                .collect()
        };
        let runs = cuts.runs();
        let (mine, theirs) = runs.split_last()?;
        // A thread the system refuses (a limit on threads) leaves the text to the whole read.
        let others = theirs
            .iter()
            .enumerate()
            .map(|(nth, run)| {
                let run = cuts.others.get(run.clone());
                crate::cores::spawn_helper(scope, here, nth, move || read_run(run?)).ok()
            })
            .collect::<Option<Vec<_>>>()?;
        crate::cores::let_helpers_start();
        let my_pieces = read_run(cuts.others.get(mine.clone())?);
        // Each piece is asked on the thread that reads it, and this one asks the rest: asked
        // of the whole text here, it kept the other cores waiting (0.45 ms at 50,000 rooms,
        // a text of 8.6 MB). The whole read would refuse such a text, so then the helpers'
        // pieces are dropped unused.
        let rest = (text.get(..cuts.gap.start), text.get(cuts.gap.end..));
        if !matches!(rest, (Some(before), Some(after)) if printable(before) && printable(after)) {
            unprintable = true;
            return None;
        }
        let (lines, first) = root_with_gap(text, cuts.gap.clone())?;
        let last = read_mapping::<T>(lines, first, 0);
        let mut read = Vec::with_capacity(cuts.others.len());
        let mut spent = Spent::default();
        for run in others
            .into_iter()
            .map(|other| other.join().ok().flatten())
            .chain([my_pieces])
        {
            for (entries, piece_spent) in run? {
                read.push(entries);
                spent.add(piece_spent);
            }
        }
        let (value, last_spent) = last?;
        spent.add(last_spent);
        // The whole read refuses a document over the budgets (so that the general parser
        // reads it); each piece counted its own share, which alone may be under them.
        if spent.over() {
            return None;
        }
        let count = read.len() + 1;
        join(value, read).map(|value| (value, count))
    });
    if unprintable {
        return None;
    }
    read_at_once.or_else(whole)
}

/// Where [`read_in_pieces`] cuts: `gap`, the lines the other pieces hold, from the section's
/// first line to the last piece's; `others`, those pieces; `indent`, the section's entries';
/// `threads`, how many threads read them.
struct Cuts {
    gap: Range<usize>,
    others: Vec<Range<usize>>,
    indent: usize,
    threads: usize,
}

impl Cuts {
    /// Each thread's run of `others`, in order, as even as whole pieces allow; the last thread's
    /// run is followed by the last piece, which it reads with the rest of the text.
    fn runs(&self) -> Vec<Range<usize>> {
        let pieces = self.others.len() + 1;
        let threads = self.threads.clamp(1, pieces);
        (0..threads)
            .map(|t| {
                let end = if t + 1 == threads {
                    self.others.len()
                } else {
                    (t + 1) * pieces / threads
                };
                t * pieces / threads..end
            })
            .collect()
    }
}

/// The cuts of `section`'s entries in `text`, found from the bytes alone: the line `section:`
/// at the margin (the root mapping's key; nothing after it but a comment), its first content
/// line (a key, indented), and lines indented as that one whose first byte can start a key,
/// spread evenly from there to the end of the text. Whether they hold is for the reading to
/// find: a cut after the section's end (a long section after it) makes a piece that does not
/// read as the section's entries to its last line.
fn cuts(text: &str, section: &str, pieces: Pieces) -> Option<Cuts> {
    if pieces.most < 2 {
        return None;
    }
    let bytes = text.as_bytes();
    let key = format!("{section}:");
    let key_line = if text.starts_with(&key) {
        0
    } else {
        memchr::memmem::find(bytes, format!("\n{key}").as_bytes())? + 1
    };
    let after_key = key_line + key.len();
    let key_line_end = after_key + memchr::memchr(b'\n', bytes.get(after_key..)?)?;
    let rest_of_key_line = bytes.get(after_key..key_line_end)?;
    let rest = rest_of_key_line.trim_ascii_start();
    if !(rest.is_empty() || rest.first() == Some(&b'#') && rest.len() < rest_of_key_line.len()) {
        return None;
    }
    let body = key_line_end + 1;
    let (first, indent) = line_starts(bytes, body).find_map(|at| {
        let line = bytes.get(at..)?;
        let indent = line.iter().take_while(|&&b| b == b' ').count();
        match line.get(indent) {
            None | Some(b'\n' | b'#') => None,
            Some(_) => Some((at, indent)),
        }
    })?;
    if indent == 0 || !starts_key(bytes.get(first + indent..)?) {
        return None;
    }
    let length = text.len() - body;
    let threads = pieces.most.min(length / pieces.shortest.max(1));
    // At least a piece a thread, and none longer than a chunk: a section of 8.7 MB (50,000
    // rooms) was cut in two halves, each read from memory no cache held (issue 17).
    let count = if threads < 2 {
        threads
    } else {
        threads.max(length.div_ceil(pieces.chunk.max(1)))
    };
    let mut starts = vec![body];
    for i in 1..count {
        let from = (body + length / count * i).max(starts.last()? + 1);
        let Some(cut) = line_starts(bytes, from).find(|&at| {
            bytes
                .get(at..at + indent)
                .is_some_and(|s| s.iter().all(|&b| b == b' '))
                && bytes.get(at + indent..).is_some_and(starts_key)
        }) else {
            break;
        };
        starts.push(cut);
    }
    if starts.len() < 2 {
        return None;
    }
    let last = *starts.last()?;
    let others = starts
        .windows(2)
        .filter_map(|w| Some(*w.first()?..*w.get(1)?))
        .collect();
    Some(Cuts {
        gap: body..last,
        threads: threads.min(starts.len()),
        others,
        indent,
    })
}

/// Whether a line's content that starts with `rest` can be a key: not a space, a comment, an
/// item (`-`) or the line's end.
fn starts_key(rest: &[u8]) -> bool {
    !matches!(rest.first(), None | Some(b' ' | b'\n' | b'#' | b'-'))
}

/// The starts of the lines from the first line start at or after `from`.
fn line_starts(bytes: &[u8], from: usize) -> impl Iterator<Item = usize> + '_ {
    let first = if from == 0 || bytes.get(from - 1) == Some(&b'\n') {
        Some(from)
    } else {
        bytes
            .get(from..)
            .and_then(|rest| memchr::memchr(b'\n', rest))
            .map(|i| from + i + 1)
    };
    let in_text = move |at: &usize| *at < bytes.len();
    std::iter::successors(first.filter(in_text), move |&at| {
        Some(at + memchr::memchr(b'\n', bytes.get(at..)?)? + 1).filter(in_text)
    })
}

/// A mapping whose first key is at `first` (the root at depth 0), read to the text's end.
fn read_mapping<T: for<'de> Deserialize<'de>>(
    lines: Lines<'_>,
    first: Line<'_>,
    depth: usize,
) -> Option<(T, Spent)> {
    let mut reader = Reader {
        lines,
        nodes: 0,
        events: 0,
        depth,
        flow_end: 0,
    };
    let value = T::deserialize(Node {
        reader: &mut reader,
        kind: Kind::Mapping {
            line: first,
            start: first.indent,
        },
    })
    .ok()?;
    let spent = Spent {
        nodes: reader.nodes,
        events: reader.events,
    };
    reader.lines.current.is_none().then_some((value, spent))
}

/// A piece of a section's entries, at `indent` from its first line to its last, read as a
/// mapping one level below the root's (as the whole read would find it).
fn read_entries<M: for<'de> Deserialize<'de>>(piece: &str, indent: usize) -> Option<(M, Spent)> {
    let lines = Lines::new(piece);
    let first = lines.current?;
    if first.indent != indent || first.is_item() {
        return None;
    }
    read_mapping(lines, first, 1)
}

/// The budgets a read spent (see [`Reader::node`]).
#[derive(Clone, Copy, Default)]
struct Spent {
    nodes: usize,
    events: usize,
}

impl Spent {
    /// Another piece's share. Each piece counts its section's mapping once more, so the sum is
    /// a little over the whole read's: a document right at the budgets is read whole instead.
    fn add(&mut self, other: Spent) {
        self.nodes += other.nodes;
        self.events += other.events;
    }

    fn over(self) -> bool {
        self.nodes + 16 > MAX_NODES || self.events + 16 > MAX_EVENTS
    }
}

/// Why a read stopped; never shown, since the slow way then says it in its own words.
#[derive(Debug)]
pub(super) struct Refused;

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("left to the general reader")
    }
}

impl std::error::Error for Refused {}

impl de::Error for Refused {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Refused
    }
}

type Result<T> = std::result::Result<T, Refused>;

fn refuse<T>() -> Result<T> {
    Err(Refused)
}

struct Reader<'a> {
    lines: Lines<'a>,
    nodes: usize,
    events: usize,
    depth: usize,
    /// The byte after the flow node read last, on its line.
    flow_end: usize,
}

impl Reader<'_> {
    /// The block reader's budgets, counted as it counts them, so that a document it leaves to
    /// the general parser is left to it here too.
    fn node(&mut self, collection: bool) -> Result<()> {
        self.nodes += 1;
        self.events += if collection { 2 } else { 1 };
        let spent = Spent {
            nodes: self.nodes,
            events: self.events,
        };
        if spent.over() {
            return refuse();
        }
        Ok(())
    }

    /// A collection begins: one level deeper, one node more (as the block reader counts them).
    fn enter(&mut self) -> Result<()> {
        self.depth += 1;
        if self.depth + 8 > MAX_DEPTH {
            return refuse();
        }
        self.node(true)
    }

    /// A collection is read whole.
    fn leave(&mut self) {
        self.depth -= 1;
    }
}

/// Where a node starts, as the block reader's functions of the same names find it.
#[derive(Clone, Copy)]
enum Kind<'a> {
    /// A block mapping whose first key starts at byte `start` of `line`.
    Mapping { line: Line<'a>, start: usize },
    /// A block sequence of `- ` items from `first` on.
    Sequence { first: Line<'a>, indentless: bool },
    /// `key:` with nothing after it: null.
    Empty,
    /// A scalar or a one-line flow collection from `at` to the end of `line`.
    Inline { line: Line<'a>, at: usize },
    /// A node inside a flow collection; the byte after it goes to `Reader::flow_end`.
    Flow { line: Line<'a>, at: usize },
}

struct Node<'r, 'a> {
    reader: &'r mut Reader<'a>,
    kind: Kind<'a>,
}

/// A scalar as the value tree would hold it.
enum Scalar<'a> {
    String(Cow<'a, str>),
    Bool(bool),
    Integer(i64),
}

impl<'a> Scalar<'a> {
    fn plain(text: &'a str) -> Result<Scalar<'a>> {
        Ok(match plain(text).ok_or(Refused)? {
            Plain::String => Scalar::String(Cow::Borrowed(text)),
            Plain::Bool(b) => Scalar::Bool(b),
            Plain::Integer(n) => Scalar::Integer(n),
        })
    }

    fn visit<'de, V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self {
            Scalar::String(Cow::Borrowed(s)) => visitor.visit_str(s),
            Scalar::String(Cow::Owned(s)) => visitor.visit_string(s),
            Scalar::Bool(b) => visitor.visit_bool(b),
            // As serde_json's numbers: non-negative ones are unsigned.
            Scalar::Integer(n) => match u64::try_from(n) {
                Ok(n) => visitor.visit_u64(n),
                Err(_) => visitor.visit_i64(n),
            },
        }
    }
}

/// What an inline or flow node turned out to be.
enum Read<'a> {
    Scalar(Scalar<'a>),
    FlowSequence { line: Line<'a>, at: usize },
    FlowMapping { line: Line<'a>, at: usize },
}

impl<'r, 'a> Node<'r, 'a> {
    /// An inline node: a flow node, or a plain scalar that runs to the end of the line or a
    /// comment (`block_yaml`'s `inline`).
    fn inline(&mut self, line: Line<'a>, at: usize) -> Result<Read<'a>> {
        if let Some(b'[' | b'{' | b'"' | b'\'') = line.byte(at) {
            return self.flow(line, at);
        }
        let rest = line.text.get(at..).ok_or(Refused)?;
        let len = comment_start(rest);
        let text = rest.get(..len).ok_or(Refused)?.trim_end_matches(' ');
        if text.is_empty() || text.contains(": ") || text.ends_with(':') {
            return refuse();
        }
        let scalar = Scalar::plain(text)?;
        self.reader.node(false)?;
        self.reader.flow_end = at + text.len();
        Ok(Read::Scalar(scalar))
    }

    /// A node inside a flow collection, or one that starts with a bracket or a quote
    /// (`block_yaml`'s `flow`); a scalar's end goes to `flow_end` at once, a collection's once
    /// it is read.
    fn flow(&mut self, line: Line<'a>, at: usize) -> Result<Read<'a>> {
        match line.byte(at).ok_or(Refused)? {
            b'[' => Ok(Read::FlowSequence { line, at }),
            b'{' => Ok(Read::FlowMapping { line, at }),
            b'"' | b'\'' => {
                let (text, end) = quoted(line, at).ok_or(Refused)?;
                self.reader.node(false)?;
                self.reader.flow_end = end;
                Ok(Read::Scalar(Scalar::String(text)))
            }
            _ => {
                let end = flow_plain_end(line, at).ok_or(Refused)?;
                let scalar = Scalar::plain(line.text.get(at..end).ok_or(Refused)?)?;
                self.reader.node(false)?;
                self.reader.flow_end = end;
                Ok(Read::Scalar(scalar))
            }
        }
    }

    /// An inline node just read must end its line: only spaces or a comment may follow.
    fn ends_line(&self, inline: Option<Line<'a>>) -> Result<()> {
        match inline {
            Some(line) if !line.ends_at(self.reader.flow_end) => refuse(),
            _ => Ok(()),
        }
    }

    /// Reads the node for `visitor`, as a mapping only where `mapping_only` (a struct).
    fn read<'de, V: Visitor<'de>>(mut self, visitor: V, mapping_only: bool) -> Result<V::Value> {
        let (read, inline) = match self.kind {
            Kind::Mapping { line, start } => {
                return self.block_mapping(line, start, visitor);
            }
            Kind::Sequence { first, indentless } if !mapping_only => {
                return self.block_sequence(first, indentless, visitor);
            }
            Kind::Sequence { .. } => return refuse(),
            Kind::Empty if !mapping_only => {
                self.reader.node(false)?;
                return visitor.visit_unit();
            }
            Kind::Empty => return refuse(),
            Kind::Inline { line, at } => (self.inline(line, at)?, Some(line)),
            Kind::Flow { line, at } => (self.flow(line, at)?, None),
        };
        let value = match read {
            Read::Scalar(_) if mapping_only => return refuse(),
            Read::Scalar(scalar) => scalar.visit(visitor)?,
            Read::FlowSequence { .. } if mapping_only => return refuse(),
            Read::FlowSequence { line, at } => self.flow_collection(line, at, false, visitor)?,
            Read::FlowMapping { line, at } => self.flow_collection(line, at, true, visitor)?,
        };
        self.ends_line(inline)?;
        Ok(value)
    }

    fn block_mapping<'de, V: Visitor<'de>>(
        self,
        line: Line<'a>,
        start: usize,
        visitor: V,
    ) -> Result<V::Value> {
        self.reader.enter()?;
        let bytes_at_start = self.reader.lines.bytes_left();
        let mut entries = BlockMapping {
            reader: self.reader,
            indent: start,
            next: Some((line, start)),
            pending: None,
            keys: Keys::default(),
            read: 0,
            bytes_at_start,
        };
        let value = visitor.visit_map(&mut entries)?;
        if entries.next.is_some() || entries.pending.is_some() {
            return refuse();
        }
        entries.reader.leave();
        Ok(value)
    }

    fn block_sequence<'de, V: Visitor<'de>>(
        self,
        first: Line<'a>,
        indentless: bool,
        visitor: V,
    ) -> Result<V::Value> {
        self.reader.enter()?;
        let mut items = BlockSequence {
            reader: self.reader,
            dash: first.indent,
            indentless,
            next: Some(first),
        };
        let value = visitor.visit_seq(&mut items)?;
        if items.next.is_some() {
            return refuse();
        }
        items.reader.leave();
        Ok(value)
    }

    fn flow_collection<'de, V: Visitor<'de>>(
        &mut self,
        line: Line<'a>,
        at: usize,
        mapping: bool,
        visitor: V,
    ) -> Result<V::Value> {
        self.reader.enter()?;
        let mut items = FlowItems {
            reader: &mut *self.reader,
            line,
            close: if mapping { b'}' } else { b']' },
            next: line.spaces_from(at + 1),
            started: false,
            done: false,
            value_at: None,
            keys: mapping.then(Keys::default),
        };
        let value = if mapping {
            visitor.visit_map(&mut items)?
        } else {
            visitor.visit_seq(&mut items)?
        };
        if !items.done || items.value_at.is_some() {
            return refuse();
        }
        let end = items.next + 1;
        self.reader.leave();
        self.reader.flow_end = end;
        Ok(value)
    }
}

/// The most entries a mapping's estimate promises: as many as the largest spec holds at 64
/// bytes an entry (a room takes about 170). A mapping that holds more still reads; it grows.
const MOST_ENTRIES_ESTIMATED: usize = crate::spec::load::MAX_SPEC_BYTES / 64;

/// The keys of one mapping so far: a duplicate is the general parser's to report.
struct Keys<'a> {
    /// The first [`Keys::FEW`] keys that borrow the text, in place: a vector that grew for each
    /// mapping's keys was 2% of a 5,000-room `validate` (two mappings a room), and slices
    /// need no dropping.
    few: [&'a str; Keys::FEW],
    count: usize,
    /// Every key, once there are more, or once one is not the text's own (an unescaped
    /// quoted key).
    many: Option<HashSet<Cow<'a, str>, foldhash::fast::RandomState>>,
}

impl Default for Keys<'_> {
    fn default() -> Self {
        Keys {
            few: [""; Keys::FEW],
            count: 0,
            many: None,
        }
    }
}

impl<'a> Keys<'a> {
    /// Up to this many keys are compared one by one; a room's mapping holds a handful. Each
    /// mapping sets up this many slots, so it is not more than a room needs.
    const FEW: usize = 8;

    fn insert(&mut self, key: Cow<'a, str>) -> Result<()> {
        if self.many.is_none()
            && let Cow::Borrowed(name) = key
        {
            let (seen, free) = self.few.split_at_mut(self.count);
            if seen.contains(&name) {
                return refuse();
            }
            if let Some(slot) = free.first_mut() {
                *slot = name;
                self.count += 1;
                return Ok(());
            }
        }
        let seen = self.few.get(..self.count).unwrap_or_default();
        let many = self
            .many
            .get_or_insert_with(|| seen.iter().map(|&name| Cow::Borrowed(name)).collect());
        if many.insert(key) { Ok(()) } else { refuse() }
    }

    /// Makes room for `more` keys at once once they are hashed: the rooms' set grown by
    /// doubling rehashed 5,000 keys about once more, into fresh pages.
    fn expect(&mut self, more: usize) {
        if let Some(many) = &mut self.many {
            many.reserve(more);
        }
    }
}

struct BlockMapping<'r, 'a> {
    reader: &'r mut Reader<'a>,
    indent: usize,
    /// The line and byte of the next key, if there is one.
    next: Option<(Line<'a>, usize)>,
    /// The key read, whose value is next.
    pending: Option<(Line<'a>, usize)>,
    keys: Keys<'a>,
    /// Entries read so far, and the bytes of text left when the first was yet to read.
    read: usize,
    bytes_at_start: usize,
}

impl<'de, 'a> MapAccess<'de> for BlockMapping<'_, 'a> {
    type Error = Refused;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        let Some((line, at)) = self.next.take() else {
            return Ok(None);
        };
        let key = key_at(line, at).ok_or(Refused)?.ok_or(Refused)?;
        self.keys.insert(key.name.clone())?;
        self.pending = Some((line, key.colon));
        self.read += 1;
        // As `SortedMap` does (see `size_hint`), once the mapping is large.
        if self.read == 64
            && let Some(more) = self.size_hint()
        {
            self.keys.expect(more);
        }
        seed.deserialize(CowStrDeserializer::new(key.name))
            .map(Some)
    }

    /// An estimate, not a count: the entries the text left would hold at the bytes an entry
    /// took so far. Where the mapping ends is not known before it does, so the estimate runs
    /// over when other text follows it. `SortedMap` asks once a mapping has grown large, to
    /// reserve the rest at once: a vector of 50,000 rooms grown by doubling copied them about
    /// once more, into pages touched for the first time (issue 17).
    ///
    /// Capped at [`MOST_ENTRIES_ESTIMATED`]: a few tiny entries before a long text would
    /// otherwise have the map and its key set reserve gigabytes.
    fn size_hint(&self) -> Option<usize> {
        let left = self.reader.lines.bytes_left();
        let taken = self
            .bytes_at_start
            .checked_sub(left)
            .filter(|&taken| taken > 0)?;
        Some((left / taken.div_ceil(self.read.max(1))).min(MOST_ENTRIES_ESTIMATED))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value> {
        let (line, colon) = self.pending.take().ok_or(Refused)?;
        let indent = self.indent;
        // What follows `key:` (`block_yaml`'s `entry_value`).
        let at = line.spaces_from(colon + 1);
        let value = if !matches!(line.byte(at), None | Some(b'#')) {
            let value = seed.deserialize(Node {
                reader: &mut *self.reader,
                kind: Kind::Inline { line, at },
            })?;
            self.reader.lines.advance();
            value
        } else {
            self.reader.lines.advance();
            let kind = match self.reader.lines.current {
                Some(next) if next.indent > indent => {
                    if next.is_item() {
                        Kind::Sequence {
                            first: next,
                            indentless: false,
                        }
                    } else {
                        Kind::Mapping {
                            line: next,
                            start: next.indent,
                        }
                    }
                }
                Some(next) if next.indent == indent && next.is_item() => Kind::Sequence {
                    first: next,
                    indentless: true,
                },
                _ => Kind::Empty,
            };
            seed.deserialize(Node {
                reader: &mut *self.reader,
                kind,
            })?
        };
        self.next = match self.reader.lines.current {
            None => None,
            Some(next) if next.indent < indent => None,
            Some(next) if next.indent == indent && !next.is_item() => Some((next, indent)),
            // Deeper: a scalar going on over lines; `- ` here: an error.
            Some(_) => return refuse(),
        };
        Ok(value)
    }
}

struct BlockSequence<'r, 'a> {
    reader: &'r mut Reader<'a>,
    dash: usize,
    indentless: bool,
    next: Option<Line<'a>>,
}

impl<'de> SeqAccess<'de> for BlockSequence<'_, '_> {
    type Error = Refused;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>> {
        let Some(line) = self.next.take() else {
            return Ok(None);
        };
        let start = line.spaces_from(self.dash + 1);
        match line.byte(start) {
            // An empty item, or `- - x`.
            None | Some(b'#') => return refuse(),
            Some(b'-') if matches!(line.byte(start + 1), None | Some(b' ')) => return refuse(),
            Some(_) => {}
        }
        let value = match key_at(line, start).ok_or(Refused)? {
            Some(_) => seed.deserialize(Node {
                reader: &mut *self.reader,
                kind: Kind::Mapping { line, start },
            })?,
            None => {
                let value = seed.deserialize(Node {
                    reader: &mut *self.reader,
                    kind: Kind::Inline { line, at: start },
                })?;
                self.reader.lines.advance();
                value
            }
        };
        let dash = self.dash;
        self.next = match self.reader.lines.current {
            None => None,
            Some(next) if next.indent < dash => None,
            Some(next) if next.indent == dash && next.is_item() => Some(next),
            Some(next) if next.indent == dash && self.indentless => None,
            Some(_) => return refuse(),
        };
        Ok(Some(value))
    }
}

/// The items or entries of a flow collection on one line.
struct FlowItems<'r, 'a> {
    reader: &'r mut Reader<'a>,
    line: Line<'a>,
    close: u8,
    /// The byte of the next item, or of the closing bracket once `done`.
    next: usize,
    started: bool,
    done: bool,
    /// Where the value of the key just read starts.
    value_at: Option<usize>,
    /// A mapping's keys; a sequence (a room's `logging`) sets none up.
    keys: Option<Keys<'a>>,
}

impl FlowItems<'_, '_> {
    /// Whether another item follows; the first call also takes an empty collection.
    fn more(&mut self) -> bool {
        if !self.started {
            self.started = true;
            if self.line.byte(self.next) == Some(self.close) {
                self.done = true;
            }
        }
        !self.done
    }

    /// After an item ending at `end`: the closing bracket, or a comma and the next item (no
    /// trailing comma: `[a, ]` is left to the general parser).
    fn after(&mut self, end: usize) -> Result<()> {
        let line = self.line;
        let next = line.spaces_from(end);
        match line.byte(next).ok_or(Refused)? {
            b if b == self.close => {
                self.next = next;
                self.done = true;
            }
            b',' if line.byte(line.spaces_from(next + 1)) != Some(self.close) => {
                self.next = line.spaces_from(next + 1);
            }
            _ => return refuse(),
        }
        Ok(())
    }
}

impl<'de> SeqAccess<'de> for FlowItems<'_, '_> {
    type Error = Refused;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>> {
        if !self.more() {
            return Ok(None);
        }
        let value = seed.deserialize(Node {
            reader: &mut *self.reader,
            kind: Kind::Flow {
                line: self.line,
                at: self.next,
            },
        })?;
        self.after(self.reader.flow_end)?;
        Ok(Some(value))
    }
}

impl<'de> MapAccess<'de> for FlowItems<'_, '_> {
    type Error = Refused;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        if !self.more() {
            return Ok(None);
        }
        let (name, _, value_at) = flow_key(self.line, self.next).ok_or(Refused)?;
        self.keys.as_mut().ok_or(Refused)?.insert(name.clone())?;
        self.value_at = Some(value_at);
        seed.deserialize(CowStrDeserializer::new(name)).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value> {
        let at = self.value_at.take().ok_or(Refused)?;
        let value = seed.deserialize(Node {
            reader: &mut *self.reader,
            kind: Kind::Flow {
                line: self.line,
                at,
            },
        })?;
        self.after(self.reader.flow_end)?;
        Ok(value)
    }
}

impl<'de> Deserializer<'de> for Node<'_, '_> {
    type Error = Refused;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.read(visitor, false)
    }

    /// A struct is a mapping, never an array of its fields (as `Strict` reads it).
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        self.read(visitor, true)
    }

    /// An optional key is left out or has a value: `null` is refused (as `Strict` refuses it).
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.kind {
            Kind::Empty => refuse(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        visitor.visit_newtype_struct(self)
    }

    /// The spec's enums are words; anything else is the slow way's to read.
    fn deserialize_enum<V: Visitor<'de>>(
        mut self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        let (read, inline) = match self.kind {
            Kind::Inline { line, at } => (self.inline(line, at)?, Some(line)),
            Kind::Flow { line, at } => (self.flow(line, at)?, None),
            _ => return refuse(),
        };
        let Read::Scalar(Scalar::String(word)) = read else {
            return refuse();
        };
        self.ends_line(inline)?;
        visitor.visit_enum(IntoDeserializer::<Refused>::into_deserializer(word))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct seq tuple tuple_struct map identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::Keys;

    /// A repeated key is refused wherever it comes, before and after the keys outgrow the slots
    /// kept in place; distinct keys never are.
    #[test]
    fn keys_refuse_a_repeat_in_place_and_hashed() {
        for n in 1..=3 * Keys::FEW {
            for repeat in 0..n {
                let names: Vec<String> = (0..n).map(|i| format!("key-{i}")).collect();
                let mut keys = Keys::default();
                for name in &names {
                    assert!(keys.insert(Cow::Borrowed(name)).is_ok(), "{n} keys: {name}");
                }
                assert!(
                    keys.insert(Cow::Owned(names[repeat].clone())).is_err(),
                    "{n} keys, repeating key {repeat}"
                );
                // The same repeat borrowed from the text, and after an unescaped key.
                let mut keys = Keys::default();
                for name in &names {
                    assert!(keys.insert(Cow::Borrowed(name)).is_ok(), "{n} keys: {name}");
                }
                assert!(keys.insert(Cow::Borrowed(&names[repeat])).is_err());
                let mut keys = Keys::default();
                assert!(keys.insert(Cow::Owned("quoted".to_owned())).is_ok());
                for name in &names {
                    assert!(keys.insert(Cow::Borrowed(name)).is_ok(), "{n} keys: {name}");
                }
                assert!(keys.insert(Cow::Borrowed(&names[repeat])).is_err());
                assert!(keys.insert(Cow::Borrowed("quoted")).is_err());
            }
        }
    }

    /// A large mapping's estimate of the entries left, which `SortedMap` reserves by: near the
    /// count where the entries are alike, over it where other text follows the mapping.
    #[test]
    fn a_mapping_estimates_the_entries_left_from_its_bytes() {
        use serde::de::{IgnoredAny, MapAccess, Visitor};

        /// The estimates after 64, 500 and 999 entries, then the count.
        struct Estimates(Vec<Option<usize>>, usize);
        impl<'de> serde::Deserialize<'de> for Estimates {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl<'de> Visitor<'de> for V {
                    type Value = Estimates;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str("a map")
                    }
                    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Estimates, A::Error> {
                        let mut seen = Vec::new();
                        let mut n = 0;
                        while m.next_entry::<String, IgnoredAny>()?.is_some() {
                            n += 1;
                            if [64, 500, 999].contains(&n) {
                                seen.push(m.size_hint());
                            }
                        }
                        Ok(Estimates(seen, n))
                    }
                }
                d.deserialize_map(V)
            }
        }
        // A few tiny entries before a long text: the estimate stops at its cap.
        let mut tiny: String = (0..100).map(|n| format!("k{n:02}: v\n")).collect();
        tiny.push_str("long: ");
        tiny.push_str(&"x".repeat(super::MOST_ENTRIES_ESTIMATED * 8));
        tiny.push('\n');
        let Some(Estimates(seen, count)) = super::read::<Estimates>(&tiny) else {
            panic!("the tiny entries were not read");
        };
        assert_eq!(
            (seen, count),
            (vec![Some(super::MOST_ENTRIES_ESTIMATED)], 101)
        );
        let room = |n: usize| format!("room-{n:05}:\n  region: us-east-1\n  logging: [a, b]\n");
        let rooms: String = (0..1_000).map(room).collect();
        let Some(Estimates(seen, count)) = super::read::<Estimates>(&rooms) else {
            panic!("the rooms were not read");
        };
        assert_eq!(count, 1_000);
        for (left, estimate) in [936, 500, 1].into_iter().zip(seen) {
            let estimate = estimate.unwrap();
            assert!(
                estimate.abs_diff(left) <= left / 16 + 1,
                "{left} left, {estimate} estimated"
            );
        }
    }
}
