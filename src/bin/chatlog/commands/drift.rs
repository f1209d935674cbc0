//! `chatlog drift`: compare each deployment's account and the stack sets with the spec,
//! read-only, and report what differs at the spec's lines (or on its picture).

use crate::args::{BaselineArgs, SpecFiles, StateArgs};
use crate::error::CliError;
// What `run` needs of the AWS layer; without it, `run` only says the build lacks it.
#[cfg(feature = "aws")]
use {
    super::live::{Outcome, Planned, plan_all, read_progress, runtime},
    crate::io::{color, print},
    crate::{CLEAN, FINDINGS},
    chatlog::engine::{self, stack_sets::ProgressLines},
    chatlog::live::RegionInventory,
    chatlog::model::Deployment,
    chatlog::plan::Change,
    chatlog::report::{self, Format},
};

pub const HELP: &str = "\
Exit codes:
  0  the accounts match the specs (or --baseline accepts every finding)
  1  drift found, an expired or stale baseline entry (or an invalid spec)
  2  usage, I/O or AWS error, a malformed baseline (with its line and column)";

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    spec: SpecFiles,
    #[command(flatten)]
    aws: StateArgs,
    /// Output format
    #[arg(long, value_enum, default_value = "text")]
    format: DriftFormat,
    /// For each drifted resource, the CloudTrail events that wrote to it: who, when, from
    /// which address, with which call (LookupEvents; cloudtrail:LookupEvents)
    #[arg(long)]
    explain: bool,
    #[command(flatten)]
    baseline: BaselineArgs,
}

/// `drift` reports in every shared format, or as the spec's picture with the drift marked on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum DriftFormat {
    /// Human-readable, with source snippets
    Text,
    /// One JSON document
    Json,
    /// SARIF 2.1.0, for code-scanning upload
    Sarif,
    /// JUnit XML, for CI test reports
    Junit,
    /// GitHub Actions annotations (workflow commands)
    Github,
    /// The rooms -> configurations -> destinations picture (Mermaid) with drifted parts marked
    Mermaid,
}

#[cfg(feature = "aws")]
impl DriftFormat {
    /// The shared report format, for all but the picture.
    fn report(self) -> Option<chatlog::report::Format> {
        match self {
            DriftFormat::Text => Some(chatlog::report::Format::Text),
            DriftFormat::Json => Some(chatlog::report::Format::Json),
            DriftFormat::Sarif => Some(chatlog::report::Format::Sarif),
            DriftFormat::Junit => Some(chatlog::report::Format::Junit),
            DriftFormat::Github => Some(chatlog::report::Format::Github),
            DriftFormat::Mermaid => None,
        }
    }
}

#[cfg(not(feature = "aws"))]
pub fn run(_: Args) -> Result<u8, CliError> {
    super::without_aws()
}

#[cfg(feature = "aws")]
pub fn run(args: Args) -> Result<u8, CliError> {
    let Args {
        spec,
        aws,
        format: drift_format,
        explain,
        baseline: baseline_args,
    } = args;
    let specs = spec.specs;
    let format = drift_format.report().unwrap_or(Format::Text);
    let baseline = crate::baseline::load(&baseline_args)?;
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
        .map_err(|e| CliError::Live(format!("checking the stack sets failed: {e}")))?,
    );
    if explain {
        let explanations = rt.block_on(explanations(&planned))?;
        attach_explanations(&mut diagnostics, &explanations, &planned.validation.sources);
    }
    chatlog::diagnostic::sort(&mut diagnostics);
    crate::baseline::settle(
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
        let graph = chatlog::graph::build(model, None, &marks)?;
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
#[cfg(feature = "aws")]
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
#[cfg(feature = "aws")]
async fn explanations(
    planned: &Planned,
) -> Result<Vec<(chatlog::spec::load::Origin, Vec<String>)>, CliError> {
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
            events.extend(run.clients.trail.writes(source.to_owned()).await?);
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
#[cfg(feature = "aws")]
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
