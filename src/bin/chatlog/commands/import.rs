//! `chatlog import`: write a spec from what the account has (read-only towards AWS).

use std::path::PathBuf;

use crate::args::AwsArgs;
use crate::error::CliError;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    aws: AwsArgs,
    /// Regions to read; default: the region of the profile or environment
    #[arg(long = "region", value_name = "REGION")]
    regions: Vec<String>,
    /// Write the spec here instead of to standard output (never replaces an existing file
    /// unless --force)
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Replace --out if it exists
    #[arg(long, requires = "out")]
    force: bool,
}

#[cfg(not(feature = "aws"))]
pub fn run(_: Args) -> Result<u8, CliError> {
    super::without_aws()
}

#[cfg(feature = "aws")]
pub fn run(args: Args) -> Result<u8, CliError> {
    use std::io::Write;

    use super::live::{read_all, runtime};
    use crate::io::{print, write_new};

    let Args {
        aws,
        regions,
        out,
        force,
    } = args;
    if let Some(path) = out.as_ref().filter(|p| p.exists() && !force) {
        return Err(CliError::Usage(format!(
            "{} exists; pass --force to replace it, or choose another --out",
            path.display()
        )));
    }
    let inventories = runtime()?.block_on(read_all(&aws, &regions, true))?;
    let imported = chatlog::live::import::import(&inventories)?;
    for note in &imported.notes {
        let _ = writeln!(std::io::stderr(), "note: {note}");
    }
    match out {
        Some(path) => write_new(&path, &imported.text, force)?,
        None => print(&imported.text)?,
    }
    Ok(crate::CLEAN)
}
