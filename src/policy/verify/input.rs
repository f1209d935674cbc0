//! Policy documents in the shapes people export them, each statement located in its file:
//!
//! - a bare policy document (`{"Version": ..., "Statement": [...]}`), as kept in a repository;
//! - `aws s3api get-bucket-policy` output, `{"Policy": "<the document as a JSON string>"}`;
//! - `aws logs describe-resource-policies` output,
//!   `{"resourcePolicies": [{"policyName": ..., "policyDocument": "<JSON string>"}]}`
//!   (CloudWatch Logs policies only).
//!
//! A document embedded as a JSON string is parsed on its own and its positions are mapped back
//! through the string's escapes, so a finding still points at the statement's column.

use std::fmt;

use serde_json::Value;

use crate::diagnostic::Location;
use crate::policy::normalize::{self, Statement};
use crate::spec::source::SourceFile;
use crate::spec::tree::{self, Pos, Positions};

/// Which kind of policy a file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// An S3 bucket policy.
    Bucket,
    /// CloudWatch Logs resource policies (account-level or log-group-level).
    Logs,
}

/// A statement, its place, and how to name it in a message.
#[derive(Clone, Debug)]
pub struct Located {
    pub statement: Statement,
    /// "statement `Sid`", or "statement 2" without a Sid, plus the policy name when there is one.
    pub label: String,
    /// The label with a statement without Sid spelled out instead of numbered, so that baselines
    /// still know it when the policy's statements are reordered or reformatted.
    pub identity: String,
    pub location: Location,
}

#[derive(Clone, Debug)]
pub struct Document {
    pub statements: Vec<Located>,
    /// Where to report a statement the document lacks: its `Statement` key, or the file.
    pub anchor: Location,
}

/// A file read: its text (for report snippets) and its documents.
#[derive(Debug)]
pub struct PolicyFile {
    pub source: SourceFile,
    pub documents: Vec<Document>,
}

/// A file that is not a policy chatlog can read, with the place that says so.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadError {
    pub location: Location,
    pub message: String,
    pub help: String,
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}\n  = help: {}",
            self.location.file, self.location.line, self.location.column, self.message, self.help
        )
    }
}

impl std::error::Error for ReadError {}

/// The largest file read. Far above any real export (a bucket policy is at most 20 KB; a
/// log-group-level policy 51,200 bytes, aws-facts §1(d)), low enough that `/dev/zero` or a
/// wrong file fails fast.
pub const MAX_FILE_BYTES: usize = 32 * 1024 * 1024;

const SHAPES_HELP: &str = "give a policy document, `aws s3api get-bucket-policy` output, or (for --logs-policy) `aws logs describe-resource-policies` output";

/// Reads one exported file. Empty (or blank) means no policy at all.
pub fn read(path: &str, bytes: &[u8], kind: Kind) -> Result<PolicyFile, ReadError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(ReadError {
            location: Location {
                file: path.to_owned(),
                line: 1,
                column: 1,
                len: 0,
                pointer: None,
            },
            message: format!("the file is larger than {MAX_FILE_BYTES} bytes"),
            help: "give one exported policy file, not a whole directory or stream".to_owned(),
        });
    }
    let text = decode(path, bytes)?;
    let file = File { path, text: &text };
    let mut documents = Vec::new();
    let mut positions = Positions::default();
    if !text.trim().is_empty() {
        file.strict_json(&text, &|p| file.at(p))?;
        let parsed = tree::parse(&text).map_err(|e| {
            file.error(
                e.pos.map_or_else(|| file.start(), |p| file.at(p)),
                first_line(&e.message),
                "each key may appear once in a JSON object",
            )
        })?;
        positions = parsed.positions;
        let outer = Frame::Direct {
            file: &file,
            positions: &positions,
            prefix: String::new(),
        };
        documents = file.documents(&parsed.value, &outer, kind)?;
    } else {
        documents.push(Document {
            statements: Vec::new(),
            anchor: file.start(),
        });
    }
    Ok(PolicyFile {
        source: SourceFile::new(path.to_owned(), text, positions),
        documents,
    })
}

fn first_line(message: &str) -> String {
    let line = message.lines().next().unwrap_or(message);
    let line = line.strip_prefix("error: ").unwrap_or(line);
    match line.split_once(": ") {
        Some((head, rest)) if head.starts_with("line ") => rest.to_owned(),
        _ => line.to_owned(),
    }
}

fn decode(path: &str, bytes: &[u8]) -> Result<String, ReadError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map(str::to_owned).map_err(|e| {
        let valid = String::from_utf8_lossy(bytes.get(..e.valid_up_to()).unwrap_or_default());
        let line = valid.matches('\n').count() + 1;
        let column = valid.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        ReadError {
            location: Location {
                file: path.to_owned(),
                line: u32::try_from(line).unwrap_or(u32::MAX),
                column: u32::try_from(column).unwrap_or(u32::MAX),
                len: 1,
                pointer: None,
            },
            message: "the file is not valid UTF-8".to_owned(),
            help: "save the policy as UTF-8 JSON".to_owned(),
        }
    })
}

struct File<'a> {
    path: &'a str,
    text: &'a str,
}

/// How a pointer inside one document becomes a place in the file.
enum Frame<'a> {
    /// The document is part of the file's own JSON, under `prefix`.
    Direct {
        file: &'a File<'a>,
        positions: &'a Positions,
        prefix: String,
    },
    /// The document is the content of a JSON string in the file.
    Embedded {
        file: &'a File<'a>,
        positions: Positions,
        map: Embedding,
    },
}

impl Frame<'_> {
    fn file(&self) -> &File<'_> {
        match self {
            Frame::Direct { file, .. } | Frame::Embedded { file, .. } => file,
        }
    }

    /// The place of the node at `pointer`, or of its nearest ancestor.
    fn locate(&self, pointer: &str, key: bool) -> Location {
        let (positions, prefix) = match self {
            Frame::Direct {
                positions, prefix, ..
            } => (*positions, prefix.as_str()),
            Frame::Embedded { positions, .. } => (positions, ""),
        };
        let mut current = format!("{prefix}{pointer}");
        loop {
            if let Some(node) = positions.get(current.as_str()) {
                let pos = if key {
                    node.key.unwrap_or(node.value)
                } else {
                    node.value
                };
                return match self {
                    Frame::Direct { file, .. } => {
                        let mut at = file.at(pos);
                        at.pointer = Some(current);
                        at
                    }
                    Frame::Embedded { map, .. } => map.place(pos),
                };
            }
            match current.rfind('/') {
                Some(cut) => current.truncate(cut),
                None => {
                    return match self {
                        Frame::Direct { file, .. } => file.start(),
                        Frame::Embedded { map, .. } => map.fallback.clone(),
                    };
                }
            }
        }
    }
}

/// Inner (line, column) of an embedded document -> column in the file's line that holds the
/// string (strict JSON strings cannot span lines).
struct Embedding {
    /// The file column of each decoded character, and one past the last.
    columns: Vec<u32>,
    /// Decoded-character index where each inner line starts.
    line_starts: Vec<usize>,
    fallback: Location,
}

impl Embedding {
    fn new(file: &File<'_>, string_at: &Location, inner: &str) -> Embedding {
        let columns = file
            .text
            .split('\n')
            .nth(
                usize::try_from(string_at.line)
                    .unwrap_or(0)
                    .saturating_sub(1),
            )
            .and_then(|line| string_columns(line, string_at.column))
            .unwrap_or_default();
        let mut line_starts = vec![0];
        for (i, c) in inner.chars().enumerate() {
            if c == '\n' {
                line_starts.push(i + 1);
            }
        }
        Embedding {
            columns,
            line_starts,
            fallback: string_at.clone(),
        }
    }

    fn place(&self, pos: Pos) -> Location {
        let index = usize::try_from(pos.line)
            .ok()
            .and_then(|l| l.checked_sub(1))
            .and_then(|l| self.line_starts.get(l))
            .zip(
                usize::try_from(pos.column)
                    .ok()
                    .and_then(|c| c.checked_sub(1)),
            )
            .map(|(start, column)| start + column);
        match index.and_then(|i| self.columns.get(i)) {
            Some(column) => Location {
                column: *column,
                len: 1,
                pointer: None,
                ..self.fallback.clone()
            },
            None => self.fallback.clone(),
        }
    }
}

/// For the JSON string token starting at 1-based `column` of `line`: the column of each
/// character of the decoded string, walking the escapes (`\"`, `\n`, `\uXXXX`, surrogate pairs).
fn string_columns(line: &str, column: u32) -> Option<Vec<u32>> {
    let chars: Vec<char> = line.chars().collect();
    let mut i = usize::try_from(column).ok()?.checked_sub(1)?;
    if chars.get(i) != Some(&'"') {
        return None;
    }
    i += 1;
    let col = |i: usize| u32::try_from(i + 1).unwrap_or(u32::MAX);
    let mut out = Vec::new();
    loop {
        match chars.get(i)? {
            '"' => {
                out.push(col(i));
                return Some(out);
            }
            '\\' => {
                out.push(col(i));
                if chars.get(i + 1)? == &'u' {
                    let hex: String = chars.get(i + 2..i + 6)?.iter().collect();
                    let unit = u16::from_str_radix(&hex, 16).ok()?;
                    i += 6;
                    let high_surrogate = (0xD800..0xDC00).contains(&unit);
                    if high_surrogate && chars.get(i..i + 2) == Some(&['\\', 'u']) {
                        i += 6;
                    }
                } else {
                    i += 2;
                }
            }
            _ => {
                out.push(col(i));
                i += 1;
            }
        }
    }
}

impl File<'_> {
    fn at(&self, pos: Pos) -> Location {
        Location {
            file: self.path.to_owned(),
            line: pos.line,
            column: pos.column,
            len: pos.len,
            pointer: None,
        }
    }

    fn start(&self) -> Location {
        self.at(Pos {
            line: 1,
            column: 1,
            len: 0,
        })
    }

    fn error(&self, location: Location, message: impl Into<String>, help: &str) -> ReadError {
        ReadError {
            location,
            message: message.into(),
            help: help.to_owned(),
        }
    }

    /// Policies are JSON: the YAML parser behind positions would accept more.
    fn strict_json(&self, text: &str, place: &dyn Fn(Pos) -> Location) -> Result<(), ReadError> {
        let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(text) else {
            return Ok(());
        };
        let message = e.to_string();
        let message = message.split(" at line ").next().unwrap_or(&message);
        let pos = Pos {
            line: u32::try_from(e.line()).unwrap_or(u32::MAX).max(1),
            column: u32::try_from(e.column()).unwrap_or(u32::MAX).max(1),
            len: 1,
        };
        Err(self.error(
            place(pos),
            format!("the policy is not valid JSON: {message}"),
            "policies are strict JSON: no trailing commas, comments or single quotes",
        ))
    }

    /// The documents of a file, whatever its shape.
    fn documents(
        &self,
        root: &Value,
        frame: &Frame<'_>,
        kind: Kind,
    ) -> Result<Vec<Document>, ReadError> {
        let Value::Object(map) = root else {
            return Err(self.error(
                frame.locate("", false),
                "the file is not a policy: expected a JSON object",
                SHAPES_HELP,
            ));
        };
        if map.contains_key("Statement") {
            return Ok(vec![self.document(root, frame, None)?]);
        }
        if let Some(policy) = map.get("Policy") {
            return Ok(vec![self.nested(policy, frame, "/Policy", None)?]);
        }
        if let Some(list) = map.get("resourcePolicies") {
            if kind == Kind::Bucket {
                return Err(self.error(
                    frame.locate("/resourcePolicies", true),
                    "this is CloudWatch Logs `describe-resource-policies` output, not a bucket policy",
                    "pass it with --logs-policy",
                ));
            }
            let Value::Array(items) = list else {
                return Err(self.error(
                    frame.locate("/resourcePolicies", false),
                    "`resourcePolicies` must be a list",
                    SHAPES_HELP,
                ));
            };
            let mut out = Vec::new();
            for (i, item) in items.iter().enumerate() {
                let at = format!("/resourcePolicies/{i}");
                let name = item.get("policyName").and_then(Value::as_str);
                let Some(document) = item.get("policyDocument") else {
                    return Err(self.error(
                        frame.locate(&at, false),
                        "a resource policy without `policyDocument`",
                        SHAPES_HELP,
                    ));
                };
                out.push(self.nested(document, frame, &format!("{at}/policyDocument"), name)?);
            }
            if out.is_empty() {
                // No policies at all: what is missing is reported at the empty list.
                out.push(Document {
                    statements: Vec::new(),
                    anchor: frame.locate("/resourcePolicies", true),
                });
            }
            return Ok(out);
        }
        Err(self.error(
            frame.locate("", false),
            "the file is not a policy: it has no `Statement`",
            SHAPES_HELP,
        ))
    }

    /// A document held in a wrapper's member: a JSON string (as the AWS CLI prints it) or an
    /// object.
    fn nested(
        &self,
        value: &Value,
        frame: &Frame<'_>,
        pointer: &str,
        name: Option<&str>,
    ) -> Result<Document, ReadError> {
        let Frame::Direct { positions, .. } = frame else {
            return Err(self.error(
                frame.locate("", false),
                "a policy nested in a policy",
                SHAPES_HELP,
            ));
        };
        match value {
            Value::Object(_) => {
                let inner = Frame::Direct {
                    file: frame.file(),
                    positions,
                    prefix: pointer.to_owned(),
                };
                self.document(value, &inner, name)
            }
            Value::String(text) => {
                let string_at = frame.locate(pointer, false);
                let map = Embedding::new(self, &string_at, text);
                self.strict_json(text, &|p| map.place(p))?;
                let parsed = tree::parse(text).map_err(|e| {
                    self.error(
                        e.pos.map_or_else(|| map.fallback.clone(), |p| map.place(p)),
                        first_line(&e.message),
                        "each key may appear once in a JSON object",
                    )
                })?;
                let inner = Frame::Embedded {
                    file: frame.file(),
                    positions: parsed.positions,
                    map,
                };
                if !parsed.value.is_object() {
                    return Err(self.error(
                        inner.locate("", false),
                        "the embedded policy is not a JSON object",
                        SHAPES_HELP,
                    ));
                }
                self.document(&parsed.value, &inner, name)
            }
            _ => Err(self.error(
                frame.locate(pointer, false),
                "expected the policy document as a JSON string or object",
                SHAPES_HELP,
            )),
        }
    }

    fn document(
        &self,
        value: &Value,
        frame: &Frame<'_>,
        name: Option<&str>,
    ) -> Result<Document, ReadError> {
        let items: Vec<(String, &Value)> = match value.get("Statement") {
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, v)| (format!("/Statement/{i}"), v))
                .collect(),
            Some(single @ Value::Object(_)) => vec![("/Statement".to_owned(), single)],
            Some(_) => {
                return Err(self.error(
                    frame.locate("/Statement", false),
                    "`Statement` must be a list of statements",
                    SHAPES_HELP,
                ));
            }
            None => {
                return Err(self.error(
                    frame.locate("", false),
                    "the policy has no `Statement`",
                    SHAPES_HELP,
                ));
            }
        };
        let mut statements = Vec::new();
        for (number, (pointer, item)) in items.into_iter().enumerate() {
            let statement = normalize::statement(item).map_err(|e| {
                self.error(
                    frame.locate(&format!("{pointer}{}", e.pointer), false),
                    e.message,
                    "fix the statement; chatlog reads the IAM policy grammar",
                )
            })?;
            let (mut label, mut identity) = match &statement.sid {
                Some(sid) if !sid.is_empty() => {
                    (format!("statement `{sid}`"), format!("statement `{sid}`"))
                }
                _ => (
                    format!("statement {}", number + 1),
                    format!("statement {}", canonical(item)),
                ),
            };
            if let Some(name) = name {
                label.push_str(&format!(" of policy `{name}`"));
                identity.push_str(&format!(" of policy `{name}`"));
            }
            statements.push(Located {
                location: frame.locate(&pointer, false),
                statement,
                label,
                identity,
            });
        }
        Ok(Document {
            statements,
            anchor: frame.locate("/Statement", true),
        })
    }
}

/// Compact JSON with every object's keys sorted: the same text however the statement was
/// formatted or its keys ordered.
fn canonical(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let fields: Vec<String> = keys
                .into_iter()
                .map(|k| {
                    let v = map.get(k).map(canonical).unwrap_or_default();
                    format!("{}:{v}", Value::String(k.clone()))
                })
                .collect();
            format!("{{{}}}", fields.join(","))
        }
        Value::Array(items) => {
            format!(
                "[{}]",
                items.iter().map(canonical).collect::<Vec<_>>().join(",")
            )
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn columns(line: &str) -> Vec<u32> {
        string_columns(line, 1).unwrap()
    }

    #[test]
    fn string_columns_walk_escapes() {
        // "a\"b" -> a at 2, " at 3 (two raw chars), b at 5, closing quote at 6.
        assert_eq!(columns(r#""a\"b""#), [2, 3, 5, 6]);
        assert_eq!(columns(r#""\u00e9x""#), [2, 8, 9]);
        // A surrogate pair is one character.
        assert_eq!(columns(r#""\ud83d\ude00x""#), [2, 14, 15]);
        assert_eq!(string_columns("x\"a\"", 1), None, "not at a quote");
    }

    #[test]
    fn embedded_statements_point_into_the_string() {
        let text = "{\n  \"Policy\": \"{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":[{\\\"Sid\\\":\\\"A\\\",\\\"Effect\\\":\\\"Allow\\\",\\\"Principal\\\":\\\"*\\\",\\\"Action\\\":\\\"s3:GetObject\\\",\\\"Resource\\\":\\\"*\\\"}]}\"\n}\n";
        let file = read("p.json", text.as_bytes(), Kind::Bucket).unwrap();
        let s = &file.documents[0].statements[0];
        assert_eq!(s.label, "statement `A`");
        let line = text.lines().nth(1).unwrap();
        let column = usize::try_from(s.location.column).unwrap();
        let at: String = line.chars().skip(column - 1).take(8).collect();
        assert_eq!((s.location.line, at.as_str()), (2, r#"{\"Sid\""#));
    }

    #[test]
    fn an_export_without_policies_still_has_a_place_for_findings() {
        let file = read("l.json", b"{\n  \"resourcePolicies\": []\n}", Kind::Logs).unwrap();
        assert_eq!(file.documents.len(), 1);
        assert!(file.documents[0].statements.is_empty());
        let at = &file.documents[0].anchor;
        assert_eq!((at.line, at.column), (2, 3));
    }

    #[test]
    fn errors_carry_file_line_and_column() {
        let e = read("p.json", b"{\n  \"Statement\": [,]\n}", Kind::Bucket).unwrap_err();
        assert_eq!((e.location.line, e.location.column), (2, 17));
        let e = read(
            "p.json",
            b"{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": 5, \"Resource\": \"*\"}]}",
            Kind::Bucket,
        )
        .unwrap_err();
        assert_eq!(e.location.column, 46, "{e}");
        assert!(e.message.contains("string"), "{e}");
        let e = read("p.json", b"{\"Version\": \"2012-10-17\"}", Kind::Logs).unwrap_err();
        assert!(e.message.contains("no `Statement`"), "{e}");
        let e = read("p.json", b"{\"resourcePolicies\": []}", Kind::Bucket).unwrap_err();
        assert!(e.help.contains("--logs-policy"), "{e}");
        let e = read("p.json", b"{\"a\": 1}\xff", Kind::Bucket).unwrap_err();
        assert_eq!((e.location.line, e.location.column), (1, 9));
    }
}
