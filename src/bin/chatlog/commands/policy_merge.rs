//! `chatlog policy merge`: add the statements log delivery needs to an existing bucket policy,
//! print the result or write it over the file.

use std::path::PathBuf;

use chatlog::policy::merge::{self, MergeError};

use crate::args::{DiagnosticsFormat, SpecOption};
use crate::error::CliError;
use crate::io::{eprint, print, read_inputs};
use crate::{CLEAN, FAILURE, FINDINGS};

pub const HELP: &str = "\
Exit codes:
  0  merged (or nothing to add)
  1  the existing policy cannot take the statements (NotAction/NotPrincipal, a conflicting
     statement, over 20 KB), or the spec is invalid
  2  usage or I/O error (the bucket is not in the spec, the file is not a policy)";

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    spec: SpecOption,
    /// The bucket whose policy is merged into; it must be an S3 destination of the spec
    #[arg(long, value_name = "NAME")]
    bucket: String,
    /// The bucket's current policy document (JSON); an empty file means no policy yet
    #[arg(long, value_name = "FILE")]
    into: PathBuf,
    /// Replace FILE with the result (atomically) instead of printing it
    #[arg(long)]
    write: bool,
    #[command(flatten)]
    diagnostics: DiagnosticsFormat,
}

pub fn run(args: Args) -> Result<u8, CliError> {
    let validation = chatlog::validate::validate(read_inputs(&args.spec.specs)?);
    let Some(model) = validation.model.as_ref() else {
        super::report_to_stderr(
            &validation,
            &validation.diagnostics,
            args.diagnostics.diagnostics_format,
        );
        return Ok(FINDINGS);
    };
    let Some(needed) = merge::needed_for_bucket(model, &args.bucket) else {
        return Err(CliError::Usage(super::unknown_bucket(model, &args.bucket)));
    };
    let existing = std::fs::read_to_string(&args.into)
        .map_err(|e| CliError::Io(format!("cannot read `{}`: {e}", args.into.display())))?;
    let merged = match merge::merge_bucket_policy(&existing, &needed) {
        Ok(m) => m,
        Err(e) => {
            let code = match e {
                MergeError::NotJson(_) | MergeError::NotAPolicy | MergeError::Wrapped => FAILURE,
                MergeError::Negated(..) | MergeError::Conflict(_) | MergeError::TooLarge(..) => {
                    FINDINGS
                }
            };
            eprint(&format!(
                "error: cannot merge into `{}`: {e}\n  = help: {}\n",
                args.into.display(),
                e.help()
            ));
            return Ok(code);
        }
    };
    if !args.write {
        print(&merged.text)?;
        return Ok(CLEAN);
    }
    if merged.changed {
        chatlog::files::write_file_atomic(&args.into, &merged.text)?;
        eprint(&format!(
            "merged the log-delivery statements for `{}` into {}\n",
            args.bucket,
            args.into.display()
        ));
    } else {
        eprint(&format!(
            "{} already has the log-delivery statements for `{}`; unchanged\n",
            args.into.display(),
            args.bucket
        ));
    }
    Ok(CLEAN)
}
