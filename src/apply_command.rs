//! `chatlog plan`, `apply` and `drift` (binary side): validate the spec, read every deployment's
//! account through the AWS layer, plan, and print, execute or report.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chatlog::aws::{
    AuditLog, SdkChat, SdkDestinations, SdkLex, SdkTrail, Waits, apply_changes, describe_change,
    read_bots, read_destinations, read_region,
};
use chatlog::cli::{BaselineArgs, DriftFormat, PlanFormat, StateArgs};
use chatlog::live::RegionInventory;
use chatlog::live::cache::RoomCache;
use chatlog::live::destinations::LiveDestinations;
use chatlog::model::Deployment;
use chatlog::plan::{self, Change, Preflight, text};
use chatlog::report::{self, Format};
use chatlog::validate::Validation;

use crate::live_command::{connection, runtime};
use crate::{CLEAN, FAILURE, FINDINGS, color, print, read_inputs};

struct DeploymentRun {
    deployment: Deployment,
    chat: SdkChat,
    destinations: SdkDestinations,
    lex: SdkLex,
    trail: SdkTrail,
    live: RegionInventory,
    live_destinations: LiveDestinations,
    changes: Vec<Change>,
    /// What stops an apply at this deployment's destinations.
    preflight: Vec<Preflight>,
}

struct Planned {
    validation: Validation,
    owner: String,
    runs: Vec<DeploymentRun>,
}

impl Planned {
    fn changes(&self) -> Vec<Change> {
        self.runs.iter().flat_map(|r| r.changes.clone()).collect()
    }
    fn preflight(&self) -> Vec<Preflight> {
        self.runs.iter().flat_map(|r| r.preflight.clone()).collect()
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

async fn plan_all(
    specs: &[PathBuf],
    aws: &StateArgs,
    prune: bool,
    audit: Option<Arc<AuditLog>>,
    diagnostics_format: Format,
    diagnostics_to_stdout: bool,
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
    let connection = connection(&aws.aws);
    let mut runs = Vec::new();
    for deployment in model.deployments {
        let mut session = connection
            .session(&deployment.access, &deployment.region)
            .await
            .map_err(|e| e.to_string())?;
        session.audit = audit.clone();
        let account = session.caller_account().await.map_err(|e| e.to_string())?;
        if account != deployment.account {
            return Err(format!(
                "the credentials for {}/{} are for account {account}: name a profile or role for account {} under `accounts` in the spec, or pass --profile",
                deployment.account, deployment.region, deployment.account
            ));
        }
        let chat = SdkChat::new(&session, &account);
        let cache_file = (!aws.no_cache)
            .then(|| aws.cache_dir.clone().or_else(cache_dir))
            .flatten()
            .map(|dir| dir.join(format!("rooms-{account}-{}.json", deployment.region)));
        let mut cache = cache_file
            .as_ref()
            .and_then(|f| std::fs::read_to_string(f).ok())
            .map(|text| RoomCache::from_json(&text))
            .unwrap_or_default();
        let live = read_region(
            &chat,
            &account,
            &deployment.region,
            true,
            &(),
            Some(&mut cache),
        )
        .await
        .map_err(|e| e.to_string())?;
        if let Some(file) = &cache_file {
            save_cache(file, &cache);
        }
        let destinations = SdkDestinations::new(&session, &account);
        let live_destinations = read_destinations(&destinations, &deployment)
            .await
            .map_err(|e| e.to_string())?;
        let at_destinations = plan::plan_destinations(&deployment, &live_destinations, &owner);
        let chat_changes = plan::plan_deployment(&deployment, &live, &owner, prune);
        let mut changes = at_destinations.changes;
        if prune {
            changes.extend(plan::destinations::kept_on_prune(
                &deployment,
                &live,
                &chat_changes,
            ));
        }
        changes.extend(chat_changes);
        // Lex bots: their roles' policies and their aliases' conversation logs (plan::lex).
        let lex = SdkLex::new(&session, &account);
        let live_bots = read_bots(&lex, &deployment)
            .await
            .map_err(|e| e.to_string())?;
        changes.extend(plan::lex::plan_bots(&deployment, &live_bots));
        let trail = SdkTrail::new(&session, &account);
        runs.push(DeploymentRun {
            deployment,
            chat,
            destinations,
            lex,
            trail,
            live,
            live_destinations,
            changes,
            preflight: at_destinations.preflight,
        });
    }
    Ok(Outcome::Planned(Box::new(Planned {
        validation,
        owner,
        runs,
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

/// Best effort and atomic: a cache that cannot be written only costs GetRoom calls next time.
fn save_cache(file: &std::path::Path, cache: &RoomCache) {
    let Some(dir) = file.parent() else {
        return;
    };
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    let temp = file.with_extension(format!("tmp-{}", std::process::id()));
    let written = std::fs::write(&temp, cache.to_json()).is_ok();
    if !written || std::fs::rename(&temp, file).is_err() {
        let _ = std::fs::remove_file(&temp);
    }
}

pub fn plan(
    specs: Vec<PathBuf>,
    aws: StateArgs,
    prune: bool,
    format: PlanFormat,
    detailed_exitcode: bool,
) -> Result<u8, String> {
    let planned =
        match runtime()?.block_on(plan_all(&specs, &aws, prune, None, Format::Text, false))? {
            Outcome::Planned(p) => p,
            Outcome::Invalid => return Ok(FINDINGS),
        };
    let changes = planned.changes();
    let preflight = planned.preflight();
    print(&match format {
        PlanFormat::Text => {
            text::render_text(&changes, &planned.owner)
                + &plan::destinations::render_preflight(&preflight)
        }
        PlanFormat::Json => {
            with_preflight(&text::render_json(&changes, &planned.owner), &preflight)
        }
    })?;
    if !preflight.is_empty() {
        // The account cannot take the spec as it is: a finding, as an invalid spec is.
        return Ok(FINDINGS);
    }
    let pending = changes.iter().any(Change::pending);
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

pub struct ApplyRequest {
    pub specs: Vec<PathBuf>,
    pub aws: StateArgs,
    pub auto_approve: bool,
    pub prune: bool,
    pub audit_log: Option<PathBuf>,
    pub wait_timeout: u64,
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

pub fn apply(req: ApplyRequest) -> Result<u8, String> {
    let interactive = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    if !req.auto_approve && !interactive {
        return Err(
            "apply needs confirmation, and there is no terminal to ask on: pass --auto-approve"
                .to_owned(),
        );
    }
    let audit = match &req.audit_log {
        Some(path) => Some(Arc::new(AuditLog::open(path)?)),
        None => None,
    };
    let rt = runtime()?;
    let planned = match rt.block_on(plan_all(
        &req.specs,
        &req.aws,
        req.prune,
        audit.clone(),
        Format::Text,
        false,
    ))? {
        Outcome::Planned(p) => p,
        Outcome::Invalid => return Ok(FINDINGS),
    };
    let changes = planned.changes();
    print(&text::render_text(&changes, &planned.owner))?;
    let preflight = planned.preflight();
    if !preflight.is_empty() {
        print(&plan::destinations::render_preflight(&preflight))?;
        let _ = writeln!(
            std::io::stderr(),
            "error: apply stopped before any change: fix the {} problem{} at destinations above, then run apply again",
            preflight.len(),
            if preflight.len() == 1 { "" } else { "s" }
        );
        return Ok(FINDINGS);
    }
    if plan::execution_order(&changes).is_empty() {
        print("Nothing to apply.\n")?;
        return Ok(CLEAN);
    }
    if !req.auto_approve && !confirm()? {
        print("Not applied.\n")?;
        return Ok(FAILURE);
    }
    let waits = Waits {
        active_timeout: Duration::from_secs(req.wait_timeout),
        ..Waits::default()
    };
    let mut done_all: Vec<String> = Vec::new();
    for (i, run) in planned.runs.iter().enumerate() {
        match rt.block_on(apply_changes(
            &run.chat,
            &run.destinations,
            &run.lex,
            &run.changes,
            waits,
        )) {
            Ok(done) => done_all.extend(done),
            Err(failure) => {
                done_all.extend(failure.done);
                let mut message = format!("{} failed: {}\n", failure.failed, failure.error);
                message.push_str(&list("Done", &done_all));
                let mut not_done = failure.not_done;
                for later in planned.runs.iter().skip(i + 1) {
                    not_done.extend(
                        plan::execution_order(&later.changes)
                            .iter()
                            .map(|c| describe_change(c)),
                    );
                }
                message.push_str(&list("Not done", &not_done));
                message.push_str("Run apply again: it plans from what the account has now.");
                return Err(message);
            }
        }
    }
    print(&list("Applied", &done_all))?;
    if audit.as_ref().is_some_and(|a| a.incomplete()) {
        return Err("applied, but some audit-log records could not be written".to_owned());
    }
    Ok(CLEAN)
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
    let mut planned = match rt.block_on(plan_all(&specs, &aws, false, None, format, true))? {
        Outcome::Planned(p) => p,
        Outcome::Invalid => return Ok(FINDINGS),
    };
    let changes = planned.changes();
    let pairs: Vec<(&Deployment, &RegionInventory)> = planned
        .runs
        .iter()
        .map(|r| (&r.deployment, &r.live))
        .collect();
    let mut diagnostics =
        chatlog::drift::live::findings(&changes, &pairs, &planned.validation.sources);
    for run in &planned.runs {
        diagnostics.extend(chatlog::drift::live::destination_findings(
            &run.deployment,
            &run.live_destinations,
            &run.changes,
            &run.preflight,
            &planned.validation.sources,
        ));
    }
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
        let model = planned
            .validation
            .model
            .as_ref()
            .ok_or("internal error: a planned spec without a model")?;
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
    for run in &planned.runs {
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
                run.trail
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
