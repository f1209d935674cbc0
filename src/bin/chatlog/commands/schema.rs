//! `chatlog schema`: the spec's JSON Schema, for editors and other tools.

use crate::CLEAN;
use crate::error::CliError;
use crate::io::print;

#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_: Args) -> Result<u8, CliError> {
    print(chatlog::spec::schema::SCHEMA_TEXT)?;
    Ok(CLEAN)
}
