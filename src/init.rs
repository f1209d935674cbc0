//! `chatlog init`: a starter spec, written only where no file exists.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::Path;

/// The starter spec. It references the schema by a relative path; `chatlog schema` writes it.
pub const STARTER: &str = include_str!("../templates/init.yaml");

#[derive(Debug, thiserror::Error)]
pub enum InitError {
    #[error(
        "`{0}` already exists; chatlog init never overwrites a file (choose another path or remove it)"
    )]
    Exists(String),
    #[error("cannot write `{0}`: {1}")]
    Io(String, std::io::Error),
}

pub fn write_starter(path: &Path) -> Result<(), InitError> {
    let shown = path.display().to_string();
    // `create_new` makes the existence check and the creation one step: no race, no overwrite.
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                InitError::Exists(shown.clone())
            } else {
                InitError::Io(shown.clone(), e)
            }
        })?;
    file.write_all(STARTER.as_bytes())
        .map_err(|e| InitError::Io(shown, e))
}
