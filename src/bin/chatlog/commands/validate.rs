//! `chatlog validate`: the spec's diagnostics in the chosen report format.

use crate::args::{Format, SpecFiles};
use crate::error::CliError;
use crate::io::{color, print, read_inputs};
use crate::{CLEAN, FINDINGS};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    spec: SpecFiles,
    /// Output format
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Exit 1 when there are warnings, not only errors
    #[arg(long)]
    deny_warnings: bool,
}

pub fn run(args: Args) -> Result<u8, CliError> {
    let validation = chatlog::validate::validate(read_inputs(&args.spec.specs)?);
    let text = chatlog::report::render(
        args.format.into(),
        &validation.diagnostics,
        &validation.sources,
        &validation.summary,
        color(&std::io::stdout()),
    );
    print(&text)?;
    let findings = validation.has_errors() || (args.deny_warnings && validation.has_warnings());
    super::done_with(validation);
    Ok(if findings { FINDINGS } else { CLEAN })
}
