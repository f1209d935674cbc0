//! `chatlog graph`: read the specs, build the picture through the pure library, print it or
//! write it to `--out` (only over a file chatlog wrote), choose the exit code.

use std::io::Write;
use std::path::{Path, PathBuf};

use chatlog::graph::{self, DeploymentFilter, Marks};

use crate::args::{DiagnosticsFormat, SpecFiles};
use crate::error::CliError;
use crate::io::{print, read_inputs};
use crate::{CLEAN, FINDINGS};

pub const HELP: &str = "\
Exit codes:
  0  drawn
  1  the spec is invalid; nothing is drawn
  2  usage or I/O error (an unknown --deployment, --out names a file chatlog did not write)";

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    spec: SpecFiles,
    /// Picture format
    #[arg(long, value_enum, default_value = "mermaid")]
    format: GraphFormat,
    /// Draw only this deployment
    #[arg(long, value_name = "ACCOUNT/REGION")]
    deployment: Option<String>,
    /// Write to FILE (atomically) instead of printing; only replaces a file chatlog wrote
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    #[command(flatten)]
    diagnostics: DiagnosticsFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum GraphFormat {
    /// A Mermaid flowchart (GitHub draws it in Markdown)
    Mermaid,
    /// Graphviz DOT (`dot -Tsvg`)
    Dot,
}

pub fn run(args: Args) -> Result<u8, CliError> {
    // A malformed filter is a usage error before any file is read.
    let only: Option<DeploymentFilter> = args.deployment.as_deref().map(str::parse).transpose()?;
    let validation = chatlog::validate::validate(read_inputs(&args.spec.specs)?);
    if !validation.diagnostics.is_empty() {
        super::report_to_stderr(
            &validation,
            &validation.diagnostics,
            args.diagnostics.diagnostics_format,
        );
    }
    let Some(model) = validation.model.as_ref() else {
        return Ok(FINDINGS);
    };
    let picture = graph::build(model, only.as_ref(), &Marks::new())?;
    let text = match args.format {
        GraphFormat::Mermaid => graph::mermaid::write(&picture),
        GraphFormat::Dot => graph::dot::write(&picture),
    };
    match &args.out {
        None => print(&text)?,
        Some(path) => write_out(path, &text)?,
    }
    Ok(CLEAN)
}

/// Replaces `path` only when it is absent, empty, or a graph chatlog wrote (its first line says
/// so), so a hand-written diagram is never lost to a mistyped `--out`.
fn write_out(path: &Path, text: &str) -> Result<(), CliError> {
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => {
            return Err(CliError::Io(format!(
                "cannot read `{}`: {e}",
                path.display()
            )));
        }
        Ok(meta) if !meta.is_file() => {
            return Err(CliError::Usage(format!(
                "`{}` is not a regular file; chatlog only replaces graphs it wrote",
                path.display()
            )));
        }
        Ok(_) => {
            let ours = std::fs::read(path)
                .map(|bytes| String::from_utf8(bytes).is_ok_and(|t| graph::written_by_chatlog(&t)))
                .map_err(|e| CliError::Io(format!("cannot read `{}`: {e}", path.display())))?;
            if !ours {
                return Err(CliError::Usage(format!(
                    "`{}` exists and was not written by chatlog; move it away or choose another --out",
                    path.display()
                )));
            }
        }
    }
    chatlog::files::write_file_atomic(path, text)?;
    let _ = writeln!(std::io::stderr(), "wrote {}", path.display());
    Ok(())
}
