//! Rendering the model into files: one module per target. Pure: rendering returns
//! `(relative path, contents)` pairs and only the CLI writes them (through [`crate::files`]). Output is
//! deterministic: the same spec gives byte-identical files.

pub(crate) mod cloudformation;
mod doc;
pub(crate) mod hcl;
mod jobs;
mod json;
pub(crate) mod policies;
#[cfg(test)]
mod random_rooms;
mod rules;
mod spare;
pub(crate) mod stack_sets;
pub(crate) mod terraform;
mod yaml;

use crate::diagnostic::Diagnostic;
use crate::model::{Deployment, Model};
use crate::spec::source::Sources;

pub use rules::check;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Target {
    CloudFormation,
    /// `graph/graph.md`: the picture of the spec, in a folder of its own so it is owned,
    /// replaced and checked exactly like the other targets' files.
    Graph,
    Policies,
    Terraform,
}

impl Target {
    /// The folder under `--out` the target owns.
    pub fn folder(self) -> &'static str {
        match self {
            Target::CloudFormation => "cloudformation",
            Target::Graph => "graph",
            Target::Policies => "policies",
            Target::Terraform => "terraform",
        }
    }
}

/// How templates are written. Policy documents are always JSON.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TemplateFormat {
    #[default]
    Yaml,
    Json,
}

/// One rendered file. `path` is relative to `--out`, `/`-separated, and starts with the
/// target's folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct File {
    pub path: String,
    pub contents: String,
}

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("cannot serialize `{0}`: {1}")]
    Serialize(String, String),
    #[error("`{0}` would be {1} bytes, over the limit of {2}")]
    TooLarge(String, usize, usize),
}

/// The result of rendering: target-rule diagnostics (errors mean no files), and the files.
#[derive(Debug, Default)]
pub struct Rendered {
    pub diagnostics: Vec<Diagnostic>,
    pub files: Vec<File>,
}

impl Rendered {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Checks the target rules, then renders every target. Files are sorted by path.
pub fn render(
    model: &Model,
    sources: &Sources,
    targets: &[Target],
    format: TemplateFormat,
) -> Result<Rendered, RenderError> {
    let diagnostics = check(model, sources, targets);
    let files = if diagnostics.iter().any(Diagnostic::is_error) {
        Vec::new()
    } else {
        sorted_files(model, targets, format)?
    };
    Ok(Rendered { diagnostics, files })
}

/// Every file of `targets`, held together and sorted by path.
fn sorted_files(
    model: &Model,
    targets: &[Target],
    format: TemplateFormat,
) -> Result<Vec<File>, RenderError> {
    let gathered = Gathered::default();
    render_files(model, targets, format, &gathered).map_err(|stopped| match stopped {
        Stopped::Render(e) => e,
        Stopped::Sink(never) => match never {},
    })?;
    let mut files = gathered.into_files();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// Why [`render_files`] stopped: a render failed, or the sink refused a file.
#[derive(Debug)]
pub enum Stopped<E> {
    Render(RenderError),
    Sink(E),
}

/// Where [`render_files`] hands the files, from the threads that render them.
pub trait Sink: Sync {
    type Error: Send;
    /// Takes one file. Answers with its text where it is done with it, so that the thread that
    /// rendered it writes its next template into the same memory (`spare`).
    fn put(&self, file: File) -> Result<Option<String>, Self::Error>;
    /// Takes back a file put before. A split deployment's room templates are handed over as
    /// they are written; when a later one turns out too large (only huge tags get there), its
    /// files are taken back and the deployment is split again, into other files.
    fn retract(&self, path: &str) -> Result<(), Self::Error>;
}

/// Hands `file` to `sink`, keeping its text as this thread's spare where the sink hands it
/// back.
fn put<S: Sink>(sink: &S, file: File) -> Result<(), S::Error> {
    spare::keep(sink.put(file)?);
    Ok(())
}

/// Files gathered in memory, in the order they come.
#[derive(Default)]
struct Gathered(std::sync::Mutex<Vec<File>>);

impl Gathered {
    fn into_files(self) -> Vec<File> {
        self.0
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn files(&self) -> std::sync::MutexGuard<'_, Vec<File>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Sink for Gathered {
    type Error = std::convert::Infallible;

    fn put(&self, file: File) -> Result<Option<String>, Self::Error> {
        self.files().push(file);
        Ok(None)
    }

    fn retract(&self, path: &str) -> Result<(), Self::Error> {
        self.files().retain(|f| f.path != path);
        Ok(())
    }
}

/// Renders every target of a model that passed [`check`] (see [`checked`]) and hands each file
/// to `sink` as soon as it is rendered, on the thread that rendered it, so that a caller
/// writing them away never holds every file at once (at 50,000 rooms they are 66 MB), and so
/// that a thread's next piece reuses the memory its last one freed: handed to the calling
/// thread and freed there, every piece a helper rendered took fresh pages, 270 of them for each
/// deployment of a 5,000-room spec (issue 17). Files come in any order, and a file may be
/// taken back ([`Sink::retract`]). Stops at the first error in the pieces' order, the render's
/// or the sink's: no piece is started after it.
pub fn render_files<S: Sink>(
    model: &Model,
    targets: &[Target],
    format: TemplateFormat,
    sink: &S,
) -> Result<(), Stopped<S::Error>> {
    let mut targets = targets.to_vec();
    targets.sort_unstable();
    targets.dedup();
    // A CloudFormation deployment over one template's limit by its outputs alone is a piece
    // per template, so that one large deployment, or a few, are rendered on every core too.
    let splits: Vec<Option<cloudformation::SplitDeployment<'_, S::Error>>> =
        if targets.contains(&Target::CloudFormation) {
            model
                .deployments
                .iter()
                .map(|d| cloudformation::split_deployment(d, format))
                .collect()
        } else {
            Vec::new()
        };
    // Each target's deployments are independent of each other and of the other targets: they
    // are rendered on every core, and the first error in this (sequential) order wins.
    let mut parts = Vec::new();
    for t in targets {
        match t {
            Target::CloudFormation => {
                for (d, split) in model.deployments.iter().zip(&splits) {
                    match split {
                        Some(split) => {
                            parts.extend((0..split.pieces()).map(|k| Part::Template(split, k)));
                        }
                        None => parts.push(Part::Deployment(t, d)),
                    }
                }
                parts.push(Part::Rest(t));
            }
            Target::Terraform => {
                parts.extend(model.deployments.iter().map(|d| Part::Deployment(t, d)));
                parts.push(Part::Rest(t));
            }
            Target::Graph | Target::Policies => parts.push(Part::Rest(t)),
        }
    }
    jobs::each(&parts, |part| {
        // A text's spare capacity is not shrunk away by a copy: never written, it was never
        // resident either. Copying every room template touched 300 more pages at 5,000
        // rooms, and the 50,000-room peaks stayed where they were without it (issue 17).
        part.render(model, format, sink)
    })
}

/// What a render of `validation` reports before any file is made: the spec's own diagnostics
/// and the target rules', sorted (see [`render_validated`]). Files may be made only when none is
/// an error.
pub fn checked(validation: &crate::validate::Validation, targets: &[Target]) -> Vec<Diagnostic> {
    let mut diagnostics = validation.diagnostics.clone();
    if let Some(model) = &validation.model {
        diagnostics.extend(check(model, &validation.sources, targets));
    }
    crate::diagnostic::sort(&mut diagnostics);
    diagnostics
}

/// A piece of a render that depends on no other.
enum Part<'a, E> {
    /// A target's files for one deployment.
    Deployment(Target, &'a Deployment),
    /// One template of a split CloudFormation deployment.
    Template(&'a cloudformation::SplitDeployment<'a, E>, usize),
    /// A target's files that are not per deployment (all of them for policies and the graph).
    Rest(Target),
}

impl<E> Part<'_, E> {
    /// Hands this piece's files to `sink`: a CloudFormation deployment's as they are written,
    /// the others' once all are.
    fn render<S: Sink<Error = E>>(
        &self,
        model: &Model,
        format: TemplateFormat,
        sink: &S,
    ) -> Result<(), Stopped<E>> {
        let files = match *self {
            Part::Deployment(Target::CloudFormation, d) => {
                return cloudformation::render_deployment(d, format, sink);
            }
            Part::Template(split, k) => return split.render_piece(k, sink),
            Part::Deployment(Target::Terraform, d) => Ok(terraform::render_deployment(d)),
            Part::Deployment(..) => Ok(Vec::new()),
            Part::Rest(Target::CloudFormation) => cloudformation::render_audit(model, format)
                .and_then(|mut files| {
                    files.extend(stack_sets::render(model, format)?);
                    Ok(files)
                }),
            Part::Rest(Target::Terraform) => {
                let mut files = terraform::render_audit(model);
                files.extend(stack_sets::terraform::render(model));
                Ok(files)
            }
            Part::Rest(Target::Graph) => graph_file(model).map(|file| vec![file]),
            Part::Rest(Target::Policies) => policies::render(model),
        };
        for file in files.map_err(Stopped::Render)? {
            put(sink, file).map_err(Stopped::Sink)?;
        }
        Ok(())
    }
}

/// Renders a validated spec: its own diagnostics and the target rules' together, sorted
/// ([`checked`]), and no files when any of them is an error (an invalid spec has no model).
pub fn render_validated(
    validation: &crate::validate::Validation,
    targets: &[Target],
    format: TemplateFormat,
) -> Result<Rendered, RenderError> {
    let diagnostics = checked(validation, targets);
    let files = match &validation.model {
        Some(model) if !diagnostics.iter().any(Diagnostic::is_error) => {
            sorted_files(model, targets, format)?
        }
        _ => Vec::new(),
    };
    Ok(Rendered { diagnostics, files })
}

fn graph_file(model: &Model) -> Result<File, RenderError> {
    let path = "graph/graph.md".to_owned();
    let graph = crate::graph::build(model, None, &crate::graph::Marks::new())
        .map_err(|e| RenderError::Serialize(path.clone(), e.to_string()))?;
    Ok(File {
        contents: crate::graph::markdown(&graph),
        path,
    })
}

/// The file stem of a deployment: `<account>-<region>` (both validated: digits, and a region
/// code of lowercase letters, digits and `-`).
pub fn deployment_stem(account: &str, region: &str) -> String {
    format!("{account}-{region}")
}

/// Pretty JSON with a final newline.
pub(crate) fn to_json<T: serde::Serialize>(path: &str, value: &T) -> Result<String, RenderError> {
    serde_json::to_string_pretty(value)
        .map(|s| s + "\n")
        .map_err(|e| RenderError::Serialize(path.to_owned(), e.to_string()))
}

/// YAML as serde-saphyr writes it (see [`yaml`]): strings that YAML 1.1 readers
/// (CloudFormation) would read as something else are quoted, and no block scalars, so every
/// value stays on its own line.
pub(crate) fn to_yaml(value: &serde_json::Value) -> String {
    yaml::to_string(value)
}
