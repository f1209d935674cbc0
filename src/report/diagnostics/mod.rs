//! Diagnostics (validation, check, drift, policy verify) in every format `--format` offers, one
//! module per format.

pub(crate) mod github;
pub(crate) mod human;
pub(crate) mod json;
pub(crate) mod junit;
pub(crate) mod sarif;

use serde::Serialize;

/// What a validation looked at, for the summary line.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub files: usize,
    pub deployments: usize,
    pub destinations: usize,
    pub logging_configurations: usize,
    pub rooms: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Human-readable, with source snippets
    Text,
    /// One JSON document
    Json,
    /// SARIF 2.1.0, for code-scanning upload
    Sarif,
    /// JUnit XML, for CI test reports
    Junit,
    /// GitHub Actions annotations (workflow commands)
    Github,
}

/// Renders diagnostics in any format; every reporting command goes through here so that
/// `--format` means the same everywhere.
pub fn render(
    format: Format,
    diagnostics: &[crate::diagnostic::Diagnostic],
    sources: &crate::spec::source::Sources,
    summary: &Summary,
    color: bool,
) -> String {
    match format {
        Format::Text => human::render(diagnostics, sources, summary, &human::Style { color }),
        Format::Json => json::render(diagnostics, summary),
        Format::Sarif => sarif::render(diagnostics),
        Format::Junit => junit::render(diagnostics),
        Format::Github => github::render(diagnostics),
    }
}
