//! The binary's edge to files and the terminal: reading specs, printing, and writing the files
//! a command produces (always beside the target and moved into place).

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use crate::error::CliError;
use chatlog::spec::load::Input;

pub fn read_inputs(paths: &[PathBuf]) -> Result<Vec<Input>, CliError> {
    paths
        .iter()
        .map(|path| {
            let bytes = read_spec(path)?;
            Ok(Input {
                name: path.display().to_string(),
                bytes,
            })
        })
        .collect()
}

fn read_spec(path: &Path) -> Result<Vec<u8>, CliError> {
    if path.is_dir() {
        return Err(CliError::Usage(format!(
            "`{}` is a directory; give spec files",
            path.display()
        )));
    }
    // One byte past the loader's limit is enough for it to refuse the file: a huge file (or
    // /dev/zero) is never read whole.
    read_at_most(path, chatlog::spec::load::MAX_SPEC_BYTES)
}

/// A file's bytes, reading one byte past `limit` at most so that the caller can refuse it.
pub fn read_at_most(path: &Path, limit: usize) -> Result<Vec<u8>, CliError> {
    let limit = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| {
            // Sized by the file's length (a pipe says 0) and read once: through `take` the
            // buffer would grow by doubling, copying the text and touching twice its size
            // (2 MiB for a 5,000-room spec of 0.9 MB, a tenth of `validate`'s page faults).
            let length = f.metadata().map_or(0, |m| m.len()).min(limit);
            bytes.reserve_exact(usize::try_from(length).unwrap_or(0));
            std::io::Read::read_to_end(&mut std::io::Read::take(f, limit), &mut bytes)
        })
        .map(|_| bytes)
        .map_err(|e| {
            CliError::Io(format!(
                "cannot read `{}`: {}",
                path.display(),
                io_reason(&e)
            ))
        })
}

pub fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_owned(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        _ => e.to_string(),
    }
}

/// Color only when `stream` is a terminal, and never with NO_COLOR set (https://no-color.org).
pub fn color(stream: &impl IsTerminal) -> bool {
    stream.is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

pub fn print(text: &str) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        // A closed pipe (`chatlog ... | head`) is not the tool failing.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(CliError::Io(format!("cannot write output: {e}"))),
    }
}

/// To standard error, where a failed write has nowhere left to be reported.
pub fn eprint(text: &str) {
    let _ = std::io::stderr().write_all(text.as_bytes());
}

/// Writes a file the user asked for by name (`import --out`, `--write-baseline`), atomically:
/// with `force` over what is there, else only where nothing is (a file that appeared since the
/// command looked is never replaced).
pub fn write_new(path: &Path, text: &str, force: bool) -> Result<(), CliError> {
    if force {
        chatlog::files::write_file_atomic(path, text)?;
    } else {
        chatlog::files::write_file_new(path, text)?;
    }
    Ok(())
}
