//! `chatlog check`: render in memory, read the committed files of the folders chatlog owns
//! under `--against`, compare, report. Never writes.

use std::path::PathBuf;

use chatlog::diagnostic;
use chatlog::drift::files;
use chatlog::files::OwnedFolders;
use chatlog::render;

use crate::args::{Format, RenderTarget, SpecFiles, TemplateFormat};
use crate::error::CliError;
use crate::io::{color, print, read_inputs};
use crate::{CLEAN, FINDINGS};

pub const HELP: &str = "\
Exit codes:
  0  the committed files match the specs
  1  findings: a file missing, changed, or no longer rendered (or an invalid spec)
  2  usage, I/O or internal error";

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    spec: SpecFiles,
    /// The folder the files were rendered into (`render --out`)
    #[arg(long, value_name = "DIR")]
    against: PathBuf,
    /// Which target folders to compare
    #[arg(long, value_enum, default_value = "all")]
    target: RenderTarget,
    /// Template format the files were rendered in
    #[arg(long, value_enum, default_value = "yaml")]
    template_format: TemplateFormat,
    /// Report format
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

pub fn run(args: Args) -> Result<u8, CliError> {
    let targets = args.target.targets();
    if !args.against.is_dir() {
        return Err(CliError::Usage(format!(
            "`{}` is not a directory of rendered files",
            args.against.display()
        )));
    }
    let validation = chatlog::validate::validate(read_inputs(&args.spec.specs)?);
    let mut diagnostics = render::checked(&validation, &targets);
    if let Some(model) = &validation.model
        && !diagnostics.iter().any(diagnostic::Diagnostic::is_error)
    {
        let committed =
            OwnedFolders::list(&args.against, &targets).map_err(|e| CliError::Io(e.to_string()))?;
        let shown = args.against.display().to_string();
        // Each rendered file is compared as it is made, then dropped (files::Comparison).
        let comparison = files::Comparison::new(&committed, &shown);
        render::render_files(model, &targets, args.template_format.into(), &comparison).map_err(
            |stopped| match stopped {
                render::Stopped::Render(e) => CliError::Internal(e.to_string()),
                render::Stopped::Sink(e) => CliError::Io(e.to_string()),
            },
        )?;
        diagnostics.extend(comparison.finish());
        diagnostic::sort(&mut diagnostics);
    }
    let text = chatlog::report::render(
        args.format.into(),
        &diagnostics,
        &validation.sources,
        &validation.summary,
        color(&std::io::stdout()),
    );
    print(&text)?;
    super::done_with(validation);
    Ok(
        if diagnostics.iter().any(diagnostic::Diagnostic::is_error) {
            FINDINGS
        } else {
            CLEAN
        },
    )
}
