//! The typed block-subset reader (`spec::block_typed`) reads a spec straight from its text into
//! the types, skipping the value tree. It is a fast path: wherever it answers, the answer must be
//! the spec the slow way reads (value, then types), and it must answer for the specs people
//! write, or it buys nothing. Debug builds also compare the two inside `validate`, so every test
//! that loads a YAML spec checks this too; here it is checked head-on, on every file in the
//! repository and on random edits of the valid ones, at the level of the types and of the text.
#![cfg(test)]

mod common;

use std::path::{Path, PathBuf};

use chatlog::spec::{load, tree, types};

/// The slow way: the value as `validate` parses a YAML file, then the types.
fn slow(text: &str) -> Option<types::SpecFile> {
    let (value, _) = tree::parse_deferred(text).ok()?;
    types::read(value).ok()
}

/// Holds the fast reader to the slow one on `text`; returns whether the fast one answered.
/// Where the block-subset value reader takes a text the types accept, the fast reader must
/// answer too.
fn agree(name: &str, text: &str) -> bool {
    let fast = load::read_block_subset_typed(text);
    in_pieces_as_whole(name, text, fast.as_ref());
    let slow = slow(text);
    if let Some(fast) = &fast {
        let slow = slow
            .as_ref()
            .unwrap_or_else(|| panic!("{name}: the fast reader accepts what the slow one refuses"));
        assert_eq!(format!("{fast:?}"), format!("{slow:?}"), "{name}");
    } else if slow.is_some() && tree::parse_block_subset(text).is_some() {
        panic!("{name}: a valid spec in the block subset was left to the slow reader");
    }
    fast.is_some()
}

/// The rooms read in pieces at once give the whole read's answer, whatever the number of
/// pieces (cut as finely as the text allows: a piece may be one room); returns the most pieces
/// read at once.
fn in_pieces_as_whole(name: &str, text: &str, whole: Option<&types::SpecFile>) -> usize {
    let whole = whole.map(|spec| format!("{spec:?}"));
    let mut most_read = 0;
    for most in [2, 3, 7] {
        let pieces = load::read_block_subset_typed_in_pieces(text, most, 1, usize::MAX);
        most_read = most_read.max(pieces.as_ref().map_or(0, |(_, read)| *read));
        assert_eq!(
            pieces.map(|(spec, _)| format!("{spec:?}")),
            whole,
            "{name}: read in up to {most} pieces"
        );
        // Each thread's share read as a run of short pieces.
        for chunk in [64, 1_024] {
            let pieces = load::read_block_subset_typed_in_pieces(text, most, 1, chunk);
            assert_eq!(
                pieces.map(|(spec, _)| format!("{spec:?}")),
                whole,
                "{name}: read on up to {most} threads in pieces of up to {chunk} bytes"
            );
        }
    }
    most_read
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path.to_string_lossy();
        if path.is_dir() {
            yaml_files(&path, out);
        } else if name.ends_with(".yaml") || name.ends_with(".yml") {
            out.push(path);
        }
    }
}

fn repository_specs() -> Vec<(String, String)> {
    let root = common::root();
    let mut files = Vec::new();
    for dir in ["examples", "tests/fixtures"] {
        yaml_files(&root.join(dir), &mut files);
    }
    files
        .iter()
        .filter_map(|path| {
            let text = std::fs::read_to_string(path).ok()?;
            Some((path.display().to_string(), text))
        })
        .collect()
}

#[test]
fn every_spec_in_the_repository_reads_the_same_both_ways() {
    let specs = repository_specs();
    let fast = specs
        .iter()
        .filter(|(name, text)| agree(name, text))
        .count();
    // The examples and the valid fixtures are ordinary specs: most must take the fast path.
    assert!(
        fast >= 30,
        "the fast reader answered for only {fast} of {} files",
        specs.len()
    );
    for name in [
        "quickstart",
        "multi-account",
        "lex-and-audit",
        "organization",
    ] {
        let text =
            std::fs::read_to_string(common::root().join(format!("examples/{name}.yaml"))).unwrap();
        assert!(load::read_block_subset_typed(&text).is_some(), "{name}");
    }
}

/// Bytes that change what a line means in the subset: indents, keys, quotes, flow brackets,
/// comments, numbers, and words YAML reads as something else.
const EDITS: &[&str] = &[
    " ", "  ", "", "\n", "-", "- ", ":", ": ", "#", " #", "'", "\"", "''", "[", "]", "{", "}", ",",
    "0", "-1", "1.5", "null", "true", "yes", "~", "x", "é", "\\", "*a", "&a", "!t", "|",
];

/// Every valid spec in the repository, edited at random places in its text (a span replaced
/// by one of `EDITS`), read both ways. Most edits break the spec, some only change it; the
/// fast reader must never accept an edit with a different answer from the slow one.
/// Edits of every spec in the repository the fast reader reads, `per_spec` draws each: `edit`
/// gives a draw's description and edited text, or nothing. Each edit is held to [`agree`];
/// returns how many were tried and how many the fast reader answered.
fn edits_agree(
    seed: u64,
    per_spec: usize,
    mut edit: impl FnMut(&mut common::Dice, &str) -> Option<(String, String)>,
) -> (usize, usize) {
    let mut dice = common::Dice(seed);
    let (mut tried, mut fast) = (0, 0);
    for (name, text) in repository_specs() {
        if load::read_block_subset_typed(&text).is_none() {
            continue;
        }
        for _ in 0..per_spec {
            if let Some((what, edited)) = edit(&mut dice, &text) {
                fast += usize::from(agree(&format!("{name}, {what}"), &edited));
                tried += 1;
            }
        }
    }
    eprintln!("{fast} of {tried} edits read by the fast reader");
    (tried, fast)
}

#[test]
fn random_text_edits_of_valid_specs_read_the_same_both_ways() {
    let (tried, fast) = edits_agree(0x2545_F491_4F6C_DD1D, 200, |dice, text| {
        let mut at = dice.roll(text.len() + 1);
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        let mut end = (at + dice.roll(4)).min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let edit = dice.pick(EDITS);
        let edited = format!("{}{edit}{}", &text[..at], &text[end..]);
        Some((format!("bytes {at}..{end} replaced by {edit:?}"), edited))
    });
    // Both outcomes, many times: the edits reach the fast reader's refusals and its answers.
    assert!(
        tried >= 4_000 && fast >= 500 && tried - fast >= 1_000,
        "{fast} of {tried}"
    );
}

/// The value-level edits of tests/schema_agreement.rs, written as block YAML: a node of another
/// kind or at an edge, a key dropped, a key added; the types' answer, not the text's, changes.
#[test]
fn random_value_edits_of_valid_specs_read_the_same_both_ways() {
    let replacements = [
        "0",
        "-1",
        "1",
        "100",
        "101",
        "4294967296",
        "\"\"",
        "x",
        "\"a b\"",
        "UPPER",
        "\"../x\"",
        "\"111122223333\"",
        "us-west-2",
        "true",
        "[]",
        "{}",
        "[x]",
        "{x: 1}",
        "",
    ];
    let (tried, fast) = edits_agree(0x9E37_79B9_7F4A_7C15, 100, |dice, text| {
        // A line that holds `key: value` gets another value, or loses its entry, or gains a
        // sibling key nothing in the format has.
        let mut lines: Vec<&str> = text.lines().collect();
        let i = dice.roll(lines.len());
        let line = lines[i];
        let (key, _) = line.split_once(": ")?;
        let indent = &line[..line.len() - line.trim_start().len()];
        let replaced = match dice.roll(3) {
            0 => format!("{key}: {}", dice.pick(&replacements)),
            1 => String::new(),
            _ => format!("{line}\n{indent}zz_unknown: 1"),
        };
        lines[i] = &replaced;
        let edited = lines.join("\n") + "\n";
        Some((format!("line {} is now {replaced:?}", i + 1), edited))
    });
    assert!(
        tried >= 1_000 && fast >= 100 && tried - fast >= 300,
        "{fast} of {tried}"
    );
}

/// A large spec in the subset, with every kind of entry, reads the same both ways.
#[test]
fn a_large_generated_spec_reads_the_same_both_ways() {
    let mut large = String::from(
        "version: 1\ndefaults:\n  account: \"111122223333\"\n  region: us-east-1\n  tags: {team: live}\ndestinations:\n  archive:\n    s3:\n      bucket: acme-chat-archive\n      create: true\n  tail:\n    cloudwatch_logs:\n      log_group: /aws/vendedlogs/ivschat/tail\nlogging_configurations:\n  archive:\n    destination: archive\n  tail:\n    destination: tail\nrooms:\n",
    );
    for n in 0..3_000 {
        large.push_str(&format!(
            "  room-{n:05}:\n    logging: [archive, 'tail']\n    maximum_message_length: {}\n    tags:\n      show: \"show-{}\" # a comment\n",
            1 + n % 500,
            n % 7
        ));
    }
    assert!(
        agree("large", &large),
        "the large spec was left to the slow reader"
    );
    let whole = load::read_block_subset_typed(&large);
    assert_eq!(in_pieces_as_whole("large", &large, whole.as_ref()), 7);

    // A character the subset does not read as itself, in a comment (which no reading looks
    // into) anywhere: before the rooms, in the first piece, in one between, in the last. Each
    // piece is asked on the thread that reads it, and whichever holds it refuses the text.
    for (at, odd) in [
        (10, '\u{85}'),
        (100, '\t'),
        (1_500, '\u{2028}'),
        (2_990, '\u{7f}'),
    ] {
        let mut edited = large.clone();
        let start = edited.find(&format!("  room-{at:05}:\n")).unwrap();
        let comment = start + edited[start..].find("# a comment").unwrap();
        edited.insert(comment + 3, odd);
        let name = format!("room {at} with {odd:?}");
        assert!(load::read_block_subset_typed(&edited).is_none(), "{name}");
        in_pieces_as_whole(&name, &edited, None);
    }
    let head = large.replacen("  tags: {team: live}", "  tags: {team: live} #\t", 1);
    assert!(load::read_block_subset_typed(&head).is_none());
    in_pieces_as_whole("the head with a tab", &head, None);
}

fn rooms(range: std::ops::Range<usize>) -> String {
    range
        .map(|n| format!("  room-{n:05}:\n    logging: [archive]\n    tags: {{show: s{n}}}\n"))
        .collect()
}

const HEAD: &str = "version: 1\ndefaults:\n  account: \"111122223333\"\n  region: us-east-1\nlogging_configurations:\n  archive:\n    destination: archive\n";

/// `destinations:` with `archive` and `more` others.
fn destinations(more: usize) -> String {
    let mut out =
        String::from("destinations:\n  archive:\n    s3:\n      bucket: acme-chat-archive\n");
    for n in 0..more {
        out.push_str(&format!(
            "  d-{n:03}:\n    s3:\n      bucket: acme-chat-d-{n:03}\n      create: true\n"
        ));
    }
    out
}

/// A room in two pieces is one room twice: refused as the whole read refuses it, wherever the
/// two are.
#[test]
fn a_room_repeated_in_another_piece_is_refused() {
    for (first, second) in [(0, 999), (10, 500), (998, 999), (0, 1)] {
        let text = format!("{HEAD}{}rooms:\n{}", destinations(0), rooms(0..1_000));
        let text = text.replace(
            &format!("  room-{second:05}:\n"),
            &format!("  room-{first:05}:\n"),
        );
        assert!(load::read_block_subset_typed(&text).is_none());
        for most in [2, 3, 16] {
            assert!(
                load::read_block_subset_typed_in_pieces(&text, most, 1, 1_024).is_none(),
                "room {first} again at {second}, up to {most} pieces"
            );
        }
    }
}

/// Cuts are spread to the end of the text, so a long section after the rooms puts some of them
/// outside the rooms: the pieces then do not read as rooms, and the text is read whole.
#[test]
fn cuts_past_the_rooms_read_the_text_whole() {
    let text = format!("{HEAD}rooms:\n{}{}", rooms(0..20), destinations(200));
    let whole = load::read_block_subset_typed(&text);
    assert!(whole.is_some(), "the spec itself must be read");
    let (spec, read) = load::read_block_subset_typed_in_pieces(&text, 4, 1, usize::MAX).unwrap();
    assert_eq!(read, 1, "some cut fell among the destinations");
    assert_eq!(format!("{spec:?}"), format!("{:?}", whole.unwrap()));
    // The same rooms last: cut, and read the same.
    let last = format!("{HEAD}{}rooms:\n{}", destinations(200), rooms(0..20));
    let whole = load::read_block_subset_typed(&last);
    assert!(whole.is_some());
    assert_eq!(in_pieces_as_whole("rooms last", &last, whole.as_ref()), 7);
}

/// A text with a byte the subset does not print (a control character, here in a comment) is
/// refused whole, and so in pieces, wherever the byte is: the pieces are read while the text is
/// checked, and dropped.
#[test]
fn an_unprintable_byte_anywhere_refuses_the_pieces_too() {
    let text = format!("{HEAD}{}rooms:\n{}", destinations(0), rooms(0..1_000));
    for room in [None, Some(3), Some(500), Some(999)] {
        let at = match room {
            None => "version: 1\n".to_owned(),
            Some(n) => format!("  room-{n:05}:\n"),
        };
        let commented = text.replace(&at, &format!("{at}# bell\n"));
        assert!(
            load::read_block_subset_typed(&commented).is_some(),
            "{room:?}"
        );
        let marked = text.replace(&at, &format!("{at}# bell \u{7}\n"));
        assert!(load::read_block_subset_typed(&marked).is_none(), "{room:?}");
        for most in [2, 3, 16] {
            assert!(
                load::read_block_subset_typed_in_pieces(&marked, most, 1, 1_024).is_none(),
                "bell after {room:?}, up to {most} pieces"
            );
        }
    }
}
