//! The JSON report: one document, stable field order, for tools.

use serde::Serialize;

use crate::diagnostic::{Diagnostic, Location, Related, Severity, Suppression};

use super::Summary;

#[derive(Serialize)]
struct Report<'a> {
    valid: bool,
    summary: &'a Summary,
    diagnostics: Vec<Item<'a>>,
}

#[derive(Serialize)]
struct Item<'a> {
    rule: &'static str,
    severity: Severity,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<&'a Location>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
    #[serde(skip_serializing_if = "<[Related]>::is_empty")]
    related: &'a [Related],
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<&'a str>,
    /// The baseline entry that accepts the finding: shown, but not failing the run.
    #[serde(skip_serializing_if = "Option::is_none")]
    suppressed: Option<&'a Suppression>,
}

pub fn render(diagnostics: &[Diagnostic], summary: &Summary) -> String {
    let report = Report {
        valid: !diagnostics.iter().any(Diagnostic::fails),
        summary,
        diagnostics: diagnostics
            .iter()
            .map(|d| Item {
                rule: d.rule.id(),
                severity: d.severity,
                message: &d.message,
                location: d.location.as_ref(),
                help: d.help.as_deref(),
                related: &d.related,
                detail: d.detail.as_deref(),
                suppressed: d.suppression.as_ref(),
            })
            .collect(),
    };
    let mut text =
        serde_json::to_string_pretty(&report).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}
