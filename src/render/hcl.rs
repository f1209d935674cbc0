//! A small typed HCL writer for the Terraform target. Values are data: every string goes through
//! [`quote`], which escapes quotes, backslashes, control characters and both template
//! introducers (`${` → `$${`, `%{` → `%%{`), so nothing from a spec can become an expression.
//! References, function names and block types are [`Ident`]s, which can only hold identifiers.
//!
//! Output follows `terraform fmt`: two-space indents, one space around `=` except that the `=`
//! of consecutive single-line attributes (or object entries) is aligned one column after the
//! longest key; a blank line, a comment, a block or a multi-line value ends such a run (as in
//! hclwrite's formatter, where a line whose value opens brackets has no alignment cell).

use std::borrow::Cow;
use std::fmt::Write as _;

/// A valid HCL identifier: `[A-Za-z_][A-Za-z0-9_-]*`. The module's own names are borrowed:
/// every room's attributes and references named them again, a third of the Terraform render's
/// allocations (issue 17).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ident(Cow<'static, str>);

impl Ident {
    /// A name written in the code, borrowed; `None` where it is not an identifier.
    pub fn fixed(s: &'static str) -> Option<Ident> {
        is_identifier(s).then_some(Ident(Cow::Borrowed(s)))
    }

    /// The identifier for a spec key (`[A-Za-z0-9_-]{1,128}`, CL010). A key that starts with a
    /// letter is used as it is. Any other key becomes `_<key>_<hash>`: it starts with `_`, so it
    /// cannot equal a key used as it is, and it contains the whole key, so two keys never meet.
    pub fn from_key(key: &str) -> Ident {
        if key.starts_with(|c: char| c.is_ascii_alphabetic()) && is_identifier(key) {
            return Ident(Cow::Owned(key.to_owned()));
        }
        let mut s = String::from("_");
        s.extend(key.chars().map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        }));
        let _ = write!(s, "_{:08x}", fnv1a32(key.as_bytes()));
        Ident(Cow::Owned(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// By bytes: every byte of a character outside ASCII is outside ASCII too, so it fails the test
/// as the character would. A `char` at a time cost 12% of a 5,000-room Terraform render, asked
/// of every attribute name and reference (issue 17).
fn is_identifier(s: &str) -> bool {
    let bytes = s.as_bytes();
    bytes
        .first()
        .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-')
}

fn fnv1a32(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5_u32, |hash, b| {
        (hash ^ u32::from(*b)).wrapping_mul(0x0100_0193)
    })
}

/// Words an object key must not be written bare as: they would read as values or keywords.
const RESERVED: &[&str] = &[
    "true", "false", "null", "for", "in", "if", "endif", "endfor",
];

#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Null,
    Bool(bool),
    Number(u64),
    String(String),
    /// `a.b.c`: a reference, or a bare keyword such as a type (`bool`).
    Traversal(Vec<Ident>),
    /// `cond ? a : b`.
    Conditional(Box<Expr>, Box<Expr>, Box<Expr>),
    List(Vec<Expr>),
    /// Keys are data: written bare when they are plain identifiers, quoted otherwise.
    Object(Vec<(String, Expr)>),
    Call(Ident, Vec<Expr>),
}

impl Expr {
    pub fn str(s: impl Into<String>) -> Expr {
        Expr::String(s.into())
    }

    /// A reference built from identifiers, e.g. `aws_s3_bucket.archive.id`.
    pub fn reference(parts: &[&Ident]) -> Expr {
        Expr::Traversal(parts.iter().map(|p| (*p).clone()).collect())
    }

    /// A JSON value as the HCL expression `jsonencode` turns back into the same JSON.
    pub fn from_json(v: &serde_json::Value) -> Expr {
        use serde_json::Value;
        match v {
            Value::Null => Expr::Null,
            Value::Bool(b) => Expr::Bool(*b),
            // Policy documents hold no numbers; a non-integer would be written as a string.
            Value::Number(n) => n
                .as_u64()
                .map_or_else(|| Expr::String(n.to_string()), Expr::Number),
            Value::String(s) => Expr::String(s.clone()),
            Value::Array(a) => Expr::List(a.iter().map(Expr::from_json).collect()),
            Value::Object(o) => Expr::Object(
                o.iter()
                    .map(|(k, v)| (k.clone(), Expr::from_json(v)))
                    .collect(),
            ),
        }
    }
}

/// An HCL string literal: quoted, with every character that HCL would interpret escaped.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    quote_into(&mut out, s);
    out
}

/// [`quote`] at the end of `out`.
pub(crate) fn quote_into(out: &mut String, s: &str) {
    // Most strings (names, tags, ARNs) hold nothing to escape: printable ASCII without a quote,
    // a backslash or a template introducer's first character is copied whole (a `char` at a
    // time cost 6% of a 5,000-room Terraform render; issue 17).
    if s.bytes()
        .all(|b| matches!(b, b' '..=b'~') && !matches!(b, b'"' | b'\\' | b'$' | b'%'))
    {
        out.push('"');
        out.push_str(s);
        out.push('"');
    } else {
        quote_by_chars(out, s);
    }
}

/// [`quote_into`] a `char` at a time, as every string was quoted before the whole-string copy,
/// which the tests hold to this.
fn quote_by_chars(out: &mut String, s: &str) {
    out.push('"');
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

pub(crate) fn object_key(key: &str) -> Cow<'_, str> {
    if is_identifier(key) && !RESERVED.contains(&key) {
        Cow::Borrowed(key)
    } else {
        Cow::Owned(quote(key))
    }
}

/// Longest single-line rendering kept on one line for lists.
pub(crate) const INLINE_LIST_MAX: usize = 80;

/// The expression on one line at the end of `out`, where it fits on one line in `terraform fmt`
/// style; answers whether it did (else `out` is left as it was). Written in place: a `String`
/// for every value, and for every part of a list, a call or a reference, was most of the
/// Terraform writer's allocations (issue 17).
fn inline_into(out: &mut String, e: &Expr) -> bool {
    let start = out.len();
    let fits = match e {
        Expr::Null => {
            out.push_str("null");
            true
        }
        Expr::Bool(b) => {
            out.push_str(if *b { "true" } else { "false" });
            true
        }
        Expr::Number(n) => {
            out.push_str(itoa::Buffer::new().format(*n));
            true
        }
        Expr::String(s) => {
            quote_into(out, s);
            true
        }
        Expr::Traversal(parts) => {
            for (i, part) in parts.iter().enumerate() {
                if i > 0 {
                    out.push('.');
                }
                out.push_str(part.as_str());
            }
            true
        }
        Expr::Conditional(c, a, b) => {
            inline_into(out, c)
                && {
                    out.push_str(" ? ");
                    inline_into(out, a)
                }
                && {
                    out.push_str(" : ");
                    inline_into(out, b)
                }
        }
        Expr::List(items) => {
            !items
                .iter()
                .any(|i| matches!(i, Expr::List(_) | Expr::Object(_)))
                && {
                    out.push('[');
                    let all = separated(out, items);
                    out.push(']');
                    all
                }
                && out
                    .get(start..)
                    .is_some_and(|s| s.chars().count() <= INLINE_LIST_MAX)
        }
        Expr::Object(entries) => {
            entries.is_empty() && {
                out.push_str("{}");
                true
            }
        }
        Expr::Call(name, args) => {
            out.push_str(name.as_str());
            out.push('(');
            let all = separated(out, args);
            out.push(')');
            all
        }
    };
    if !fits {
        out.truncate(start);
    }
    fits
}

/// `items` on one line, separated by `, `, while each fits.
fn separated(out: &mut String, items: &[Expr]) -> bool {
    items.iter().enumerate().all(|(i, item)| {
        if i > 0 {
            out.push_str(", ");
        }
        inline_into(out, item)
    })
}

fn indent(out: &mut String, level: usize) {
    for _ in 0..level {
        out.push_str("  ");
    }
}

/// Writes a value that does not fit on one line, starting after `key = `, ending without a
/// newline. `level` is the indent level of the line the value starts on.
fn multiline(out: &mut String, e: &Expr, level: usize) {
    match e {
        Expr::List(items) => {
            out.push_str("[\n");
            for item in items {
                indent(out, level + 1);
                if !inline_into(out, item) {
                    multiline(out, item, level + 1);
                }
                out.push_str(",\n");
            }
            indent(out, level);
            out.push(']');
        }
        Expr::Object(entries) => {
            out.push_str("{\n");
            let lines: Vec<Line<'_>> = entries
                .iter()
                .map(|(k, v)| Line::Assign(object_key(k), v))
                .collect();
            write_lines(out, &lines, level + 1);
            indent(out, level);
            out.push('}');
        }
        Expr::Call(name, args) => {
            out.push_str(name.as_str());
            out.push('(');
            for (i, a) in args.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                if !inline_into(out, a) {
                    multiline(out, a, level);
                }
            }
            out.push(')');
        }
        // Scalars always fit on one line; a conditional with multi-line branches is never built.
        other => {
            inline_into(out, other);
        }
    }
}

/// One line-level item of a body or an object. Keys are borrowed where they are written as
/// they are: an allocation per attribute was a tenth of a Terraform render (issue 17).
enum Line<'a> {
    Assign(Cow<'a, str>, &'a Expr),
    Block(&'a Block),
    Blank,
    Comment(String),
}

fn write_lines(out: &mut String, lines: &[Line<'_>], level: usize) {
    // Alignment runs: consecutive assignments whose value is on one line. Those values are
    // written once, one after another into one text, each known by where it lies in it.
    let mut values = String::new();
    let rendered: Vec<Option<std::ops::Range<usize>>> = lines
        .iter()
        .map(|l| match l {
            Line::Assign(_, v) => {
                let start = values.len();
                inline_into(&mut values, v).then_some(start..values.len())
            }
            _ => None,
        })
        .collect();
    let mut widths = vec![0usize; lines.len()];
    let mut start = 0;
    while start < lines.len() {
        let mut end = start;
        while end < lines.len() && rendered.get(end).is_some_and(Option::is_some) {
            end += 1;
        }
        if end > start {
            let width = lines
                .get(start..end)
                .unwrap_or_default()
                .iter()
                .map(|l| match l {
                    Line::Assign(k, _) => k.chars().count(),
                    _ => 0,
                })
                .max()
                .unwrap_or(0);
            for w in widths.get_mut(start..end).unwrap_or_default() {
                *w = width;
            }
            start = end;
        } else {
            start += 1;
        }
    }
    for ((line, one), width) in lines.iter().zip(&rendered).zip(widths) {
        match line {
            Line::Assign(key, value) => {
                indent(out, level);
                out.push_str(key);
                match one {
                    Some(range) => {
                        for _ in key.chars().count()..width {
                            out.push(' ');
                        }
                        out.push_str(" = ");
                        out.push_str(values.get(range.clone()).unwrap_or_default());
                    }
                    None => {
                        out.push_str(" = ");
                        multiline(out, value, level);
                    }
                }
                out.push('\n');
            }
            Line::Block(b) => write_block(out, b, level),
            Line::Blank => out.push('\n'),
            Line::Comment(text) => {
                indent(out, level);
                out.push_str(text);
                out.push('\n');
            }
        }
    }
}

/// An item of a block body.
#[derive(Clone, Debug)]
pub enum Item {
    Attribute(Ident, Expr),
    Block(Block),
    Blank,
    /// `#checkov:skip=<id>:<reason>`, which checkov reads inside the resource's lines.
    CheckovSkip(&'static str, String),
}

#[derive(Clone, Debug)]
pub struct Block {
    pub kind: Ident,
    /// Labels are data: always quoted.
    pub labels: Vec<String>,
    pub body: Vec<Item>,
}

impl Block {
    pub fn new(kind: &Ident, labels: &[&str]) -> Block {
        Block {
            kind: kind.clone(),
            labels: labels.iter().map(|l| (*l).to_owned()).collect(),
            body: Vec::new(),
        }
    }
    pub fn attr(mut self, name: &Ident, value: Expr) -> Block {
        self.body.push(Item::Attribute(name.clone(), value));
        self
    }
    pub fn block(mut self, block: Block) -> Block {
        self.body.push(Item::Block(block));
        self
    }
    pub fn blank(mut self) -> Block {
        self.body.push(Item::Blank);
        self
    }
    pub fn push(&mut self, item: Item) {
        self.body.push(item);
    }
}

fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

fn write_block(out: &mut String, b: &Block, level: usize) {
    indent(out, level);
    out.push_str(b.kind.as_str());
    for l in &b.labels {
        out.push(' ');
        out.push_str(&quote(l));
    }
    if b.body.is_empty() {
        out.push_str(" {}\n");
        return;
    }
    out.push_str(" {\n");
    let lines: Vec<Line<'_>> = b
        .body
        .iter()
        .map(|i| match i {
            Item::Attribute(k, v) => Line::Assign(Cow::Borrowed(k.as_str()), v),
            Item::Block(b) => Line::Block(b),
            Item::Blank => Line::Blank,
            Item::CheckovSkip(id, reason) => {
                Line::Comment(format!("#checkov:skip={id}:{}", one_line(reason)))
            }
        })
        .collect();
    write_lines(out, &lines, level + 1);
    indent(out, level);
    out.push_str("}\n");
}

/// A whole .tf file: an optional header comment, then top-level blocks separated by one blank
/// line. Comments placed before a block stay attached to it. Each block is written out as it is
/// pushed, so a module of 50,000 rooms is never held as a tree of blocks (issue 17).
#[derive(Clone, Debug, Default)]
pub struct File {
    /// The header and the blocks pushed so far: empty until one of them is written, so it
    /// says itself whether the next block needs a blank line before it.
    text: String,
}

impl File {
    /// A file that starts with these comment lines.
    pub fn with_header(header: Vec<String>) -> File {
        let mut text = String::new();
        write_comments(&mut text, &header);
        File { text }
    }
    pub fn push(&mut self, block: Block) {
        self.push_commented(Vec::new(), block);
    }
    /// A block written by `write` at the top level, where [`File::push`] would have written
    /// it: for blocks written straight into the text, as a room's are.
    pub(crate) fn push_written(&mut self, write: impl FnOnce(&mut String)) {
        if !self.text.is_empty() {
            self.text.push('\n');
        }
        write(&mut self.text);
    }
    /// Each of `items` written by `write` as [`File::push_written`] writes one. The text is grown
    /// once, after the first, to hold them all as large as it and 4 KiB besides, as a
    /// CloudFormation template's rooms are (`cloudformation::rooms::write_rooms`): grown by
    /// doubling, a 50,000-room module was copied at every step and each larger text faulted in
    /// afresh (issue 17).
    pub(crate) fn push_written_each<T>(
        &mut self,
        items: &[T],
        mut write: impl FnMut(&mut String, &T),
    ) {
        for (i, item) in items.iter().enumerate() {
            let start = self.text.len();
            self.push_written(|out| write(out, item));
            if i == 0 {
                let written = self.text.len() - start;
                self.text.reserve((items.len() - 1) * written + 4_096);
            }
        }
    }
    pub fn push_commented(&mut self, comments: Vec<String>, block: Block) {
        if !self.text.is_empty() {
            self.text.push('\n');
        }
        write_comments(&mut self.text, &comments);
        write_block(&mut self.text, &block, 0);
    }

    pub fn render(self) -> String {
        self.text
    }
}

/// `# line` per line, each kept on one line.
fn write_comments(out: &mut String, lines: &[String]) {
    for line in lines {
        out.push_str("# ");
        out.push_str(&one_line(line));
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &'static str) -> Ident {
        Ident::fixed(s).unwrap()
    }

    #[test]
    fn blocks_written_each_read_as_blocks_written_one_at_a_time() {
        let blocks = ["a {}\n", "bb {\n  x = 1\n}\n", "c {}\n"];
        for header in [Vec::new(), vec!["head".to_owned()]] {
            for count in 0..=blocks.len() {
                let items = &blocks[..count];
                let mut each = File::with_header(header.clone());
                each.push_written_each(items, |out, b| out.push_str(b));
                let mut one = File::with_header(header.clone());
                for b in items {
                    one.push_written(|out| out.push_str(b));
                }
                assert_eq!(
                    each.render(),
                    one.render(),
                    "{count} blocks after {header:?}"
                );
            }
        }
    }

    #[test]
    fn strings_are_escaped_including_template_introducers() {
        assert_eq!(quote("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(quote("${x} %{if} $x %x"), r#""$${x} %%{if} $x %x""#);
        assert_eq!(quote("$${x}"), r#""$$${x}""#);
        assert_eq!(quote("l1\nl2\r\t\u{7}"), r#""l1\nl2\r\t\u0007""#);
        assert_eq!(quote("日本語 🎉"), "\"日本語 🎉\"");
    }

    /// The byte-wise test and the whole-string copy answer as a `char` at a time did, on every
    /// string of up to 4 of characters that matter to either.
    #[test]
    fn identifiers_and_quotes_read_characters_as_a_char_at_a_time_did() {
        fn identifier_by_chars(s: &str) -> bool {
            let mut chars = s.chars();
            chars
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        }
        let alphabet = [
            "a", "Z", "0", "_", "-", " ", "~", ".", "\"", "\\", "$", "%", "{", "\n", "\t",
            "\u{7f}", "\u{85}", "é", "日",
        ];
        let strings = crate::dice::every_string(&alphabet, 4);
        for t in &strings {
            assert_eq!(is_identifier(t), identifier_by_chars(t), "{t:?}");
            let mut by_chars = String::new();
            quote_by_chars(&mut by_chars, t);
            assert_eq!(quote(t), by_chars, "{t:?}");
        }
        assert_eq!(strings.len(), 1 + 19 + 361 + 6859 + 130_321);
    }

    #[test]
    fn keys_become_distinct_identifiers() {
        assert_eq!(Ident::from_key("lobby").as_str(), "lobby");
        assert_eq!(Ident::from_key("lobby-eu_2").as_str(), "lobby-eu_2");
        let a = Ident::from_key("1lobby");
        let b = Ident::from_key("-1lobby");
        let c = Ident::from_key("_1lobby");
        assert!(a.as_str().starts_with("_1lobby_"));
        assert_ne!(a, b);
        assert_ne!(a, c);
        assert_ne!(b, c);
        assert!(is_identifier(a.as_str()));
        assert!(is_identifier(b.as_str()));
        assert!(Ident::fixed("a.b").is_none());
        assert!(Ident::fixed("1a").is_none());
    }

    #[test]
    fn single_line_attributes_align_and_multiline_values_break_the_run() {
        let b = Block::new(&id("resource"), &["t", "n"])
            .attr(&id("name"), Expr::str("x"))
            .attr(&id("maximum_message_length"), Expr::Number(5))
            .attr(
                &id("tags"),
                Expr::Object(vec![
                    ("a".into(), Expr::str("1")),
                    ("long-key".into(), Expr::str("2")),
                    ("true".into(), Expr::str("3")),
                ]),
            )
            .attr(&id("z"), Expr::Bool(true));
        let mut f = File::default();
        f.push(b);
        assert_eq!(
            f.render(),
            "resource \"t\" \"n\" {\n  name                   = \"x\"\n  maximum_message_length = 5\n  tags = {\n    a        = \"1\"\n    long-key = \"2\"\n    \"true\"   = \"3\"\n  }\n  z = true\n}\n"
        );
    }

    #[test]
    fn calls_with_objects_indent_one_level() {
        let b = Block::new(&id("r"), &[]).attr(
            &id("policy"),
            Expr::Call(
                id("jsonencode"),
                vec![Expr::Object(vec![(
                    "Statement".into(),
                    Expr::List(vec![Expr::Object(vec![("Sid".into(), Expr::str("s"))])]),
                )])],
            ),
        );
        let mut f = File::default();
        f.push(b);
        assert_eq!(
            f.render(),
            "r {\n  policy = jsonencode({\n    Statement = [\n      {\n        Sid = \"s\"\n      },\n    ]\n  })\n}\n"
        );
    }
}
