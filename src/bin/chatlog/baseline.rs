//! `--baseline` and `--write-baseline` for `drift` and `policy verify`: read the
//! baseline file and the clock, write the new baseline, and leave judging to
//! [`chatlog::baseline`].

use std::io::Write;

use crate::args::BaselineArgs;
use chatlog::baseline::{self, Baseline, Date};
use chatlog::diagnostic::Diagnostic;
use chatlog::spec::source::Sources;

use crate::error::CliError;
use crate::io::{io_reason, write_new};

/// Today in UTC, for expiry dates.
fn today() -> Date {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    Date::from_unix_days(i64::try_from(seconds / 86_400).unwrap_or(0))
}

/// Reads `--baseline` before any other work, so that a malformed file fails the run at once
/// (exit 2, with its line and column), and refuses a `--write-baseline` that would replace a
/// file without `--force`.
pub fn load(args: &BaselineArgs) -> Result<Option<Baseline>, CliError> {
    if let Some(path) = args
        .write_baseline
        .as_ref()
        .filter(|p| p.exists() && !args.force)
    {
        return Err(CliError::Usage(format!(
            "`{}` exists; pass --force to replace it, or choose another --write-baseline",
            path.display()
        )));
    }
    let Some(path) = &args.baseline else {
        return Ok(None);
    };
    let text = std::fs::read_to_string(path).map_err(|e| {
        CliError::Io(format!(
            "cannot read baseline `{}`: {}",
            path.display(),
            io_reason(&e)
        ))
    })?;
    baseline::parse(&path.display().to_string(), &text)
        .map(Some)
        .map_err(CliError::from)
}

/// Writes `--write-baseline` from the run's findings (keeping the reasons of `--baseline`),
/// then marks the findings as the baseline in force accepts them: the one just written, else
/// `--baseline`. The baseline's file joins `sources` so that reports can quote its entries.
pub fn settle(
    diagnostics: &mut Vec<Diagnostic>,
    args: &BaselineArgs,
    loaded: Option<Baseline>,
    sources: &mut Sources,
) -> Result<(), CliError> {
    let today = today();
    let in_force = match &args.write_baseline {
        Some(path) => {
            let text = baseline::write(diagnostics, loaded.as_ref(), today);
            write_new(path, &text, args.force)?;
            let entries = text.matches("\n  - rule:").count();
            let _ = writeln!(
                std::io::stderr(),
                "wrote {} with {entries} accepted finding{}; give each a reason and who accepts it",
                path.display(),
                if entries == 1 { "" } else { "s" }
            );
            Some(
                baseline::parse(&path.display().to_string(), &text)
                    .map_err(|e| CliError::Internal(format!("the written baseline {e}")))?,
            )
        }
        None => loaded,
    };
    if let Some(b) = in_force {
        baseline::apply(diagnostics, &b, today);
        chatlog::diagnostic::sort(diagnostics);
        sources.push(b.source);
    }
    Ok(())
}
