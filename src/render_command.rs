//! The `render` and `policy merge` commands (binary side): read files, call the pure library,
//! print diagnostics, write through the atomic writer, choose the exit code.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::cli::{RenderTarget, TemplateFormat};
use chatlog::diagnostic;
use chatlog::policy::merge::{self, MergeError};
use chatlog::render::{self, Target};
use chatlog::report::{self, Format};
use chatlog::validate::Validation;

use crate::{CLEAN, FAILURE, FINDINGS, color, print, read_inputs};

fn eprint(text: &str) {
    let _ = std::io::stderr().write_all(text.as_bytes());
}

fn report(validation: &Validation, diagnostics: &[diagnostic::Diagnostic], format: Format) {
    let text = report::render(
        format,
        diagnostics,
        &validation.sources,
        &validation.summary,
        color(&std::io::stderr()),
    );
    eprint(&text);
}

pub struct RenderRequest {
    pub specs: Vec<PathBuf>,
    pub target: RenderTarget,
    pub out: PathBuf,
    pub format: TemplateFormat,
    pub diagnostics_format: Format,
}

pub fn render(req: RenderRequest) -> Result<u8, String> {
    let validation = chatlog::validate::validate(read_inputs(&req.specs)?);
    let targets: Vec<Target> = req.target.targets();
    let rendered = render::render_validated(&validation, &targets, req.format.to_render())
        .map_err(|e| format!("internal error: {e}"))?;
    if !rendered.diagnostics.is_empty() {
        report(&validation, &rendered.diagnostics, req.diagnostics_format);
    }
    if rendered.has_errors() {
        return Ok(FINDINGS);
    }
    let folders = render::write::write_outputs(&req.out, &targets, &rendered.files)
        .map_err(|e| e.to_string())?;
    let names: Vec<String> = folders.iter().map(|f| f.display().to_string()).collect();
    eprint(&format!(
        "rendered {} {} into {}\n",
        rendered.files.len(),
        if rendered.files.len() == 1 {
            "file"
        } else {
            "files"
        },
        names.join(", ")
    ));
    Ok(CLEAN)
}

pub struct MergeRequest {
    pub specs: Vec<PathBuf>,
    pub bucket: String,
    pub into: PathBuf,
    pub write: bool,
    pub diagnostics_format: Format,
}

fn read_text(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))
}

pub fn policy_merge(req: MergeRequest) -> Result<u8, String> {
    let validation = chatlog::validate::validate(read_inputs(&req.specs)?);
    let Some(model) = validation.model.as_ref() else {
        report(&validation, &validation.diagnostics, req.diagnostics_format);
        return Ok(FINDINGS);
    };
    let Some(needed) = merge::needed_for_bucket(model, &req.bucket) else {
        let known = merge::buckets(model);
        let hint = chatlog::suggest::closest(&req.bucket, known.iter().map(String::as_str))
            .map(|s| format!("; did you mean `{s}`?"))
            .unwrap_or_default();
        return Err(format!(
            "the spec has no S3 destination with bucket `{}`{hint} (its buckets: {})",
            req.bucket,
            if known.is_empty() {
                "none".to_owned()
            } else {
                known.join(", ")
            }
        ));
    };
    let existing = read_text(&req.into)?;
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
                req.into.display(),
                e.help()
            ));
            return Ok(code);
        }
    };
    if !req.write {
        print(&merged.text)?;
        return Ok(CLEAN);
    }
    if merged.changed {
        render::write::write_file_atomic(&req.into, &merged.text).map_err(|e| e.to_string())?;
        eprint(&format!(
            "merged the log-delivery statements for `{}` into {}\n",
            req.bucket,
            req.into.display()
        ));
    } else {
        eprint(&format!(
            "{} already has the log-delivery statements for `{}`; unchanged\n",
            req.into.display(),
            req.bucket
        ));
    }
    Ok(CLEAN)
}
