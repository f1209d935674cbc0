use super::*;
use crate::live::LiveLoggingConfiguration;
use crate::live::destinations::{LiveBucket, LiveLogGroup, LiveStream};
use crate::plan::test_support::tags;
use crate::plan::{Operation, execution_order};

const ACCOUNT: &str = "111122223333";
const REGION: &str = "us-west-2";
const OWNER: &str = "s";

const SPEC: &str = r#"
version: 1
defaults: {account: "111122223333", region: us-west-2, tags: {team: live}}
destinations:
  archive: {s3: {bucket: acme-archive, create: true}}
  shared: {s3: {bucket: acme-shared}}
  tail: {cloudwatch_logs: {log_group: /aws/vendedlogs/ivschat/tail, create: true, retention_days: 30}}
  ops: {cloudwatch_logs: {log_group: /ops/chat}}
  stream: {firehose: {delivery_stream: chat-analytics}}
logging_configurations:
  archive: {destination: archive}
  shared: {destination: shared}
  tail: {destination: tail}
  ops: {destination: ops}
  stream: {destination: stream}
rooms:
  lobby: {logging: [archive, shared, tail]}
  side: {logging: [ops, stream]}
"#;

fn deployment() -> Deployment {
    crate::plan::test_support::deployment(SPEC)
}

fn owned_tags(key: &str) -> Tags {
    tags(&[("team", "live"), (SPEC_TAG, OWNER), (KEY_TAG, key)])
}

const FOREIGN: &str = r#"{"Sid": "ReadersRead", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme-shared/*"}"#;

fn foreign_policy() -> String {
    format!(r#"{{"Version": "2012-10-17", "Statement": [{FOREIGN}]}}"#)
}

/// What the account looks like after a successful apply.
fn converged(dep: &Deployment) -> LiveDestinations {
    let policies = for_deployment(dep);
    let doc = |key: &str| {
        policies
            .buckets
            .iter()
            .find(|b| b.destination.key == key)
            .unwrap()
            .document
            .clone()
    };
    let shared = merge_bucket_policy(&foreign_policy(), &doc("shared")).unwrap();
    let tail = dep.destination("tail").unwrap();
    let ops = dep.destination("ops").unwrap();
    LiveDestinations {
        account: ACCOUNT.to_owned(),
        region: REGION.to_owned(),
        buckets: vec![
            LiveBucket {
                name: "acme-archive".to_owned(),
                state: BucketState::Owned(OwnedBucket {
                    region: Some(REGION.to_owned()),
                    policy: Some(doc("archive").to_compact()),
                    settings: Some(BucketSettings {
                        public_access_block: Some(PublicAccessBlock::ALL),
                        encryption: vec![SSE_S3.to_owned()],
                        object_ownership: vec![OWNER_ENFORCED.to_owned()],
                        tags: owned_tags("archive"),
                    }),
                }),
            },
            LiveBucket {
                name: "acme-shared".to_owned(),
                state: BucketState::Owned(OwnedBucket {
                    region: Some(REGION.to_owned()),
                    policy: Some(shared.text),
                    settings: None,
                }),
            },
        ],
        log_groups: vec![
            LiveLogGroup {
                name: "/aws/vendedlogs/ivschat/tail".to_owned(),
                present: Some(PresentLogGroup {
                    arn: tail.arn.clone(),
                    retention_days: Some(30),
                    tags: owned_tags("tail"),
                    policy: Some(LogPolicy {
                        name: LOG_GROUP_POLICY_NAME.to_owned(),
                        document: policies.log_groups[0].document.to_compact(),
                        revision_id: Some("rev-1".to_owned()),
                    }),
                }),
            },
            LiveLogGroup {
                name: "/ops/chat".to_owned(),
                present: Some(PresentLogGroup {
                    arn: ops.arn.clone(),
                    retention_days: None,
                    tags: Tags::new(),
                    policy: None,
                }),
            },
        ],
        streams: vec![LiveStream {
            name: "chat-analytics".to_owned(),
            tags: Some(tags(&[("LogDeliveryEnabled", "true")])),
        }],
        account_log_policies: vec![LogPolicy {
            name: policies.account_policies[0].name.clone(),
            document: policies.account_policies[0].document.to_compact(),
            revision_id: None,
        }],
        log_delivery_role: RoleState::Present {
            name: SLR_NAME.to_owned(),
        },
    }
}

fn plan(live: &LiveDestinations) -> DestinationPlan {
    plan_destinations(&deployment(), live, OWNER)
}

fn pending(p: &DestinationPlan) -> Vec<(&'static str, &str, Action)> {
    p.changes
        .iter()
        .filter(|c| c.pending())
        .map(|c| (c.resource_type, c.key.as_str(), c.action))
        .collect()
}

fn calls(c: &Change) -> Vec<&DestinationOperation> {
    c.operations
        .iter()
        .map(|o| match o {
            Operation::Destination(d) => d,
            other => panic!("{other:?}"),
        })
        .collect()
}

fn find<'a>(p: &'a DestinationPlan, resource_type: &str, key: &str) -> &'a Change {
    p.changes
        .iter()
        .find(|c| c.resource_type == resource_type && c.key == key)
        .unwrap_or_else(|| panic!("no {resource_type} {key} in {:#?}", p.changes))
}

/// The first preflight problem, asserted to be `problem` with a message that says `says`.
fn first_problem<'a>(p: &'a DestinationPlan, problem: Problem, says: &str) -> &'a Preflight {
    let first = p
        .preflight
        .first()
        .unwrap_or_else(|| panic!("no preflight problem"));
    assert_eq!(first.problem, problem, "{first:#?}");
    assert!(first.message.contains(says), "{}", first.message);
    first
}

fn bucket_mut<'a>(live: &'a mut LiveDestinations, name: &str) -> &'a mut OwnedBucket {
    let b = live.buckets.iter_mut().find(|b| b.name == name).unwrap();
    let BucketState::Owned(owned) = &mut b.state else {
        panic!("{name} is not owned");
    };
    owned
}

#[test]
fn a_converged_account_needs_nothing() {
    let dep = deployment();
    let p = plan(&converged(&dep));
    assert!(p.preflight.is_empty(), "{:#?}", p.preflight);
    assert!(pending(&p).is_empty(), "{:#?}", p.changes);
}

#[test]
fn an_empty_account_creates_managed_destinations_and_stops_at_missing_existing_ones() {
    let p = plan(&LiveDestinations {
        log_delivery_role: RoleState::Missing,
        ..LiveDestinations::empty(ACCOUNT, REGION)
    });
    assert_eq!(
        pending(&p),
        [
            (BUCKET, "archive", Action::Create),
            (BUCKET_POLICY, "archive", Action::Create),
            (LOG_GROUP, "tail", Action::Create),
            (LOG_POLICY, "tail", Action::Create),
            (SERVICE_LINKED_ROLE, SLR_NAME, Action::Create),
        ]
    );
    let bucket = calls(find(&p, BUCKET, "archive"));
    assert_eq!(
        bucket[0],
        &DestinationOperation::CreateBucket {
            bucket: "acme-archive".to_owned(),
            region: REGION.to_owned()
        }
    );
    let DestinationOperation::PutBucketTagging { tags, .. } = bucket[1] else {
        panic!("{bucket:?}");
    };
    assert_eq!(tags, &owned_tags("archive"), "tags right after creation");
    assert_eq!(bucket.len(), 5);
    let DestinationOperation::PutBucketPolicy { policy, .. } =
        calls(find(&p, BUCKET_POLICY, "archive"))[0]
    else {
        panic!();
    };
    assert_eq!(policy.statements.len(), 3, "log delivery and TLS only");
    let group = calls(find(&p, LOG_GROUP, "tail"));
    assert!(matches!(
        group[..],
        [
            DestinationOperation::CreateLogGroup { .. },
            DestinationOperation::PutRetentionPolicy { days: 30, .. }
        ]
    ));
    let problems: Vec<(&str, Problem)> = p
        .preflight
        .iter()
        .map(|x| (x.destination.as_str(), x.problem))
        .collect();
    assert_eq!(
        problems,
        [
            ("ops", Problem::Missing),
            ("shared", Problem::Missing),
            ("stream", Problem::Missing)
        ]
    );
    assert!(p.preflight[1].message.contains("`acme-shared`"));
}

#[test]
fn an_existing_bucket_gets_only_the_missing_statements_merged_and_keeps_foreign_ones() {
    let dep = deployment();
    let mut live = converged(&dep);
    bucket_mut(&mut live, "acme-shared").policy = Some(foreign_policy());
    let p = plan(&live);
    assert_eq!(
        pending(&p),
        [(BUCKET_POLICY, "shared", Action::Update)],
        "{:#?}",
        p.changes
    );
    let change = find(&p, BUCKET_POLICY, "shared");
    let DestinationOperation::MergeBucketPolicy { bucket, statements } = calls(change)[0] else {
        panic!();
    };
    assert_eq!(bucket, "acme-shared");
    assert_eq!(sids(statements), [ld::ACL_CHECK_SID, ld::WRITE_SID]);
    assert_eq!(change.diffs[0].before, json!([]));
    assert_eq!(change.diffs[0].after.as_array().unwrap().len(), 2);

    // A bucket without any policy gets one created from the statements alone.
    bucket_mut(&mut live, "acme-shared").policy = None;
    assert_eq!(
        pending(&plan(&live)),
        [(BUCKET_POLICY, "shared", Action::Create)]
    );
}

#[test]
fn a_policy_that_grants_log_delivery_in_its_own_words_is_left_alone() {
    let dep = deployment();
    let mut live = converged(&dep);
    // One statement with other Sids and both actions: still everything log delivery needs.
    let own_words = json!({"Version": "2012-10-17", "Statement": [
        serde_json::from_str::<Value>(FOREIGN).unwrap(),
        {"Sid": "Delivery", "Effect": "Allow", "Principal": {"Service": "delivery.logs.amazonaws.com"},
         "Action": ["s3:GetBucketAcl", "s3:PutObject"],
         "Resource": ["arn:aws:s3:::acme-shared", "arn:aws:s3:::acme-shared/AWSLogs/111122223333/*"],
         "Condition": {"StringEquals": {"aws:SourceAccount": "111122223333"},
                       "ArnLike": {"aws:SourceArn": "arn:aws:logs:us-west-2:111122223333:*"}}}
    ]});
    bucket_mut(&mut live, "acme-shared").policy = Some(own_words.to_string());
    let p = plan(&live);
    assert!(pending(&p).is_empty(), "{:#?}", p.changes);
    assert!(p.preflight.is_empty());
}

#[test]
fn not_action_in_an_existing_policy_stops_the_apply() {
    let dep = deployment();
    let mut live = converged(&dep);
    bucket_mut(&mut live, "acme-shared").policy = Some(
        r#"{"Version": "2012-10-17", "Statement": [{"Sid": "NoDeletes", "Effect": "Deny", "Principal": "*", "NotAction": "s3:GetObject", "Resource": "arn:aws:s3:::acme-shared/*"}]}"#
            .to_owned(),
    );
    let p = plan(&live);
    assert_eq!(p.preflight.len(), 1, "{:#?}", p.preflight);
    let problem = first_problem(&p, Problem::CannotMerge, "`NotAction`");
    assert_eq!(problem.destination, "shared");
    assert!(problem.help.contains("NotAction"), "{}", problem.help);
}

#[test]
fn an_existing_bucket_of_another_account_or_region_stops_the_apply() {
    let dep = deployment();
    let mut live = converged(&dep);
    live.buckets[1].state = BucketState::OtherOwner;
    let p = plan(&live);
    assert_eq!(p.preflight.len(), 1);
    first_problem(&p, Problem::OtherOwner, "not owned by account 111122223333");

    let mut live = converged(&dep);
    bucket_mut(&mut live, "acme-shared").region = Some("eu-west-1".to_owned());
    let p = plan(&live);
    first_problem(&p, Problem::OtherRegion, "`eu-west-1`");
}

#[test]
fn a_managed_bucket_name_taken_by_another_account_stops_the_apply() {
    let dep = deployment();
    let mut live = converged(&dep);
    live.buckets[0].state = BucketState::OtherOwner;
    let p = plan(&live);
    let problem = first_problem(&p, Problem::OtherOwner, "cannot be created");
    assert_eq!(problem.destination, "archive");
}

#[test]
fn managed_bucket_drift_is_fixed_and_an_untagged_look_alike_is_blocked() {
    let dep = deployment();
    let mut live = converged(&dep);
    {
        let owned = bucket_mut(&mut live, "acme-archive");
        let settings = owned.settings.as_mut().unwrap();
        settings.encryption = vec!["aws:kms".to_owned()];
        settings.public_access_block = None;
        settings
            .tags
            .insert("aws:cloudformation:stack-name".to_owned(), "x".to_owned());
        settings.tags.insert("stale".to_owned(), "1".to_owned());
        // The write statement removed behind chatlog's back.
        let doc = for_deployment(&dep).buckets[0].document.clone();
        let mut fewer = doc.clone();
        fewer.statements.remove(1);
        owned.policy = Some(fewer.to_compact());
    }
    let p = plan(&live);
    assert_eq!(
        pending(&p),
        [
            (BUCKET, "archive", Action::Update),
            (BUCKET_POLICY, "archive", Action::Update)
        ]
    );
    let ops = calls(find(&p, BUCKET, "archive"));
    assert!(matches!(
        ops[0],
        DestinationOperation::PutPublicAccessBlock { .. }
    ));
    assert!(matches!(
        ops[1],
        DestinationOperation::PutBucketEncryption { .. }
    ));
    let DestinationOperation::PutBucketTagging { tags, .. } = ops[2] else {
        panic!("{ops:?}");
    };
    assert!(!tags.contains_key("stale"));
    assert_eq!(
        tags.get("aws:cloudformation:stack-name")
            .map(String::as_str),
        Some("x"),
        "AWS's tags stay in the replaced set"
    );

    // Without this spec's tags the same differences are shown but never applied.
    bucket_mut(&mut live, "acme-archive")
        .settings
        .as_mut()
        .unwrap()
        .tags = tags_without_ownership();
    let p = plan(&live);
    for resource_type in [BUCKET, BUCKET_POLICY] {
        let c = find(&p, resource_type, "archive");
        assert!(c.operations.is_empty());
        assert!(
            c.blocked.as_deref().unwrap().contains("does not own"),
            "{c:#?}"
        );
    }
    assert!(execution_order(&p.changes).is_empty());
}

fn tags_without_ownership() -> Tags {
    tags(&[("team", "live")])
}

#[test]
fn adopt_takes_over_an_untagged_bucket_but_never_another_specs() {
    let mut dep = deployment();
    dep.destinations
        .iter_mut()
        .find(|d| d.key == "archive")
        .unwrap()
        .adopt = true;
    let mut live = converged(&dep);
    {
        let settings = bucket_mut(&mut live, "acme-archive")
            .settings
            .as_mut()
            .unwrap();
        settings.tags = tags_without_ownership();
        settings.encryption = Vec::new();
    }
    let p = plan_destinations(&dep, &live, OWNER);
    let bucket = find(&p, BUCKET, "archive");
    assert!(bucket.blocked.is_none(), "{bucket:#?}");
    let ops = calls(bucket);
    assert!(matches!(
        ops[0],
        DestinationOperation::PutBucketEncryption { .. }
    ));
    let DestinationOperation::PutBucketTagging { tags: set, .. } = ops[1] else {
        panic!("{ops:?}");
    };
    assert_eq!(set, &owned_tags("archive"));

    bucket_mut(&mut live, "acme-archive")
        .settings
        .as_mut()
        .unwrap()
        .tags = tags(&[(SPEC_TAG, "another-spec"), (KEY_TAG, "archive")]);
    let p = plan_destinations(&dep, &live, OWNER);
    assert!(find(&p, BUCKET, "archive").blocked.is_some());
}

#[test]
fn an_untagged_managed_bucket_that_matches_the_spec_is_no_change() {
    let dep = deployment();
    let mut live = converged(&dep);
    bucket_mut(&mut live, "acme-archive")
        .settings
        .as_mut()
        .unwrap()
        .tags = tags_without_ownership();
    let p = plan(&live);
    assert!(pending(&p).is_empty(), "{:#?}", p.changes);
}

#[test]
fn a_managed_log_group_keeps_its_retention_tags_and_policy() {
    let dep = deployment();
    let mut live = converged(&dep);
    let group = live.log_groups[0].present.as_mut().unwrap();
    group.retention_days = Some(7);
    group.tags.insert("stale".to_owned(), "1".to_owned());
    group.policy.as_mut().unwrap().document =
        r#"{"Version": "2012-10-17", "Statement": []}"#.to_owned();
    let p = plan(&live);
    let ops = calls(find(&p, LOG_GROUP, "tail"));
    assert!(matches!(
        ops[0],
        DestinationOperation::PutRetentionPolicy { days: 30, .. }
    ));
    assert!(
        matches!(ops[1], DestinationOperation::UntagLogGroup { keys, .. } if keys == &["stale"])
    );
    let DestinationOperation::PutLogGroupPolicy {
        expected_revision_id,
        arn,
        ..
    } = calls(find(&p, LOG_POLICY, "tail"))[0]
    else {
        panic!();
    };
    assert_eq!(expected_revision_id.as_deref(), Some("rev-1"));
    assert!(
        arn.ends_with(":log-group:/aws/vendedlogs/ivschat/tail"),
        "{arn}"
    );
}

#[test]
fn a_managed_log_group_granted_by_an_account_level_policy_needs_no_policy_of_its_own() {
    let dep = deployment();
    let mut live = converged(&dep);
    live.log_groups[0].present.as_mut().unwrap().policy = None;
    // Without any grant, chatlog puts the log group's own policy.
    let p = plan(&live);
    assert_eq!(pending(&p), [(LOG_POLICY, "tail", Action::Create)]);
    // AWS's own account-level policy already lists the group (as CloudWatch Logs writes it).
    let tail_arn = dep.destination("tail").unwrap().arn.clone();
    live.account_log_policies.push(LogPolicy {
        name: ld::LOG_DELIVERY_ID.to_owned(),
        document: PolicyDocument::new(vec![ld::cwl_statement(
            vec![ld::log_streams_arn(&tail_arn)],
            &for_deployment(&dep).source,
        )])
        .to_compact(),
        revision_id: None,
    });
    let p = plan(&live);
    assert!(pending(&p).is_empty(), "{:#?}", p.changes);
}

#[test]
fn existing_log_groups_get_the_consolidated_policy_only_when_nothing_grants_them() {
    let dep = deployment();
    let mut live = converged(&dep);
    let name = live.account_log_policies[0].name.clone();
    live.account_log_policies.clear();
    let p = plan(&live);
    assert_eq!(pending(&p), [(LOG_POLICY, name.as_str(), Action::Create)]);
    let DestinationOperation::MergeAccountLogPolicy { statements, .. } =
        calls(find(&p, LOG_POLICY, &name))[0]
    else {
        panic!();
    };
    assert_eq!(statements.statements.len(), 1);

    // Another policy grants it: no slot is spent.
    let ops_arn = dep.destination("ops").unwrap().arn.clone();
    live.account_log_policies.push(LogPolicy {
        name: "someone-elses".to_owned(),
        document: PolicyDocument::new(vec![ld::cwl_statement(
            vec![ld::log_streams_arn(&ops_arn)],
            &for_deployment(&dep).source,
        )])
        .to_compact(),
        revision_id: None,
    });
    assert!(pending(&plan(&live)).is_empty());

    // No grant and every account-level slot taken: the apply cannot go ahead.
    live.account_log_policies = (0..10)
        .map(|i| LogPolicy {
            name: format!("p{i}"),
            document: r#"{"Version": "2012-10-17", "Statement": []}"#.to_owned(),
            revision_id: None,
        })
        .collect();
    let p = plan(&live);
    assert_eq!(p.preflight.len(), 1);
    first_problem(&p, Problem::CannotMerge, "10 account-level");
}

#[test]
fn chatlogs_account_policy_is_kept_complete_by_merging() {
    let dep = deployment();
    let mut live = converged(&dep);
    // Someone else's group was added under chatlog's name, and the spec's group was dropped.
    let policy = &mut live.account_log_policies[0];
    policy.document = json!({"Version": "2012-10-17", "Statement": [{
        "Sid": ld::LOG_DELIVERY_ID, "Effect": "Allow",
        "Principal": {"Service": [DELIVERY_PRINCIPAL]},
        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": ["arn:aws:logs:us-west-2:111122223333:log-group:/other:log-stream:*"],
        "Condition": {"StringEquals": {"aws:SourceAccount": ["111122223333"]},
                      "ArnLike": {"aws:SourceArn": ["arn:aws:logs:us-west-2:111122223333:*"]}}}]})
    .to_string();
    let p = plan(&live);
    let change = p
        .changes
        .iter()
        .find(|c| c.resource_type == LOG_POLICY && c.pending())
        .unwrap();
    let after = change.diffs[0].after.to_string();
    assert!(after.contains("/other:log-stream"), "kept: {after}");
    assert!(after.contains("/ops/chat:log-stream"), "added: {after}");
}

#[test]
fn a_stream_without_the_tag_is_tagged_and_a_missing_role_is_created() {
    let dep = deployment();
    let mut live = converged(&dep);
    live.streams[0].tags = Some(tags(&[("owner", "data")]));
    live.log_delivery_role = RoleState::Missing;
    let p = plan(&live);
    assert_eq!(
        pending(&p),
        [
            (STREAM, "stream", Action::Update),
            (SERVICE_LINKED_ROLE, SLR_NAME, Action::Create)
        ]
    );
    assert_eq!(
        calls(find(&p, STREAM, "stream"))[0],
        &DestinationOperation::TagDeliveryStream {
            stream: "chat-analytics".to_owned(),
            tags: tags(&[("LogDeliveryEnabled", "true")])
        }
    );
}

#[test]
fn destinations_go_first_in_an_apply() {
    let dep = deployment();
    let mut changes = plan(&LiveDestinations::empty(ACCOUNT, REGION)).changes;
    let inventory = RegionInventory {
        account: ACCOUNT.to_owned(),
        region: REGION.to_owned(),
        logging_configurations: vec![],
        rooms: vec![],
    };
    let mut all = super::super::plan_deployment(&dep, &inventory, OWNER, false);
    all.append(&mut changes);
    let order: Vec<&str> = execution_order(&all)
        .iter()
        .map(|c| c.resource_type)
        .collect();
    let first_configuration = order.iter().position(|t| *t == CONFIGURATION).unwrap();
    assert!(
        order[..first_configuration]
            .iter()
            .all(|t| is_destination_type(t)),
        "{order:?}"
    );
    assert!(
        order[first_configuration..]
            .iter()
            .all(|t| !is_destination_type(t)),
        "{order:?}"
    );
}

#[test]
fn policies_compare_normalized() {
    let dep = deployment();
    let doc = for_deployment(&dep).buckets[0].document.clone();
    let mut value = doc.to_value();
    // Reordered statements, a list for a single action, another Id: the same policy.
    let statements = value["Statement"].as_array_mut().unwrap();
    statements.reverse();
    statements[2]["Action"] = json!(["s3:GetBucketAcl"]);
    value["Id"] = json!("other");
    assert!(same_statements(Some(&value.to_string()), &doc));
    value["Statement"].as_array_mut().unwrap().pop();
    assert!(!same_statements(Some(&value.to_string()), &doc));
    assert!(!same_statements(Some("not json"), &doc));
    assert!(!same_statements(None, &doc));
}

#[test]
fn prune_keeps_the_buckets_of_deleted_configurations_and_says_so() {
    let dep = deployment();
    let arn = "arn:aws:ivschat:us-west-2:111122223333:logging-configuration/oldOLDoldOLD";
    let inventory = RegionInventory {
        account: ACCOUNT.to_owned(),
        region: REGION.to_owned(),
        logging_configurations: vec![LiveLoggingConfiguration {
            arn: arn.to_owned(),
            id: "oldOLDoldOLD".to_owned(),
            name: "old".to_owned(),
            state: "ACTIVE".to_owned(),
            destination: LiveDestination::S3 {
                bucket_name: "old-archive".to_owned(),
            },
            tags: owned_tags("old"),
            create_time: None,
            update_time: None,
        }],
        rooms: vec![],
    };
    let chat = super::super::plan_deployment(&dep, &inventory, OWNER, true);
    let kept = kept_on_prune(&dep, &inventory, &chat);
    assert_eq!(kept.len(), 1);
    assert_eq!(
        (kept[0].resource_type, kept[0].key.as_str()),
        (BUCKET, "old-archive")
    );
    assert!(
        kept[0]
            .blocked
            .as_deref()
            .unwrap()
            .contains("never deletes")
    );
    assert!(kept[0].operations.is_empty());
}
