//! Reports of diagnostics, one module per output format. Renderers return strings; printing is
//! the caller's job.

pub mod human;
pub mod json;
mod sanitize;

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

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Human-readable, with source snippets
    Text,
    /// One JSON document
    Json,
}
