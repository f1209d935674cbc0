//! `chatlog plan`: read every deployment's account and the stack sets, print what apply would
//! change (read-only).

use crate::args::{PlanFormat, SpecFiles, StateArgs};
use crate::error::CliError;

pub const HELP: &str = "\
Exit codes:
  0  planned (with --detailed-exitcode: nothing to change)
  1  the spec is invalid (or, with --detailed-exitcode, changes are pending)
  2  usage, I/O or AWS error";

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    spec: SpecFiles,
    #[command(flatten)]
    aws: StateArgs,
    /// Also plan deleting resources this spec created that it no longer declares
    #[arg(long)]
    prune: bool,
    /// Output format
    #[arg(long, value_enum, default_value = "text")]
    format: PlanFormat,
    /// Exit 1 when changes are pending (0 when none)
    #[arg(long)]
    detailed_exitcode: bool,
}

#[cfg(not(feature = "aws"))]
pub fn run(_: Args) -> Result<u8, CliError> {
    super::without_aws()
}

#[cfg(feature = "aws")]
pub fn run(args: Args) -> Result<u8, CliError> {
    use chatlog::engine::Hooks;
    use chatlog::plan::Change;
    use chatlog::report::{self, Format};

    use super::live::{Outcome, plan_all, read_progress, runtime};
    use crate::io::print;
    use crate::{CLEAN, FINDINGS};

    let progress = read_progress("plan");
    let hooks: &dyn Hooks = progress.as_ref().map_or(&(), |d| d);
    let outcome = runtime()?.block_on(plan_all(
        &args.spec.specs,
        &args.aws,
        args.prune,
        None,
        Format::Text,
        false,
        hooks,
    ));
    drop(progress);
    let planned = match outcome? {
        Outcome::Planned(p) => p,
        Outcome::Invalid => return Ok(FINDINGS),
    };
    let changes = planned.changes();
    let preflight = planned.preflight();
    let stack_sets = planned.stack_set_plans();
    print(&match args.format {
        PlanFormat::Text => {
            report::plan::render_text(&changes, &planned.owner)
                + &report::plan::stack_sets_text(&stack_sets)
                + &report::preflight::render(&preflight)
        }
        PlanFormat::Json => with_stack_sets(
            &with_preflight(
                &report::plan::render_json(&changes, &planned.owner),
                &preflight,
            ),
            &stack_sets,
        ),
    })?;
    if !preflight.is_empty() || !planned.foreign_stack_sets().is_empty() {
        // The account cannot take the spec as it is: a finding, as an invalid spec is.
        return Ok(FINDINGS);
    }
    let pending = changes.iter().any(Change::pending) || planned.stack_sets_pending();
    Ok(if args.detailed_exitcode && pending {
        FINDINGS
    } else {
        CLEAN
    })
}

/// The plan's JSON document with the preflight problems added.
#[cfg(feature = "aws")]
fn with_preflight(plan_json: &str, preflight: &[chatlog::plan::Preflight]) -> String {
    let Ok(serde_json::Value::Object(mut doc)) = serde_json::from_str(plan_json) else {
        return plan_json.to_owned();
    };
    doc.insert("preflight".to_owned(), serde_json::json!(preflight));
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

/// The plan's JSON document with the stack sets' plans added (only when the spec has some).
#[cfg(feature = "aws")]
fn with_stack_sets(
    plan_json: &str,
    stack_sets: &[chatlog::plan::stack_sets::StackSetPlan],
) -> String {
    if stack_sets.is_empty() {
        return plan_json.to_owned();
    }
    let Ok(serde_json::Value::Object(mut doc)) = serde_json::from_str(plan_json) else {
        return plan_json.to_owned();
    };
    doc.insert("stack_sets".to_owned(), serde_json::json!(stack_sets));
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}
