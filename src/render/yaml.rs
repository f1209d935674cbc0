//! YAML templates written straight from their value, byte for byte what serde-saphyr 2.1 writes
//! with `prefer_block_scalars: false` (block style, two-space indents, compact sequences): the
//! rendered files did not change when this writer replaced it. Going through serde's
//! serializer cost a 50,000-room render more than the templates' construction (issue 17).
//!
//! Every string is plain only when no YAML 1.1 or 1.2 reader could take it for anything but
//! that string; otherwise it is double-quoted with every control character escaped. The rules
//! (`plain_value_slow`, `plain_key_slow`) are serde-saphyr's (`ser/quoting.rs`), decided once per
//! string in one pass where the common case allows; the tests compare this writer with
//! serde-saphyr on hostile strings and random documents.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Write as _;

use serde_json::{Number, Value};

use super::doc::Doc;

/// The document, ending with a newline.
pub fn to_string(value: &Value) -> String {
    let mut w = Writer::default();
    w.document(Node::Value(value));
    w.out
}

/// A [`Doc`], ending with a newline: what [`to_string`] writes of the same value.
pub(crate) fn doc_to_string(doc: &Doc<'_>, capacity: usize) -> String {
    let mut w = Writer {
        out: super::spare::text(capacity),
        ..Writer::default()
    };
    w.document(Node::of(doc));
    w.out
}

/// One node of what is written: of a value, or of a [`Doc`] (whose values are read as values).
#[derive(Clone, Copy)]
enum Node<'x> {
    Value(&'x Value),
    Doc(&'x Doc<'x>),
}

impl<'x> Node<'x> {
    fn of(doc: &'x Doc<'x>) -> Node<'x> {
        match doc {
            Doc::Value(v) => Node::Value(v),
            Doc::Owned(v) => Node::Value(v),
            other => Node::Doc(other),
        }
    }

    /// The entries of a mapping that has some.
    fn entries(self) -> Option<Entries<'x>> {
        match self {
            Node::Value(Value::Object(m)) if !m.is_empty() => Some(Entries::Value(m.iter())),
            Node::Doc(Doc::Map(e)) if !e.is_empty() => Some(Entries::Doc(e.iter())),
            _ => None,
        }
    }

    /// The items of a sequence that has some.
    fn items(self) -> Option<Items<'x>> {
        match self {
            Node::Value(Value::Array(a)) if !a.is_empty() => Some(Items::Value(a.iter())),
            Node::Doc(Doc::Seq(a)) if !a.is_empty() => Some(Items::Doc(a.iter())),
            _ => None,
        }
    }
}

enum Entries<'x> {
    Value(serde_json::map::Iter<'x>),
    Doc(std::slice::Iter<'x, (Cow<'x, str>, Doc<'x>)>),
}

impl<'x> Iterator for Entries<'x> {
    type Item = (&'x str, Node<'x>);
    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Entries::Value(i) => i.next().map(|(k, v)| (k.as_str(), Node::Value(v))),
            Entries::Doc(i) => i.next().map(|(k, v)| (k.as_ref(), Node::of(v))),
        }
    }
}

enum Items<'x> {
    Value(std::slice::Iter<'x, Value>),
    Doc(std::slice::Iter<'x, Doc<'x>>),
}

impl<'x> Iterator for Items<'x> {
    type Item = Node<'x>;
    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Items::Value(i) => i.next().map(Node::Value),
            Items::Doc(i) => i.next().map(Node::of),
        }
    }
}

/// The text being written, and the quoting decided for the strings that needed the full rules,
/// by where they are: a document's repeated strings (`AWS::IVSChat::Room`, `Fn::GetAtt`, a
/// shared `Fn::Sub`) are one allocation it borrows, decided once instead of once per room.
#[derive(Default)]
struct Writer<'x> {
    out: String,
    decided: HashMap<(usize, usize, bool), bool, foldhash::fast::RandomState>,
    /// Ties the keys to strings that live as long as the document.
    _document: std::marker::PhantomData<&'x str>,
}

impl<'x> Writer<'x> {
    fn document(&mut self, node: Node<'x>) {
        if let Some(entries) = node.entries() {
            self.map_body(entries, 0);
        } else if let Some(items) = node.items() {
            self.seq_body(items, 0, false);
        } else {
            self.scalar(node);
            self.out.push('\n');
        }
    }

    /// The entries of a mapping, each on a line of its own at `indent`.
    fn map_body(&mut self, entries: Entries<'x>, indent: usize) {
        for (k, v) in entries {
            spaces(&mut self.out, indent);
            self.entry(k, v, indent);
        }
    }

    /// `key: value` where the key starts at column `indent` and the cursor is on the key.
    fn entry(&mut self, k: &'x str, v: Node<'x>, indent: usize) {
        self.key(k);
        self.out.push(':');
        if let Some(entries) = v.entries() {
            self.out.push('\n');
            self.map_body(entries, indent + 2);
        } else if let Some(items) = v.items() {
            // Compact: a mapping's sequence starts at the mapping's own column.
            self.out.push('\n');
            self.seq_body(items, indent, false);
        } else {
            self.out.push(' ');
            self.scalar(v);
            self.out.push('\n');
        }
    }

    /// The items of a sequence, dashes at column `indent`; with `inline_first` the first dash
    /// goes where the cursor is (a sequence inside a sequence item).
    fn seq_body(&mut self, items: Items<'x>, indent: usize, inline_first: bool) {
        for (i, item) in items.enumerate() {
            if i > 0 || !inline_first {
                spaces(&mut self.out, indent);
            }
            self.out.push_str("- ");
            self.item_after_dash(item, indent + 2);
        }
    }

    /// A sequence item whose content starts at column `indent`, right after its dash.
    fn item_after_dash(&mut self, v: Node<'x>, indent: usize) {
        if let Some(entries) = v.entries() {
            for (i, (k, v)) in entries.enumerate() {
                if i > 0 {
                    spaces(&mut self.out, indent);
                }
                self.entry(k, v, indent);
            }
        } else if let Some(items) = v.items() {
            self.seq_body(items, indent, true);
        } else {
            self.scalar(v);
            self.out.push('\n');
        }
    }

    /// A scalar, or an empty collection in flow style.
    fn scalar(&mut self, v: Node<'x>) {
        match v {
            Node::Value(Value::Null) => self.out.push_str("null"),
            Node::Value(Value::Bool(true)) => self.out.push_str("true"),
            Node::Value(Value::Bool(false)) => self.out.push_str("false"),
            Node::Value(Value::Number(n)) => number(&mut self.out, n),
            Node::Value(Value::String(s)) => self.string_value(s),
            Node::Value(Value::Array(_)) | Node::Doc(Doc::Seq(_)) => self.out.push_str("[]"),
            Node::Value(Value::Object(_)) | Node::Doc(Doc::Map(_)) => self.out.push_str("{}"),
            Node::Doc(Doc::Str(s)) => self.string_value(s),
            Node::Doc(Doc::String(s)) => self.string_value(s),
            Node::Doc(Doc::Number(n)) => {
                let _ = write!(self.out, "{n}");
            }
            Node::Doc(Doc::Value(v)) => self.scalar(Node::Value(v)),
            Node::Doc(Doc::Owned(v)) => self.scalar(Node::Value(v)),
        }
    }

    fn string_value(&mut self, s: &'x str) {
        let plain = !quoted_alone(s) && self.plain(s, false);
        put_string_value(&mut self.out, s, plain);
    }

    fn key(&mut self, s: &'x str) {
        let plain = self.plain(s, true);
        put_plain_or_quoted(&mut self.out, s, plain);
    }

    /// Whether `s` may be written bare (as a key, or as a value): the common case decided at
    /// once, the rest by serde-saphyr's rules, once per string the document holds.
    fn plain(&mut self, s: &'x str, as_key: bool) -> bool {
        if let Some(plain) = plain_common(s, as_key) {
            return plain;
        }
        *self
            .decided
            .entry((s.as_ptr() as usize, s.len(), as_key))
            .or_insert_with(|| plain_slow(s, as_key))
    }
}

/// The strings written single-quoted whatever the rules say.
fn quoted_alone(s: &str) -> bool {
    matches!(s, "." | "#" | "-")
}

fn put_string_value(out: &mut String, s: &str, plain: bool) {
    if quoted_alone(s) {
        out.push('\'');
        out.push_str(s);
        out.push('\'');
    } else {
        put_plain_or_quoted(out, s, plain);
    }
}

fn put_plain_or_quoted(out: &mut String, s: &str, plain: bool) {
    if plain {
        out.push_str(s);
    } else {
        double_quoted(out, s);
    }
}

fn plain_common(s: &str, as_key: bool) -> Option<bool> {
    if as_key {
        plain_key_common(s)
    } else {
        plain_value_common(s)
    }
}

fn plain_slow(s: &str, as_key: bool) -> bool {
    if as_key {
        plain_key_slow(s) && plain_value_slow(s, true)
    } else {
        plain_value_slow(s, false)
    }
}

/// For text written outside a [`Writer`] that must read as the writer's (a room template's
/// rooms, `render::cloudformation::rooms`): the same pieces, decided without the writer's
/// memory of repeated strings, which only saves time.
pub(crate) mod pieces {
    use serde_json::Value;

    use super::{Node, Writer, plain_common, plain_slow, put_plain_or_quoted, put_string_value};

    /// A mapping key.
    pub(crate) fn key(out: &mut String, s: &str) {
        put_plain_or_quoted(out, s, plain(s, true));
    }

    /// A string as a mapping value or a sequence item.
    pub(crate) fn string_value(out: &mut String, s: &str) {
        put_string_value(out, s, plain(s, false));
    }

    /// [`Writer::plain`] without its memory.
    fn plain(s: &str, as_key: bool) -> bool {
        plain_common(s, as_key).unwrap_or_else(|| plain_slow(s, as_key))
    }

    /// `key: value` and its line end, the key at column `indent` where the cursor is.
    pub(crate) fn entry(out: &mut String, key: &str, value: &Value, indent: usize) {
        with_writer(out, |w| w.entry(key, Node::Value(value), indent));
    }

    /// A sequence item and its line end, its dash at column `indent` where the cursor is.
    pub(crate) fn item(out: &mut String, value: &Value, indent: usize) {
        with_writer(out, |w| {
            w.out.push_str("- ");
            w.item_after_dash(Node::Value(value), indent + 2);
        });
    }

    /// A writer that carries on `out`.
    fn with_writer<'x>(out: &mut String, write: impl FnOnce(&mut Writer<'x>)) {
        let mut w = Writer {
            out: std::mem::take(out),
            ..Writer::default()
        };
        write(&mut w);
        *out = w.out;
    }
}

pub(super) fn spaces(out: &mut String, n: usize) {
    const SPACES: &str = "                                                                ";
    let mut left = n;
    while left > 0 {
        let take = left.min(SPACES.len());
        out.push_str(SPACES.get(..take).unwrap_or_default());
        left -= take;
    }
}

fn number(out: &mut String, n: &Number) {
    if let Some(u) = n.as_u64() {
        let _ = write!(out, "{u}");
    } else if let Some(i) = n.as_i64() {
        let _ = write!(out, "{i}");
    } else {
        // Templates hold no fractions; serde-saphyr's float spelling is its own.
        let text = serde_saphyr::to_string(&n.as_f64()).unwrap_or_default();
        out.push_str(text.trim_end_matches('\n'));
    }
}

fn double_quoted(out: &mut String, s: &str) {
    out.push('"');
    // Printable ASCII other than `"` and `\` stands for itself: the common case (`Fn::GetAtt`,
    // `"4711"`) is copied whole instead of a character at a time.
    if s.bytes()
        .all(|b| (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\')
    {
        out.push_str(s);
        out.push('"');
        return;
    }
    for ch in s.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\0' => out.push_str("\\0"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{b}' => out.push_str("\\v"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            '\u{1b}' => out.push_str("\\e"),
            '\u{FEFF}' => out.push_str("\\uFEFF"),
            '\u{85}' => out.push_str("\\N"),
            '\u{2028}' => out.push_str("\\L"),
            '\u{2029}' => out.push_str("\\P"),
            c if u32::from(c) <= 0xFF
                && (c.is_control() || (0x7F..=0x9F).contains(&u32::from(c))) =>
            {
                let _ = write!(out, "\\x{:02X}", u32::from(c));
            }
            c if u32::from(c) <= 0xFFFF && needs_escape(c) => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Characters a plain or single-quoted scalar cannot carry.
fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{FEFF}' | '\u{2028}' | '\u{2029}' | '\u{FFFE}' | '\u{FFFF}'
        )
}

/// Whether `s` reads back as the same string when written bare as a mapping value in block
/// style.
/// Whether a mapping value may be written bare, in the common case, decided in one pass: letters, digits and `/ _ . -` after a
/// letter or `/`, which no resolver reads as anything but a string unless it is one of YAML
/// 1.1's words (`yes`, `Off`, `null`, `.inf` needs a leading dot). `None` for anything else.
fn plain_value_common(s: &str) -> Option<bool> {
    let bytes = s.as_bytes();
    (bytes
        .first()
        .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'/')
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'_' | b'.' | b'-')))
    .then(|| !is_word(s))
}

/// Booleans and nulls of YAML 1.1 and 1.2, and the undotted float words some readers take.
fn is_word(s: &str) -> bool {
    s.len() <= 5
        && [
            "y", "n", "yes", "no", "on", "off", "true", "false", "null", "nan", "inf",
        ]
        .iter()
        .any(|w| s.eq_ignore_ascii_case(w))
}

/// serde-saphyr's `is_plain_safe` and `is_plain_value_safe(_, false, true)` together: what it
/// writes bare as a key.
/// Whether a mapping key may be written bare, in the common case: letters, digits, `_` and `-` after a letter. `None` for
/// anything else.
fn plain_key_common(s: &str) -> Option<bool> {
    let bytes = s.as_bytes();
    (bytes.first().is_some_and(u8::is_ascii_alphabetic)
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-')))
    .then(|| !is_word(s))
}

/// serde-saphyr's `is_plain_safe`.
fn plain_key_slow(s: &str) -> bool {
    if is_ambiguous(s, true) || s == "<<" || starts_with_document_marker(s) {
        return false;
    }
    let bytes = s.as_bytes();
    if bytes.first().is_some_and(u8::is_ascii_whitespace)
        || bytes.last().is_some_and(u8::is_ascii_whitespace)
    {
        return false;
    }
    match bytes.first() {
        Some(b'-' | b'?') if bytes.get(1).is_none_or(u8::is_ascii_whitespace) => return false,
        Some(
            b',' | b':' | b'[' | b']' | b'{' | b'}' | b'#' | b'&' | b'*' | b'!' | b'|' | b'>'
            | b'\'' | b'"' | b'%' | b'@' | b'`',
        ) => return false,
        _ => {}
    }
    !contains_any_or_control(s, &[':']) && !has_comment_start(s)
}

/// serde-saphyr's `is_plain_value_safe(s, false, in_flow)`.
fn plain_value_slow(s: &str, in_flow: bool) -> bool {
    if is_ambiguous(s, false) || starts_with_document_marker(s) {
        return false;
    }
    let bytes = s.as_bytes();
    if bytes.first().is_some_and(u8::is_ascii_whitespace)
        || bytes.last().is_some_and(u8::is_ascii_whitespace)
    {
        return false;
    }
    match bytes {
        [b'-' | b'?', b1, ..] if b1.is_ascii_whitespace() => return false,
        [b'-' | b'?']
        | [
            b',' | b':' | b'[' | b']' | b'{' | b'}' | b'#' | b'&' | b'*' | b'!' | b'|' | b'>'
            | b'\'' | b'"' | b'%' | b'@' | b'`',
            ..,
        ] => return false,
        _ => {}
    }
    if s.contains(": ") || s.trim().ends_with(':') {
        return false;
    }
    if in_flow {
        !contains_any_or_control(s, &[',', '[', ']', '{', '}']) && !has_comment_start(s)
    } else {
        !contains_any_or_control(s, &[]) && !has_comment_start(s)
    }
}

fn contains_any_or_control(s: &str, chars: &[char]) -> bool {
    s.chars().any(|c| needs_escape(c) || chars.contains(&c))
}

/// `#` after white space would start a comment.
fn has_comment_start(s: &str) -> bool {
    s.match_indices('#').any(|(i, _)| {
        s.get(..i)
            .and_then(|before| before.chars().next_back())
            .is_some_and(char::is_whitespace)
    })
}

fn starts_with_document_marker(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("---").or_else(|| s.strip_prefix("...")) else {
        return false;
    };
    rest.is_empty() || rest.as_bytes().first().is_some_and(u8::is_ascii_whitespace)
}

/// Whether a resolver could read `s` as something other than a string, or refuse it.
fn is_ambiguous(s: &str, yaml_12: bool) -> bool {
    s.is_empty()
        || s == "~"
        || s.eq_ignore_ascii_case("null")
        || s.eq_ignore_ascii_case("true")
        || s.eq_ignore_ascii_case("false")
        || is_numeric(s, yaml_12)
        || s.eq_ignore_ascii_case("nan")
        || s.eq_ignore_ascii_case("inf")
        || s.eq_ignore_ascii_case("+inf")
        || s.eq_ignore_ascii_case("-inf")
        || (!yaml_12 && (is_yaml11_bool(s) || is_yaml11_timestamp(s) || matches!(s, "<<" | "=")))
}

fn is_yaml11_bool(s: &str) -> bool {
    let t = s.trim_matches([' ', '\t', '\r', '\n']);
    ["true", "yes", "y", "on", "false", "no", "n", "off"]
        .iter()
        .any(|w| t.eq_ignore_ascii_case(w))
}

fn is_numeric(s: &str, yaml_12: bool) -> bool {
    if !matches!(
        s.as_bytes().first(),
        Some(b'0'..=b'9' | b'+' | b'-' | b'.' | b'_')
    ) {
        return false;
    }
    let unsigned = s.strip_prefix(['+', '-']).unwrap_or(s);
    if unsigned.eq_ignore_ascii_case(".inf") || unsigned.eq_ignore_ascii_case(".nan") {
        return true;
    }
    if !yaml_12 {
        if is_yaml11_sexagesimal(s) {
            return true;
        }
        if let Some((radix, digits)) = radix_digits(unsigned)
            && is_digit_run(digits, radix, false)
        {
            return true;
        }
    }
    let normalized;
    let s = if !yaml_12 && s.contains('_') {
        normalized = s.replace('_', "");
        normalized.as_str()
    } else {
        s
    };
    let unsigned = s.strip_prefix(['+', '-']).unwrap_or(s);
    if let Some((radix, digits)) = radix_digits(unsigned) {
        let digits = if !yaml_12 && (s.starts_with("0b") || s.starts_with("0o")) {
            digits.strip_prefix(['+', '-']).unwrap_or(digits)
        } else {
            digits
        };
        return is_digit_run(digits, radix, true);
    }
    let mantissa = match unsigned.split_once(['e', 'E']) {
        Some((mantissa, exponent)) => {
            let exponent = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
            if !is_digit_run(exponent, 10, true) {
                return false;
            }
            mantissa
        }
        None => unsigned,
    };
    match mantissa.split_once('.') {
        Some((whole, fraction)) => {
            if !whole.is_empty() && !is_digit_run(whole, 10, true) {
                return false;
            }
            if !yaml_12 {
                fraction.bytes().all(|b| b.is_ascii_digit() || b == b'.')
            } else if fraction.is_empty() {
                !whole.is_empty()
            } else {
                is_digit_run(fraction, 10, true)
            }
        }
        None => is_digit_run(mantissa, 10, true),
    }
}

fn radix_digits(s: &str) -> Option<(u32, &str)> {
    let radix = match s.as_bytes() {
        [b'0', b'b' | b'B', ..] => 2,
        [b'0', b'o' | b'O', ..] => 8,
        [b'0', b'x' | b'X', ..] => 16,
        _ => return None,
    };
    Some((radix, s.get(2..)?))
}

fn is_digit_run(s: &str, radix: u32, strict_underscores: bool) -> bool {
    let is_digit = |b: u8| b.is_ascii() && char::from(b).is_digit(radix);
    let bytes = s.as_bytes();
    !bytes.is_empty()
        && bytes.iter().enumerate().all(|(i, &b)| {
            is_digit(b)
                || (b == b'_'
                    && (!strict_underscores
                        || (i > 0
                            && bytes.get(i - 1).is_some_and(|&p| is_digit(p))
                            && bytes.get(i + 1).is_some_and(|&next| is_digit(next)))))
        })
}

fn is_yaml11_sexagesimal(s: &str) -> bool {
    let unsigned = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (integer, fraction) = match unsigned.split_once('.') {
        Some((integer, fraction)) => (integer, Some(fraction)),
        None => (unsigned, None),
    };
    let Some((first, rest)) = integer.split_once(':') else {
        return false;
    };
    let Some(first_digit) = first.as_bytes().first() else {
        return false;
    };
    if !first_digit.is_ascii_digit()
        || (fraction.is_none() && *first_digit == b'0')
        || !first.bytes().all(|b| b.is_ascii_digit() || b == b'_')
    {
        return false;
    }
    if !rest.split(':').all(|part| match part.as_bytes() {
        [digit] => digit.is_ascii_digit(),
        [tens, units] => matches!(tens, b'0'..=b'5') && units.is_ascii_digit(),
        _ => false,
    }) {
        return false;
    }
    fraction.is_none_or(|part| part.bytes().all(|b| b.is_ascii_digit() || b == b'_'))
}

fn is_yaml11_timestamp(mut s: &str) -> bool {
    fn digits(s: &mut &str, min: usize, max: usize) -> bool {
        let len = s.bytes().take_while(u8::is_ascii_digit).count();
        if !(min..=max).contains(&len) {
            return false;
        }
        *s = s.get(len..).unwrap_or_default();
        true
    }
    fn prefix(s: &mut &str, ch: char) -> bool {
        if let Some(rest) = s.strip_prefix(ch) {
            *s = rest;
            true
        } else {
            false
        }
    }
    if !digits(&mut s, 4, 4)
        || !prefix(&mut s, '-')
        || !digits(&mut s, 1, 2)
        || !prefix(&mut s, '-')
        || !digits(&mut s, 1, 2)
    {
        return false;
    }
    if s.is_empty() {
        return true;
    }
    if let Some(rest) = s.strip_prefix(['T', 't']) {
        s = rest;
    } else {
        let rest = s.trim_start_matches([' ', '\t']);
        if rest.len() == s.len() {
            return false;
        }
        s = rest;
    }
    if !digits(&mut s, 1, 2)
        || !prefix(&mut s, ':')
        || !digits(&mut s, 1, 2)
        || !prefix(&mut s, ':')
        || !digits(&mut s, 1, 2)
    {
        return false;
    }
    if prefix(&mut s, '.') || prefix(&mut s, ',') {
        digits(&mut s, 0, usize::MAX);
    }
    s = s.trim_start_matches([' ', '\t']);
    if s.is_empty() || s == "Z" {
        return true;
    }
    if !(prefix(&mut s, '+') || prefix(&mut s, '-')) || !digits(&mut s, 1, 2) {
        return false;
    }
    if prefix(&mut s, ':') && !digits(&mut s, 2, 2) {
        return false;
    }
    s.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn saphyr(v: &Value) -> String {
        let options = serde_saphyr::ser_options! { prefer_block_scalars: false };
        serde_saphyr::to_string_with_options(v, options).unwrap()
    }

    /// Strings that YAML readers take for something else, or that break plain style.
    const HOSTILE: &[&str] = &[
        "",
        " ",
        "a",
        "yes",
        "No",
        "ON",
        "off",
        "y",
        "N",
        "true",
        "False",
        "null",
        "NULL",
        "~",
        "0755",
        "0",
        "-1",
        "+1",
        "1e3",
        "1E+3",
        ".5",
        "-.5",
        "0x1F",
        "0o17",
        "0b101",
        "0b1_0",
        "1_000",
        "_1",
        "1_",
        "1__0",
        "1:20",
        "1:20:30",
        "190:20:30.15",
        "12:61",
        "0:30",
        "1:2.5",
        "2010-09-09",
        "2001-12-14t21:59:43.10-05:00",
        "2001-12-14 21:59:43.10",
        "2002-1-4",
        "2001-12-14 21:59:43 +5",
        "2001-12-14T1:2:3Z",
        ".inf",
        "-.Inf",
        ".NaN",
        "nan",
        "inf",
        "+inf",
        "-INF",
        "<<",
        "=",
        "---",
        "...",
        "--- x",
        "... x",
        "---x",
        "-",
        "?",
        "- a",
        "? a",
        "-a",
        "?a",
        "?\ta",
        ":",
        ":a",
        "a:",
        "a: b",
        "a:b",
        "a :b",
        "a #b",
        "a#b",
        "#a",
        "[a]",
        "]",
        "{a}",
        "}",
        ",a",
        "a,b",
        "a[b",
        "&a",
        "*a",
        "!a",
        "|",
        ">",
        "'",
        "\"",
        "%a",
        "@a",
        "`a",
        ".",
        "#",
        "a.",
        "'a'",
        "it's",
        "back\\slash",
        "tab\there",
        "\ttab",
        "tab\t",
        "nl\nx",
        "\n",
        "cr\rx",
        "\r\n",
        "\0",
        "\u{7}",
        "\u{8}",
        "\u{b}",
        "\u{c}",
        "\u{1b}",
        "\u{7f}",
        "\u{85}",
        "\u{9f}",
        "\u{a0}",
        "\u{2028}",
        "\u{2029}",
        "\u{feff}",
        "\u{feff}x",
        "\u{fffe}",
        "\u{ffff}",
        "\u{1F389}",
        "日本語",
        "é",
        "a b",
        " a",
        "a ",
        "${AWS::Region}",
        "$${x}",
        "%{if}",
        "!Ref x",
        "Fn::Sub",
        "arn:aws:s3:::b/*",
        "a\u{200b}b",
        "=x",
        "0.",
        "0.1.2",
        "1.2e",
        "12e03",
        "+12",
        "-0",
        "0e0",
        "08",
        "1e",
        "e1",
        "0X1F",
        "0xG",
        "+.5",
        "+",
        "Yes",
        "/a/b#c",
        "/a/ #c",
        "a:\t",
        "a: ",
        "x\u{1}y",
        "0o",
        "0x",
        "-0b1",
        "+0o7_1",
        "1.",
        "1..2",
        "._5",
        "1._0",
        "-.",
        "+.",
    ];

    #[test]
    fn every_hostile_string_is_written_as_serde_saphyr_writes_it() {
        for s in HOSTILE {
            let v = json!({ *s: s, "list": [s, [s], { *s: [s] }] });
            assert_eq!(to_string(&v), saphyr(&v), "{s:?}");
        }
        // One document that borrows each hostile string many times, as a key and as a value
        // (the writer decides a borrowed string's quoting once): the same text as a value whose
        // every string is a copy of its own.
        let doc = Doc::Seq(
            HOSTILE
                .iter()
                .map(|s| {
                    Doc::Map(vec![
                        (Cow::Borrowed(*s), Doc::Str(s)),
                        ("k".into(), Doc::Seq(vec![Doc::Str(s), Doc::Str(s)])),
                    ])
                })
                .collect(),
        );
        let copies = json!(
            HOSTILE
                .iter()
                .map(|s| json!({ *s: s, "k": [s, s] }))
                .collect::<Vec<_>>()
        );
        assert_eq!(doc_to_string(&doc, 0), saphyr(&copies));
    }

    use crate::dice::Dice;

    fn string(r: &mut Dice) -> String {
        const PIECES: &[&str] = &[
            "a",
            "Z",
            "0",
            "1",
            "9",
            "_",
            "-",
            ".",
            ":",
            " ",
            "#",
            "'",
            "\"",
            "\\",
            "\t",
            "\n",
            "e",
            "x",
            "o",
            "b",
            "+",
            "/",
            "[",
            "{",
            ",",
            "!",
            "&",
            "*",
            "?",
            "|",
            ">",
            "%",
            "@",
            "`",
            "~",
            "$",
            "\u{85}",
            "é",
            "\u{feff}",
            "yes",
            "no",
            "null",
            "2010-09-09",
            "12:30",
        ];
        if r.below(3) == 0 {
            return HOSTILE[r.below(HOSTILE.len())].to_owned();
        }
        (0..r.below(6))
            .map(|_| PIECES[r.below(PIECES.len())])
            .collect()
    }

    fn value(r: &mut Dice, depth: usize) -> Value {
        match r.below(if depth == 0 { 5 } else { 8 }) {
            0 => Value::Null,
            1 => Value::Bool(r.below(2) == 0),
            2 => json!(r.next() % 100_000),
            3 => json!(-((r.next() % 1000) as i64)),
            4 => Value::String(string(r)),
            5 => Value::Array((0..r.below(4)).map(|_| value(r, depth - 1)).collect()),
            _ => Value::Object(
                (0..r.below(4))
                    .map(|_| (string(r), value(r, depth - 1)))
                    .collect(),
            ),
        }
    }

    #[test]
    fn random_documents_are_written_as_serde_saphyr_writes_them() {
        let mut r = Dice(0x5eed_1234_abcd_ef01);
        for i in 0..20_000 {
            let v = Value::Object(
                (0..1 + r.below(4))
                    .map(|_| (string(&mut r), value(&mut r, 4)))
                    .collect(),
            );
            assert_eq!(to_string(&v), saphyr(&v), "document {i}: {v}");
            // The same document as a `Doc` that borrows its strings writes the same text, in
            // YAML and in JSON, and reads back as the same value.
            let doc = borrowing(&v, i);
            assert_eq!(doc_to_string(&doc, 0), to_string(&v), "document {i}: {v}");
            assert_eq!(
                serde_json::to_string_pretty(&doc).unwrap(),
                serde_json::to_string_pretty(&v).unwrap()
            );
            assert_eq!(doc.into_value(), v, "document {i}");
        }
    }

    /// `v` as a [`Doc`], its collections and strings borrowed; every few nodes kept as a value
    /// (borrowed or owned), as templates mix the two.
    fn borrowing(v: &Value, seed: usize) -> Doc<'_> {
        match (v, seed % 5) {
            (_, 0) if seed > 0 => Doc::Value(v),
            (_, 1) if seed > 1 => Doc::Owned(v.clone()),
            (Value::String(s), 2) => Doc::String(s.clone()),
            (Value::String(s), _) => Doc::Str(s),
            (Value::Number(n), _) if n.as_u64().is_some() => Doc::Number(n.as_u64().unwrap()),
            (Value::Array(a), _) => Doc::Seq(
                a.iter()
                    .enumerate()
                    .map(|(i, x)| borrowing(x, seed / 5 + i))
                    .collect(),
            ),
            (Value::Object(m), _) => Doc::Map(
                m.iter()
                    .enumerate()
                    .map(|(i, (k, x))| (Cow::Borrowed(k.as_str()), borrowing(x, seed / 5 + i)))
                    .collect(),
            ),
            _ => Doc::Value(v),
        }
    }

    #[test]
    fn a_template_shape_is_written_as_serde_saphyr_writes_it() {
        let v = json!({
            "AWSTemplateFormatVersion": "2010-09-09",
            "Resources": {"R": {"Type": "AWS::S3::Bucket", "DependsOn": [], "Metadata": {},
                "Properties": {"Tags": [{"Key": "a", "Value": {"Fn::Join": ["", ["$", "{x}"]]}}],
                "List": [[], {}, [[1, 2], []], [{"a": [{"b": {}}]}]]}}},
        });
        assert_eq!(to_string(&v), saphyr(&v));
    }
}
