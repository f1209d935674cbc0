//! Pretty JSON byte for byte as `serde_json::to_string_pretty` writes it, with each line's
//! indent written in one piece. serde_json's `PrettyFormatter` writes an indent as one
//! two-byte write per level, and those small copies were a sixth of a 5,000-room
//! `render --target cloudformation --format json` (issue 17).

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::{Formatter, Serializer};

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

const SPACES: &[u8; 64] = b"                                                                ";

impl Pretty {
    fn indent<W: ?Sized + Write>(&self, writer: &mut W) -> io::Result<()> {
        let mut left = self.depth * 2;
        while left > 0 {
            let take = left.min(SPACES.len());
            writer.write_all(SPACES.get(..take).unwrap_or_default())?;
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

#[cfg(test)]
mod tests {
    use serde_json::{Map, Value, json};

    use super::to_string_pretty;
    use crate::dice::Dice;

    fn value(dice: &mut Dice, depth: usize) -> Value {
        let leaf = depth > 40 || dice.below(3) == 0;
        match dice.below(if leaf { 5 } else { 7 }) {
            0 => Value::Null,
            1 => Value::Bool(dice.below(2) == 0),
            2 => json!(dice.next() as i64),
            3 => json!(dice.below(1000) as f64 / 8.0),
            4 => {
                let pieces = ["a", "\"", "\\", "\n", "\u{1}", "é", "\u{2028}", " ", "</"];
                Value::String((0..dice.below(5)).map(|_| pieces[dice.below(9)]).collect())
            }
            5 => Value::Array((0..dice.below(4)).map(|_| value(dice, depth + 1)).collect()),
            _ => Value::Object(
                (0..dice.below(4))
                    .map(|i| (format!("k{i}"), value(dice, depth + 1)))
                    .collect::<Map<_, _>>(),
            ),
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
