//! Load, check and resolve a spec in one call: what `validate` runs and what every later command
//! starts from.

use crate::diagnostic::{self, Diagnostic};
use crate::model::{self, Model};
use crate::report::Summary;
use crate::spec::load::{self, Input};
use crate::spec::source::Sources;

pub struct Validation {
    pub sources: Sources,
    /// Sorted by file, line and column.
    pub diagnostics: Vec<Diagnostic>,
    /// The resolved model, when the spec has no errors.
    pub model: Option<Model>,
    pub summary: Summary,
}

impl Validation {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
    pub fn has_warnings(&self) -> bool {
        self.diagnostics.iter().any(|d| !d.is_error())
    }
}

pub fn validate(inputs: Vec<Input>) -> Validation {
    let files = inputs.len();
    let mut loaded = load::load(inputs);
    let mut diagnostics = std::mem::take(&mut loaded.diagnostics);
    let mut model = None;
    if let Some(spec) = loaded.spec.take()
        && !diagnostics.iter().any(Diagnostic::is_error)
    {
        let (resolved, found) = model::resolve(spec, &loaded.sources);
        diagnostics.extend(found);
        model = resolved;
    }
    drop(loaded.spec);
    loaded.sources.release_positions();
    diagnostic::sort(&mut diagnostics);
    let summary = match &model {
        Some(m) => Summary {
            files,
            deployments: m.deployments.len(),
            destinations: m.deployments.iter().map(|d| d.destinations.len()).sum(),
            logging_configurations: m
                .deployments
                .iter()
                .map(|d| d.logging_configurations.len())
                .sum(),
            rooms: m.deployments.iter().map(|d| d.rooms.len()).sum(),
        },
        None => Summary {
            files,
            ..Summary::default()
        },
    };
    Validation {
        sources: loaded.sources,
        diagnostics,
        model,
        summary,
    }
}
