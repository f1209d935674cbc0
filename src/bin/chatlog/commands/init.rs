//! `chatlog init`: the library's starter spec, written only where no file exists.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::PathBuf;

use crate::CLEAN;
use crate::error::CliError;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where to write the spec
    #[arg(default_value = "chatlog.yaml", value_name = "PATH")]
    path: PathBuf,
}

pub fn run(args: Args) -> Result<u8, CliError> {
    let shown = args.path.display().to_string();
    // `create_new` makes the existence check and the creation one step: no race, no overwrite.
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&args.path)
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                CliError::Usage(format!(
                    "`{shown}` already exists; chatlog init never overwrites a file (choose another path or remove it)"
                ))
            } else {
                CliError::Io(format!("cannot write `{shown}`: {e}"))
            }
        })?;
    file.write_all(chatlog::init::STARTER.as_bytes())
        .map_err(|e| CliError::Io(format!("cannot write `{shown}`: {e}")))?;
    let _ = writeln!(
        std::io::stderr(),
        "wrote {shown}; check it with `chatlog validate {shown}`"
    );
    Ok(CLEAN)
}
