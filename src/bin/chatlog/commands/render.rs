//! `chatlog render`: validate, render the chosen targets through the pure library, write them
//! through the atomic folder writer.

use std::path::PathBuf;

use chatlog::render::{self, Target};

use crate::args::{DiagnosticsFormat, RenderTarget, SpecFiles, TemplateFormat};
use crate::error::CliError;
use crate::io::{eprint, read_inputs};
use crate::{CLEAN, FINDINGS};

pub const HELP: &str = "\
Exit codes:
  0  rendered (warnings may have been printed)
  1  the spec is invalid or asks for something a target cannot express; nothing is written
  2  usage, I/O or internal error; nothing is replaced";

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    spec: SpecFiles,
    /// What to render
    #[arg(long, value_enum, default_value = "all")]
    target: RenderTarget,
    /// Output folder; chatlog owns its `cloudformation/`, `graph/`, `policies/` and
    /// `terraform/` subfolders and replaces them as a whole
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Template format (policy documents are always JSON)
    #[arg(long, value_enum, default_value = "yaml")]
    format: TemplateFormat,
    #[command(flatten)]
    diagnostics: DiagnosticsFormat,
}

pub fn run(args: Args) -> Result<u8, CliError> {
    let validation = chatlog::validate::validate(read_inputs(&args.spec.specs)?);
    let targets: Vec<Target> = args.target.targets();
    let diagnostics = render::checked(&validation, &targets);
    if !diagnostics.is_empty() {
        super::report_to_stderr(
            &validation,
            &diagnostics,
            args.diagnostics.diagnostics_format,
        );
    }
    let model = match &validation.model {
        Some(model) if !diagnostics.iter().any(chatlog::Diagnostic::is_error) => model,
        _ => return Ok(FINDINGS),
    };
    // Each file goes to disk as it is rendered instead of all of them being held until the end;
    // the folders are swapped in only once every file is written (files::Staging).
    let staging = chatlog::files::Staging::begin(&args.out, &targets)?;
    render::render_files(model, &targets, args.format.into(), &staging).map_err(|stopped| {
        match stopped {
            render::Stopped::Render(e) => CliError::Internal(e.to_string()),
            render::Stopped::Sink(e) => CliError::from(e),
        }
    })?;
    let files = staging.files();
    let folders = staging.commit()?;
    let names: Vec<String> = folders.iter().map(|f| f.display().to_string()).collect();
    eprint(&format!(
        "rendered {files} {} into {}\n",
        if files == 1 { "file" } else { "files" },
        names.join(", ")
    ));
    super::done_with(validation);
    Ok(CLEAN)
}
