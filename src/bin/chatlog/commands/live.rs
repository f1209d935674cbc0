//! What the AWS commands share: reaching AWS as the flags say, reading every deployment of a
//! validated spec and planning it (plan, apply, drift), reading regions (inventory, import).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;

use chatlog::aws::{AuditLog, Connection, OperationWaits, Progress, SdkChat, read_region};
use chatlog::engine::stack_sets::StackSetRun;
use chatlog::engine::{self, DeploymentPlan, Hooks, ReadFailure, RoomCacheDir, SdkConnector};
use chatlog::live::RegionInventory;
use chatlog::model::{Access, Model};
use chatlog::plan::{self, Change, Preflight};
use chatlog::report::Format;
use chatlog::validate::Validation;

use crate::args::{AwsArgs, StateArgs};
use crate::error::CliError;
use crate::io::{color, print, read_inputs};
use crate::view;

/// How to reach AWS, as the command line says (every AWS command: inventory, import, plan,
/// apply, drift).
pub fn connection(aws: &AwsArgs) -> Connection {
    Connection {
        profile: aws.profile.clone(),
        endpoint_url: aws.endpoint_url.clone(),
        ..Connection::default()
    }
}

pub fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Io(format!("could not start the async runtime: {e}")))
}

/// The regions named, or the one the profile or environment names.
async fn regions(aws: &AwsArgs, named: &[String]) -> Result<Vec<String>, CliError> {
    if !named.is_empty() {
        let mut regions = named.to_vec();
        regions.sort();
        regions.dedup();
        return Ok(regions);
    }
    let mut chain = aws_config::default_provider::region::DefaultRegionChain::builder();
    if let Some(p) = &aws.profile {
        chain = chain.profile_name(p);
    }
    match chain.build().region().await {
        Some(r) => Ok(vec![r.to_string()]),
        None => Err(CliError::Usage(
            "no region: pass --region (several times for several regions) or set AWS_REGION"
                .to_owned(),
        )),
    }
}

/// Counts on standard error while listing, only when it is a terminal.
struct TerminalProgress;

impl Progress for TerminalProgress {
    fn rooms_listed(&self, region: &str, count: usize) {
        let _ = write!(std::io::stderr(), "\r\x1b[K{region}: {count} rooms listed");
    }
    fn rooms_read(&self, region: &str, done: usize, total: usize) {
        let _ = write!(
            std::io::stderr(),
            "\r\x1b[K{region}: {done}/{total} rooms read"
        );
    }
}

pub async fn read_all(
    aws: &AwsArgs,
    named: &[String],
    room_details: bool,
) -> Result<Vec<RegionInventory>, CliError> {
    let connection = connection(aws);
    let terminal = std::io::stderr().is_terminal();
    let progress: &dyn Progress = if terminal { &TerminalProgress } else { &() };
    let mut all = Vec::new();
    for region in regions(aws, named).await? {
        let session = connection.session(&Access::default(), &region).await?;
        let account = session.caller_account().await?;
        let chat = SdkChat::new(&session, &account);
        let result = read_region(&chat, &account, &region, room_details, progress, None).await;
        if terminal {
            let _ = write!(std::io::stderr(), "\r\x1b[K");
        }
        all.push(result?);
    }
    Ok(all)
}

type Plans = Vec<DeploymentPlan<SdkConnector>>;

pub struct Planned {
    pub validation: Validation,
    pub model: Model,
    pub owner: String,
    pub connector: SdkConnector,
    pub request: engine::Request,
    pub plans: Plans,
    /// The spec's stack sets, read in their administrator accounts and planned.
    pub stack_sets: Vec<StackSetRun>,
}

impl Planned {
    pub fn stack_set_plans(&self) -> Vec<plan::stack_sets::StackSetPlan> {
        self.stack_sets.iter().map(|r| r.plan.clone()).collect()
    }
    pub fn stack_sets_pending(&self) -> bool {
        self.stack_sets.iter().any(|r| r.plan.pending())
    }
    pub fn foreign_stack_sets(&self) -> Vec<String> {
        self.stack_sets
            .iter()
            .filter_map(|r| r.plan.foreign.clone())
            .collect()
    }
}

impl Planned {
    pub fn changes(&self) -> Vec<Change> {
        self.plans.iter().flat_map(|p| p.changes.clone()).collect()
    }
    pub fn preflight(&self) -> Vec<Preflight> {
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

pub enum Outcome {
    Planned(Box<Planned>),
    /// The spec is invalid; its diagnostics are printed.
    Invalid,
}

/// Every deployment that could not be read, one line each.
pub fn read_failures(failures: &[ReadFailure]) -> String {
    let mut out = format!(
        "{} deployment{} could not be read:",
        failures.len(),
        if failures.len() == 1 { "" } else { "s" }
    );
    for f in failures {
        match f.error.help() {
            Some(help) => out.push_str(&format!("\n  {}: {}: {help}", f.deployment, f.error)),
            None => out.push_str(&format!("\n  {}: {}", f.deployment, f.error)),
        }
    }
    out
}

/// Progress while reading: a display on a terminal's standard error, nothing elsewhere.
pub fn read_progress(what: &str) -> Option<view::Display> {
    std::io::stderr()
        .is_terminal()
        .then(|| view::Display::new(what))
}

pub async fn plan_all(
    specs: &[PathBuf],
    aws: &StateArgs,
    prune: bool,
    audit: Option<Arc<AuditLog>>,
    diagnostics_format: Format,
    diagnostics_to_stdout: bool,
    hooks: &dyn Hooks,
) -> Result<Outcome, CliError> {
    let validation = chatlog::validate::validate(read_inputs(specs)?);
    let Some(model) = validation
        .model
        .clone()
        .filter(|_| !validation.has_errors())
    else {
        let text = chatlog::report::render(
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
        .map_err(|f| CliError::Live(read_failures(&f)))?;
    let stack_sets = engine::stack_sets::plan(
        &model,
        &connection(&aws.aws),
        OperationWaits::default(),
        audit.clone(),
    )
    .await
    .map_err(|e| CliError::Live(format!("reading the stack sets failed: {e}")))?;
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
