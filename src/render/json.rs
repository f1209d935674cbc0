//! Pretty JSON byte for byte as `serde_json::to_string_pretty` writes it, with each line's
//! indent written in one piece. serde_json's `PrettyFormatter` writes an indent as one
//! two-byte write per level, and those small copies were a sixth of a 5,000-room
//! `render --target cloudformation --format json` (issue 17). Templates ([`Doc`]) are written
//! straight from their tree, and a string that needs no escape is copied whole: serde_json
//! looks at every byte of every string in a table, another eighth of that render.

use std::fmt::Write as _;
use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::{Formatter, Serializer};
use serde_json::{Map, Value};

use super::doc::Doc;

/// A template as `serde_json::to_string_pretty` would write it, with a final newline.
pub(crate) fn doc_to_string(doc: &Doc<'_>, capacity: usize) -> String {
    let mut out = String::with_capacity(capacity.max(4096));
    write_doc(&mut out, doc, 0);
    out.push('\n');
    out
}

fn write_doc(out: &mut String, doc: &Doc<'_>, depth: usize) {
    match doc {
        Doc::Value(v) => write_value(out, v, depth),
        Doc::Owned(v) => write_value(out, v, depth),
        Doc::Str(s) => write_str(out, s),
        Doc::String(s) => write_str(out, s),
        Doc::Number(n) => {
            let _ = write!(out, "{n}");
        }
        Doc::Map(entries) => write_entries(
            out,
            entries.iter().map(|(k, v)| (k.as_ref(), v)),
            depth,
            write_doc,
        ),
        Doc::Seq(items) => write_items(out, items.iter(), depth, write_doc),
    }
}

fn write_value(out: &mut String, value: &Value, depth: usize) {
    match value {
        Value::Object(map) => write_object(out, map, depth),
        Value::Array(items) => write_items(out, items.iter(), depth, write_value),
        Value::String(s) => write_str(out, s),
        // Numbers, booleans and null as serde_json spells them (floats by ryu, its way).
        other => out.push_str(&other.to_string()),
    }
}

fn write_object(out: &mut String, map: &Map<String, Value>, depth: usize) {
    write_entries(
        out,
        map.iter().map(|(k, v)| (k.as_str(), v)),
        depth,
        write_value,
    );
}

fn write_entries<'v, T: 'v>(
    out: &mut String,
    entries: impl Iterator<Item = (&'v str, &'v T)>,
    depth: usize,
    write: fn(&mut String, &T, usize),
) {
    out.push('{');
    let mut any = false;
    for (key, value) in entries {
        out.push_str(if any { ",\n" } else { "\n" });
        indent(out, depth + 1);
        write_str(out, key);
        out.push_str(": ");
        write(out, value, depth + 1);
        any = true;
    }
    if any {
        out.push('\n');
        indent(out, depth);
    }
    out.push('}');
}

fn write_items<'v, T: 'v>(
    out: &mut String,
    items: impl Iterator<Item = &'v T>,
    depth: usize,
    write: fn(&mut String, &T, usize),
) {
    out.push('[');
    let mut any = false;
    for item in items {
        out.push_str(if any { ",\n" } else { "\n" });
        indent(out, depth + 1);
        write(out, item, depth + 1);
        any = true;
    }
    if any {
        out.push('\n');
        indent(out, depth);
    }
    out.push(']');
}

fn indent(out: &mut String, depth: usize) {
    let mut left = depth * 2;
    while left > 0 {
        let take = left.min(SPACES.len());
        out.push_str(SPACES.get(..take).unwrap_or_default());
        left -= take;
    }
}

/// A JSON string: copied whole where serde_json escapes nothing in it (it escapes only `"`,
/// `\` and the C0 controls), else escaped by serde_json itself.
fn write_str(out: &mut String, s: &str) {
    if !needs_escape(s.as_bytes()) {
        out.push('"');
        out.push_str(s);
        out.push('"');
    } else {
        out.push_str(&serde_json::to_string(s).unwrap_or_default());
    }
}

/// `value` as `serde_json::to_string_pretty` would write it.
pub(crate) fn to_string_pretty<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    let mut out = Vec::with_capacity(128);
    value.serialize(&mut Serializer::with_formatter(&mut out, Pretty::default()))?;
    // serde_json writes only UTF-8: its input is `str`s and numbers, and it escapes nothing
    // into bytes of its own.
    String::from_utf8(out).map_err(|e| serde::ser::Error::custom(e.to_string()))
}

/// `serde_json::ser::PrettyFormatter::new()`: two spaces per level.
#[derive(Default)]
struct Pretty {
    depth: usize,
    has_value: bool,
}

const SPACES: &str = "                                                                ";

impl Pretty {
    fn indent<W: ?Sized + Write>(&self, writer: &mut W) -> io::Result<()> {
        let mut left = self.depth * 2;
        while left > 0 {
            let take = left.min(SPACES.len());
            writer.write_all(SPACES.as_bytes().get(..take).unwrap_or_default())?;
            left -= take;
        }
        Ok(())
    }

    fn begin<W: ?Sized + Write>(&mut self, writer: &mut W, open: &[u8]) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        writer.write_all(open)
    }

    fn end<W: ?Sized + Write>(&mut self, writer: &mut W, close: &[u8]) -> io::Result<()> {
        self.depth = self.depth.saturating_sub(1);
        if self.has_value {
            writer.write_all(b"\n")?;
            self.indent(writer)?;
        }
        writer.write_all(close)
    }

    fn item<W: ?Sized + Write>(&self, writer: &mut W, first: bool) -> io::Result<()> {
        writer.write_all(if first { b"\n" } else { b",\n" })?;
        self.indent(writer)
    }
}

impl Formatter for Pretty {
    fn begin_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.begin(writer, b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.end(writer, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.item(writer, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.begin(writer, b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.end(writer, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.item(writer, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        writer.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// Whether any byte is a C0 control, `"` or `\\`: eight bytes at a time, each word tested with
/// the "has a byte less than n" and "has a zero byte" bit tricks, which are exact as answers
/// (a borrow runs on only from a byte that matches). Template strings are short; a byte loop
/// cost 140 instructions a string.
fn needs_escape(bytes: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let zero_byte = |w: u64| w.wrapping_sub(ONES) & !w & HIGHS != 0;
    let mut words = bytes.chunks_exact(8);
    for word in &mut words {
        let mut le = [0_u8; 8];
        le.copy_from_slice(word);
        let w = u64::from_le_bytes(le);
        if w.wrapping_sub(ONES * 0x20) & !w & HIGHS != 0
            || zero_byte(w ^ (ONES * u64::from(b'"')))
            || zero_byte(w ^ (ONES * u64::from(b'\\')))
        {
            return true;
        }
    }
    words
        .remainder()
        .iter()
        .any(|&b| b < 0x20 || b == b'"' || b == b'\\')
}

#[cfg(test)]
mod tests {
    use serde_json::{Map, Value, json};

    use std::borrow::Cow;

    use super::{doc_to_string, to_string_pretty};
    use crate::dice::Dice;
    use crate::render::doc::Doc;

    fn value(dice: &mut Dice, depth: usize) -> Value {
        let leaf = depth > 40 || dice.below(3) == 0;
        match dice.below(if leaf { 5 } else { 7 }) {
            0 => Value::Null,
            1 => Value::Bool(dice.below(2) == 0),
            2 => json!(dice.next() as i64),
            3 => json!(dice.below(1000) as f64 / 8.0),
            4 => Value::String(string(dice)),
            5 => Value::Array((0..dice.below(4)).map(|_| value(dice, depth + 1)).collect()),
            _ => Value::Object(
                (0..dice.below(4))
                    .map(|i| (format!("k{i}"), value(dice, depth + 1)))
                    .collect::<Map<_, _>>(),
            ),
        }
    }

    /// Every kind of character serde_json escapes or copies: quotes, backslashes, every C0
    /// control, DEL, multi-byte characters, the line separator, and long plain runs.
    fn string(dice: &mut Dice) -> String {
        let pieces = [
            "a",
            "\"",
            "\\",
            "\n",
            "\t",
            "\u{0}",
            "\u{1}",
            "\u{1f}",
            "\u{7f}",
            "é",
            "\u{2028}",
            " ",
            "</",
            "Fn::GetAtt",
            "arn:aws:ivschat:us-east-1:111122223333:room/abc",
        ];
        (0..dice.below(6))
            .map(|_| pieces[dice.below(pieces.len())])
            .collect()
    }

    fn doc(dice: &mut Dice, depth: usize) -> Doc<'static> {
        let leaf = depth > 40 || dice.below(3) == 0;
        match dice.below(if leaf { 4 } else { 6 }) {
            0 => Doc::Owned(value(dice, depth + 1)),
            1 => Doc::String(string(dice)),
            2 => Doc::Number(dice.next()),
            3 => Doc::Str(["", "AWS::IVSChat::Room", "a\"b", "\u{7}"][dice.below(4)]),
            4 => Doc::Seq((0..dice.below(4)).map(|_| doc(dice, depth + 1)).collect()),
            _ => Doc::Map(
                (0..dice.below(4))
                    .map(|_| (Cow::Owned(string(dice)), doc(dice, depth + 1)))
                    .collect(),
            ),
        }
    }

    /// The word-at-a-time test against a byte loop: every byte value at every place of strings
    /// of 1 to 24 bytes otherwise plain, and in each of the eight lanes of a word.
    #[test]
    fn needs_escape_is_a_byte_test() {
        for len in 1..=24 {
            for at in 0..len {
                for b in 0..=255_u8 {
                    let mut bytes = vec![b'a'; len];
                    bytes[at] = b;
                    let expected = b < 0x20 || b == b'"' || b == b'\\';
                    assert_eq!(super::needs_escape(&bytes), expected, "{bytes:?}");
                }
            }
        }
        assert!(!super::needs_escape(
            "é\u{7f}\u{2028}ünïcödé 0123456789".as_bytes()
        ));
    }

    /// Templates written straight from their tree are what serde_json writes from them through
    /// `Serialize`, on random trees of every kind of node, strings of every kind of character.
    #[test]
    fn templates_are_written_as_serde_json_writes_them() {
        let mut dice = Dice(0x2545_f491_4f6c_dd1d);
        for _ in 0..5_000 {
            let d = doc(&mut dice, 0);
            assert_eq!(
                doc_to_string(&d, 0),
                serde_json::to_string_pretty(&d).unwrap() + "\n"
            );
        }
    }

    /// The same text as serde_json's pretty printer on random values: empty and nested
    /// collections, escapes, numbers, and nesting past the 32 levels one run of spaces holds.
    #[test]
    fn writes_what_serde_json_writes() {
        let mut dice = Dice(0x9e37_79b9_7f4a_7c15);
        for _ in 0..3_000 {
            let v = value(&mut dice, 0);
            assert_eq!(
                to_string_pretty(&v).unwrap(),
                serde_json::to_string_pretty(&v).unwrap()
            );
        }
        let mut deep = json!("x");
        for _ in 0..70 {
            deep = json!({ "a": [deep, {}] , "b": []});
        }
        assert_eq!(
            to_string_pretty(&deep).unwrap(),
            serde_json::to_string_pretty(&deep).unwrap()
        );
    }
}
