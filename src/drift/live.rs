//! Live drift: a plan's pending changes, and what a plan does not change but log delivery needs,
//! as findings located at the spec line that declares the resource.

use std::borrow::Cow;
use std::collections::BTreeSet;

use crate::diagnostic::{Diagnostic, Location, Rule};
use crate::live::RegionInventory;
use crate::live::destinations::{BucketState, LiveDestinations};
use crate::model::{Deployment, Destination, DestinationKind};
use crate::plan::destinations::{
    self as dest, BUCKET, BUCKET_POLICY, LOG_GROUP, LOG_POLICY, Preflight, Problem,
    SERVICE_LINKED_ROLE, STREAM, is_destination_type,
};
use crate::plan::{Action, CONFIGURATION, Change, live_destination};
use crate::policy::verify::{Document, Need};
use crate::spec::load::Origin;
use crate::spec::source::{Anchor, Sources};

pub fn findings(
    changes: &[Change],
    deployments: &[(&Deployment, &RegionInventory)],
    sources: &Sources,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for c in changes {
        // Destinations have findings of their own (`destination_findings`).
        if is_destination_type(c.resource_type) {
            continue;
        }
        let place = format!("{}/{}", c.account, c.region);
        let d = match c.action {
            Action::NoChange => continue,
            Action::Create => Diagnostic::new(
                Rule::LiveMissing,
                format!("{} `{}` does not exist in {place}", c.resource_type, c.key),
            )
            .help(
                c.blocked
                    .clone()
                    .unwrap_or_else(|| "run `chatlog apply` to create it".to_owned()),
            ),
            Action::Update => changed(c).help(c.blocked.clone().unwrap_or_else(|| {
                "run `chatlog apply` to set it back, or change the spec".to_owned()
            })),
            Action::Delete if c.duplicate_of.is_some() => Diagnostic::new(
                Rule::LiveDuplicate,
                format!(
                    "{} `{}` exists twice in {place}: {} is kept, {} is a duplicate",
                    c.resource_type,
                    c.key,
                    c.duplicate_of.as_deref().unwrap_or_default(),
                    c.arn.as_deref().unwrap_or_default(),
                ),
            )
            .help(c.blocked.clone().unwrap_or_else(|| {
                "run `chatlog apply` to delete the duplicate (no --prune needed: it is the spec's own)"
                    .to_owned()
            })),
            Action::Delete => Diagnostic::new(
                Rule::LiveNotInSpec,
                match c.arn.as_deref() {
                    Some(arn) => format!(
                        "{} `{}` (`{arn}`) carries this spec's ownership tag but is not in the spec",
                        c.resource_type, c.key
                    ),
                    None => format!(
                        "{} `{}` carries this spec's ownership tag but is not in the spec",
                        c.resource_type, c.key
                    ),
                },
            )
            .help("run `chatlog apply --prune` to delete it, or add it back to the spec"),
        };
        out.push(
            d.at(locate(sources, c.origin.as_ref()))
                .about(place, resource(c)),
        );
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
            out.push(
                Diagnostic::new(
                    Rule::LiveNotActive,
                    format!("logging configuration `{}` ({}) is {}", c.key, l.arn, l.state),
                )
                .at(locate(sources, c.origin.as_ref()))
                .help(if l.state.ends_with("FAILED") {
                    "check that the destination exists and lets log delivery write; then run `chatlog apply`"
                } else {
                    "it is still changing; run drift again in a minute"
                })
                .about(format!("{}/{}", c.account, c.region), resource(c)),
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
        // A duplicate is the spec's own (CL113), not someone else's writer.
        .filter(|c| {
            c.resource_type == CONFIGURATION
                && (c.action != Action::Delete || c.duplicate_of.is_some())
        })
        .filter_map(|c| c.arn.as_deref())
        .collect();
    for l in &live.logging_configurations {
        if ours.contains(&l.arn.as_str()) {
            continue;
        }
        let target = deployment
            .destinations
            .iter()
            .find(|d| live_destination(&d.kind) == l.destination);
        if let Some(d) = target {
            out.push(
                Diagnostic::new(
                    Rule::LiveForeignWriter,
                    format!(
                        "logging configuration `{}` ({}) is not in the spec but writes to destination `{}`",
                        l.name, l.arn, d.key
                    ),
                )
                .help("add it to the spec, or delete it if nobody needs it: its messages mix with the spec's")
                .about(
                    format!("{}/{}", deployment.account, deployment.region),
                    format!("{CONFIGURATION} {}", l.name),
                ),
            );
        }
    }
}

/// How a baseline names a change's resource: its type and its key in the spec.
fn resource(c: &Change) -> String {
    format!("{} {}", c.resource_type, c.key)
}

fn locate(sources: &Sources, origin: Option<&Origin>) -> Option<Location> {
    origin.and_then(|o| sources.locate(o.file, &o.pointer, Anchor::Key))
}

/// Drift at one deployment's destinations: what stops an apply (CL109-CL112), log-delivery
/// statements missing or broader in the live policies (CL105, CL106, judged by `policy
/// verify`), the Firehose role and tag (CL107, CL108), and managed destinations missing or
/// changed (CL100, CL101). Each finding is located at the destination's line in the spec.
pub fn destination_findings(
    deployment: &Deployment,
    live: &LiveDestinations,
    changes: &[Change],
    preflight: &[Preflight],
    sources: &Sources,
) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> = preflight
        .iter()
        .filter(|p| p.account == deployment.account && p.region == deployment.region)
        .map(|p| {
            let rule = match p.problem {
                Problem::Missing => Rule::LiveDestinationMissing,
                Problem::OtherRegion => Rule::LiveDestinationRegion,
                Problem::OtherOwner => Rule::LiveDestinationOwner,
                Problem::CannotMerge => Rule::LivePolicyNotMergeable,
            };
            Diagnostic::new(rule, p.message.clone())
                .at(locate(sources, p.origin.as_ref()))
                .help(p.help.clone())
                .about(
                    format!("{}/{}", p.account, p.region),
                    format!("destination {}", p.destination),
                )
        })
        .collect();
    let unusable: BTreeSet<&str> = preflight
        .iter()
        .filter(|p| p.problem != Problem::CannotMerge)
        .map(|p| p.destination.as_str())
        .collect();
    // Both once per deployment, not per destination.
    let needs = dest::needs_of(deployment, sources, |_| true);
    let log_documents = dest::log_documents(&dest::all_log_policies(live));
    let mut judged: BTreeSet<String> = BTreeSet::new();
    let mut seen: BTreeSet<(Rule, String)> = BTreeSet::new();
    for d in &deployment.destinations {
        if unusable.contains(d.key.as_str()) {
            continue;
        }
        let at_destination = needs.get(&d.key).map_or(&[][..], Vec::as_slice);
        let place = format!("{}/{}", deployment.account, deployment.region);
        for finding in policy_findings(live, &log_documents, d, at_destination, sources, &place) {
            if seen.insert((finding.rule, finding.message.clone())) {
                judged.insert(d.key.clone());
                out.push(finding);
            }
        }
    }
    // A policy of a bucket or log group that does not exist yet is part of that finding.
    let created: BTreeSet<&str> = changes
        .iter()
        .filter(|c| c.action == Action::Create && [BUCKET, LOG_GROUP].contains(&c.resource_type))
        .map(|c| c.key.as_str())
        .collect();
    let any_log_finding = deployment.destinations.iter().any(|d| {
        matches!(d.kind, DestinationKind::CloudWatchLogs { .. }) && judged.contains(&d.key)
    });
    for c in changes.iter().filter(|c| {
        c.pending()
            && c.blocked.is_none()
            && c.account == deployment.account
            && c.region == deployment.region
            && is_destination_type(c.resource_type)
            && !([BUCKET_POLICY, LOG_POLICY].contains(&c.resource_type)
                && created.contains(c.key.as_str()))
    }) {
        if let Some(d) = change_finding(c, &judged, any_log_finding) {
            out.push(
                d.at(locate(sources, c.origin.as_ref()))
                    .about(format!("{}/{}", c.account, c.region), resource(c)),
            );
        }
    }
    // A blocked change (a managed-looking destination without this spec's tags) is reported
    // with the reason apply leaves it alone.
    for c in changes.iter().filter(|c| {
        c.blocked.is_some()
            && c.action != Action::Delete
            && c.account == deployment.account
            && c.region == deployment.region
            && is_destination_type(c.resource_type)
    }) {
        out.push(
            changed(c)
                .at(locate(sources, c.origin.as_ref()))
                .help(c.blocked.clone().unwrap_or_default())
                .about(format!("{}/{}", c.account, c.region), resource(c)),
        );
    }
    out
}

/// CL101 for a resource whose attributes differ from the spec's.
fn changed(c: &Change) -> Diagnostic {
    Diagnostic::new(
        Rule::LiveChanged,
        format!(
            "{} `{}` in {}/{} differs: {}",
            c.resource_type,
            c.key,
            c.account,
            c.region,
            differences(c)
        ),
    )
}

fn differences(c: &Change) -> String {
    c.diffs
        .iter()
        .map(|d| format!("{} is {} (spec: {})", d.attribute, d.before, d.after))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The finding for a pending change at a destination, unless a policy finding already says it.
fn change_finding(
    c: &Change,
    judged: &BTreeSet<String>,
    any_log_finding: bool,
) -> Option<Diagnostic> {
    let place = format!("{}/{}", c.account, c.region);
    match (c.resource_type, c.action) {
        (SERVICE_LINKED_ROLE, _) => Some(
            Diagnostic::new(
                Rule::LiveServiceLinkedRoleMissing,
                format!(
                    "{place} has no service-linked role for log delivery (`{}`), which Firehose destinations need",
                    c.key
                ),
            )
            .help("run `chatlog apply` to create it (iam:CreateServiceLinkedRole for `delivery.logs.amazonaws.com`)"),
        ),
        (STREAM, _) => Some(
            Diagnostic::new(
                Rule::LiveStreamTagMissing,
                format!(
                    "Firehose stream of destination `{}` in {place} lacks the tag LogDeliveryEnabled=true: {}",
                    c.key,
                    differences(c)
                ),
            )
            .help("run `chatlog apply` to tag it; log delivery's role may only write to streams with that tag"),
        ),
        (BUCKET_POLICY | LOG_POLICY, _) if judged.contains(&c.key) => None,
        (LOG_POLICY, _) if any_log_finding => None,
        (BUCKET | LOG_GROUP, Action::Create) => Some(
            Diagnostic::new(
                Rule::LiveMissing,
                format!("{} `{}` does not exist in {place}", c.resource_type, c.key),
            )
            .help("run `chatlog apply` to create it"),
        ),
        _ => Some(changed(c).help("run `chatlog apply` to set it back, or change the spec")),
    }
}

/// `policy verify`'s findings on the live policies of one destination, as drift findings at
/// the destination's spec line.
fn policy_findings(
    live: &LiveDestinations,
    log_documents: &Result<Vec<Document>, String>,
    d: &Destination,
    needs: &[Need],
    sources: &Sources,
    place: &str,
) -> Vec<Diagnostic> {
    let subject = format!("destination {}", d.key);
    let (what, documents): (&str, Result<Cow<'_, [Document]>, String>) = match &d.kind {
        DestinationKind::S3 { bucket } => {
            let Some(BucketState::Owned(owned)) = live.bucket(bucket).map(|b| &b.state) else {
                return Vec::new();
            };
            (
                "live bucket policy",
                dest::bucket_documents(bucket, owned.policy.as_deref()).map(Cow::Owned),
            )
        }
        DestinationKind::CloudWatchLogs { log_group, .. } => {
            if live
                .log_group(log_group)
                .is_none_or(|g| g.present.is_none())
            {
                return Vec::new();
            }
            (
                "live log resource policies",
                log_documents
                    .as_ref()
                    .map(|docs| Cow::Borrowed(docs.as_slice()))
                    .map_err(Clone::clone),
            )
        }
        DestinationKind::Firehose { .. } => return Vec::new(),
    };
    let at = sources.locate(d.origin.file, &d.origin.pointer, Anchor::Key);
    let documents = match documents {
        Ok(documents) => documents,
        Err(message) => {
            return vec![
                Diagnostic::new(Rule::LiveDeliveryBlocked, message)
                    .at(at)
                    .help("chatlog reads policies as `policy verify` does; fix the policy so that it parses")
                    .about(place, subject),
            ];
        }
    };
    crate::policy::verify::verify(needs, &documents)
        .into_iter()
        .map(|v| {
            let blocks = dest::blocks_delivery(&v);
            let rule = if blocks {
                Rule::LiveDeliveryBlocked
            } else {
                Rule::LiveDeliveryBroader
            };
            let help = match (blocks, d.managed) {
                (true, _) => "run `chatlog apply`: it adds what log delivery lacks (to a policy chatlog does not own only by merging statements in)".to_owned(),
                (false, true) => "run `chatlog apply`: it rewrites the policy of a destination chatlog manages".to_owned(),
                (false, false) => format!(
                    "{}; chatlog never removes statements from a policy it does not own",
                    v.help.clone().unwrap_or_default()
                ),
            };
            // The key spells out statements without Sid, as `policy verify` names them.
            let key = v.subject.as_ref().map_or(v.message.as_str(), |s| s.key.as_str());
            let mut finding = Diagnostic::new(
                rule,
                format!("{what}: {} ({} in `policy verify`)", v.message, v.rule.id()),
            )
            .at(at.clone())
            .help(help)
            .about(place, subject.clone());
            if let Some(s) = finding.subject.as_mut() {
                s.key = format!("{what}: {key} ({} in `policy verify`)", v.rule.id());
            }
            finding
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::{LiveDestination, LiveLoggingConfiguration, Tags};

    const SPEC: &str = r#"
version: 1
defaults: {account: "111122223333", region: us-west-2}
destinations:
  archive: {s3: {bucket: acme-archive}}
  tail: {cloudwatch_logs: {log_group: /ivs/tail}}
logging_configurations:
  archive: {destination: archive}
"#;

    fn configuration(id: &str, destination: LiveDestination) -> LiveLoggingConfiguration {
        LiveLoggingConfiguration {
            arn: format!("arn:aws:ivschat:us-west-2:111122223333:logging-configuration/{id}"),
            id: id.to_owned(),
            name: id.to_owned(),
            state: "ACTIVE".to_owned(),
            destination,
            tags: Tags::new(),
            create_time: None,
            update_time: None,
        }
    }

    #[test]
    fn configurations_outside_the_spec_are_reported_only_at_the_specs_destinations() {
        let deployment = crate::plan::test_support::deployment(SPEC);
        let bucket = |name: &str| LiveDestination::S3 {
            bucket_name: name.to_owned(),
        };
        let live = RegionInventory {
            account: "111122223333".to_owned(),
            region: "us-west-2".to_owned(),
            logging_configurations: vec![
                configuration("archive", bucket("acme-archive")),
                configuration("intoarchive", bucket("acme-archive")),
                configuration(
                    "intotail",
                    LiveDestination::CloudWatchLogs {
                        log_group_name: "/ivs/tail".to_owned(),
                    },
                ),
                configuration("elsewhere", bucket("acme-other")),
                configuration(
                    "samename",
                    LiveDestination::Firehose {
                        delivery_stream_name: "acme-archive".to_owned(),
                    },
                ),
                configuration("unknown", LiveDestination::Unknown),
            ],
            rooms: vec![],
        };
        let changes = crate::plan::plan_deployment(&deployment, &live, "s", false);
        let ours = changes
            .iter()
            .find(|c| c.resource_type == CONFIGURATION && c.key == "archive")
            .unwrap();
        assert_eq!(
            ours.arn.as_deref(),
            Some(live.logging_configurations[0].arn.as_str())
        );
        let mut out = Vec::new();
        foreign_writers(&deployment, &live, &changes, &mut out);
        let found: Vec<(Rule, &str)> = out.iter().map(|d| (d.rule, d.message.as_str())).collect();
        assert_eq!(found.len(), 2, "{found:#?}");
        assert!(found.iter().all(|(r, _)| *r == Rule::LiveForeignWriter));
        assert!(
            found[0].1.contains("`intoarchive`") && found[0].1.ends_with("destination `archive`")
        );
        assert!(found[1].1.contains("`intotail`") && found[1].1.ends_with("destination `tail`"));
    }
}
