//! CloudFormation templates as `serde_json::to_string_pretty` writes them, byte for byte,
//! written straight from their [`Doc`] tree (issue 17). serde_json's pretty printer writes an
//! indent as one two-byte copy per level and looks up every byte of every string in a table;
//! here each indent is one copy and a string that needs no escape is copied whole. Those two
//! were about a quarter of a 5,000-room `render --target cloudformation --format json`. Other
//! JSON (policies, value templates) is small and stays with serde_json.

use std::fmt::Write as _;

use serde_json::Value;

use super::doc::Doc;
use super::yaml::spaces;

/// A template as `serde_json::to_string_pretty` would write it, with a final newline.
pub(crate) fn doc_to_string(doc: &Doc<'_>, capacity: usize) -> String {
    let mut out = super::spare::text(capacity.max(4096));
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
        Doc::Map(entries) => {
            write_collection(out, depth, "{}", entries.iter(), |out, (k, v), d| {
                write_entry(out, k, v, d, write_doc);
            })
        }
        Doc::Seq(items) => write_collection(out, depth, "[]", items.iter(), write_doc),
    }
}

pub(crate) fn write_value(out: &mut String, value: &Value, depth: usize) {
    match value {
        Value::Object(map) => write_collection(out, depth, "{}", map.iter(), |out, (k, v), d| {
            write_entry(out, k, v, d, write_value);
        }),
        Value::Array(items) => write_collection(out, depth, "[]", items.iter(), write_value),
        Value::String(s) => write_str(out, s),
        // Numbers, booleans and null as serde_json spells them (floats by ryu, its way).
        other => out.push_str(&other.to_string()),
    }
}

fn write_entry<T: ?Sized>(
    out: &mut String,
    key: &str,
    value: &T,
    depth: usize,
    write: fn(&mut String, &T, usize),
) {
    write_str(out, key);
    out.push_str(": ");
    write(out, value, depth);
}

/// A mapping or sequence as serde_json's pretty printer writes one: `brackets` alone when it is
/// empty, else each item on a line of its own one level deeper, and the closing bracket on a
/// line of its own.
fn write_collection<I>(
    out: &mut String,
    depth: usize,
    brackets: &str,
    items: impl Iterator<Item = I>,
    mut write_item: impl FnMut(&mut String, I, usize),
) {
    let (open, close) = brackets.split_at(1);
    out.push_str(open);
    let mut any = false;
    for item in items {
        out.push_str(if any { ",\n" } else { "\n" });
        spaces(out, (depth + 1) * 2);
        write_item(out, item, depth + 1);
        any = true;
    }
    if any {
        out.push('\n');
        spaces(out, depth * 2);
    }
    out.push_str(close);
}

/// A JSON string: copied whole where serde_json escapes nothing in it (it escapes only `"`,
/// `\` and the C0 controls), else escaped by serde_json itself.
pub(crate) fn write_str(out: &mut String, s: &str) {
    if !needs_escape(s.as_bytes()) {
        out.push('"');
        out.push_str(s);
        out.push('"');
    } else {
        out.push_str(&serde_json::to_string(s).unwrap_or_default());
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
    let hit = |word: [u8; 8]| {
        let w = u64::from_le_bytes(word);
        w.wrapping_sub(ONES * 0x20) & !w & HIGHS != 0
            || zero_byte(w ^ (ONES * u64::from(b'"')))
            || zero_byte(w ^ (ONES * u64::from(b'\\')))
    };
    let mut words = bytes.chunks_exact(8);
    for word in &mut words {
        let mut le = [0_u8; 8];
        le.copy_from_slice(word);
        if hit(le) {
            return true;
        }
    }
    // The last bytes as one more word, filled up with a letter that needs no escape: most
    // strings are shorter than a word, and a byte loop over them cost more than the words.
    let rest = words.remainder();
    let mut last = [b'a'; 8];
    if let Some(head) = last.get_mut(..rest.len()) {
        head.copy_from_slice(rest);
    }
    hit(last)
}

#[cfg(test)]
mod tests {
    use serde_json::{Map, Value, json};

    use std::borrow::Cow;

    use super::doc_to_string;
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
                    let mut bytes = vec![b'~'; len];
                    bytes[at] = b;
                    let expected = b < 0x20 || b == b'"' || b == b'\\';
                    assert_eq!(super::needs_escape(&bytes), expected, "{bytes:?}");
                }
            }
        }
        assert!(!super::needs_escape(b""));
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

    /// The same text as serde_json's pretty printer on random values (a template's parts built
    /// once): empty and nested collections, escapes, numbers, and nesting past the 32 levels
    /// one run of spaces holds.
    #[test]
    fn values_are_written_as_serde_json_writes_them() {
        let pretty = |v: &Value| serde_json::to_string_pretty(v).unwrap() + "\n";
        let mut dice = Dice(0x9e37_79b9_7f4a_7c15);
        for _ in 0..3_000 {
            let v = value(&mut dice, 0);
            assert_eq!(doc_to_string(&Doc::Value(&v), 0), pretty(&v));
        }
        let mut deep = json!("x");
        for _ in 0..70 {
            deep = json!({ "a": [deep, {}] , "b": []});
        }
        assert_eq!(doc_to_string(&Doc::Value(&deep), 0), pretty(&deep));
    }
}
