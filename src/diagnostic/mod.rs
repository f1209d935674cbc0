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
}

/// Messages are one line in every report, whatever user value they quote (a tag key may hold a
/// line break): control characters other than tab are written as escapes.
fn one_line(message: String) -> String {
    crate::report::sanitize::printable(&message)
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

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Sorts diagnostics by file, line and column so that output does not depend on rule order.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics
        .sort_by(|a, b| (&a.location, a.rule, &a.message).cmp(&(&b.location, b.rule, &b.message)));
}
