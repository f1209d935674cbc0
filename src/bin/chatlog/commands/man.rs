//! `chatlog man`: the man page of chatlog or of one of its commands, generated from the clap
//! definitions.

use crate::CLEAN;
use crate::error::CliError;
use crate::io::print;

pub const HELP: &str = "\
Read one with `chatlog man | man -l -`, or install the pages:
  chatlog man > /usr/local/share/man/man1/chatlog.1
  chatlog man drift > /usr/local/share/man/man1/chatlog-drift.1

Exit codes:
  0  printed
  2  usage or I/O error (a command chatlog does not have)";

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The command whose page to print; none: the main page
    #[arg(value_name = "COMMAND")]
    command: Vec<String>,
}

pub fn run(args: Args, cli: clap::Command) -> Result<u8, CliError> {
    print(&man_page(cli, &args.command)?)?;
    Ok(CLEAN)
}

/// The man page of `chatlog` or of one of its commands (`["policy", "verify"]`), in roff.
fn man_page(mut command: clap::Command, path: &[String]) -> Result<String, CliError> {
    // Building gives each subcommand its display name (`chatlog-policy-verify`), the page title.
    command.build();
    for word in path {
        let known: Vec<String> = command
            .get_subcommands()
            .map(|c| c.get_name().to_owned())
            .filter(|name| name != "help")
            .collect();
        command = command.find_subcommand(word).cloned().ok_or_else(|| {
            let hint = chatlog::suggest::did_you_mean(word, known.iter().map(String::as_str))
                .map(|h| format!("; {h}"))
                .unwrap_or_default();
            CliError::Usage(format!(
                "`{}` has no command `{word}`{hint} (its commands: {})",
                command.get_display_name().unwrap_or("chatlog"),
                if known.is_empty() {
                    "none".to_owned()
                } else {
                    known.join(", ")
                }
            ))
        })?;
    }
    let mut page = Vec::new();
    // A command's page is titled with the version too, as chatlog(1) is.
    let command = command.version(env!("CARGO_PKG_VERSION"));
    clap_mangen::Man::new(command)
        .render(&mut page)
        .map_err(|e| CliError::Io(format!("cannot render the man page: {e}")))?;
    Ok(String::from_utf8_lossy(&page).into_owned())
}
