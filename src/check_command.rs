//! The `check` command (binary side): render in memory, read the committed files of the folders
//! chatlog owns under `--against`, compare, report. Never writes.

use std::path::{Path, PathBuf};

use chatlog::diagnostic;
use chatlog::drift::files::{self, Existing};
use chatlog::render::{self, Target};
use chatlog::report::{self, Format};

use crate::{CLEAN, FINDINGS, color, print, read_inputs};

pub struct CheckRequest {
    pub specs: Vec<PathBuf>,
    pub against: PathBuf,
    pub targets: Vec<Target>,
    pub template_format: render::TemplateFormat,
    pub format: Format,
}

pub fn check(req: CheckRequest) -> Result<u8, String> {
    if !req.against.is_dir() {
        return Err(format!(
            "`{}` is not a directory of rendered files",
            req.against.display()
        ));
    }
    let validation = chatlog::validate::validate(read_inputs(&req.specs)?);
    let rendered = render::render_validated(&validation, &req.targets, req.template_format)
        .map_err(|e| format!("internal error: {e}"))?;
    let rendered_cleanly = !rendered.has_errors();
    let mut diagnostics = rendered.diagnostics;
    if rendered_cleanly {
        let existing = read_owned(&req.against, &req.targets)?;
        let shown = req.against.display().to_string();
        diagnostics.extend(files::compare(&rendered.files, &existing, &shown));
        diagnostic::sort(&mut diagnostics);
    }
    let text = report::render(
        req.format,
        &diagnostics,
        &validation.sources,
        &validation.summary,
        color(&std::io::stdout()),
    );
    print(&text)?;
    Ok(
        if diagnostics.iter().any(diagnostic::Diagnostic::is_error) {
            FINDINGS
        } else {
            CLEAN
        },
    )
}

/// Every file under the target folders of `dir`, keyed by its `/`-separated path relative to
/// `dir`. Only chatlog's own folders are read: the rest of the directory is the user's.
fn read_owned(dir: &Path, targets: &[Target]) -> Result<Existing, String> {
    let mut out = Existing::new();
    for target in targets {
        let folder = dir.join(target.folder());
        if folder.is_dir() {
            walk(&folder, target.folder(), &mut out)?;
        }
    }
    Ok(out)
}

fn walk(path: &Path, relative: &str, out: &mut Existing) -> Result<(), String> {
    let entries =
        std::fs::read_dir(path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        // The writer's ownership marker is not a rendered file.
        if relative.matches('/').count() == 0 && name == render::write::MARKER {
            continue;
        }
        let child = format!("{relative}/{name}");
        let kind = entry
            .file_type()
            .map_err(|e| format!("cannot read `{}`: {e}", entry.path().display()))?;
        if kind.is_dir() {
            walk(&entry.path(), &child, out)?;
        } else if kind.is_file() {
            let bytes = std::fs::read(entry.path())
                .map_err(|e| format!("cannot read `{}`: {e}", entry.path().display()))?;
            out.insert(child, String::from_utf8(bytes).ok());
        } else {
            // A symlink or other special file is never something chatlog wrote.
            out.insert(child, None);
        }
    }
    Ok(())
}
