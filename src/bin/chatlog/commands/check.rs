//! `chatlog check`: render in memory, read the committed files of the folders chatlog owns
//! under `--against`, compare, report. Never writes.

use std::path::{Path, PathBuf};

use chatlog::diagnostic;
use chatlog::drift::files::{self, Existing};
use chatlog::render::{self, Target};

use crate::args::{Format, RenderTarget, SpecFiles, TemplateFormat};
use crate::error::CliError;
use crate::io::{color, print, read_inputs};
use crate::{CLEAN, FINDINGS};

pub const HELP: &str = "\
Exit codes:
  0  the committed files match the specs
  1  findings: a file missing, changed, or no longer rendered (or an invalid spec)
  2  usage, I/O or internal error";

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    spec: SpecFiles,
    /// The folder the files were rendered into (`render --out`)
    #[arg(long, value_name = "DIR")]
    against: PathBuf,
    /// Which target folders to compare
    #[arg(long, value_enum, default_value = "all")]
    target: RenderTarget,
    /// Template format the files were rendered in
    #[arg(long, value_enum, default_value = "yaml")]
    template_format: TemplateFormat,
    /// Report format
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

pub fn run(args: Args) -> Result<u8, CliError> {
    let targets = args.target.targets();
    if !args.against.is_dir() {
        return Err(CliError::Usage(format!(
            "`{}` is not a directory of rendered files",
            args.against.display()
        )));
    }
    let validation = chatlog::validate::validate(read_inputs(&args.spec.specs)?);
    let rendered = render::render_validated(&validation, &targets, args.template_format.into())
        .map_err(|e| CliError::Internal(e.to_string()))?;
    let rendered_cleanly = !rendered.has_errors();
    let mut diagnostics = rendered.diagnostics;
    if rendered_cleanly {
        let existing = read_owned(&args.against, &targets)?;
        let shown = args.against.display().to_string();
        diagnostics.extend(files::compare(&rendered.files, &existing, &shown));
        diagnostic::sort(&mut diagnostics);
    }
    let text = chatlog::report::render(
        args.format.into(),
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
fn read_owned(dir: &Path, targets: &[Target]) -> Result<Existing, CliError> {
    let mut out = Existing::new();
    for target in targets {
        let folder = dir.join(target.folder());
        if folder.is_dir() {
            walk(&folder, target.folder(), &mut out)?;
        }
    }
    Ok(out)
}

fn walk(path: &Path, relative: &str, out: &mut Existing) -> Result<(), CliError> {
    let entries = std::fs::read_dir(path).map_err(|e| cannot_read(&path.display(), e))?;
    let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        // The writer's ownership marker is not a rendered file.
        if relative.matches('/').count() == 0 && name == chatlog::files::MARKER {
            continue;
        }
        let child = format!("{relative}/{name}");
        let kind = entry
            .file_type()
            .map_err(|e| cannot_read(&entry.path().display(), e))?;
        if kind.is_dir() {
            walk(&entry.path(), &child, out)?;
        } else if kind.is_file() {
            let bytes =
                std::fs::read(entry.path()).map_err(|e| cannot_read(&entry.path().display(), e))?;
            out.insert(child, String::from_utf8(bytes).ok());
        } else {
            // A symlink or other special file is never something chatlog wrote.
            out.insert(child, None);
        }
    }
    Ok(())
}

fn cannot_read(path: &impl std::fmt::Display, e: std::io::Error) -> CliError {
    CliError::Io(format!("cannot read `{path}`: {e}"))
}
