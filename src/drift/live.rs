//! Live drift: a plan's pending changes, and what a plan does not change but log delivery needs,
//! as findings located at the spec line that declares the resource.

use crate::diagnostic::{Diagnostic, Rule};
use crate::live::{LiveDestination, RegionInventory};
use crate::model::{Deployment, DestinationKind};
use crate::plan::{Action, CONFIGURATION, Change};
use crate::spec::source::{Anchor, Sources};

pub fn findings(
    changes: &[Change],
    deployments: &[(&Deployment, &RegionInventory)],
    sources: &Sources,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let at = |c: &Change| {
        c.origin
            .as_ref()
            .and_then(|o| sources.locate(o.file, &o.pointer, Anchor::Key))
    };
    for c in changes {
        let place = format!("{}/{}", c.account, c.region);
        let d = match c.action {
            Action::NoChange => continue,
            Action::Create => Diagnostic::new(
                Rule::LiveMissing,
                format!("{} `{}` does not exist in {place}", c.resource_type, c.key),
            )
            .help("run `chatlog apply` to create it"),
            Action::Update => {
                let what: Vec<String> = c
                    .diffs
                    .iter()
                    .map(|d| format!("{} is {} (spec: {})", d.attribute, d.before, d.after))
                    .collect();
                Diagnostic::new(
                    Rule::LiveChanged,
                    format!(
                        "{} `{}` in {place} differs: {}",
                        c.resource_type,
                        c.key,
                        what.join("; ")
                    ),
                )
                .help(c.blocked.clone().unwrap_or_else(|| {
                    "run `chatlog apply` to set it back, or change the spec".to_owned()
                }))
            }
            Action::Delete => Diagnostic::new(
                Rule::LiveNotInSpec,
                format!(
                    "{} `{}` ({}) carries this spec's ownership tag but is not in the spec",
                    c.resource_type,
                    c.key,
                    c.arn.as_deref().unwrap_or("?")
                ),
            )
            .help("run `chatlog apply --prune` to delete it, or add it back to the spec"),
        };
        out.push(d.at(at(c)));
    }
    for (deployment, live) in deployments {
        not_active(deployment, live, changes, sources, &mut out);
        foreign_writers(deployment, live, changes, &mut out);
    }
    out
}

fn not_active(
    deployment: &Deployment,
    live: &RegionInventory,
    changes: &[Change],
    sources: &Sources,
    out: &mut Vec<Diagnostic>,
) {
    for c in changes.iter().filter(|c| {
        c.resource_type == CONFIGURATION
            && c.account == deployment.account
            && c.region == deployment.region
    }) {
        let Some(l) = c
            .arn
            .as_ref()
            .and_then(|arn| live.logging_configurations.iter().find(|l| &l.arn == arn))
        else {
            continue;
        };
        if l.state != "ACTIVE" {
            let at = c
                .origin
                .as_ref()
                .and_then(|o| sources.locate(o.file, &o.pointer, Anchor::Key));
            out.push(
                Diagnostic::new(
                    Rule::LiveNotActive,
                    format!("logging configuration `{}` ({}) is {}", c.key, l.arn, l.state),
                )
                .at(at)
                .help(if l.state.ends_with("FAILED") {
                    "check that the destination exists and lets log delivery write; then run `chatlog apply`"
                } else {
                    "it is still changing; run drift again in a minute"
                }),
            );
        }
    }
}

fn foreign_writers(
    deployment: &Deployment,
    live: &RegionInventory,
    changes: &[Change],
    out: &mut Vec<Diagnostic>,
) {
    let ours: Vec<&str> = changes
        .iter()
        .filter(|c| c.resource_type == CONFIGURATION && c.action != Action::Delete)
        .filter_map(|c| c.arn.as_deref())
        .collect();
    for l in &live.logging_configurations {
        if ours.contains(&l.arn.as_str()) {
            continue;
        }
        let target = deployment
            .destinations
            .iter()
            .find(|d| match (&d.kind, &l.destination) {
                (DestinationKind::S3 { bucket }, LiveDestination::S3 { bucket_name }) => {
                    bucket == bucket_name
                }
                (
                    DestinationKind::CloudWatchLogs { log_group, .. },
                    LiveDestination::CloudWatchLogs { log_group_name },
                ) => log_group == log_group_name,
                (
                    DestinationKind::Firehose { delivery_stream },
                    LiveDestination::Firehose {
                        delivery_stream_name,
                    },
                ) => delivery_stream == delivery_stream_name,
                _ => false,
            });
        if let Some(d) = target {
            out.push(
                Diagnostic::new(
                    Rule::LiveForeignWriter,
                    format!(
                        "logging configuration `{}` ({}) is not in the spec but writes to destination `{}`",
                        l.name, l.arn, d.key
                    ),
                )
                .help("add it to the spec, or delete it if nobody needs it: its messages mix with the spec's"),
            );
        }
    }
}
