//! Reads spec documents (bytes in, no I/O) into one merged spec, or diagnostics.

use std::borrow::BorrowMut;
use std::collections::BTreeMap;

use crate::diagnostic::{Diagnostic, Rule};
use crate::sorted_map::SortedMap;

use super::block_typed;
use super::schema;
use serde::Deserialize as _;

use super::source::{Anchor, FileId, SourceFile, Sources};
use super::strict::Strict;
use super::tree::{self, Positions, Tree};
use super::types::{
    AccountAccess, AccountId, Audit, Bot, Destination, EntryKey, LoggingConfiguration,
    PieceOfRooms, Quota, Region, Room, SpecFile, SpecName, StackSet, TagKey, TagValue,
};

use super::origin::FILE_AS_READ;
pub use super::origin::{Entry, Located, Origin};

#[derive(Debug, Default)]
pub struct Defaults {
    pub account: Option<Located<AccountId>>,
    pub region: Option<Located<Region>>,
    pub tags: BTreeMap<TagKey, Located<TagValue>>,
}

/// All files merged: every name once, each entry knowing where it was written.
#[derive(Debug, Default)]
pub struct Spec {
    pub name: Option<Located<SpecName>>,
    pub defaults: Defaults,
    pub quotas: Vec<Entry<Quota>>,
    pub accounts: BTreeMap<AccountId, Entry<AccountAccess>>,
    pub destinations: BTreeMap<EntryKey, Entry<Destination>>,
    pub logging_configurations: BTreeMap<EntryKey, Entry<LoggingConfiguration>>,
    /// A sorted vector, not a tree: a tree of 50,000 rooms is built once, walked once and
    /// dropped, and building it copied every room once more (issue 17).
    pub rooms: SortedMap<EntryKey, Box<Entry<Room>>>,
    pub bots: BTreeMap<EntryKey, Entry<Bot>>,
    pub audit: Option<Entry<Audit>>,
    pub stack_sets: BTreeMap<EntryKey, Entry<StackSet>>,
}

/// The largest spec file read, in bytes, matching the parser's budget of 64 MiB of scalar text:
/// this bounds what is held in memory before the parser sees it, comments and whitespace
/// included.
pub const MAX_SPEC_BYTES: usize = 64 * 1024 * 1024;

/// One input: a name to show in diagnostics, and its bytes.
pub struct Input {
    pub name: String,
    pub bytes: Vec<u8>,
}

pub struct Loaded {
    pub sources: Sources,
    /// `None` when a file could not be read into the spec format at all.
    pub spec: Option<Spec>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses, schema-checks and merges the inputs. Semantic rules run later, on the merged spec.
pub fn load(inputs: Vec<Input>) -> Loaded {
    let mut sources = Sources::default();
    let mut diagnostics = Vec::new();
    let mut files = Vec::new();
    for input in inputs {
        let (file, parsed) = read_one(&mut sources, input, &mut diagnostics);
        if let Some(parsed) = parsed {
            files.push((file, parsed));
        }
    }
    if !diagnostics.is_empty() {
        return Loaded {
            sources,
            spec: None,
            diagnostics,
        };
    }
    let spec = merge(&sources, files, &mut diagnostics);
    Loaded {
        sources,
        spec: Some(spec),
        diagnostics,
    }
}

fn read_one(
    sources: &mut Sources,
    mut input: Input,
    diagnostics: &mut Vec<Diagnostic>,
) -> (FileId, Option<SpecFile>) {
    if input.bytes.len() > MAX_SPEC_BYTES {
        // Kept out of memory and out of the parser: a spec this size is a mistake or an attack.
        let file = sources.push(SourceFile::new(
            input.name,
            String::new(),
            Positions::default(),
        ));
        diagnostics.push(
            Diagnostic::new(
                Rule::Syntax,
                format!("the file is larger than {} MiB", MAX_SPEC_BYTES >> 20),
            )
            .at(sources.file_start(file))
            .help("a spec this large is beyond what chatlog reads; split it into several files"),
        );
        return (file, None);
    }
    let (text, utf8_error) = decode(std::mem::take(&mut input.bytes));
    let strict_json = input.name.to_ascii_lowercase().ends_with(".json");
    // A valid spec in the block subset is read straight into its types; any other file, and
    // any file with something wrong in it, is read the way below, which says what and where.
    if utf8_error.is_none()
        && !strict_json
        && !is_json(&text)
        && let Some((spec, _)) = read_typed(&text, pieces_for(text.len()))
    {
        let file = sources.push(SourceFile::deferred(input.name, text));
        #[cfg(debug_assertions)]
        if let Some(disagreement) = slow_read_disagrees(sources, file, &spec) {
            diagnostics.push(disagreement);
            return (file, None);
        }
        return (file, Some(spec));
    }
    let json_error = strict_json.then(|| json_syntax(&text)).flatten();
    let not_strict_json = json_error.is_some();
    // The document moves on to the checks; only its positions stay with the source, and for
    // YAML they are read only if a diagnostic needs one.
    let parsed = match json_error {
        Some(e) => Err(e),
        None => parse(&text, strict_json),
    };
    let (parsed, positions) = match parsed {
        Ok((value, positions)) => (Ok(value), positions),
        Err(e) => (Err(e), Some(Positions::default())),
    };
    let file = sources.push(match positions {
        Some(positions) => SourceFile::new(input.name, text, positions),
        None => SourceFile::deferred(input.name, text),
    });
    if let Some((line, column)) = utf8_error {
        diagnostics.push(
            Diagnostic::new(Rule::Syntax, "the file is not valid UTF-8")
                .at(sources.at_position(file, line, column, 1))
                .help("save the file as UTF-8"),
        );
        return (file, None);
    }
    let value = match parsed {
        Ok(value) => value,
        Err(e) => {
            let at = match e.pos {
                Some(p) => sources.at_position(file, p.line, p.column, p.len),
                None => sources.file_start(file),
            };
            diagnostics.push(
                Diagnostic::new(Rule::Syntax, syntax_message(&e.message))
                    .at(at)
                    .help(if not_strict_json {
                        "a `.json` file must be strict JSON: no trailing commas, comments or unquoted strings (or name it `.yaml`)".to_owned()
                    } else {
                        syntax_help(&e.message)
                    }),
            );
            return (file, None);
        }
    };
    if value.is_null() {
        diagnostics.push(
            Diagnostic::new(Rule::Schema, "the file is empty")
                .at(sources.file_start(file))
                .help("a spec starts with `version: 1`; `chatlog init` writes a starter"),
        );
        return (file, None);
    }
    // The typed reader decides, and the schema is asked only when it refuses, to say where and
    // why: the two accept the same documents (tests/schema_agreement.rs), and compiling and
    // walking the schema was a fifth of `validate` on a valid spec (issue 17). Debug builds, so
    // every test, ask the schema about accepted files too and fail on any disagreement.
    #[cfg(debug_assertions)]
    let accepted_copy = value.clone();
    match SpecFile::deserialize(Strict(value)) {
        Ok(spec) => {
            #[cfg(debug_assertions)]
            if !schema::check(sources, file, &accepted_copy).is_empty() {
                diagnostics.push(disagreement(
                    sources,
                    file,
                    "the schema and the spec types disagree: the types accept what the schema refuses",
                ));
                return (file, None);
            }
            (file, Some(spec))
        }
        Err(refused) => {
            // The value went into the typed reader; reading the text again costs only the
            // files that are wrong.
            let schema_errors = sources
                .get(file)
                .and_then(|source| parse(&source.text, strict_json).ok())
                .map(|(value, _)| schema::check(sources, file, &value))
                .unwrap_or_default();
            if schema_errors.is_empty() {
                diagnostics.push(disagreement(
                    sources,
                    file,
                    &format!(
                        "the schema and the spec types disagree: the schema accepts what the types refuse: {refused}"
                    ),
                ));
            } else {
                diagnostics.extend(schema_errors);
            }
            (file, None)
        }
    }
}

/// One document's value, and its positions where reading them costs nothing extra (JSON);
/// a block-YAML file's positions are read later, if a diagnostic needs one.
fn parse(
    text: &str,
    strict_json: bool,
) -> Result<(serde_json::Value, Option<Positions>), tree::SyntaxError> {
    if strict_json || is_json(text) {
        tree::parse(&json_for_yaml(text)).map(|Tree { value, positions }| (value, Some(positions)))
    } else {
        tree::parse_deferred(text)
    }
}

/// The typed block-subset reader alone: `None` where `validate` reads the file through a value.
/// Public so the tests can hold it to that slower reading.
#[doc(hidden)]
pub fn read_block_subset_typed(text: &str) -> Option<SpecFile> {
    block_typed::read(text)
}

/// [`read_block_subset_typed`] with the rooms read on at most `most` threads, in pieces of at
/// least `shortest` bytes a thread and at most `chunk` bytes each, and how many pieces were
/// read. Public so the tests can hold the pieces to the whole read on small specs (`validate`
/// cuts only large ones).
#[doc(hidden)]
pub fn read_block_subset_typed_in_pieces(
    text: &str,
    most: usize,
    shortest: usize,
    chunk: usize,
) -> Option<(SpecFile, usize)> {
    read_typed(
        text,
        block_typed::Pieces {
            most,
            shortest,
            chunk,
        },
    )
}

/// A piece of the rooms takes a thread of its own from this size on, about 750 rooms. Measured
/// on the 2-core machine of issue 17, `validate` alone, medians of 31: 2,000 rooms 6.4 ms whole
/// and 6.1 ms in two pieces, 3,000 rooms 8.3 and 7.5 ms, 5,000 rooms 12.1 and 10.0-10.4 ms;
/// 1,000 rooms gained 0.3 ms of 4.9, not worth a second thread's CPU time. Before helpers moved
/// to a core of their own (`crate::cores`) and the merge stopped copying the rooms, pieces paid
/// only from about 6,000 rooms (1 MiB).
const SHORTEST_PIECE: usize = 128 * 1024;

/// A thread reads its share of the rooms in pieces of at most this many bytes, each checked
/// and then read while it is still in the core's cache (1 MiB of L2 on the machine of issue
/// 17): read as one half each, 50,000 rooms' 8.7 MB came from memory no cache held, where
/// 5,000 rooms' 0.87 MB stays in L2 from the file's read on.
const CHUNK: usize = 256 * 1024;

/// Pieces for a text of `bytes` on this machine: one per core, and the cores are not looked up
/// (files under `/sys` and `/proc`) for a text too short to cut.
fn pieces_for(bytes: usize) -> block_typed::Pieces {
    let most = if bytes < 2 * SHORTEST_PIECE {
        1
    } else {
        crate::cores::available()
    };
    block_typed::Pieces {
        most,
        shortest: SHORTEST_PIECE,
        chunk: CHUNK,
    }
}

/// The typed read of a block-subset file with its rooms, most of a large spec, read in pieces
/// at once (`block_typed::read_in_pieces`); a room in two pieces is a repeat, which the whole
/// read refuses.
fn read_typed(text: &str, pieces: block_typed::Pieces) -> Option<(SpecFile, usize)> {
    block_typed::read_in_pieces(
        text,
        "rooms",
        pieces,
        |mut spec: SpecFile, others: Vec<PieceOfRooms>| {
            let mut pieces: Vec<_> = others.into_iter().map(|piece| piece.0).collect();
            pieces.push(std::mem::take(&mut spec.rooms));
            let count = pieces.iter().map(SortedMap::len).sum::<usize>();
            // In document order, as one read would have gathered them; a key in two pieces is
            // left as one, which is refused.
            let rooms = SortedMap::concat(pieces);
            (rooms.len() == count).then(|| {
                spec.rooms = rooms;
                spec
            })
        },
    )
}

/// Debug builds read a file the fast reader took the slow way too (value, schema, types), and
/// report any difference as an internal error, so that every test holds the two to one answer.
#[cfg(debug_assertions)]
fn slow_read_disagrees(sources: &Sources, file: FileId, fast: &SpecFile) -> Option<Diagnostic> {
    let text = &sources.get(file)?.text;
    let what = match tree::parse_deferred(text) {
        Err(e) => format!(
            "the block-subset readers disagree: the typed one accepts what the parser refuses: {}",
            e.message
        ),
        Ok((value, _)) if !schema::check(sources, file, &value).is_empty() => {
            "the block-subset readers disagree: the typed one accepts what the schema refuses"
                .to_owned()
        }
        Ok((value, _)) => match super::types::read(value) {
            Err(e) => format!(
                "the block-subset readers disagree: the typed one accepts what the types refuse: {e}"
            ),
            Ok(slow) if format!("{slow:?}") != format!("{fast:?}") => {
                "the block-subset readers disagree: they read different specs".to_owned()
            }
            Ok(_) => return None,
        },
    };
    Some(disagreement(sources, file, &what))
}

/// Two readers of the spec disagree about a file: a bug in chatlog, reported as such.
fn disagreement(sources: &Sources, file: FileId, what: &str) -> Diagnostic {
    Diagnostic::new(Rule::Internal, format!("internal error: {what}"))
        .at(sources.file_start(file))
        .help("please report this with the file")
}

/// Decodes UTF-8 after dropping a byte-order mark; on invalid bytes returns the position of the
/// first one so the error can point at it. Valid text is the input's own buffer, not a copy.
fn decode(mut bytes: Vec<u8>) -> (String, Option<(u32, u32)>) {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    match String::from_utf8(bytes) {
        Ok(text) => (lone_cr_to_lf(text), None),
        Err(e) => {
            let valid_up_to = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            let valid = bytes.get(..valid_up_to).unwrap_or_default();
            let prefix = lone_cr_to_lf(String::from_utf8_lossy(valid).into_owned());
            let line = prefix.matches('\n').count() + 1;
            let column = prefix.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            let text = lone_cr_to_lf(String::from_utf8_lossy(&bytes).into_owned());
            (
                text,
                Some((
                    u32::try_from(line).unwrap_or(u32::MAX),
                    u32::try_from(column).unwrap_or(u32::MAX),
                )),
            )
        }
    }
}

/// YAML takes a CR alone for a line break, and so does the parser's line count, while snippets
/// and JSON's errors count LFs only. A lone CR becomes an LF, so that every line number agrees:
/// YAML reads the same document (it normalizes line breaks in content to LF), and in JSON a raw
/// CR can only be whitespace between tokens (inside a string it is an error either way).
fn lone_cr_to_lf(text: String) -> String {
    // The library search scans 32 bytes at a time; `str::contains` one word: 1% of a
    // 5,000-room `validate`.
    if memchr::memchr(b'\r', text.as_bytes()).is_none() {
        return text;
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' && chars.peek() != Some(&'\n') {
            out.push('\n');
        } else {
            out.push(c);
        }
    }
    out
}

/// YAML accepts more than JSON (trailing commas, comments, unquoted strings); a `.json` file is
/// held to JSON's own syntax first, and then read through the YAML parser for positions.
fn json_syntax(text: &str) -> Option<tree::SyntaxError> {
    let error = serde_json::from_str::<serde::de::IgnoredAny>(text).err()?;
    if error.is_eof() && text.trim().is_empty() {
        return None; // reported as an empty file
    }
    let message = error.to_string();
    let message = message
        .split(" at line ")
        .next()
        .unwrap_or(&message)
        .to_owned();
    let line = u32::try_from(error.line()).unwrap_or(u32::MAX).max(1);
    let column = u32::try_from(error.column()).unwrap_or(u32::MAX).max(1);
    Some(tree::SyntaxError {
        message,
        pos: Some(tree::Pos {
            line,
            column,
            len: 1,
        }),
    })
}

/// Whether a file is JSON (whatever its name): JSON is YAML, and is read as such.
fn is_json(text: &str) -> bool {
    serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok()
}

/// JSON allows any character but C0 controls raw inside strings; the YAML parser refuses DEL,
/// the C1 controls but NEL, U+FFFE and U+FFFF anywhere (YAML 1.2 §5.1 says quoted scalars must
/// take every non-C0 character, for JSON's sake). A file that passed as strict JSON can hold them
/// only inside strings (as does any file that parses as JSON), so they go to the YAML parser as `\uXXXX` escapes: the same strings, with
/// later columns of that line shifted by five per escaped character.
fn json_for_yaml(text: &str) -> std::borrow::Cow<'_, str> {
    let refused = |c: char| matches!(u32::from(c), 0x7F..=0x84 | 0x86..=0x9F | 0xFFFE | 0xFFFF);
    if !text.contains(refused) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if refused(c) {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// The parser's message without its own location prefix and snippet (we print our own).
fn syntax_message(raw: &str) -> String {
    let first = raw.lines().next().unwrap_or(raw);
    let first = first.strip_prefix("error: ").unwrap_or(first);
    let without_location = match first.split_once(": ") {
        Some((head, rest)) if head.starts_with("line ") => rest,
        _ => first,
    };
    let message = without_location
        .split(", set DuplicateKeyPolicy")
        .next()
        .unwrap_or(without_location);
    let message = message.trim_end_matches('.');
    // Some messages end with the location, which the diagnostic shows already.
    let message = match message.rsplit_once(" at line ") {
        Some((head, tail)) if tail.contains(", column ") => head,
        _ => message,
    };
    // `x' quoting (the parser's) as `x`, like every other message.
    let balanced;
    let message = match message.strip_suffix('\'') {
        Some(head) if head.contains('`') => {
            balanced = format!("{head}`");
            balanced.as_str()
        }
        _ => message,
    };
    // The parser speaks of its own types here; say what is wrong with the document instead.
    if message.contains("recursive references") {
        return "an alias refers to the anchor that contains it".to_owned();
    }
    if message.starts_with("multiple YAML documents") {
        return "the file holds more than one YAML document".to_owned();
    }
    if let Some(breach) = message.strip_prefix("budget breached: ") {
        let what = breach.split([' ', '{']).next().unwrap_or_default();
        return match what {
            "Depth" => "the document nests deeper than the parser allows (64 levels)",
            "Aliases" | "Anchors" => {
                "the document uses more anchors or aliases than the parser allows"
            }
            "Documents" => "the file holds more YAML documents than the parser allows",
            "Nodes" | "Events" => {
                "the document has more values than the parser allows (aliases expanded)"
            }
            _ => "the document is larger than the parser allows (aliases expanded)",
        }
        .to_owned();
    }
    message.to_owned()
}

fn syntax_help(raw: &str) -> String {
    if raw.contains("multiple YAML documents") {
        "a spec file is one document: remove the `---` line, or put each document in its own file"
            .to_owned()
    } else if raw.contains("Depth {") {
        "flatten the nesting; a spec is at most a few levels deep".to_owned()
    } else if raw.contains("Events {") || raw.contains("Nodes {") {
        "split the spec into several files, or look for aliases that expand without bound"
            .to_owned()
    } else if raw.contains("duplicate mapping key") {
        "each key may appear once in a mapping; remove or rename the second one".to_owned()
    } else if raw.contains("recursive") || raw.contains("budget") || raw.contains("alias") {
        "anchors and aliases may not refer to themselves or expand without bound".to_owned()
    } else {
        "fix the syntax at this position; YAML and JSON are both accepted".to_owned()
    }
}

fn merge(
    sources: &Sources,
    files: Vec<(FileId, SpecFile)>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Spec {
    let mut spec = Spec::default();
    for (file, parsed) in files {
        let root = Origin {
            file,
            pointer: String::new(),
        };
        if let Some(name) = parsed.name {
            set_default(
                sources,
                &mut spec.name,
                name,
                root.child("name"),
                "name",
                diagnostics,
            );
        }
        let defaults = root.child("defaults");
        if let Some(account) = parsed.defaults.account {
            set_default(
                sources,
                &mut spec.defaults.account,
                account,
                defaults.child("account"),
                "defaults.account",
                diagnostics,
            );
        }
        if let Some(region) = parsed.defaults.region {
            set_default(
                sources,
                &mut spec.defaults.region,
                region,
                defaults.child("region"),
                "defaults.region",
                diagnostics,
            );
        }
        for (key, value) in parsed.defaults.tags.iter() {
            let origin = defaults.child("tags").child(key.as_str());
            let label = format!("defaults.tags.{key}");
            let slot = spec.defaults.tags.entry(key.clone());
            match slot {
                std::collections::btree_map::Entry::Vacant(v) => {
                    v.insert((value.clone(), origin));
                }
                std::collections::btree_map::Entry::Occupied(o) => {
                    if &o.get().0 != value {
                        diagnostics.push(defined_twice(sources, &label, &origin, &o.get().1));
                    }
                }
            }
        }
        for (i, quota) in parsed.quotas.into_iter().enumerate() {
            spec.quotas.push(Entry {
                origin: root.child("quotas").child(&i.to_string()),
                value: quota,
            });
        }
        for (account, access) in parsed.accounts {
            let origin = root.child("accounts").child(account.as_str());
            match spec.accounts.get(&account) {
                Some(first) if first.value != access => diagnostics.push(
                    defined_twice(
                        sources,
                        &format!("accounts.{account}"),
                        &origin,
                        &first.origin,
                    )
                    .help("state how to reach an account once, in one file"),
                ),
                Some(_) => {}
                None => {
                    spec.accounts.insert(
                        account,
                        Entry {
                            origin,
                            value: access,
                        },
                    );
                }
            }
        }
        insert_all(
            sources,
            &mut spec.destinations,
            parsed.destinations,
            Place::Under(&root.child("destinations")),
            "destination",
            diagnostics,
        );
        insert_all(
            sources,
            &mut spec.logging_configurations,
            parsed.logging_configurations,
            Place::Under(&root.child("logging_configurations")),
            "logging configuration",
            diagnostics,
        );
        insert_all(
            sources,
            &mut spec.rooms,
            parsed.rooms,
            Place::InFile(file),
            "room",
            diagnostics,
        );
        insert_all(
            sources,
            &mut spec.bots,
            parsed.bots,
            Place::Under(&root.child("bots")),
            "bot",
            diagnostics,
        );
        insert_all(
            sources,
            &mut spec.stack_sets,
            parsed.stack_sets,
            Place::Under(&root.child("stack_sets")),
            "stack set",
            diagnostics,
        );
        if let Some(audit) = parsed.audit {
            let origin = root.child("audit");
            match &spec.audit {
                Some(first) => diagnostics.push(
                    defined_twice(sources, "audit", &origin, &first.origin)
                        .help("a spec has one audit trail; state it in one file"),
                ),
                None => {
                    spec.audit = Some(Entry {
                        origin,
                        value: audit,
                    });
                }
            }
        }
    }
    spec
}

fn set_default<T: PartialEq + std::fmt::Display>(
    sources: &Sources,
    slot: &mut Option<Located<T>>,
    value: T,
    origin: Origin,
    label: &str,
    diagnostics: &mut Vec<Diagnostic>,
) {
    match slot {
        None => *slot = Some((value, origin)),
        Some((existing, first)) if *existing != value => {
            diagnostics.push(
                defined_twice(sources, label, &origin, first)
                    .help(format!("the files set `{label}` to `{existing}` and `{value}`; defaults apply to every file, so set it once")),
            );
        }
        Some(_) => {}
    }
}

/// What the merge still has to say of where a file's entries of a section were written.
enum Place<'a> {
    /// Read at the file's root (see `Entry`): under this section's key, in its file.
    Under(&'a Origin),
    /// Read at their keys already (the rooms): in this file.
    InFile(FileId),
}

/// Places a file's entries of one section and adds those new to the merged section, in place.
/// An entry comes by value, or boxed (the rooms).
fn insert_all<T, E: BorrowMut<Entry<T>>>(
    sources: &Sources,
    into: &mut impl Section<E>,
    mut entries: SortedMap<EntryKey, E>,
    place: Place<'_>,
    what: &str,
    diagnostics: &mut Vec<Diagnostic>,
) {
    // Then there is nothing to place and nothing already there: a one-file spec's rooms, whose
    // walk (to find no repeats and write what is already written) costs most where they are many.
    if matches!(place, Place::InFile(file) if file == FILE_AS_READ) && into.is_empty() {
        into.add(entries);
        return;
    }
    entries.retain(|key, entry| {
        let origin = &mut entry.borrow_mut().origin;
        match &place {
            Place::Under(section) => *origin = section.child(key.as_str()),
            Place::InFile(file) => origin.file = *file,
        }
        let Some(first) = into.first(key) else {
            return true;
        };
        diagnostics.push(
            defined_twice(sources, &format!("{what} `{key}`"), origin, first).help(format!(
                "names are shared by all files of a spec; rename one {what} or remove it"
            )),
        );
        false
    });
    into.add(entries);
}

/// A section of the merged spec: the entries of the files merged so far.
trait Section<E> {
    /// Where `key` was defined first.
    fn first(&self, key: &EntryKey) -> Option<&Origin>;
    fn is_empty(&self) -> bool;
    /// Adds the entries of another file, new to the section.
    fn add(&mut self, fresh: SortedMap<EntryKey, E>);
}

impl<T> Section<Entry<T>> for BTreeMap<EntryKey, Entry<T>> {
    fn first(&self, key: &EntryKey) -> Option<&Origin> {
        self.get(key).map(|entry| &entry.origin)
    }

    fn is_empty(&self) -> bool {
        BTreeMap::is_empty(self)
    }

    fn add(&mut self, fresh: SortedMap<EntryKey, Entry<T>>) {
        // Built in one go and appended, which packs the tree's nodes full: inserted one by one
        // in key order they stay half empty.
        let mut fresh: BTreeMap<EntryKey, Entry<T>> = fresh.into_iter().collect();
        self.append(&mut fresh);
    }
}

impl<T> Section<Box<Entry<T>>> for SortedMap<EntryKey, Box<Entry<T>>> {
    fn first(&self, key: &EntryKey) -> Option<&Origin> {
        self.get(key).map(|entry| &entry.origin)
    }

    fn is_empty(&self) -> bool {
        SortedMap::is_empty(self)
    }

    fn add(&mut self, fresh: SortedMap<EntryKey, Box<Entry<T>>>) {
        // The first file's entries become the section as they are; a later file's are appended
        // and sorted once where they interleave (their keys are new to the section).
        *self = SortedMap::concat(vec![std::mem::take(self), fresh]);
    }
}

fn defined_twice(sources: &Sources, label: &str, origin: &Origin, first: &Origin) -> Diagnostic {
    let label = if label.contains('`') {
        label.to_owned()
    } else {
        format!("`{label}`")
    };
    Diagnostic::new(Rule::DefinedTwice, format!("{label} is defined twice"))
        .at(sources.locate(origin.file, &origin.pointer, Anchor::Key))
        .related(
            "first defined here",
            sources.locate(first.file, &first.pointer, Anchor::Key),
        )
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::{Entry, Origin, Section};
    use crate::sorted_map::SortedMap;
    use crate::spec::types::EntryKey;

    fn entries(keys: &[&str], file: usize) -> SortedMap<EntryKey, Entry<String>> {
        keys.iter()
            .map(|&key| {
                let origin = Origin {
                    file,
                    pointer: format!("/rooms/{key}"),
                };
                let value = key.to_owned();
                (
                    EntryKey::try_from(value.clone()).unwrap(),
                    Entry { origin, value },
                )
            })
            .collect()
    }

    /// Each file's new entries are sorted in among the section's, whichever of the two holds
    /// more and however their keys interleave, in both kinds of section.
    #[test]
    fn a_section_takes_in_each_files_entries_in_key_order() {
        let files: [&[&str]; 4] = [&[], &["b", "d"], &["a", "c", "e"], &["f"]];
        let mut sorted: SortedMap<EntryKey, Box<Entry<String>>> = SortedMap::default();
        let mut tree: BTreeMap<EntryKey, Entry<String>> = BTreeMap::new();
        for (file, keys) in files.iter().enumerate() {
            let boxed = entries(keys, file)
                .into_iter()
                .map(|(k, e)| (k, Box::new(e)));
            sorted.add(boxed.collect());
            tree.add(entries(keys, file));
        }
        let expected = [("a", 2), ("b", 1), ("c", 2), ("d", 1), ("e", 2), ("f", 3)];
        fn of<'a>((key, entry): (&'a EntryKey, &Entry<String>)) -> (&'a str, usize) {
            assert_eq!(key.as_str(), entry.value);
            (key.as_str(), entry.origin.file)
        }
        let sorted = sorted.iter().map(|(k, e)| of((k, e))).collect::<Vec<_>>();
        assert_eq!(sorted, expected);
        assert_eq!(tree.iter().map(of).collect::<Vec<_>>(), expected);
    }
}
