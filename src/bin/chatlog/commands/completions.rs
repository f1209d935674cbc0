//! `chatlog completions`: a shell's completion script, generated from the clap definitions.

use crate::CLEAN;
use crate::error::CliError;
use crate::io::print;

pub const HELP: &str = "\
Install (one of):
  bash:        chatlog completions bash > ~/.local/share/bash-completion/completions/chatlog
  zsh:         chatlog completions zsh > \"${fpath[1]}/_chatlog\"
  fish:        chatlog completions fish > ~/.config/fish/completions/chatlog.fish
  powershell:  chatlog completions powershell >> $PROFILE
  elvish:      chatlog completions elvish >> ~/.config/elvish/rc.elv

Exit codes:
  0  printed
  2  usage or I/O error";

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The shell to complete in
    #[arg(value_enum)]
    shell: clap_complete::Shell,
}

pub fn run(args: Args, mut cli: clap::Command) -> Result<u8, CliError> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cli, "chatlog", &mut script);
    print(&String::from_utf8_lossy(&script))?;
    Ok(CLEAN)
}
