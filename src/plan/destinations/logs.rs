//! Log groups: created with retention, tags and a log-group-level policy when managed; existing
//! ones share the consolidated account-level policy.

use super::*;

pub(super) fn managed_log_group(
    p: &mut Planner<'_>,
    d: &Destination,
    log_group: &str,
    retention_days: Option<u32>,
    policies: &DeploymentPolicies<'_>,
) {
    let Some(document) = policies
        .log_groups
        .iter()
        .find(|g| g.destination.key == d.key)
        .map(|g| g.document.clone())
    else {
        return;
    };
    let op = crate::plan::Operation::Destination;
    let mut change = p.at(LOG_GROUP, d);
    let mut policy = p.at(LOG_POLICY, d);
    let present = p.live.log_group(log_group).and_then(|g| g.present.clone());
    let Some(group) = present else {
        let tags = desired_tags(p, d);
        change.action = Action::Create;
        change
            .diffs
            .push(AttributeDiff::created("tags", json!(tags)));
        change
            .operations
            .push(op(DestinationOperation::CreateLogGroup {
                log_group: log_group.to_owned(),
                tags,
            }));
        if let Some(days) = retention_days {
            change
                .diffs
                .push(AttributeDiff::created("retention_days", json!(days)));
            change
                .operations
                .push(op(DestinationOperation::PutRetentionPolicy {
                    log_group: log_group.to_owned(),
                    days,
                }));
        }
        p.push(change);
        policy.action = Action::Create;
        policy
            .diffs
            .push(AttributeDiff::created("statements", json!(sids(&document))));
        policy
            .operations
            .push(op(DestinationOperation::PutLogGroupPolicy {
                name: LOG_GROUP_POLICY_NAME.to_owned(),
                arn: d.arn.clone(),
                policy: document.clone(),
                expected_revision_id: None,
            }));
        p.push(policy);
        return;
    };
    let owner = owner_of_destination(d, &group.tags, p.owner);
    if let Some(x) = AttributeDiff::between(
        "retention_days",
        json!(group.retention_days),
        json!(retention_days),
    ) {
        change.diffs.push(x);
        change.operations.push(op(match retention_days {
            Some(days) => DestinationOperation::PutRetentionPolicy {
                log_group: log_group.to_owned(),
                days,
            },
            None => DestinationOperation::DeleteRetentionPolicy {
                log_group: log_group.to_owned(),
            },
        }));
    }
    if owner == Owner::Us {
        log_group_tags(p, d, &group, &mut change);
    } else {
        change
            .diffs
            .extend(tags::unowned_diff(&group.tags, &d.tags));
    }
    p.finish(&mut change, owner, "log group");
    p.push(change);

    let live_policy = group.policy.as_ref();
    let in_place = same_statements(live_policy.map(|l| l.document.as_str()), &document);
    // Without a policy of its own, a log group others already grant needs none: CloudWatch Logs
    // itself adds no log-group-level policy then (aws-facts §1(c), CloudWatch Logs).
    let covered = live_policy.is_none() && log_group_granted(p, d);
    if !in_place && !covered {
        policy.diffs.push(AttributeDiff {
            attribute: "statements".to_owned(),
            before: live_policy
                .and_then(|l| statements_of(&l.document))
                .map_or(Value::Null, Value::Array),
            after: json!(document.statements),
        });
        if live_policy.is_none() {
            policy.action = Action::Create;
        }
        policy
            .operations
            .push(op(DestinationOperation::PutLogGroupPolicy {
                name: live_policy
                    .map_or_else(|| LOG_GROUP_POLICY_NAME.to_owned(), |l| l.name.clone()),
                arn: group.arn.clone(),
                policy: document.clone(),
                expected_revision_id: live_policy.and_then(|l| l.revision_id.clone()),
            }));
    }
    p.finish(&mut policy, owner, "log group");
    p.push(policy);
}

fn log_group_tags(p: &Planner<'_>, d: &Destination, group: &PresentLogGroup, change: &mut Change) {
    let op = crate::plan::Operation::Destination;
    let delta = tags::delta(&group.tags, &desired_tags(p, d));
    change.diffs.extend(delta.diff);
    if !delta.set.is_empty() {
        change
            .operations
            .push(op(DestinationOperation::TagLogGroup {
                arn: group.arn.clone(),
                tags: delta.set,
            }));
    }
    if !delta.remove.is_empty() {
        change
            .operations
            .push(op(DestinationOperation::UntagLogGroup {
                arn: group.arn.clone(),
                keys: delta.remove,
            }));
    }
}

/// Whether the log resource policies read let log delivery write to the log group.
fn log_group_granted(p: &Planner<'_>, d: &Destination) -> bool {
    p.log_documents
        .as_ref()
        .is_ok_and(|docs| granted(p.needs(d), docs))
}

/// The consolidated account-level policy for existing log groups: kept complete once chatlog
/// wrote it; written at all only when some group's delivery is not granted by another policy.
pub(super) fn account_log_policy(p: &mut Planner<'_>, policy: &AccountPolicy<'_>) {
    let Some(first) = policy.destinations.first().copied() else {
        return;
    };
    let live = p.live.account_log_policy(&policy.name);
    let needed = policy.destinations.iter().any(|d| {
        let exists = match &d.kind {
            DestinationKind::CloudWatchLogs { log_group, .. } => p
                .live
                .log_group(log_group)
                .is_some_and(|g| g.present.is_some()),
            _ => false,
        };
        exists && !log_group_granted(p, d)
    });
    if live.is_none() && !needed {
        return;
    }
    let mut change = p.change(LOG_POLICY, &policy.name, &first.origin);
    let merged = match merge_bucket_policy(
        live.map(|l| l.document.as_str()).unwrap_or_default(),
        &policy.document,
    ) {
        Ok(m) => m,
        Err(e) => {
            let message = match &e {
                MergeError::TooLarge(..) => format!(
                    "account-level log policy `{}` would exceed {CWL_ACCOUNT_POLICY_MAX_CHARS} characters",
                    policy.name
                ),
                _ => format!(
                    "log delivery's statement cannot be added to account-level log policy `{}`: {e}",
                    policy.name
                ),
            };
            p.problem(first, Problem::CannotMerge, message, e.help().to_owned());
            return;
        }
    };
    let compact = serde_json::from_str::<Value>(&merged.text)
        .map(|v| v.to_string())
        .unwrap_or_default();
    // Account-level policies stay within 5,120 characters (aws-facts §1(d)).
    if compact.chars().count() > CWL_ACCOUNT_POLICY_MAX_CHARS {
        p.problem(
            first,
            Problem::CannotMerge,
            format!(
                "account-level log policy `{}` would be {} characters with log delivery's statement, over the {CWL_ACCOUNT_POLICY_MAX_CHARS} CloudWatch Logs allows",
                policy.name,
                compact.chars().count()
            ),
            format!(
                "remove log groups the policy no longer needs to cover from `{}`, or log to groups under `/aws/vendedlogs/`",
                policy.name
            ),
        );
        return;
    }
    if live.is_none() && p.live.account_log_policies.len() >= CWL_ACCOUNT_POLICY_SLOTS {
        // 10 account-level policies per region, not adjustable (aws-facts §1(d)).
        p.problem(
            first,
            Problem::CannotMerge,
            format!(
                "{}/{} already has {CWL_ACCOUNT_POLICY_SLOTS} account-level CloudWatch Logs resource policies, the most a region allows, so `{}` cannot be added",
                p.deployment.account, p.deployment.region, policy.name
            ),
            "delete an account-level resource policy nobody needs, or let chatlog create the log groups (`create: true`: they get log-group-level policies)".to_owned(),
        );
        return;
    }
    if merged.changed {
        let ids = sids(&policy.document);
        change.action = if live.is_some() {
            Action::Update
        } else {
            Action::Create
        };
        change.diffs.push(AttributeDiff {
            attribute: "log-delivery statements".to_owned(),
            before: with_sids(live.map(|l| l.document.as_str()), &ids),
            after: with_sids(Some(&merged.text), &ids),
        });
        change.operations.push(crate::plan::Operation::Destination(
            DestinationOperation::MergeAccountLogPolicy {
                name: policy.name.clone(),
                statements: policy.document.clone(),
            },
        ));
    }
    p.push(change);
}
