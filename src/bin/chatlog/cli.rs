//! The command line: every command with its one-line description, in `--help`'s order. Each
//! command's flags live with the command (`commands/<name>.rs`), the groups several commands
//! share in `args.rs`; `--help`, the completions and the man pages are generated from them.

use clap::builder::{Resettable, StyledStr};
use clap::{ArgMatches, Args, FromArgMatches, Parser, Subcommand};

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
    Validate(Deferred<validate::Args>),
    /// Print the spec's JSON Schema (for editors and other tools)
    #[command(after_help = EXIT_CODES)]
    Schema(Deferred<schema::Args>),
    /// Render CloudFormation templates, Terraform modules and policy documents from specs
    #[command(after_help = render::HELP)]
    Render(Deferred<render::Args>),
    /// Check that committed rendered files still match the specs (never writes)
    #[command(after_help = check::HELP)]
    Check(Deferred<check::Args>),
    /// Draw rooms -> logging configurations -> destinations as Mermaid or Graphviz DOT
    #[command(after_help = graph::HELP)]
    Graph(Deferred<graph::Args>),
    /// Work with the resource policies log delivery needs
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Show what apply would change in each deployment's account (read-only)
    #[command(after_help = plan::HELP)]
    Plan(Deferred<plan::Args>),
    /// Change each deployment's account to match the specs: destinations' policies, logging
    /// configurations (waiting until ACTIVE), then rooms
    #[command(after_help = apply::HELP)]
    Apply(Deferred<apply::Args>),
    /// Compare each deployment's account with the specs, read-only, including what log
    /// delivery needs
    #[command(after_help = drift::HELP)]
    Drift(Deferred<drift::Args>),
    /// List every logging configuration and room in the account (all pages), read-only
    #[command(after_help = inventory::LIVE_HELP)]
    Inventory(Deferred<inventory::Args>),
    /// Write a spec from what the account has: rooms, logging configurations, and their
    /// destinations as existing (read-only towards AWS)
    #[command(after_help = inventory::LIVE_HELP)]
    Import(Deferred<import::Args>),
    /// Write a starter spec (never overwrites a file)
    #[command(after_help = EXIT_CODES)]
    Init(Deferred<init::Args>),
    /// Print a shell completion script, generated from these definitions
    #[command(after_help = completions::HELP)]
    Completions(Deferred<completions::Args>),
    /// Print a man page (roff), generated from these definitions: chatlog(1), or with a
    /// command, its own page, such as `chatlog man policy verify` for chatlog-policy-verify(1)
    #[command(after_help = man::HELP)]
    Man(Deferred<man::Args>),
}

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Add the statements log delivery needs to an existing bucket policy, keeping every other
    /// statement; idempotent. Prints the result unless --write
    #[command(after_help = policy_merge::HELP)]
    Merge(Deferred<policy_merge::Args>),
    /// Check existing bucket and CloudWatch Logs policies against what log delivery needs for
    /// the spec's destinations: nothing missing or narrower, nothing broader or look-alike
    #[command(after_help = policy_verify::HELP)]
    Verify(Deferred<policy_verify::Args>),
}

/// A command's own flags, added to its `clap::Command` only once that command is the one run
/// (`clap::Command::defer`): building every command's flags on every run cost `chatlog
/// --version` 143,000 of its 851,000 instructions and 32 page faults. `--help`, the completions
/// and the man pages build the whole tree, deferred parts included (`clap::Command::build`).
#[derive(Debug)]
pub struct Deferred<T>(pub T);

impl<T: FromArgMatches> FromArgMatches for Deferred<T> {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        T::from_arg_matches(matches).map(Deferred)
    }
    fn from_arg_matches_mut(matches: &mut ArgMatches) -> Result<Self, clap::Error> {
        T::from_arg_matches_mut(matches).map(Deferred)
    }
    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        self.0.update_from_arg_matches(matches)
    }
    fn update_from_arg_matches_mut(&mut self, matches: &mut ArgMatches) -> Result<(), clap::Error> {
        self.0.update_from_arg_matches_mut(matches)
    }
}

impl<T: Args> Args for Deferred<T> {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        cmd.defer(|cmd| keeping_about(cmd, T::augment_args))
    }
    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        cmd.defer(|cmd| keeping_about(cmd, T::augment_args_for_update))
    }
    fn group_id() -> Option<clap::Id> {
        T::group_id()
    }
}

/// Adds the flags after the command's own description is set: a flattened group's doc comment
/// (`args::DiagnosticsFormat`'s) would otherwise replace it, as it does not when the flags come
/// first and the description after, the order `#[derive(Subcommand)]` adds them in.
fn keeping_about(cmd: clap::Command, add: fn(clap::Command) -> clap::Command) -> clap::Command {
    let as_set =
        |text: Option<&StyledStr>| text.cloned().map_or(Resettable::Reset, Resettable::Value);
    let about = as_set(cmd.get_about());
    let long_about = as_set(cmd.get_long_about());
    add(cmd).about(about).long_about(long_about)
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    /// Every command below `cmd` with its path of names, depth first, in `--help`'s order.
    fn commands(cmd: &clap::Command) -> Vec<(Vec<&str>, &clap::Command)> {
        cmd.get_subcommands()
            .flat_map(|sub| {
                std::iter::once((vec![sub.get_name()], sub)).chain(commands(sub).into_iter().map(
                    move |(mut path, below)| {
                        path.insert(0, sub.get_name());
                        (path, below)
                    },
                ))
            })
            .collect()
    }

    /// A run parses only its own command's flags; `--help`, the completions and the man pages
    /// see every command as `#[derive]` describes it, its description included.
    #[test]
    fn each_commands_flags_arrive_when_it_is_built_and_keep_its_description() {
        let unbuilt = Cli::command();
        let mut built = Cli::command();
        built.build();
        let before = commands(&unbuilt);
        assert_eq!(before.len(), 16, "14 commands and policy's 2");
        for (path, before) in before {
            let after = path
                .iter()
                .try_fold(&built, |cmd, name| cmd.find_subcommand(name))
                .unwrap_or_else(|| panic!("{path:?} is not in the built tree"));
            assert_eq!(before.get_about(), after.get_about(), "{path:?}");
            assert_eq!(before.get_long_about(), after.get_long_about(), "{path:?}");
            // `schema` takes no flags.
            if before.has_subcommands() || path == ["schema"] {
                continue;
            }
            assert_eq!(
                before.get_arguments().count(),
                0,
                "{path:?}: flags before it is built"
            );
            assert!(
                after
                    .get_arguments()
                    .any(|a| !matches!(a.get_id().as_str(), "help" | "version")),
                "{path:?}: no flags of its own once built"
            );
        }
        let render = built.find_subcommand("render").unwrap();
        assert!(
            render
                .get_about()
                .is_some_and(|a| a.to_string().starts_with("Render CloudFormation templates")),
            "{:?}",
            render.get_about()
        );
    }
}
