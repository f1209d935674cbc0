//! `chatlog plan`, `apply` and `drift` (binary side): validate the spec, read every deployment's
//! account through the AWS layer, plan, and print, execute or report.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::cli::{BaselineArgs, DriftFormat, PlanFormat, StateArgs};
use chatlog::aws::{AuditLog, OperationWaits, Waits};
use chatlog::engine::stack_sets::{ProgressLines, StackSetRun};
use chatlog::engine::{self, DeploymentPlan, Hooks, ReadFailure, RoomCacheDir, SdkConnector};
use chatlog::live::RegionInventory;
use chatlog::model::{Deployment, Model};
use chatlog::plan::{self, Change, Preflight, text};
use chatlog::report::{self, Format};
use chatlog::validate::Validation;

use crate::live_command::{connection, runtime};
use crate::live_view;
use crate::{CLEAN, FAILURE, FINDINGS, color, print, read_inputs};

type Plans = Vec<DeploymentPlan<SdkConnector>>;

struct Planned {
    validation: Validation,
    model: Model,
    owner: String,
    connector: SdkConnector,
    request: engine::Request,
    plans: Plans,
    /// The spec's stack sets, read in their administrator accounts and planned.
    stack_sets: Vec<StackSetRun>,
}

impl Planned {
    fn stack_set_plans(&self) -> Vec<plan::stack_sets::StackSetPlan> {
        self.stack_sets.iter().map(|r| r.plan.clone()).collect()
    }
    fn stack_sets_pending(&self) -> bool {
        self.stack_sets.iter().any(|r| r.plan.pending())
    }
    fn foreign_stack_sets(&self) -> Vec<String> {
        self.stack_sets
            .iter()
            .filter_map(|r| r.plan.foreign.clone())
            .collect()
    }
}

impl Planned {
    fn changes(&self) -> Vec<Change> {
        self.plans.iter().flat_map(|p| p.changes.clone()).collect()
    }
    fn preflight(&self) -> Vec<Preflight> {
        self.plans
            .iter()
            .flat_map(|p| p.preflight.clone())
            .collect()
    }
}

/// The ownership tag's value: the spec's `name`, else the first file's name without extension.
fn owner(validation: &Validation, specs: &[PathBuf]) -> String {
    if let Some(name) = validation.model.as_ref().and_then(|m| m.name.clone()) {
        return name;
    }
    let stem = specs
        .first()
        .and_then(|p| p.file_stem())
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let clean: String = stem
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "_.:/=+@-".contains(*c))
        .take(128)
        .collect();
    if clean.is_empty() {
        "chatlog".to_owned()
    } else {
        clean
    }
}

enum Outcome {
    Planned(Box<Planned>),
    /// The spec is invalid; its diagnostics are printed.
    Invalid,
}

/// Every deployment that could not be read, one line each.
fn read_failures(failures: &[ReadFailure]) -> String {
    let mut out = format!(
        "{} deployment{} could not be read:",
        failures.len(),
        if failures.len() == 1 { "" } else { "s" }
    );
    for f in failures {
        out.push_str(&format!("\n  {}: {}", f.deployment, f.error));
    }
    out
}

/// Progress while reading: a display on a terminal's standard error, nothing elsewhere.
fn read_progress(what: &str) -> Option<live_view::Display> {
    std::io::stderr()
        .is_terminal()
        .then(|| live_view::Display::new(what))
}

async fn plan_all(
    specs: &[PathBuf],
    aws: &StateArgs,
    prune: bool,
    audit: Option<Arc<AuditLog>>,
    diagnostics_format: Format,
    diagnostics_to_stdout: bool,
    hooks: &dyn Hooks,
) -> Result<Outcome, String> {
    let validation = chatlog::validate::validate(read_inputs(specs)?);
    let Some(model) = validation
        .model
        .clone()
        .filter(|_| !validation.has_errors())
    else {
        let text = report::render(
            diagnostics_format,
            &validation.diagnostics,
            &validation.sources,
            &validation.summary,
            color(&std::io::stderr()),
        );
        if diagnostics_to_stdout {
            print(&text)?;
        } else {
            let _ = write!(std::io::stderr(), "{text}");
        }
        return Ok(Outcome::Invalid);
    };
    let owner = owner(&validation, specs);
    let request = engine::Request {
        owner: owner.clone(),
        prune,
        parallelism: usize::from(aws.parallelism),
        cache: (!aws.no_cache)
            .then(|| aws.cache_dir.clone().or_else(cache_dir))
            .flatten()
            .map(RoomCacheDir),
    };
    let connector = SdkConnector::new(connection(&aws.aws), audit.clone());
    let plans = engine::plan_all(&model, &request, &connector, hooks)
        .await
        .map_err(|f| read_failures(&f))?;
    let stack_sets = engine::stack_sets::plan(
        &model,
        &connection(&aws.aws),
        OperationWaits::default(),
        audit.clone(),
    )
    .await
    .map_err(|e| format!("reading the stack sets failed: {e}"))?;
    Ok(Outcome::Planned(Box::new(Planned {
        validation,
        model,
        owner,
        connector,
        request,
        plans,
        stack_sets,
    })))
}

/// Where the room cache lives without `--cache-dir`: `$CHATLOG_CACHE_DIR`,
/// `$XDG_CACHE_HOME/chatlog` or `~/.cache/chatlog`.
fn cache_dir() -> Option<PathBuf> {
    let from = |var: &str| {
        std::env::var_os(var)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    from("CHATLOG_CACHE_DIR")
        .or_else(|| from("XDG_CACHE_HOME").map(|d| d.join("chatlog")))
        .or_else(|| from("HOME").map(|d| d.join(".cache").join("chatlog")))
}

pub fn plan(
    specs: Vec<PathBuf>,
    aws: StateArgs,
    prune: bool,
    format: PlanFormat,
    detailed_exitcode: bool,
) -> Result<u8, String> {
    let progress = read_progress("plan");
    let hooks: &dyn Hooks = progress.as_ref().map_or(&(), |d| d);
    let outcome = runtime()?.block_on(plan_all(
        &specs,
        &aws,
        prune,
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
    print(&match format {
        PlanFormat::Text => {
            text::render_text(&changes, &planned.owner)
                + &plan::stack_sets::render_text(&stack_sets)
                + &plan::destinations::render_preflight(&preflight)
        }
        PlanFormat::Json => with_stack_sets(
            &with_preflight(&text::render_json(&changes, &planned.owner), &preflight),
            &stack_sets,
        ),
    })?;
    if !preflight.is_empty() || !planned.foreign_stack_sets().is_empty() {
        // The account cannot take the spec as it is: a finding, as an invalid spec is.
        return Ok(FINDINGS);
    }
    let pending = changes.iter().any(Change::pending) || planned.stack_sets_pending();
    Ok(if detailed_exitcode && pending {
        FINDINGS
    } else {
        CLEAN
    })
}

/// The plan's JSON document with the preflight problems added.
fn with_preflight(plan_json: &str, preflight: &[Preflight]) -> String {
    let Ok(serde_json::Value::Object(mut doc)) = serde_json::from_str(plan_json) else {
        return plan_json.to_owned();
    };
    doc.insert("preflight".to_owned(), serde_json::json!(preflight));
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

/// The plan's JSON document with the stack sets' plans added (only when the spec has some).
fn with_stack_sets(plan_json: &str, stack_sets: &[plan::stack_sets::StackSetPlan]) -> String {
    if stack_sets.is_empty() {
        return plan_json.to_owned();
    }
    let Ok(serde_json::Value::Object(mut doc)) = serde_json::from_str(plan_json) else {
        return plan_json.to_owned();
    };
    doc.insert("stack_sets".to_owned(), serde_json::json!(stack_sets));
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

pub struct ApplyRequest {
    pub specs: Vec<PathBuf>,
    pub aws: StateArgs,
    pub auto_approve: bool,
    pub prune: bool,
    pub audit_log: Option<PathBuf>,
    pub wait_timeout: u64,
    pub format: PlanFormat,
}

fn confirm() -> Result<bool, String> {
    let mut err = std::io::stderr();
    let _ = write!(err, "Apply these changes? Only `yes` is accepted: ");
    let _ = err.flush();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| format!("cannot read the answer: {e}"))?;
    Ok(answer.trim() == "yes")
}

/// How apply shows its events: JSON lines when asked, a display on a terminal, else a line per
/// finished change on standard error.
enum View {
    Json(live_view::JsonLines),
    Display(live_view::Display),
    Lines(live_view::Lines),
}

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
fn json_line(value: &serde_json::Value) -> Result<(), String> {
    print(&(serde_json::to_string(value).unwrap_or_default() + "\n"))
}

pub fn apply(req: ApplyRequest) -> Result<u8, String> {
    let interactive = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    if !req.auto_approve && !interactive {
        return Err(
            "apply needs confirmation, and there is no terminal to ask on: pass --auto-approve"
                .to_owned(),
        );
    }
    let json = req.format == PlanFormat::Json;
    let audit = match &req.audit_log {
        Some(path) => Some(Arc::new(AuditLog::open(path)?)),
        None => None,
    };
    let rt = runtime()?;
    let reading = if json {
        Some(View::Json(live_view::JsonLines))
    } else {
        read_progress("read").map(View::Display)
    };
    let outcome = rt.block_on(plan_all(
        &req.specs,
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
            "summary": text::summary(&changes),
            "preflight": preflight,
            "stack_sets": planned.stack_set_plans(),
        }))?;
    } else {
        print(&text::render_text(&changes, &planned.owner))?;
        print(&plan::stack_sets::render_text(&planned.stack_set_plans()))?;
    }
    if !preflight.is_empty() {
        if !json {
            print(&plan::destinations::render_preflight(&preflight))?;
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
            return Err(foreign_error(&foreign));
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
        View::Json(live_view::JsonLines)
    } else if std::io::stderr().is_terminal() {
        View::Display(live_view::Display::new("apply"))
    } else {
        View::Lines(live_view::Lines)
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
            .map_err(|f| format!("applied, but reading back failed: {}", read_failures(&f)))?,
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
        print(&outcome_text(&outcomes))?;
        print(&stack_set_outcome_text(&set_outcomes))?;
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
        return Err(format!(
            "apply failed: {}. Run apply again once the cause is fixed: it plans from what CloudFormation has now",
            failed_sets.join("; ")
        ));
    }
    if !foreign.is_empty() {
        return Err(foreign_error(&foreign));
    }
    if !all_done {
        let failed: Vec<&str> = outcomes
            .iter()
            .filter(|o| !o.succeeded())
            .map(|o| o.deployment.as_str())
            .collect();
        return Err(format!(
            "apply failed in {}; the other deployments finished. Run apply again: it plans from what the accounts have now",
            failed.join(", ")
        ));
    }
    if audit.as_ref().is_some_and(|a| a.incomplete()) {
        return Err("applied, but some audit-log records could not be written".to_owned());
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
            .map_err(|e| format!("applied, but reading the stack sets back failed: {e}"))?,
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
        print(&list("Still differs after apply (read back)", &differs))?;
    }
    let _ = writeln!(
        std::io::stderr(),
        "error: the account does not match the spec after apply: {} change{} still pending; run `chatlog plan` to see them, then apply again",
        differs.len(),
        if differs.len() == 1 { " is" } else { "s are" }
    );
    Ok(FINDINGS)
}

fn foreign_error(foreign: &[String]) -> String {
    format!(
        "{}; chatlog never changes a stack set it did not create: rename the spec's stack set (`name`) or settle the other one yourself",
        foreign.join("; ")
    )
}

fn stack_set_outcome_text(outcomes: &[engine::stack_sets::StackSetOutcome]) -> String {
    let mut out = String::new();
    for o in outcomes {
        for d in &o.done {
            out.push_str(&format!(
                "  done: stack set {} ({}): {d}\n",
                o.stack_set, o.administrator
            ));
        }
        for f in &o.failures {
            out.push_str(&format!(
                "  failed: stack set {} in account {} in {}: {} {}\n",
                o.stack_set, f.account, f.region, f.status, f.reason
            ));
        }
    }
    out
}

/// Per deployment, in the spec's order: what was done, what failed, what was not done.
fn outcome_text(outcomes: &[engine::DeploymentOutcome]) -> String {
    let mut out = String::new();
    for o in outcomes {
        if o.done.is_empty() && o.failed.is_empty() && o.not_done.is_empty() {
            continue;
        }
        if outcomes.len() > 1 {
            out.push_str(&format!("{}:\n", o.deployment));
        }
        let title = if o.failed.is_empty() {
            "Applied"
        } else {
            "Done"
        };
        out.push_str(&list(title, &o.done));
        if !o.failed.is_empty() {
            let failed: Vec<String> = o
                .failed
                .iter()
                .map(|(change, error)| format!("{change}: {error}"))
                .collect();
            out.push_str(&list("Failed", &failed));
            out.push_str(&list("Not done", &o.not_done));
        }
    }
    out
}

fn list(title: &str, items: &[String]) -> String {
    let mut out = format!("{title} ({}):\n", items.len());
    for item in items {
        out.push_str("  ");
        out.push_str(item);
        out.push('\n');
    }
    out
}

pub fn drift(
    specs: Vec<PathBuf>,
    aws: StateArgs,
    drift_format: DriftFormat,
    explain: bool,
    baseline_args: BaselineArgs,
) -> Result<u8, String> {
    let format = drift_format.report().unwrap_or(Format::Text);
    let baseline = crate::baseline_command::load(&baseline_args)?;
    let rt = runtime()?;
    let progress = read_progress("drift");
    let outcome = rt.block_on(plan_all(
        &specs,
        &aws,
        false,
        None,
        format,
        true,
        progress.as_ref().map_or(&(), |d| d),
    ));
    drop(progress);
    let mut planned = match outcome? {
        Outcome::Planned(p) => p,
        Outcome::Invalid => return Ok(FINDINGS),
    };
    let changes = planned.changes();
    let pairs: Vec<(&Deployment, &RegionInventory)> = planned
        .plans
        .iter()
        .map(|r| (&r.deployment, &r.live))
        .collect();
    let mut diagnostics =
        chatlog::drift::live::findings(&changes, &pairs, &planned.validation.sources);
    for run in &planned.plans {
        diagnostics.extend(chatlog::drift::live::destination_findings(
            &run.deployment,
            &run.live_destinations,
            &run.changes,
            &run.preflight,
            &planned.validation.sources,
        ));
    }
    diagnostics.extend(
        rt.block_on(engine::stack_sets::drift(
            &planned.stack_sets,
            &planned.validation.sources,
            &ProgressLines,
        ))
        .map_err(|e| format!("checking the stack sets failed: {e}"))?,
    );
    if explain {
        let explanations = rt.block_on(explanations(&planned))?;
        attach_explanations(&mut diagnostics, &explanations, &planned.validation.sources);
    }
    chatlog::diagnostic::sort(&mut diagnostics);
    crate::baseline_command::settle(
        &mut diagnostics,
        &baseline_args,
        baseline,
        &mut planned.validation.sources,
    )?;
    // Drift fails on any finding, warnings too, unless a baseline accepts it.
    let found = if diagnostics.iter().all(|d| d.suppression.is_some()) {
        CLEAN
    } else {
        FINDINGS
    };
    if drift_format == DriftFormat::Mermaid {
        let model = &planned.model;
        let marks = chatlog::drift::picture::marks(model, &changes);
        let graph = chatlog::graph::build(model, None, &marks).map_err(|e| e.to_string())?;
        print(&chatlog::graph::mermaid::write(&graph))?;
        return Ok(found);
    }
    let text = report::render(
        format,
        &diagnostics,
        &planned.validation.sources,
        &planned.validation.summary,
        color(&std::io::stdout()),
    );
    print(&text)?;
    Ok(found)
}

/// CloudTrail's event source for a resource type (`drift --explain`).
fn event_source(resource_type: &str) -> Option<&'static str> {
    let sources = chatlog::explain::EVENT_SOURCES;
    let index = [
        "AWS::IVSChat::",
        "AWS::S3::",
        "AWS::Logs::",
        "AWS::KinesisFirehose::",
        "AWS::Lex::",
        "AWS::IAM::",
    ]
    .iter()
    .position(|prefix| resource_type.starts_with(prefix))?;
    sources.get(index).copied()
}

/// For every pending change, the CloudTrail write events that name its resource, keyed by the
/// spec entry the change belongs to. Each event source is looked up once per deployment, and
/// only when a change needs it.
async fn explanations(
    planned: &Planned,
) -> Result<Vec<(chatlog::spec::load::Origin, Vec<String>)>, String> {
    use chatlog::aws::TrailApi;
    let mut out = Vec::new();
    for run in &planned.plans {
        let pending: Vec<&Change> = run.changes.iter().filter(|c| c.pending()).collect();
        let mut sources: Vec<&'static str> = pending
            .iter()
            .filter_map(|c| event_source(c.resource_type))
            .collect();
        sources.sort_unstable();
        sources.dedup();
        let mut events = Vec::new();
        for source in sources {
            events.extend(
                run.clients
                    .trail
                    .writes(source.to_owned())
                    .await
                    .map_err(|e| e.to_string())?,
            );
        }
        for c in pending {
            let Some(origin) = &c.origin else { continue };
            let ids = chatlog::explain::identifiers(c);
            out.push((origin.clone(), chatlog::explain::explain(&events, &ids)));
        }
    }
    Ok(out)
}

/// Each finding at a spec entry gets the explanation of that entry's changes.
fn attach_explanations(
    diagnostics: &mut [chatlog::diagnostic::Diagnostic],
    explanations: &[(chatlog::spec::load::Origin, Vec<String>)],
    sources: &chatlog::spec::source::Sources,
) {
    for d in diagnostics.iter_mut() {
        let Some(at) = &d.location else { continue };
        let mut lines: Vec<String> = explanations
            .iter()
            .filter(|(origin, _)| {
                at.pointer.as_deref() == Some(origin.pointer.as_str())
                    && sources.get(origin.file).is_some_and(|f| f.path == at.file)
            })
            .flat_map(|(_, lines)| lines.iter().cloned())
            .collect();
        if lines.is_empty()
            && !explanations
                .iter()
                .any(|(origin, _)| at.pointer.as_deref() == Some(origin.pointer.as_str()))
        {
            continue;
        }
        lines.sort();
        lines.reverse();
        lines.dedup();
        let text = chatlog::explain::detail(&lines);
        d.detail = Some(match d.detail.take() {
            Some(before) => format!("{before}\n{text}"),
            None => text,
        });
    }
}
