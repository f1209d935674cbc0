//! The `chatlog` binary: parses arguments, hands each command its own flags, and maps the
//! outcome to an exit code. Each command reads files, calls the library and prints in
//! `commands/<name>.rs`; nothing else lives here.

use std::io::Write;
use std::process::ExitCode;

use clap::{CommandFactory, Parser};

mod args;
mod baseline;
mod cli;
mod commands;
mod error;
mod io;
#[cfg(feature = "aws")]
mod view;

use crate::cli::{Cli, Command, PolicyCommand};
use crate::commands::*;
use crate::error::CliError;

// Rendering a large spec is mostly small allocations; mimalloc halves their cost (issue 17).
#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

pub(crate) const CLEAN: u8 = 0;
pub(crate) const FINDINGS: u8 = 1;
pub(crate) const FAILURE: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match run(cli.command) {
        Ok(code) => code,
        Err(message) => {
            let _ = writeln!(std::io::stderr(), "error: {message}");
            FAILURE
        }
    };
    ExitCode::from(code)
}

fn run(command: Command) -> Result<u8, CliError> {
    match command {
        Command::Validate(args) => validate::run(args.0),
        Command::Schema(args) => schema::run(args.0),
        Command::Render(args) => render::run(args.0),
        Command::Check(args) => check::run(args.0),
        Command::Graph(args) => graph::run(args.0),
        Command::Policy(PolicyCommand::Merge(args)) => policy_merge::run(args.0),
        Command::Policy(PolicyCommand::Verify(args)) => policy_verify::run(args.0),
        Command::Plan(args) => plan::run(args.0),
        Command::Apply(args) => apply::run(args.0),
        Command::Drift(args) => drift::run(args.0),
        Command::Inventory(args) => inventory::run(args.0),
        Command::Import(args) => import::run(args.0),
        Command::Init(args) => init::run(args.0),
        // Both are generated from the whole command line, which they are handed.
        Command::Completions(args) => completions::run(args.0, Cli::command()),
        Command::Man(args) => man::run(args.0, Cli::command()),
    }
}
