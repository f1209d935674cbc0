//! `chatlog apply`: plan, confirm, change each deployment's account (and the stack sets) to
//! match the spec, read everything back and say whether it matches.

use std::path::PathBuf;

use crate::args::{PlanFormat, SpecFiles, StateArgs};
use crate::error::CliError;
// What `run` needs of the AWS layer; without it, `run` only says the build lacks it.
#[cfg(feature = "aws")]
use {
    super::live::{Outcome, connection, plan_all, read_failures, read_progress, runtime},
    crate::io::print,
    crate::view,
    crate::{CLEAN, FAILURE, FINDINGS},
    chatlog::aws::{AuditLog, OperationWaits, Waits},
    chatlog::engine::{self, Hooks, stack_sets::ProgressLines},
    chatlog::plan,
    chatlog::report::{self, Format},
    std::io::{BufRead, IsTerminal, Write},
    std::sync::Arc,
    std::time::Duration,
};

pub const HELP: &str = "\
Only resources tagged chatlog:spec=<the spec's name> are ever changed or deleted; resources of
the same name without the tag are reported and left alone.

Deployments are applied concurrently (--parallelism); one that fails stops alone, and the
report says per deployment what was done, what failed and what was not done. After the last
change apply reads every deployment back and plans again.

Exit codes:
  0  applied and verified (or nothing to do)
  1  the spec is invalid, a destination cannot take it (preflight), or reading back after
     apply shows the account still differs from the spec
  2  usage, I/O or AWS error: the message says what was done and what was not; run apply
     again to continue";

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    spec: SpecFiles,
    #[command(flatten)]
    aws: StateArgs,
    /// Do not ask for confirmation (required without a terminal)
    #[arg(long)]
    auto_approve: bool,
    /// Delete resources this spec created that it no longer declares
    #[arg(long)]
    prune: bool,
    /// Append one CloudTrail-shaped JSON line per API call to FILE
    #[arg(long, value_name = "FILE")]
    audit_log: Option<PathBuf>,
    /// Seconds to wait for a logging configuration to become ACTIVE
    #[arg(long, default_value_t = 300, value_name = "SECONDS")]
    wait_timeout: u64,
    /// Output: text (the plan, progress lines or a progress display, the outcome), or json
    /// (one JSON object per line: the plan, every event as it happens, the outcome)
    #[arg(long, value_enum, default_value = "text")]
    format: PlanFormat,
}

#[cfg(not(feature = "aws"))]
pub fn run(_: Args) -> Result<u8, CliError> {
    super::without_aws()
}

#[cfg(feature = "aws")]
fn confirm() -> Result<bool, CliError> {
    let mut err = std::io::stderr();
    let _ = write!(err, "Apply these changes? Only `yes` is accepted: ");
    let _ = err.flush();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| CliError::Io(format!("cannot read the answer: {e}")))?;
    Ok(answer.trim() == "yes")
}

/// How apply shows its events: JSON lines when asked, a display on a terminal, else a line per
/// finished change on standard error.
#[cfg(feature = "aws")]
enum View {
    Json(view::JsonLines),
    Display(view::Display),
    Lines(view::Lines),
}

#[cfg(feature = "aws")]
impl View {
    fn hooks(&self) -> &dyn Hooks {
        match self {
            View::Json(h) => h,
            View::Display(h) => h,
            View::Lines(h) => h,
        }
    }
}

/// One JSON line on standard output (apply --format json).
#[cfg(feature = "aws")]
fn json_line(value: &serde_json::Value) -> Result<(), CliError> {
    print(&(serde_json::to_string(value).unwrap_or_default() + "\n"))
}

#[cfg(feature = "aws")]
pub fn run(req: Args) -> Result<u8, CliError> {
    let interactive = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    if !req.auto_approve && !interactive {
        return Err(CliError::Usage(
            "apply needs confirmation, and there is no terminal to ask on: pass --auto-approve"
                .to_owned(),
        ));
    }
    let json = req.format == PlanFormat::Json;
    let audit = match &req.audit_log {
        Some(path) => Some(Arc::new(AuditLog::open(path)?)),
        None => None,
    };
    let rt = runtime()?;
    let reading = if json {
        Some(View::Json(view::JsonLines))
    } else {
        read_progress("read").map(View::Display)
    };
    let outcome = rt.block_on(plan_all(
        &req.spec.specs,
        &req.aws,
        req.prune,
        audit.clone(),
        Format::Text,
        false,
        reading.as_ref().map_or(&(), View::hooks),
    ));
    drop(reading);
    let planned = match outcome? {
        Outcome::Planned(p) => p,
        Outcome::Invalid => return Ok(FINDINGS),
    };
    let changes = planned.changes();
    let preflight = planned.preflight();
    if json {
        json_line(&serde_json::json!({
            "event": "plan",
            "owner": planned.owner,
            "changes": changes,
            "summary": report::plan::summary(&changes),
            "preflight": preflight,
            "stack_sets": planned.stack_set_plans(),
        }))?;
    } else {
        print(&report::plan::render_text(&changes, &planned.owner))?;
        print(&report::plan::stack_sets_text(&planned.stack_set_plans()))?;
    }
    if !preflight.is_empty() {
        if !json {
            print(&report::preflight::render(&preflight))?;
        }
        let _ = writeln!(
            std::io::stderr(),
            "error: apply stopped before any change: fix the {} problem{} at destinations above, then run apply again",
            preflight.len(),
            if preflight.len() == 1 { "" } else { "s" }
        );
        return Ok(FINDINGS);
    }
    let foreign = planned.foreign_stack_sets();
    if plan::execution_order(&changes).is_empty() && !planned.stack_sets_pending() {
        if !foreign.is_empty() {
            return Err(CliError::Live(foreign_error(&foreign)));
        }
        if !json {
            print("Nothing to apply.\n")?;
        }
        return Ok(CLEAN);
    }
    if !req.auto_approve && !confirm()? {
        print("Not applied.\n")?;
        return Ok(FAILURE);
    }
    let waits = Waits {
        active_timeout: Duration::from_secs(req.wait_timeout),
        create_attempts: connection(&req.aws.aws).retry.max_attempts(),
        ..Waits::default()
    };
    let view = if json {
        View::Json(view::JsonLines)
    } else if std::io::stderr().is_terminal() {
        View::Display(view::Display::new("apply"))
    } else {
        View::Lines(view::Lines)
    };
    // The display learns the totals it counts down from (the read had a display of its own).
    for p in planned
        .plans
        .iter()
        .filter(|_| matches!(view, View::Display(_)))
    {
        view.hooks().on(engine::Event::Planned {
            deployment: engine::deployment_id(&p.deployment),
            pending: plan::execution_order(&p.changes).len(),
        });
    }
    let outcomes = rt.block_on(engine::apply(
        &planned.plans,
        waits,
        planned.request.parallelism,
        view.hooks(),
    ));
    let all_done = outcomes.iter().all(engine::DeploymentOutcome::succeeded);
    let verified = if all_done {
        Some(
            rt.block_on(engine::verify(
                &planned.model,
                &planned.request,
                &planned.connector,
                view.hooks(),
                &outcomes,
            ))
            .map_err(|f| {
                CliError::Live(format!(
                    "applied, but reading back failed: {}",
                    read_failures(&f)
                ))
            })?,
        )
    } else {
        None
    };
    drop(view);
    // Stack sets after the deployments: their operations run in CloudFormation, and a
    // deployment's own failure should not wait behind a rollout to a whole organization.
    let set_outcomes = if all_done && planned.stack_sets_pending() {
        rt.block_on(engine::stack_sets::apply(
            &planned.stack_sets,
            &ProgressLines,
        ))
    } else {
        Vec::new()
    };
    if json {
        json_line(
            &serde_json::json!({"event": "outcome", "deployments": outcomes, "stack_sets": set_outcomes}),
        )?;
    } else {
        print(&report::apply::deployments_text(&outcomes))?;
        print(&report::apply::stack_sets_text(&set_outcomes))?;
    }
    let failed_sets: Vec<String> = set_outcomes
        .iter()
        .filter(|o| !o.succeeded())
        .map(|o| {
            let mut line = format!(
                "stack set {} ({}): {}",
                o.stack_set,
                o.administrator,
                o.error.as_deref().unwrap_or("failed")
            );
            for f in &o.failures {
                line.push_str(&format!(
                    "; {} in account {} in {}: {}",
                    f.status, f.account, f.region, f.reason
                ));
            }
            line
        })
        .collect();
    if !failed_sets.is_empty() {
        return Err(CliError::Live(format!(
            "apply failed: {}. Run apply again once the cause is fixed: it plans from what CloudFormation has now",
            failed_sets.join("; ")
        )));
    }
    if !foreign.is_empty() {
        return Err(CliError::Live(foreign_error(&foreign)));
    }
    if !all_done {
        let failed: Vec<&str> = outcomes
            .iter()
            .filter(|o| !o.succeeded())
            .map(|o| o.deployment.as_str())
            .collect();
        return Err(CliError::Live(format!(
            "apply failed in {}; the other deployments finished. Run apply again: it plans from what the accounts have now",
            failed.join(", ")
        )));
    }
    if audit.as_ref().is_some_and(|a| a.incomplete()) {
        return Err(CliError::Live(
            "applied, but some audit-log records could not be written".to_owned(),
        ));
    }
    let mut differs: Vec<String> = verified
        .unwrap_or_default()
        .into_iter()
        .flat_map(|(_, d)| d)
        .collect();
    if !planned.stack_sets.is_empty() {
        differs.extend(
            rt.block_on(engine::stack_sets::verify(
                &planned.model,
                &connection(&req.aws.aws),
                OperationWaits::default(),
            ))
            .map_err(|e| {
                CliError::Live(format!(
                    "applied, but reading the stack sets back failed: {e}"
                ))
            })?,
        );
    }
    if differs.is_empty() {
        if !json {
            let sets = planned.stack_sets.len();
            print(&format!(
                "Verified: read back {} deployment{}{}, the account matches the spec.\n",
                planned.plans.len(),
                if planned.plans.len() == 1 { "" } else { "s" },
                if sets == 0 {
                    String::new()
                } else {
                    format!(" and {sets} stack set{}", if sets == 1 { "" } else { "s" })
                }
            ))?;
        }
        return Ok(CLEAN);
    }
    if !json {
        print(&report::apply::list(
            "Still differs after apply (read back)",
            &differs,
        ))?;
    }
    let _ = writeln!(
        std::io::stderr(),
        "error: the account does not match the spec after apply: {} change{} still pending; run `chatlog plan` to see them, then apply again",
        differs.len(),
        if differs.len() == 1 { " is" } else { "s are" }
    );
    Ok(FINDINGS)
}

#[cfg(feature = "aws")]
fn foreign_error(foreign: &[String]) -> String {
    format!(
        "{}; chatlog never changes a stack set it did not create: rename the spec's stack set (`name`) or settle the other one yourself",
        foreign.join("; ")
    )
}
