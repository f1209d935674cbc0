//! One module per command: its flags (`Args`, with the groups of `crate::args` flattened in),
//! its `--help` epilogue, and `run`, which reads, calls the library, prints and returns the exit
//! code. Commands that talk to AWS answer with an error in a build without the `aws` feature.

pub mod apply;
pub mod check;
pub mod completions;
pub mod drift;
pub mod graph;
pub mod import;
pub mod init;
pub mod inventory;
#[cfg(feature = "aws")]
mod live;
pub mod man;
pub mod plan;
pub mod policy_merge;
pub mod policy_verify;
pub mod render;
pub mod schema;
pub mod validate;

/// What a live command answers in a build without the AWS layer.
#[cfg(not(feature = "aws"))]
fn without_aws() -> Result<u8, crate::error::CliError> {
    Err(crate::error::CliError::WithoutAws)
}

/// Ends a command's use of its validated spec without freeing it: the process exits next, and
/// the operating system takes its memory back at once, where freeing a 5,000-room spec's model
/// one allocation at a time was 2.5% of `validate` (issue 17).
fn done_with(validation: chatlog::validate::Validation) {
    std::mem::forget(validation);
}

/// Diagnostics on standard error, for commands whose standard output is something else.
fn report_to_stderr(
    validation: &chatlog::validate::Validation,
    diagnostics: &[chatlog::diagnostic::Diagnostic],
    format: crate::args::Format,
) {
    crate::io::eprint(&chatlog::report::render(
        format.into(),
        diagnostics,
        &validation.sources,
        &validation.summary,
        crate::io::color(&std::io::stderr()),
    ));
}

/// A `--bucket` the spec does not log to, with the closest bucket it does.
fn unknown_bucket(model: &chatlog::model::Model, bucket: &str) -> String {
    let known = chatlog::policy::merge::buckets(model);
    let hint = chatlog::suggest::closest(bucket, known.iter().map(String::as_str))
        .map(|s| format!("; did you mean `{s}`?"))
        .unwrap_or_default();
    format!(
        "the spec has no S3 destination with bucket `{bucket}`{hint} (its buckets: {})",
        if known.is_empty() {
            "none".to_owned()
        } else {
            known.join(", ")
        }
    )
}
