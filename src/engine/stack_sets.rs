//! Stack sets in the live commands: read each stack set and its instances in its administrator
//! account, plan, apply one operation at a time (waiting on running ones), read back, and report
//! drift (DetectStackSetDrift) at the spec's lines.

use std::time::Duration;

use std::sync::Arc;

use futures_util::future::join_all;

use crate::aws::{AuditLog, AwsError, Connection, OperationProgress, OperationWaits, SdkStackSets};
use crate::diagnostic::{Diagnostic, Rule};
use crate::live::stack_set::InstanceFailure;
use crate::model::{Model, StackSet};
use crate::plan::stack_sets::{self, StackSetPlan, Step};
use crate::render::stack_sets::{description, member_body};
use crate::spec::source::{Anchor, Sources};

/// One stack set, read and planned, with the client of its administrator account.
pub struct StackSetRun {
    pub set: StackSet,
    pub client: SdkStackSets,
    pub body: String,
    pub description: String,
    pub plan: StackSetPlan,
    /// Whether the stack set exists (drift detection needs one).
    pub exists: bool,
}

/// Reads and plans every stack set of the model. The administrator's credentials must belong to
/// the administrator account: nothing is read or changed in another.
pub async fn plan(
    model: &Model,
    connection: &Connection,
    waits: OperationWaits,
    audit: Option<Arc<AuditLog>>,
) -> Result<Vec<StackSetRun>, AwsError> {
    let runs = join_all(
        model
            .stack_sets
            .iter()
            .map(|set| plan_one(set, connection, waits, audit.clone())),
    )
    .await;
    runs.into_iter().collect()
}

async fn plan_one(
    set: &StackSet,
    connection: &Connection,
    waits: OperationWaits,
    audit: Option<Arc<AuditLog>>,
) -> Result<StackSetRun, AwsError> {
    let region = &set.administrator.region;
    let session = connection.session(&set.member.access, region).await?;
    let account = session.caller_account().await?;
    if account != set.administrator.account {
        return Err(AwsError::local(
            "sts:GetCallerIdentity",
            region,
            format!(
                "the credentials for stack set `{}` belong to account `{account}`, not its administrator account `{}`; use a profile or role of the administrator account (`accounts` in the spec)",
                set.key, set.administrator.account
            ),
        ));
    }
    let mut client = SdkStackSets::new(session.cloudformation(), region);
    client.waits = waits;
    client.audit = audit;
    let body = member_body(set);
    let description = description(set);
    let live = client.describe(set).await?;
    let instances = match &live {
        Some(l) if l.status != "DELETED" => client.instances(set).await?,
        _ => Vec::new(),
    };
    let plan = stack_sets::plan(set, &body, &description, live.as_ref(), &instances);
    Ok(StackSetRun {
        exists: live.is_some_and(|l| l.status != "DELETED"),
        set: set.clone(),
        client,
        body,
        description,
        plan,
    })
}

#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct StackSetOutcome {
    pub stack_set: String,
    pub administrator: String,
    pub done: Vec<String>,
    pub failures: Vec<InstanceFailure>,
    pub error: Option<String>,
}

impl StackSetOutcome {
    pub fn succeeded(&self) -> bool {
        self.error.is_none() && self.failures.is_empty()
    }
}

/// Applies every plan: stack sets at once, each one's steps in order; a failed step stops the
/// stack set's later steps.
pub async fn apply(runs: &[StackSetRun], progress: &dyn OperationProgress) -> Vec<StackSetOutcome> {
    join_all(runs.iter().map(|r| apply_one(r, progress))).await
}

async fn apply_one(run: &StackSetRun, progress: &dyn OperationProgress) -> StackSetOutcome {
    let mut out = StackSetOutcome {
        stack_set: run.set.name.clone(),
        administrator: run.plan.administrator.clone(),
        ..StackSetOutcome::default()
    };
    if let Some(why) = &run.plan.foreign {
        out.error = Some(format!("not changed: {why}"));
        return out;
    }
    let (set, c) = (&run.set, &run.client);
    for step in &run.plan.steps {
        let result = match step {
            Step::Create => c
                .create(set, &run.body, &run.description)
                .await
                .map(|()| None),
            Step::Update { .. } => c
                .update(set, &run.body, &run.description, progress)
                .await
                .map(Some),
            Step::AddInstances {
                organizational_units,
                accounts,
                account_filter,
                regions,
            } => c
                .add_instances(
                    set,
                    organizational_units,
                    accounts,
                    account_filter.as_deref(),
                    regions,
                    progress,
                )
                .await
                .map(Some),
            Step::RemoveInstances {
                organizational_units,
                accounts,
                regions,
            } => c
                .remove_instances(set, organizational_units, accounts, regions, progress)
                .await
                .map(Some),
        };
        match result {
            Ok(None) => out.done.push(stack_sets::describe(step)),
            Ok(Some(op)) if op.succeeded() => out.done.push(stack_sets::describe(step)),
            Ok(Some(op)) => {
                out.failures.extend(op.failures.clone());
                out.error = Some(format!(
                    "{} ended {} (operation {}){}",
                    stack_sets::describe(step),
                    op.status,
                    op.operation_id,
                    op.status_reason
                        .map(|r| format!(": {r}"))
                        .unwrap_or_default()
                ));
                return out;
            }
            Err(e) => {
                out.error = Some(format!("{}: {e}", stack_sets::describe(step)));
                return out;
            }
        }
    }
    out
}

/// Reads every stack set back after apply: the steps still pending, per stack set.
pub async fn verify(
    model: &Model,
    connection: &Connection,
    waits: OperationWaits,
) -> Result<Vec<String>, AwsError> {
    let runs = plan(model, connection, waits, None).await?;
    Ok(runs
        .iter()
        .flat_map(|r| {
            r.plan
                .steps
                .iter()
                .map(|s| format!("stack set {}: {}", r.set.name, stack_sets::describe(s)))
        })
        .collect())
}

/// Drift of every stack set, at its line in the spec: a foreign stack set of its name (CL141),
/// pending steps, instances not CURRENT, and instances DetectStackSetDrift finds DRIFTED (CL142).
pub async fn drift(
    runs: &[StackSetRun],
    sources: &Sources,
    progress: &dyn OperationProgress,
) -> Result<Vec<Diagnostic>, AwsError> {
    let mut out = Vec::new();
    for run in runs {
        let o = &run.set.origin;
        let at = sources.locate(o.file, &o.pointer, Anchor::Key);
        if let Some(why) = &run.plan.foreign {
            out.push(
                Diagnostic::new(Rule::LiveStackSetForeign, why.clone())
                    .at(at.clone())
                    .help("chatlog never changes a stack set it did not create: rename the spec's stack set (`name`), or delete or retag the other one yourself"),
            );
            continue;
        }
        for step in &run.plan.steps {
            out.push(
                Diagnostic::new(
                    Rule::LiveStackSetDrift,
                    format!(
                        "stack set `{}` in {}: {} is pending",
                        run.set.name,
                        run.plan.administrator,
                        stack_sets::describe(step)
                    ),
                )
                .at(at.clone())
                .help("run `chatlog apply` to make the stack set what the spec says"),
            );
        }
        if !run.exists {
            continue;
        }
        let op = run.client.detect_drift(&run.set, progress).await?;
        for f in &op.failures {
            out.push(
                Diagnostic::new(
                    Rule::LiveStackSetOperationFailed,
                    format!(
                        "drift detection of stack set `{}` {} in account `{}` in `{}`: {}",
                        run.set.name, f.status, f.account, f.region, f.reason
                    ),
                )
                .at(at.clone())
                .help("the instance could not be checked; look at its stack in that account"),
            );
        }
        for i in run.client.instances(&run.set).await? {
            if i.drift_status.as_deref() == Some("DRIFTED") {
                let resources = run
                    .client
                    .resource_drifts(&run.set, &i.account, &i.region, &op.operation_id)
                    .await?;
                out.push(
                    Diagnostic::new(
                        Rule::LiveStackSetDrift,
                        format!(
                            "the instance of stack set `{}` in account `{}` in `{}` has drifted: {} resource{} differ{} from the member template",
                            run.set.name,
                            i.account,
                            i.region,
                            resources.len(),
                            if resources.len() == 1 { "" } else { "s" },
                            if resources.len() == 1 { "s" } else { "" },
                        ),
                    )
                    .at(at.clone())
                    .help("someone changed the member's resources in that account; `chatlog apply` of a changed member updates them, or fix them by hand"),
                );
                // Each drifted resource at the line of the member entry it was made from.
                for r in &resources {
                    let entry = member_origin(&run.set, &r.logical_id).unwrap_or(o);
                    let props = if r.properties.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", r.properties.join(", "))
                    };
                    out.push(
                        Diagnostic::new(
                            Rule::LiveStackSetDrift,
                            format!(
                                "stack set `{}`, account `{}` in `{}`: {} `{}` is {}{props}",
                                run.set.name,
                                i.account,
                                i.region,
                                r.resource_type,
                                r.logical_id,
                                r.status
                            ),
                        )
                        .at(sources.locate(entry.file, &entry.pointer, Anchor::Key))
                        .help("the resource in that account differs from the member template"),
                    );
                }
            } else if i.status != "CURRENT" {
                out.push(
                    Diagnostic::new(
                        Rule::LiveStackSetDrift,
                        format!(
                            "the instance of stack set `{}` in account `{}` in `{}` is {}{}",
                            run.set.name,
                            i.account,
                            i.region,
                            i.status,
                            i.status_reason
                                .as_deref()
                                .map(|r| format!(": {r}"))
                                .unwrap_or_default()
                        ),
                    )
                    .at(at.clone())
                    .help(
                        "the last operation did not reach this instance; run `chatlog apply` again",
                    ),
                );
            }
        }
    }
    Ok(out)
}

/// The member entry a resource of the member template was made from: its own logical id, or one
/// derived from it (a bucket's policy, a logging configuration's SSM parameter).
fn member_origin<'a>(set: &'a StackSet, logical_id: &str) -> Option<&'a crate::spec::load::Origin> {
    let m = &set.member;
    m.destinations
        .iter()
        .find(|d| logical_id.starts_with(&d.logical_id))
        .map(|d| &d.origin)
        .or_else(|| {
            m.logging_configurations
                .iter()
                .find(|c| {
                    logical_id == c.logical_id
                        || logical_id
                            == crate::model::logical_id("LoggingConfigurationParameter", &c.key)
                })
                .map(|c| &c.origin)
        })
        .or_else(|| {
            m.rooms
                .iter()
                .find(|r| r.logical_id == logical_id)
                .map(|r| &r.origin)
        })
}

/// Progress lines on stderr while operations run (never on stdout, which carries the report).
pub struct ProgressLines;

impl OperationProgress for ProgressLines {
    fn waiting(&self, stack_set: &str, what: &str, elapsed: Duration) {
        eprintln!(
            "stack set {stack_set}: waiting ({} s): {what}",
            elapsed.as_secs()
        );
    }
}
