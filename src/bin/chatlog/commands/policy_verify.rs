//! `chatlog policy verify`: read the spec and the policy files, call the pure verifier, print
//! the report in the shared `--format`, choose the exit code.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use chatlog::diagnostic::{self, Diagnostic};
use chatlog::policy::verify::{self, Kind, PolicyFile};

use crate::args::{BaselineArgs, Format, SpecOption};
use crate::error::CliError;
use crate::io::{color, print, read_at_most, read_inputs};
use crate::{CLEAN, FINDINGS};

pub const HELP: &str = "\
Exit codes:
  0  every policy grants what log delivery needs, and no more
  1  findings: a statement missing, narrower, broader, a look-alike, a blocking Deny,
     NotAction/NotPrincipal, an expired or stale baseline entry (or an invalid spec);
     findings --baseline accepts do not count
  2  usage or I/O error: an unreadable or unparsable policy or baseline (with file, line and
     column), a bucket the spec does not log to";

#[derive(Debug, clap::Args)]
#[command(group(
    clap::ArgGroup::new("policies")
        .required(true)
        .multiple(true)
        .args(["bucket_policies", "logs_policies"])
))]
pub struct Args {
    #[command(flatten)]
    spec: SpecOption,
    /// A bucket's policy: a document, or `aws s3api get-bucket-policy` output (an empty
    /// file: no policy). The bucket must be an S3 destination of the spec
    #[arg(long = "bucket-policy", value_name = "NAME=FILE", value_parser = NamedFile::parse)]
    bucket_policies: Vec<NamedFile>,
    /// CloudWatch Logs resource policies: a document, or `aws logs
    /// describe-resource-policies` output; all files together are checked against every
    /// log group of the spec
    #[arg(long = "logs-policy", value_name = "FILE")]
    logs_policies: Vec<PathBuf>,
    /// Report format
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    #[command(flatten)]
    baseline: BaselineArgs,
}

/// `NAME=FILE`: a name and the file that belongs to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamedFile {
    name: String,
    path: PathBuf,
}

impl NamedFile {
    fn parse(value: &str) -> Result<NamedFile, String> {
        match value.split_once('=') {
            Some((name, path)) if !name.is_empty() && !path.is_empty() => Ok(NamedFile {
                name: name.to_owned(),
                path: PathBuf::from(path),
            }),
            _ => Err(format!("expected NAME=FILE, got `{value}`")),
        }
    }
}

fn read_policy(path: &Path, kind: Kind) -> Result<PolicyFile, CliError> {
    if path.is_dir() {
        return Err(CliError::Usage(format!(
            "`{}` is a directory; give a policy file",
            path.display()
        )));
    }
    // One byte past the limit is enough for the reader to refuse the file.
    let bytes = read_at_most(path, verify::input::MAX_FILE_BYTES)?;
    Ok(verify::input::read(
        &path.display().to_string(),
        &bytes,
        kind,
    )?)
}

pub fn run(args: Args) -> Result<u8, CliError> {
    let baseline = crate::baseline::load(&args.baseline)?;
    let mut validation = chatlog::validate::validate(read_inputs(&args.spec.specs)?);
    let stdout_color = color(&std::io::stdout());
    let Some(model) = validation.model.as_ref() else {
        let text = chatlog::report::render(
            args.format.into(),
            &validation.diagnostics,
            &validation.sources,
            &validation.summary,
            stdout_color,
        );
        print(&text)?;
        return Ok(FINDINGS);
    };
    // Every name is resolved before any policy is read: usage errors come first.
    let mut seen = BTreeSet::new();
    let mut buckets = Vec::new();
    for named in &args.bucket_policies {
        if !seen.insert(named.name.as_str()) {
            return Err(CliError::Usage(format!(
                "--bucket-policy names bucket `{}` twice",
                named.name
            )));
        }
        let needs = verify::bucket_needs(model, &validation.sources, &named.name)
            .ok_or_else(|| CliError::Usage(super::unknown_bucket(model, &named.name)))?;
        buckets.push((needs, &named.path));
    }
    let log_needs = verify::log_group_needs(model, &validation.sources);
    if !args.logs_policies.is_empty() && log_needs.is_empty() {
        return Err(CliError::Usage(
            "the spec logs to no CloudWatch Logs log group, so --logs-policy has nothing to check"
                .to_owned(),
        ));
    }
    let mut found: Vec<Diagnostic> = validation.diagnostics.clone();
    let mut files = Vec::new();
    for (needs, path) in &buckets {
        let file = read_policy(path, Kind::Bucket)?;
        found.extend(verify::verify(needs, &file.documents));
        files.push(file);
    }
    if !args.logs_policies.is_empty() {
        let logs: Vec<PolicyFile> = args
            .logs_policies
            .iter()
            .map(|p| read_policy(p, Kind::Logs))
            .collect::<Result<_, _>>()?;
        let documents: Vec<verify::Document> =
            logs.iter().flat_map(|f| f.documents.clone()).collect();
        found.extend(verify::verify(&log_needs, &documents));
        files.extend(logs);
    }
    diagnostic::sort(&mut found);
    crate::baseline::settle(
        &mut found,
        &args.baseline,
        baseline,
        &mut validation.sources,
    )?;
    let mut summary = validation.summary.clone();
    summary.files += files.len();
    for file in files {
        validation.sources.push(file.source);
    }
    let text = chatlog::report::render(
        args.format.into(),
        &found,
        &validation.sources,
        &summary,
        stdout_color,
    );
    print(&text)?;
    Ok(if found.iter().any(Diagnostic::fails) {
        FINDINGS
    } else {
        CLEAN
    })
}
