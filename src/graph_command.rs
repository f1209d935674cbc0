//! The `graph` command (binary side): read the specs, build the picture through the pure
//! library, print it or write it to `--out` (only over a file chatlog wrote), choose the exit code.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::cli::GraphFormat;
use chatlog::graph::{self, DeploymentFilter, Marks};
use chatlog::report::{self, Format};

use crate::{CLEAN, FINDINGS, color, print, read_inputs};

pub struct GraphRequest {
    pub specs: Vec<PathBuf>,
    pub format: GraphFormat,
    pub deployment: Option<String>,
    pub out: Option<PathBuf>,
    pub diagnostics_format: Format,
}

pub fn graph(req: GraphRequest) -> Result<u8, String> {
    // A malformed filter is a usage error before any file is read.
    let only: Option<DeploymentFilter> = req
        .deployment
        .as_deref()
        .map(str::parse)
        .transpose()
        .map_err(|e: graph::GraphError| e.to_string())?;
    let validation = chatlog::validate::validate(read_inputs(&req.specs)?);
    if !validation.diagnostics.is_empty() {
        let text = report::render(
            req.diagnostics_format,
            &validation.diagnostics,
            &validation.sources,
            &validation.summary,
            color(&std::io::stderr()),
        );
        let _ = std::io::stderr().write_all(text.as_bytes());
    }
    let Some(model) = validation.model.as_ref() else {
        return Ok(FINDINGS);
    };
    let picture = graph::build(model, only.as_ref(), &Marks::new()).map_err(|e| e.to_string())?;
    let text = match req.format {
        GraphFormat::Mermaid => graph::mermaid::write(&picture),
        GraphFormat::Dot => graph::dot::write(&picture),
    };
    match &req.out {
        None => print(&text)?,
        Some(path) => write_out(path, &text)?,
    }
    Ok(CLEAN)
}

/// Replaces `path` only when it is absent, empty, or a graph chatlog wrote (its first line says
/// so), so a hand-written diagram is never lost to a mistyped `--out`.
fn write_out(path: &Path, text: &str) -> Result<(), String> {
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(format!("cannot read `{}`: {e}", path.display())),
        Ok(meta) if !meta.is_file() => {
            return Err(format!(
                "`{}` is not a regular file; chatlog only replaces graphs it wrote",
                path.display()
            ));
        }
        Ok(_) => {
            let ours = std::fs::read(path)
                .map(|bytes| String::from_utf8(bytes).is_ok_and(|t| graph::written_by_chatlog(&t)))
                .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
            if !ours {
                return Err(format!(
                    "`{}` exists and was not written by chatlog; move it away or choose another --out",
                    path.display()
                ));
            }
        }
    }
    chatlog::render::write::write_file_atomic(path, text).map_err(|e| e.to_string())?;
    let _ = writeln!(std::io::stderr(), "wrote {}", path.display());
    Ok(())
}
