//! Findings about a spec, located in its files.

mod rule;

pub use rule::{Rule, Severity};

use serde::Serialize;

/// A place in a file: 1-based line and column (in characters), and the length to underline.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Location {
    pub file: String,
    pub line: u32,
    pub column: u32,
    #[serde(skip)]
    pub len: u32,
    /// The JSON pointer of the node in its document, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
}

/// A second place that explains the first ("first defined here").
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Related {
    pub message: String,
    pub location: Location,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub rule: Rule,
    pub severity: Severity,
    pub message: String,
    pub location: Option<Location>,
    pub help: Option<String>,
    pub related: Vec<Related>,
    /// A multi-line body shown after the diagnostic, such as a unified diff.
    pub detail: Option<String>,
    /// What the finding is about, for baselines (see [`crate::baseline`]).
    pub subject: Option<Subject>,
    /// Set when a baseline accepts the finding: it is still shown, but does not fail the run.
    pub suppression: Option<Suppression>,
}

/// What a finding is about, named so that the name survives reformatting and reordering of the
/// spec and of the policies: no line numbers, no positions in a list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subject {
    /// `account/region`, or empty when the finding is not about one deployment.
    pub deployment: String,
    /// The resource: `AWS::IVSChat::Room lobby`, `bucket acme-archive`.
    pub resource: String,
    /// What is wrong with it, without positions: the message, or for a message that names a
    /// statement by its number, the message with the statement spelled out.
    pub key: String,
}

/// A baseline entry that accepts a finding, as the reports show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Suppression {
    pub reason: String,
    pub accepted_by: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// The baseline file that accepts it.
    pub baseline: String,
}

impl Suppression {
    /// One line for text reports and SARIF's justification.
    pub fn justification(&self) -> String {
        let until = self
            .expires
            .as_deref()
            .map(|d| format!(", until {d}"))
            .unwrap_or_default();
        format!(
            "{} (accepted by {}{until}; {})",
            self.reason, self.accepted_by, self.baseline
        )
    }
}

/// Messages are one line in every report, whatever user value they quote (a tag key may hold a
/// line break): control characters other than tab are written as escapes.
fn one_line(message: String) -> String {
    crate::sanitize::printable(&message)
}

impl Diagnostic {
    pub fn new(rule: Rule, message: impl Into<String>) -> Self {
        Diagnostic {
            rule,
            severity: rule.severity(),
            message: one_line(message.into()),
            location: None,
            help: None,
            related: Vec::new(),
            detail: None,
            subject: None,
            suppression: None,
        }
    }

    pub fn at(mut self, location: Option<Location>) -> Self {
        self.location = location;
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn related(mut self, message: impl Into<String>, location: Option<Location>) -> Self {
        if let Some(location) = location {
            self.related.push(Related {
                message: message.into(),
                location,
            });
        }
        self
    }

    /// Names what the finding is about; its key is the message.
    pub fn about(mut self, deployment: impl Into<String>, resource: impl Into<String>) -> Self {
        self.subject = Some(Subject {
            deployment: deployment.into(),
            resource: resource.into(),
            key: self.message.clone(),
        });
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// An error no baseline accepts: what fails a run.
    pub fn fails(&self) -> bool {
        self.is_error() && self.suppression.is_none()
    }
}

/// Sorts diagnostics by file, line and column so that output does not depend on rule order.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics
        .sort_by(|a, b| (&a.location, a.rule, &a.message).cmp(&(&b.location, b.rule, &b.message)));
}
