//! Baselines: findings a team has decided to live with for a while, each with the reason, who
//! accepted it and, optionally, until when (`drift --baseline`, `policy verify --baseline`).
//!
//! An entry names its finding by rule, deployment, resource and a fingerprint: a hash of the
//! finding's [`Subject`], which holds no line numbers and no positions in a list, so reordering
//! or reformatting the spec or a policy keeps it. A finding an entry accepts is still reported,
//! marked, but does not fail the run. So that baselines cannot rot, an entry past its expiry
//! date (CL120) and an entry that matches no finding any more (CL121) are findings themselves.
//!
//! Pure: text in, entries out; diagnostics in, diagnostics out. Reading the file and the clock
//! is the binary's job.

use std::fmt;

use serde_json::Value;

use crate::diagnostic::{Diagnostic, Location, Rule, Subject, Suppression};
use crate::spec::source::SourceFile;
use crate::spec::tree::{self, Positions};

/// The format version this chatlog reads and writes.
const VERSION: u64 = 1;

/// A calendar date (UTC), as baselines write it: `YYYY-MM-DD`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: i64,
    pub month: u8,
    pub day: u8,
}

impl Date {
    /// The date `days` days after 1970-01-01 (Howard Hinnant's `civil_from_days`).
    pub fn from_unix_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        Date {
            year,
            month: u8::try_from(month).unwrap_or(1),
            day: u8::try_from(day).unwrap_or(1),
        }
    }

    /// Parses `YYYY-MM-DD`, refusing days a month does not have.
    pub fn parse(text: &str) -> Option<Date> {
        let mut parts = text.split('-');
        let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some()
            || y.len() != 4
            || m.len() != 2
            || d.len() != 2
            || !text.chars().all(|c| c.is_ascii_digit() || c == '-')
        {
            return None;
        }
        let year: i64 = y.parse().ok()?;
        let month: u8 = m.parse().ok()?;
        let day: u8 = d.parse().ok()?;
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
        let days_in_month = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (1..=days_in_month)
            .contains(&day)
            .then_some(Date { year, month, day })
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// One accepted finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub rule: Rule,
    pub deployment: String,
    pub resource: String,
    pub fingerprint: String,
    pub reason: String,
    pub accepted_by: String,
    /// The last day the entry holds.
    pub expires: Option<Date>,
    /// Where the entry is in its file, for findings about it.
    pub location: Option<Location>,
}

/// A baseline file, read.
#[derive(Debug)]
pub struct Baseline {
    pub path: String,
    pub entries: Vec<Entry>,
    /// The file, for report snippets of CL120 / CL121.
    pub source: SourceFile,
}

/// A baseline chatlog cannot read, with the place that says so.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BaselineError {
    pub path: String,
    pub line: u32,
    pub column: u32,
    pub message: String,
}

impl fmt::Display for BaselineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "baseline `{}`:{}:{}: {}",
            self.path, self.line, self.column, self.message
        )
    }
}

impl std::error::Error for BaselineError {}

/// What the fingerprint is made of: the subject a producer named, or for findings without one
/// (spec diagnostics), the spec entry's JSON pointer, which names it by key, not by line.
fn subject(d: &Diagnostic) -> Subject {
    d.subject.clone().unwrap_or_else(|| Subject {
        deployment: String::new(),
        resource: d
            .location
            .as_ref()
            .and_then(|l| l.pointer.clone())
            .unwrap_or_default(),
        key: d.message.clone(),
    })
}

/// 16 hex digits of FNV-1a (64-bit) over the rule and the subject: stable across platforms and
/// chatlog versions, unlike std's hasher.
pub fn fingerprint(d: &Diagnostic) -> String {
    let s = subject(d);
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in [d.rule.id(), &s.deployment, &s.resource, &s.key] {
        for byte in part.bytes().chain(std::iter::once(0)) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

impl Entry {
    fn matches(&self, d: &Diagnostic, fingerprint: &str) -> bool {
        let s = subject(d);
        self.fingerprint == fingerprint
            && self.rule == d.rule
            && self.deployment == s.deployment
            && self.resource == s.resource
    }

    fn describe(&self) -> String {
        let place = if self.deployment.is_empty() {
            String::new()
        } else {
            format!(" in {}", self.deployment)
        };
        format!(
            "{} `{}`{place} (fingerprint {})",
            self.rule.id(),
            self.resource,
            self.fingerprint
        )
    }
}

const KEYS: &[&str] = &[
    "rule",
    "deployment",
    "resource",
    "fingerprint",
    "finding",
    "reason",
    "accepted_by",
    "expires",
];

struct Reader<'a> {
    path: &'a str,
    positions: &'a Positions,
}

impl Reader<'_> {
    /// An error at the node `pointer` (its key when `key`), or at its nearest ancestor.
    fn error(&self, pointer: &str, key: bool, message: impl Into<String>) -> BaselineError {
        let mut current = pointer;
        let pos = loop {
            if let Some(node) = self.positions.get(current) {
                break Some(if key {
                    node.key.unwrap_or(node.value)
                } else {
                    node.value
                });
            }
            match current.rfind('/').and_then(|cut| current.get(..cut)) {
                Some(parent) => current = parent,
                None => break None,
            }
        };
        BaselineError {
            path: self.path.to_owned(),
            line: pos.map_or(1, |p| p.line),
            column: pos.map_or(1, |p| p.column),
            message: message.into(),
        }
    }

    fn location(&self, pointer: &str) -> Option<Location> {
        self.positions.get(pointer).map(|node| {
            let pos = node.key.unwrap_or(node.value);
            Location {
                file: self.path.to_owned(),
                line: pos.line,
                column: pos.column,
                len: pos.len,
                pointer: Some(pointer.to_owned()),
            }
        })
    }

    fn text(
        &self,
        entry: &serde_json::Map<String, Value>,
        pointer: &str,
        key: &str,
        required: bool,
    ) -> Result<Option<String>, BaselineError> {
        match entry.get(key) {
            Some(Value::String(s)) if !required || key == "deployment" || !s.trim().is_empty() => {
                Ok(Some(s.clone()))
            }
            Some(Value::String(_)) => Err(self.error(
                &format!("{pointer}/{key}"),
                false,
                format!("`{key}` is empty; say it, so that the next reader knows"),
            )),
            Some(_) => Err(self.error(
                &format!("{pointer}/{key}"),
                false,
                format!("`{key}` must be a string (quote it)"),
            )),
            None if required => {
                Err(self.error(pointer, false, format!("the entry has no `{key}`")))
            }
            None => Ok(None),
        }
    }

    fn entry(&self, value: &Value, pointer: &str) -> Result<Entry, BaselineError> {
        let Value::Object(map) = value else {
            return Err(self.error(
                pointer,
                false,
                "an entry must be a mapping with `rule`, `deployment`, `resource`, `fingerprint`, `reason` and `accepted_by`",
            ));
        };
        if let Some(unknown) = map.keys().find(|k| !KEYS.contains(&k.as_str())) {
            let hint = crate::suggest::did_you_mean(unknown, KEYS.iter().copied())
                .map(|h| format!("; {h}"))
                .unwrap_or_default();
            return Err(self.error(
                &format!("{pointer}/{}", tree::escape_segment(unknown)),
                true,
                format!("unknown key `{unknown}` in a baseline entry{hint}"),
            ));
        }
        let text = |key: &str| {
            self.text(map, pointer, key, true)
                .map(Option::unwrap_or_default)
        };
        let rule_text = text("rule")?;
        let rule = Rule::from_id(&rule_text).ok_or_else(|| {
            self.error(
                &format!("{pointer}/rule"),
                false,
                format!("`{rule_text}` is not a chatlog rule id (CL001, CL101, ...)"),
            )
        })?;
        let fingerprint = text("fingerprint")?;
        if fingerprint.len() != 16
            || !fingerprint
                .chars()
                .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
        {
            return Err(self.error(
                &format!("{pointer}/fingerprint"),
                false,
                format!(
                    "fingerprint `{fingerprint}` is not 16 lowercase hex digits, as --write-baseline writes them"
                ),
            ));
        }
        self.text(map, pointer, "finding", false)?;
        let expires = match self.text(map, pointer, "expires", false)? {
            None => None,
            Some(text) => Some(Date::parse(&text).ok_or_else(|| {
                self.error(
                    &format!("{pointer}/expires"),
                    false,
                    format!("expires `{text}` is not a date as YYYY-MM-DD"),
                )
            })?),
        };
        Ok(Entry {
            rule,
            deployment: text("deployment")?,
            resource: text("resource")?,
            fingerprint,
            reason: text("reason")?,
            accepted_by: text("accepted_by")?,
            expires,
            location: self.location(pointer),
        })
    }
}

/// Reads a baseline file. Every problem is an error with its line and column: a baseline that
/// is half read would fail runs it was meant to let pass, or let pass what it does not say.
pub fn parse(path: &str, text: &str) -> Result<Baseline, BaselineError> {
    let tree = tree::parse(text).map_err(|e| BaselineError {
        path: path.to_owned(),
        line: e.pos.map_or(1, |p| p.line),
        column: e.pos.map_or(1, |p| p.column),
        message: format!("not valid YAML: {}", e.message),
    })?;
    let reader = Reader {
        path,
        positions: &tree.positions,
    };
    let Value::Object(root) = &tree.value else {
        return Err(reader.error(
            "",
            false,
            "a baseline is a mapping with `version: 1` and `findings`; --write-baseline writes one",
        ));
    };
    if let Some(unknown) = root
        .keys()
        .find(|k| !["version", "findings"].contains(&k.as_str()))
    {
        return Err(reader.error(
            &format!("/{}", tree::escape_segment(unknown)),
            true,
            format!("unknown key `{unknown}`; a baseline has `version` and `findings`"),
        ));
    }
    match root.get("version") {
        Some(v) if v.as_u64() == Some(VERSION) => {}
        Some(_) => {
            return Err(reader.error(
                "/version",
                false,
                format!("this chatlog reads baseline version {VERSION}"),
            ));
        }
        None => return Err(reader.error("", false, "the baseline has no `version: 1`")),
    }
    let items = match root.get("findings") {
        Some(Value::Array(items)) => items.as_slice(),
        Some(Value::Null) => &[],
        Some(_) => {
            return Err(reader.error("/findings", false, "`findings` must be a list of entries"));
        }
        None => return Err(reader.error("", false, "the baseline has no `findings`")),
    };
    let mut entries: Vec<Entry> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let pointer = format!("/findings/{i}");
        let entry = reader.entry(item, &pointer)?;
        if let Some(first) = entries.iter().find(|e| e.fingerprint == entry.fingerprint) {
            let line = first.location.as_ref().map_or(0, |l| l.line);
            return Err(reader.error(
                &pointer,
                false,
                format!(
                    "fingerprint `{}` is accepted twice (first on line {line}); keep one entry",
                    entry.fingerprint
                ),
            ));
        }
        entries.push(entry);
    }
    Ok(Baseline {
        path: path.to_owned(),
        entries,
        source: SourceFile::new(path.to_owned(), text.to_owned(), tree.positions),
    })
}

/// Marks the findings the baseline accepts, and adds a finding for every entry past its date
/// (CL120: its finding is no longer accepted) and every entry that matches nothing (CL121).
pub fn apply(diagnostics: &mut Vec<Diagnostic>, baseline: &Baseline, today: Date) {
    let mut matched = vec![false; baseline.entries.len()];
    for d in diagnostics.iter_mut() {
        let fp = fingerprint(d);
        let Some(i) = baseline.entries.iter().position(|e| e.matches(d, &fp)) else {
            continue;
        };
        if let Some(m) = matched.get_mut(i) {
            *m = true;
        }
        let Some(entry) = baseline.entries.get(i) else {
            continue;
        };
        if entry.expires.is_some_and(|date| date < today) {
            continue;
        }
        d.suppression = Some(Suppression {
            reason: entry.reason.clone(),
            accepted_by: entry.accepted_by.clone(),
            expires: entry.expires.map(|date| date.to_string()),
            baseline: baseline.path.clone(),
        });
    }
    for (entry, matched) in baseline.entries.iter().zip(matched) {
        if !matched {
            diagnostics.push(
                Diagnostic::new(
                    Rule::BaselineStale,
                    format!(
                        "baseline entry {} matches no finding any more",
                        entry.describe()
                    ),
                )
                .at(entry.location.clone())
                .help("the finding was fixed or has changed: delete the entry (or write the baseline again with --write-baseline)"),
            );
        } else if let Some(date) = entry.expires.filter(|date| *date < today) {
            diagnostics.push(
                Diagnostic::new(
                    Rule::BaselineExpired,
                    format!(
                        "baseline entry {} expired on {date}, so its finding fails the run again",
                        entry.describe()
                    ),
                )
                .at(entry.location.clone())
                .help(format!(
                    "fix the finding, or move `expires` on if the reason still holds: {}",
                    entry.reason
                )),
            );
        }
    }
}

/// A baseline accepting every finding of `diagnostics` (each once). Findings an entry of
/// `previous` accepts keep that entry's reason, acceptor and date; the others get a reason that
/// says they were recorded, for a person to replace.
pub fn write(diagnostics: &[Diagnostic], previous: Option<&Baseline>, today: Date) -> String {
    let mut out = String::from(
        "# chatlog baseline: findings accepted for now. Each entry needs the reason and who\n\
         # accepted it; `expires: YYYY-MM-DD` (optional) is the last day it holds. Entries that\n\
         # expire or match no finding any more are findings themselves (CL120, CL121).\n\
         version: 1\n",
    );
    let mut seen: Vec<String> = Vec::new();
    let mut items = String::new();
    for d in diagnostics {
        if matches!(d.rule, Rule::BaselineExpired | Rule::BaselineStale) {
            continue;
        }
        let fp = fingerprint(d);
        if seen.contains(&fp) {
            continue;
        }
        seen.push(fp.clone());
        let s = subject(d);
        let kept = previous.and_then(|b| b.entries.iter().find(|e| e.matches(d, &fp)));
        let (reason, accepted_by, expires) = match kept {
            Some(e) => (
                e.reason.clone(),
                e.accepted_by.clone(),
                e.expires.map(|date| date.to_string()),
            ),
            None => (
                format!("recorded by --write-baseline on {today}; replace with why it is accepted"),
                "--write-baseline".to_owned(),
                None,
            ),
        };
        let mut fields = vec![
            ("rule", d.rule.id().to_owned()),
            ("deployment", s.deployment),
            ("resource", s.resource),
            ("fingerprint", fp),
            ("finding", d.message.clone()),
            ("reason", reason),
            ("accepted_by", accepted_by),
        ];
        if let Some(date) = expires {
            fields.push(("expires", date));
        }
        for (i, (key, value)) in fields.into_iter().enumerate() {
            let lead = if i == 0 { "  - " } else { "    " };
            // A JSON string is a YAML double-quoted scalar: every character survives.
            let quoted = serde_json::to_string(&value).unwrap_or_else(|_| "\"\"".to_owned());
            items.push_str(&format!("{lead}{key}: {quoted}\n"));
        }
    }
    if items.is_empty() {
        out.push_str("findings: []\n");
    } else {
        out.push_str("findings:\n");
        out.push_str(&items);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> Date {
        Date::parse(text).unwrap()
    }

    fn finding(message: &str) -> Diagnostic {
        Diagnostic::new(Rule::LiveChanged, message)
            .about("111122223333/us-west-2", "AWS::IVSChat::Room lobby")
    }

    #[test]
    fn dates_are_read_strictly_and_counted_from_the_epoch() {
        assert_eq!(Date::from_unix_days(0).to_string(), "1970-01-01");
        assert_eq!(Date::from_unix_days(19_782).to_string(), "2024-02-29");
        assert_eq!(Date::from_unix_days(-1).to_string(), "1969-12-31");
        assert_eq!(date("2024-02-29").to_string(), "2024-02-29");
        for bad in [
            "2023-02-29",
            "2024-13-01",
            "2024-1-01",
            "24-01-01",
            "2024-01-01x",
            "",
        ] {
            assert_eq!(Date::parse(bad), None, "{bad}");
        }
        assert!(date("2026-12-31") < date("2027-01-01"));
    }

    #[test]
    fn the_fingerprint_ignores_where_a_finding_is_and_names_what_it_is() {
        let a = finding("lobby differs");
        let moved = finding("lobby differs").at(Some(Location {
            file: "other.yaml".into(),
            line: 40,
            column: 3,
            len: 5,
            pointer: Some("/rooms/lobby".into()),
        }));
        assert_eq!(fingerprint(&a), fingerprint(&moved));
        assert_ne!(fingerprint(&a), fingerprint(&finding("lobby differs more")));
        let other_rule = Diagnostic::new(Rule::LiveMissing, "lobby differs")
            .about("111122223333/us-west-2", "AWS::IVSChat::Room lobby");
        assert_ne!(fingerprint(&a), fingerprint(&other_rule));
    }

    #[test]
    fn a_written_baseline_reads_back_and_accepts_what_it_was_written_from() {
        let mut found = vec![finding("a \"quoted\"\nline"), finding("b")];
        let text = write(&found, None, date("2026-12-03"));
        let baseline = parse("b.yaml", &text).unwrap();
        assert_eq!(baseline.entries.len(), 2);
        assert_eq!(baseline.entries[0].location.as_ref().unwrap().line, 6);
        apply(&mut found, &baseline, date("2026-12-03"));
        assert_eq!(found.len(), 2);
        assert!(found.iter().all(|d| d.suppression.is_some() && !d.fails()));
    }
}
