//! The `policy verify` command (binary side): read the spec and the policy files, call the pure
//! verifier, print the report in the shared `--format`, choose the exit code.

use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::cli::{BaselineArgs, NamedFile};
use chatlog::diagnostic::{self, Diagnostic};
use chatlog::policy::verify::{self, Kind, PolicyFile};
use chatlog::report::{self, Format};

use crate::{CLEAN, FINDINGS, color, io_reason, print, read_inputs};

pub struct VerifyRequest {
    pub specs: Vec<PathBuf>,
    pub bucket_policies: Vec<NamedFile>,
    pub logs_policies: Vec<PathBuf>,
    pub format: Format,
    pub baseline: BaselineArgs,
}

fn read_policy(path: &Path, kind: Kind) -> Result<PolicyFile, String> {
    if path.is_dir() {
        return Err(format!(
            "`{}` is a directory; give a policy file",
            path.display()
        ));
    }
    // One byte past the limit is enough for the reader to refuse the file.
    let limit = u64::try_from(verify::input::MAX_FILE_BYTES)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| Read::read_to_end(&mut Read::take(f, limit), &mut bytes))
        .map_err(|e| format!("cannot read `{}`: {}", path.display(), io_reason(&e)))?;
    verify::input::read(&path.display().to_string(), &bytes, kind).map_err(|e| e.to_string())
}

pub fn verify(req: VerifyRequest) -> Result<u8, String> {
    let baseline = crate::baseline_command::load(&req.baseline)?;
    let mut validation = chatlog::validate::validate(read_inputs(&req.specs)?);
    let stdout_color = color(&std::io::stdout());
    let Some(model) = validation.model.as_ref() else {
        let text = report::render(
            req.format,
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
    for named in &req.bucket_policies {
        if !seen.insert(named.name.as_str()) {
            return Err(format!(
                "--bucket-policy names bucket `{}` twice",
                named.name
            ));
        }
        let needs = verify::bucket_needs(model, &validation.sources, &named.name)
            .ok_or_else(|| unknown_bucket(model, &named.name))?;
        buckets.push((needs, &named.path));
    }
    let log_needs = verify::log_group_needs(model, &validation.sources);
    if !req.logs_policies.is_empty() && log_needs.is_empty() {
        return Err(
            "the spec logs to no CloudWatch Logs log group, so --logs-policy has nothing to check"
                .to_owned(),
        );
    }
    let mut found: Vec<Diagnostic> = validation.diagnostics.clone();
    let mut files = Vec::new();
    for (needs, path) in &buckets {
        let file = read_policy(path, Kind::Bucket)?;
        found.extend(verify::verify(needs, &file.documents));
        files.push(file);
    }
    if !req.logs_policies.is_empty() {
        let logs: Vec<PolicyFile> = req
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
    crate::baseline_command::settle(&mut found, &req.baseline, baseline, &mut validation.sources)?;
    let mut summary = validation.summary.clone();
    summary.files += files.len();
    for file in files {
        validation.sources.push(file.source);
    }
    let text = report::render(
        req.format,
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
