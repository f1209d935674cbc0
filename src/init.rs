//! `chatlog init`'s starter spec (the binary writes it, only where no file exists).

/// The starter spec. It references the schema by a relative path; `chatlog schema` writes it.
pub const STARTER: &str = include_str!("../templates/init.yaml");
