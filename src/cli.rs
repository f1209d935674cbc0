//! Command-line definitions. Each flag is defined here once, with its documentation; `--help`
//! is generated from it.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::report::Format;

const EXIT_CODES: &str = "\
Exit codes (every command):
  0  clean
  1  findings: an invalid spec (or, with --deny-warnings, warnings)
  2  usage, I/O or internal error";

#[derive(Debug, Parser)]
#[command(name = "chatlog", version, about = "Chat logging as code for Amazon IVS Chat", after_help = EXIT_CODES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check specs against the schema and the IVS Chat rules
    #[command(after_help = EXIT_CODES)]
    Validate {
        /// Spec files (YAML or JSON); several are merged into one spec
        #[arg(required = true, value_name = "SPEC")]
        specs: Vec<PathBuf>,
        /// Output format
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        /// Exit 1 when there are warnings, not only errors
        #[arg(long)]
        deny_warnings: bool,
    },
    /// Print the spec's JSON Schema (for editors and other tools)
    #[command(after_help = EXIT_CODES)]
    Schema,
    /// Write a starter spec (never overwrites a file)
    #[command(after_help = EXIT_CODES)]
    Init {
        /// Where to write the spec
        #[arg(default_value = "chatlog.yaml", value_name = "PATH")]
        path: PathBuf,
    },
}
