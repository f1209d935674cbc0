//! The command line: every command with its one-line description, in `--help`'s order. Each
//! command's flags live with the command (`commands/<name>.rs`), the groups several commands
//! share in `args.rs`; `--help`, the completions and the man pages are generated from them.

use clap::{Parser, Subcommand};

use crate::commands::{
    apply, check, completions, drift, graph, import, init, inventory, man, plan, policy_merge,
    policy_verify, render, schema, validate,
};

/// Exit codes every command shares unless it says otherwise.
pub const EXIT_CODES: &str = "\
Exit codes (every command):
  0  clean
  1  findings: an invalid spec (or, with --deny-warnings, warnings)
  2  usage, I/O or internal error";

/// What `--version` says: the version, the commit it was built from (build.rs) and whether the
/// AWS commands are in this build, so a bug report carries all three.
#[cfg(feature = "aws")]
const LONG_VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    "\ncommit: ",
    env!("CHATLOG_COMMIT"),
    "\naws commands: included (plan, apply, drift, inventory, import)"
);
#[cfg(not(feature = "aws"))]
const LONG_VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    "\ncommit: ",
    env!("CHATLOG_COMMIT"),
    "\naws commands: not in this build (built without the `aws` feature)"
);

#[derive(Debug, Parser)]
#[command(name = "chatlog", version, long_version = LONG_VERSION, about = "Chat logging as code for Amazon IVS Chat", after_help = EXIT_CODES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check specs against the schema and the IVS Chat rules
    #[command(after_help = EXIT_CODES)]
    Validate(validate::Args),
    /// Print the spec's JSON Schema (for editors and other tools)
    #[command(after_help = EXIT_CODES)]
    Schema(schema::Args),
    /// Render CloudFormation templates, Terraform modules and policy documents from specs
    #[command(after_help = render::HELP)]
    Render(render::Args),
    /// Check that committed rendered files still match the specs (never writes)
    #[command(after_help = check::HELP)]
    Check(check::Args),
    /// Draw rooms -> logging configurations -> destinations as Mermaid or Graphviz DOT
    #[command(after_help = graph::HELP)]
    Graph(graph::Args),
    /// Work with the resource policies log delivery needs
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Show what apply would change in each deployment's account (read-only)
    #[command(after_help = plan::HELP)]
    Plan(plan::Args),
    /// Change each deployment's account to match the specs: destinations' policies, logging
    /// configurations (waiting until ACTIVE), then rooms
    #[command(after_help = apply::HELP)]
    Apply(apply::Args),
    /// Compare each deployment's account with the specs, read-only, including what log
    /// delivery needs
    #[command(after_help = drift::HELP)]
    Drift(drift::Args),
    /// List every logging configuration and room in the account (all pages), read-only
    #[command(after_help = inventory::LIVE_HELP)]
    Inventory(inventory::Args),
    /// Write a spec from what the account has: rooms, logging configurations, and their
    /// destinations as existing (read-only towards AWS)
    #[command(after_help = inventory::LIVE_HELP)]
    Import(import::Args),
    /// Write a starter spec (never overwrites a file)
    #[command(after_help = EXIT_CODES)]
    Init(init::Args),
    /// Print a shell completion script, generated from these definitions
    #[command(after_help = completions::HELP)]
    Completions(completions::Args),
    /// Print a man page (roff), generated from these definitions: chatlog(1), or with a
    /// command, its own page, such as `chatlog man policy verify` for chatlog-policy-verify(1)
    #[command(after_help = man::HELP)]
    Man(man::Args),
}

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Add the statements log delivery needs to an existing bucket policy, keeping every other
    /// statement; idempotent. Prints the result unless --write
    #[command(after_help = policy_merge::HELP)]
    Merge(policy_merge::Args),
    /// Check existing bucket and CloudWatch Logs policies against what log delivery needs for
    /// the spec's destinations: nothing missing or narrower, nothing broader or look-alike
    #[command(after_help = policy_verify::HELP)]
    Verify(policy_verify::Args),
}
