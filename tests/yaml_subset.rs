//! The block-subset YAML reader (src/spec/block_yaml.rs) against the general parser: wherever
//! the subset reader accepts a document, the value and every position must be the general
//! parser's, on every YAML file in the repository and on generated documents built to sit on the
//! subset's edges (and mutated past them). It must also accept the specs it exists for.
// Test code: clippy.toml's test allowances (unwrap, expect, panic, indexing) apply to all of it.
#![cfg(test)]

mod common;

use std::path::{Path, PathBuf};

use chatlog::spec::tree::{self, Tree};
use common::Dice;

/// Compares the two readers on `text`; true when the subset reader accepted it.
fn agree(name: &str, text: &str) -> bool {
    let Some(fast) = tree::parse_block_subset(text) else {
        return false;
    };
    // The reader's other two modes: the value alone, and the positions alone.
    let deferred = tree::parse_deferred(text).ok();
    assert_eq!(
        deferred
            .as_ref()
            .map(|(value, positions)| (value, positions.is_none())),
        Some((&fast.value, true)),
        "{name}: the value read alone differs, or its positions were read with it"
    );
    assert_eq!(
        tree::parse_positions(text).ok().as_ref(),
        Some(&fast.positions),
        "{name}: the positions read alone differ"
    );
    along_every_path(name, text, &fast.positions);
    let general = tree::parse_general(text);
    assert_eq!(
        general.as_ref().err().map(|e| e.message.as_str()),
        None,
        "{name}: the subset reader accepted what the general parser refuses\n---\n{text}\n---"
    );
    if let Ok(general) = general {
        assert_eq!(
            general.value, fast.value,
            "{name}: the values differ\n---\n{text}\n---"
        );
        for (pointer, pos) in &general.positions {
            assert_eq!(
                fast.positions.get(pointer),
                Some(pos),
                "{name}: position of `{pointer}`\n---\n{text}\n---"
            );
        }
        assert_eq!(
            general, fast,
            "{name}: the subset reader has extra positions\n---\n{text}\n---"
        );
    }
    true
}

/// Reading the path to one pointer finds what the whole read finds on that path and nothing
/// else, for nodes of the document and for a child of each that is not there: every node of a
/// small document, 64 spread over a large one (each read is a pass over the whole text).
fn along_every_path(name: &str, text: &str, all: &tree::Positions) {
    let mut pointers: Vec<&str> = all.keys().map(AsRef::as_ref).collect();
    pointers.sort_unstable();
    let stride = pointers.len().div_ceil(64).max(1);
    for pointer in pointers.into_iter().step_by(stride) {
        for wanted in [pointer.to_string(), format!("{pointer}/missing~1child")] {
            let read = tree::positions_along(text, &wanted);
            let along = read.as_ref().map(|(positions, _)| positions);
            let expected: tree::Positions = all
                .iter()
                .filter(|(p, _)| {
                    wanted
                        .strip_prefix(p.as_ref())
                        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
                })
                .map(|(p, pos)| (p.clone(), *pos))
                .collect();
            assert_eq!(
                along,
                Some(&expected),
                "{name}: the path to `{wanted}`\n---\n{text}\n---"
            );
            // The bytes it says it read (which the lookups' budget counts) reach past the first
            // line of every node on the path: read, not guessed.
            if let Some((_, bytes)) = &read {
                for (pointer, node) in &expected {
                    let line_start: usize = text
                        .split_inclusive('\n')
                        .take(node.value.line as usize - 1)
                        .map(str::len)
                        .sum();
                    assert!(
                        line_start < *bytes,
                        "{name}: the path to `{wanted}` read {bytes} bytes, `{pointer}` starts \
                         on line {} at byte {line_start}",
                        node.value.line
                    );
                }
            }
        }
    }
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() {
            if !matches!(name.as_str(), "target" | "node_modules" | ".venv" | ".git") {
                yaml_files(&path, out);
            }
        } else if name.ends_with(".yaml") || name.ends_with(".yml") {
            out.push(path);
        }
    }
}

#[test]
fn every_yaml_file_in_the_repository_reads_the_same() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["examples", "tests", "fuzz", "docs"] {
        yaml_files(&root.join(dir), &mut files);
    }
    assert!(files.len() > 50, "found only {} YAML files", files.len());
    let mut accepted = 0;
    for path in &files {
        // Some fixtures are not UTF-8 on purpose; the loader reports those before parsing.
        if let Ok(text) = std::fs::read_to_string(path)
            && agree(&path.display().to_string(), &text)
        {
            accepted += 1;
        }
    }
    // Most fixtures are ordinary specs; the rest are the parser's edge cases on purpose.
    assert!(
        accepted * 2 > files.len(),
        "the subset reader accepted only {accepted} of {} files",
        files.len()
    );
}

#[test]
fn the_example_specs_and_a_large_generated_one_take_the_fast_path() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for name in [
        "quickstart.yaml",
        "multi-account.yaml",
        "multi-destination.yaml",
        "lex-and-audit.yaml",
        "organization.yaml",
    ] {
        let text = std::fs::read_to_string(root.join("examples").join(name)).unwrap();
        assert!(agree(name, &text), "{name} was left to the general parser");
    }
    let mut large = String::from(
        "version: 1\ndefaults:\n  account: \"111122223333\"\n  region: us-east-1\nrooms:\n",
    );
    for n in 0..2_000 {
        large.push_str(&format!(
            "  room-{n:05}:\n    logging: [archive, tail]\n    maximum_message_length: 500\n    tags:\n      show: show-{}\n",
            n % 7
        ));
    }
    assert!(agree("large", &large));
}

const KEYS: &[&str] = &[
    "a",
    "room-01",
    "us-east-1",
    "é",
    "k 1",
    "\"q\"",
    "'s k'",
    "\"a: b\"",
    "x_y",
    "true",
    "yes",
    "n",
    "1",
    "0x1",
    "-a",
    "a#b",
    "a [b]",
    "/path",
    "$v",
    "nul",
    "🙂",
    "k ",
    "'it''s'",
    "Null",
];
/// What specs hold: the reader must take these.
const COMMON: &[&str] = &[
    "v",
    "us-east-1",
    "500",
    "-3",
    "0",
    "true",
    "false",
    "\"111122223333\"",
    "'single'",
    "/aws/vendedlogs/x",
    "arn:aws:s3:::b",
    "[a, b]",
    "[]",
    "{}",
    "{ bucket: b, create: true }",
    "[archive-0, tail-0]",
    "a b c",
    "ünï",
    "x # comment",
];
/// The subset's edges, and beyond.
const SCALARS: &[&str] = &[
    "v",
    "us-east-1",
    "500",
    "-3",
    "0",
    "-0",
    "007",
    "1.5",
    "1e3",
    "0x1F",
    "+5",
    "true",
    "True",
    "false",
    "null",
    "~",
    "yes",
    "on",
    "Y",
    "nan",
    ".inf",
    "\"a b\"",
    "\"\"",
    "''",
    "'it''s'",
    "\"esc\\n\"",
    "arn:aws:s3:::b",
    "a#b",
    "a # c",
    "a,b[c]{d}",
    "/aws/logs",
    "ünï",
    "🙂 x",
    "\"111122223333\"",
    "99999999999999999999",
    "a: b",
    "a:",
    "&x v",
    "*x",
    "!!str 1",
    "|",
    ">",
    "@x",
    "`x`",
    "%x",
    "? x",
    "- x",
    "[]",
    "{}",
    "[ ]",
    "[a, b]",
    "[a, \"b c\", 3]",
    "[a,b]",
    "[a, ]",
    "[a,, b]",
    "[[a], b]",
    "{a: 1}",
    "{ a: 1, b: [x, y] }",
    "{a: }",
    "{\"k\": v}",
    "{a:1}",
    "[arn:aws:x, y]",
    "[a: b]",
    "{ a: 1, a: 2 }",
    "[a #c]",
    "\"unclosed",
    "'unclosed",
    "x   ",
    "x # comment",
    "2024-01-01",
    "12:30",
    "a\u{a0}b",
];

/// A block mapping at `indent`, `depth` levels deep at most.
fn mapping(d: &mut Dice, indent: usize, depth: usize, out: &mut String) {
    for _ in 0..1 + d.roll(4) {
        line(d, indent, out);
        out.push_str(d.pick(KEYS));
        out.push(':');
        value(d, indent, depth, out);
    }
}

fn scalar(d: &mut Dice) -> &'static str {
    if d.roll(3) == 0 {
        d.pick(SCALARS)
    } else {
        d.pick(COMMON)
    }
}

fn line(d: &mut Dice, indent: usize, out: &mut String) {
    match d.roll(12) {
        0 => out.push_str("# comment\n"),
        1 => out.push('\n'),
        2 => {
            out.push_str(&" ".repeat(indent + 2));
            out.push_str("# indented comment\n");
        }
        _ => {}
    }
    out.push_str(&" ".repeat(indent));
}

fn value(d: &mut Dice, indent: usize, depth: usize, out: &mut String) {
    let nested = depth > 0;
    match d.roll(if nested { 10 } else { 5 }) {
        0 => out.push('\n'),
        1 => out.push_str(" # nothing\n"),
        2..=4 => {
            out.push(' ');
            out.push_str(scalar(d));
            out.push('\n');
        }
        5 | 6 => {
            out.push('\n');
            let deeper = indent + 1 + d.roll(3);
            mapping(d, deeper, depth - 1, out);
        }
        _ => {
            out.push('\n');
            let dash = indent + 2 * d.roll(3);
            sequence(d, dash, depth - 1, out);
        }
    }
}

fn sequence(d: &mut Dice, dash: usize, depth: usize, out: &mut String) {
    for _ in 0..1 + d.roll(3) {
        line(d, dash, out);
        out.push('-');
        let gap = 1 + d.roll(2);
        out.push_str(&" ".repeat(gap));
        match d.roll(if depth > 0 { 4 } else { 2 }) {
            0 | 1 => {
                out.push_str(scalar(d));
                out.push('\n');
            }
            _ => {
                // A compact mapping: its first key on the dash's line, the rest below it.
                let at = dash + 1 + gap;
                out.push_str(d.pick(KEYS));
                out.push(':');
                value(d, at, depth, out);
                if d.roll(2) == 0 {
                    out.push_str(&" ".repeat(at));
                    out.push_str(d.pick(KEYS));
                    out.push(':');
                    value(d, at, depth, out);
                }
            }
        }
    }
}

#[test]
fn generated_documents_read_the_same_wherever_the_subset_reader_accepts_them() {
    let runs: u64 = std::env::var("YAML_SUBSET_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5_000);
    let (mut accepted, mut mutated_accepted) = (0, 0);
    for seed in 1..=runs {
        let mut d = Dice(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
        let mut text = String::new();
        mapping(&mut d, 0, 3, &mut text);
        if agree(&format!("seed {seed}"), &text) {
            accepted += 1;
        }
        // One byte removed, doubled or replaced by a space: past the subset's edges.
        let bytes = text.as_bytes();
        let at = d.roll(bytes.len().max(1));
        let mut changed = bytes.to_vec();
        match d.roll(3) {
            0 if at < changed.len() => {
                changed.remove(at);
            }
            1 if at < changed.len() => changed.insert(at, bytes[at]),
            _ if at < changed.len() => changed[at] = b' ',
            _ => {}
        }
        if let Ok(changed) = String::from_utf8(changed)
            && agree(&format!("seed {seed}, mutated at {at}"), &changed)
        {
            mutated_accepted += 1;
        }
    }
    eprintln!("accepted {accepted} of {runs} generated documents, {mutated_accepted} mutated ones");
    // The generator aims at the edges, but the reader must still take a good share.
    assert!(
        accepted * 5 > runs,
        "the subset reader accepted only {accepted} of {runs} generated documents"
    );
    assert!(mutated_accepted > 0);
}

#[test]
fn documents_outside_the_subset_are_left_to_the_general_parser() {
    for text in [
        "a: 1\na: 2\n",
        "a:\n  b: 1\n c: 2\n",
        "a: b: c\n",
        "- a\n",
        "a: [b, c\n",
        "a: \"b\n",
        "a:\n  - b\n  c: d\n",
        "a: 1\n  b: 2\n",
    ] {
        assert!(tree::parse_block_subset(text).is_none(), "{text}");
    }
    let general: Result<Tree, _> = tree::parse_general("a: 1\na: 2\n");
    assert!(general.is_err());
}
