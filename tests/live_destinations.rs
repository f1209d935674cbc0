//! plan, apply and drift at destinations, through the binary, against moto (S3, CloudWatch Logs,
//! Firehose, IAM) and the project's IVS Chat server, which writes AWS's log-delivery side effects
//! into moto when a logging configuration is created.
// Test code: clippy.toml's test allowances (unwrap, expect, panic, indexing) apply to all of it.
#![cfg(test)]

mod common;
mod live_support;

use std::path::{Path, PathBuf};

use aws_config::SdkConfig;
use chatlog_testkit::moto::{fresh_account, s3_client};
use common::fresh_dir;
use live_support::{REGION, World, create_bucket};
use serde_json::{Value, json};

/// IVS Chat calls that change something.
const IVS_WRITES: [&str; 8] = [
    "CreateLoggingConfiguration",
    "UpdateLoggingConfiguration",
    "DeleteLoggingConfiguration",
    "CreateRoom",
    "UpdateRoom",
    "DeleteRoom",
    "TagResource",
    "UntagResource",
];

const STREAM: &str = "chat-analytics";
const OPS_GROUP: &str = "/ops/chat";
const MANAGED_GROUP: &str = "/aws/vendedlogs/ivschat/tail";
const SERVICE_ROLE_PATH: &str = "/aws-service-role/delivery.logs.amazonaws.com/";

fn managed_bucket(world: &World) -> String {
    format!("chat-managed-{}", world.account)
}

fn shared_bucket(world: &World) -> String {
    format!("chat-shared-{}", world.account)
}

/// A statement of the bucket's owner that has nothing to do with log delivery.
fn foreign_statement(bucket: &str) -> Value {
    json!({
        "Sid": "ReadersRead",
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
        "Action": "s3:GetObject",
        "Resource": format!("arn:aws:s3:::{bucket}/reports/*")
    })
}

async fn put_policy(config: &SdkConfig, bucket: &str, statements: Vec<Value>) {
    let policy = json!({"Version": "2012-10-17", "Statement": statements});
    s3_client(config)
        .put_bucket_policy()
        .bucket(bucket)
        .policy(policy.to_string())
        .send()
        .await
        .unwrap();
}

async fn bucket_policy(config: &SdkConfig, bucket: &str) -> Option<Value> {
    match s3_client(config)
        .get_bucket_policy()
        .bucket(bucket)
        .send()
        .await
    {
        Ok(out) => Some(serde_json::from_str(out.policy().unwrap()).unwrap()),
        Err(_) => None,
    }
}

fn sids(policy: &Value) -> Vec<String> {
    policy["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["Sid"].as_str().map(str::to_owned))
        .collect()
}

/// The account's existing destinations: a bucket whose owner keeps a statement of their own in
/// its policy, a log group, and a Firehose stream.
fn world_with_existing_destinations() -> World {
    let world = World::delivering_to_moto();
    let config = world.moto_config();
    let shared = shared_bucket(&world);
    world.runtime.block_on(async {
        create_bucket(&config, &shared, REGION).await;
        put_policy(&config, &shared, vec![foreign_statement(&shared)]).await;
        aws_sdk_cloudwatchlogs::Client::new(&config)
            .create_log_group()
            .log_group_name(OPS_GROUP)
            .send()
            .await
            .unwrap();
        // Firehose needs somewhere to deliver; the stream itself is all chatlog looks at.
        let s3 = aws_sdk_firehose::types::ExtendedS3DestinationConfiguration::builder()
            .role_arn(format!("arn:aws:iam::{}:role/firehose", world.account))
            .bucket_arn(format!("arn:aws:s3:::{shared}"))
            .build()
            .unwrap();
        aws_sdk_firehose::Client::new(&config)
            .create_delivery_stream()
            .delivery_stream_name(STREAM)
            .delivery_stream_type(aws_sdk_firehose::types::DeliveryStreamType::DirectPut)
            .extended_s3_destination_configuration(s3)
            .send()
            .await
            .unwrap();
    });
    world
}

/// Every kind of destination: a bucket and a log group chatlog creates, and the existing bucket,
/// log group and stream.
fn write_spec(world: &World, dir: &Path) -> PathBuf {
    let spec = format!(
        r#"version: 1
name: dest-test
defaults: {{account: "{account}", region: {REGION}, tags: {{team: live}}}}
destinations:
  archive: {{s3: {{bucket: {managed}, create: true}}}}
  tail: {{cloudwatch_logs: {{log_group: {MANAGED_GROUP}, create: true, retention_days: 30}}}}
  shared: {{s3: {{bucket: {shared}}}}}
  ops: {{cloudwatch_logs: {{log_group: {OPS_GROUP}}}}}
  analytics: {{firehose: {{delivery_stream: {STREAM}}}}}
logging_configurations:
  archive: {{destination: archive}}
  tail: {{destination: tail}}
  shared: {{destination: shared}}
  ops: {{destination: ops}}
  analytics: {{destination: analytics}}
rooms:
  lobby: {{logging: [archive, tail, shared]}}
  side: {{logging: [ops, analytics]}}
"#,
        account = world.account,
        managed = managed_bucket(world),
        shared = shared_bucket(world),
    );
    let path = dir.join("spec.yaml");
    std::fs::write(&path, spec).unwrap();
    path
}

fn apply(world: &World, spec: &Path, audit: &Path) -> String {
    let (code, out, err) = world.run(
        &[
            "apply",
            "--auto-approve",
            "--audit-log",
            audit.to_str().unwrap(),
        ],
        spec,
    );
    assert_eq!(code, 0, "apply failed:\n{out}\n{err}");
    out
}

fn drift(world: &World, spec: &Path) -> (i32, Value) {
    let (code, out, err) = world.run(&["drift", "--format", "json"], spec);
    assert!(code == 0 || code == 1, "drift errored: {out}\n{err}");
    (code, serde_json::from_str(&out).unwrap())
}

fn rule_ids(report: &Value) -> Vec<String> {
    let mut ids: Vec<String> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["rule"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

/// The IAM action a recorded call needs (None: no permission needed). Most are the API name;
/// S3's differ (Service Authorization Reference, Amazon S3 actions).
fn iam_action(source: &str, name: &str) -> Option<String> {
    let service = source.strip_suffix(".amazonaws.com")?;
    let action = match (service, name) {
        ("sts", "GetCallerIdentity") => return None,
        ("s3", "HeadBucket") => "ListBucket",
        ("s3", "ListBuckets") => "ListAllMyBuckets",
        ("s3", "GetBucketEncryption") => "GetEncryptionConfiguration",
        ("s3", "PutBucketEncryption") => "PutEncryptionConfiguration",
        ("s3", "GetPublicAccessBlock") => "GetBucketPublicAccessBlock",
        ("s3", "PutPublicAccessBlock") => "PutBucketPublicAccessBlock",
        (_, other) => other,
    };
    Some(format!("{service}:{action}"))
}

/// Every call apply made is allowed by the deployer policy chatlog renders for the same spec
/// (action level: the policy's resources are the spec's ARNs, checked by the render tests).
fn deployer_allows_every_call(spec: &Path, records: &[Value]) {
    let out = fresh_dir("deployer");
    common::chatlog()
        .args(["render", "--target", "policies", "--out"])
        .arg(&out)
        .arg(spec)
        .assert()
        .success();
    let mut allowed = std::collections::BTreeSet::new();
    for entry in std::fs::read_dir(out.join("policies")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.starts_with("deployer") {
            continue;
        }
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        for s in doc["Statement"].as_array().unwrap() {
            assert_eq!(s["Effect"], "Allow");
            match &s["Action"] {
                Value::String(a) => {
                    allowed.insert(a.to_ascii_lowercase());
                }
                Value::Array(a) => {
                    allowed.extend(a.iter().map(|x| x.as_str().unwrap().to_ascii_lowercase()))
                }
                other => panic!("{other}"),
            }
        }
    }
    let missing: std::collections::BTreeSet<String> = records
        .iter()
        .filter_map(|r| {
            iam_action(
                r["eventSource"].as_str().unwrap(),
                r["eventName"].as_str().unwrap(),
            )
        })
        .filter(|a| !allowed.contains(&a.to_ascii_lowercase()))
        .collect();
    assert!(
        missing.is_empty(),
        "apply called what deployer.json does not allow: {missing:?}"
    );
}

/// The records of an audit log, which must exist: a missing log would make every "no write"
/// check below pass without a single call read.
fn audit_records(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The write calls of an audit log, as `source:name`.
fn audit_writes(records: &[Value]) -> Vec<String> {
    records
        .iter()
        .filter(|r| r["readOnly"] == false)
        .map(|r| {
            format!(
                "{}:{}",
                r["eventSource"].as_str().unwrap(),
                r["eventName"].as_str().unwrap()
            )
        })
        .collect()
}

fn ivs_writes(world: &World) -> usize {
    let control = world.server.control();
    IVS_WRITES.iter().map(|op| control.count(op)).sum()
}

/// The line of `key:` under `destinations:` in the spec.
fn spec_line(spec: &Path, key: &str) -> u64 {
    let text = std::fs::read_to_string(spec).unwrap();
    let at = text
        .lines()
        .position(|l| l.trim_start().starts_with(&format!("{key}:")))
        .unwrap();
    u64::try_from(at + 1).unwrap()
}

fn line_of(report: &Value, rule: &str) -> u64 {
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["rule"] == rule)
        .unwrap_or_else(|| panic!("no {rule} in {report}"))["location"]["line"]
        .as_u64()
        .unwrap()
}

async fn service_roles(config: &SdkConfig) -> Vec<String> {
    aws_sdk_iam::Client::new(config)
        .list_roles()
        .path_prefix(SERVICE_ROLE_PATH)
        .send()
        .await
        .unwrap()
        .roles()
        .iter()
        .map(|r| r.role_name().to_owned())
        .collect()
}

async fn stream_tags(config: &SdkConfig) -> Vec<(String, String)> {
    aws_sdk_firehose::Client::new(config)
        .list_tags_for_delivery_stream()
        .delivery_stream_name(STREAM)
        .send()
        .await
        .unwrap()
        .tags()
        .iter()
        .map(|t| (t.key().to_owned(), t.value().unwrap_or_default().to_owned()))
        .collect()
}

#[test]
fn apply_from_nothing_sets_up_every_destination_then_drift_is_clean_and_a_second_apply_writes_nothing()
 {
    let world = world_with_existing_destinations();
    let config = world.moto_config();
    let dir = fresh_dir("dest-apply");
    let spec = write_spec(&world, &dir);
    let audit = dir.join("audit.jsonl");

    let (code, plan, _) = world.run(&["plan", "--detailed-exitcode"], &spec);
    assert_eq!(code, 1, "{plan}");
    for line in [
        "+ create AWS::S3::Bucket archive",
        "+ create AWS::S3::BucketPolicy archive",
        "+ create AWS::Logs::LogGroup tail",
        "~ update AWS::S3::BucketPolicy shared",
        "+ create AWS::Logs::ResourcePolicy chatlog-ivschat-log-delivery",
        "~ update AWS::KinesisFirehose::DeliveryStream analytics",
        "+ create AWS::IAM::ServiceLinkedRole AWSServiceRoleForLogDelivery",
    ] {
        assert!(plan.contains(line), "missing `{line}` in:\n{plan}");
    }

    // The JSON plan carries every call with its arguments.
    let (_, json_plan, _) = world.run(&["plan", "--format", "json"], &spec);
    let json_plan: Value = serde_json::from_str(&json_plan).unwrap();
    let operations: Vec<&Value> = json_plan["changes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["operations"].as_array().unwrap())
        .collect();
    let create = operations
        .iter()
        .find(|o| o["operation"] == "CreateBucket")
        .unwrap();
    assert_eq!(create["bucket"], managed_bucket(&world));
    assert_eq!(create["region"], REGION);
    let merge = operations
        .iter()
        .find(|o| o["operation"] == "MergeBucketPolicy")
        .unwrap();
    assert_eq!(
        merge["statements"]["Statement"].as_array().unwrap().len(),
        2
    );
    assert_eq!(json_plan["preflight"], json!([]));

    let out = apply(&world, &spec, &audit);
    assert!(out.contains("Applied ("), "{out}");
    let records = audit_records(&audit);
    deployer_allows_every_call(&spec, &records);
    let writes = audit_writes(&records);
    // Every destination call is in the audit log, under its service's event source, and the
    // destinations were done before the first logging configuration.
    for call in [
        "s3.amazonaws.com:CreateBucket",
        "s3.amazonaws.com:PutBucketTagging",
        "s3.amazonaws.com:PutPublicAccessBlock",
        "s3.amazonaws.com:PutBucketEncryption",
        "s3.amazonaws.com:PutBucketOwnershipControls",
        "s3.amazonaws.com:PutBucketPolicy",
        "logs.amazonaws.com:CreateLogGroup",
        "logs.amazonaws.com:PutRetentionPolicy",
        "logs.amazonaws.com:PutResourcePolicy",
        "firehose.amazonaws.com:TagDeliveryStream",
        "iam.amazonaws.com:CreateServiceLinkedRole",
    ] {
        assert!(
            writes.contains(&call.to_owned()),
            "{call} not in {writes:?}"
        );
    }
    let first_configuration = writes
        .iter()
        .position(|w| w == "ivschat.amazonaws.com:CreateLoggingConfiguration")
        .unwrap();
    assert!(
        writes[..first_configuration]
            .iter()
            .all(|w| !w.starts_with("ivschat")),
        "{writes:?}"
    );
    assert!(
        records
            .iter()
            .filter(|r| r["eventSource"] == "iam.amazonaws.com")
            .all(|r| r["awsRegion"] == "us-east-1")
    );

    world.runtime.block_on(async {
        let s3 = s3_client(&config);
        let managed = managed_bucket(&world);
        let tags = s3
            .get_bucket_tagging()
            .bucket(&managed)
            .send()
            .await
            .unwrap();
        let tag = |k: &str| {
            tags.tag_set()
                .iter()
                .find(|t| t.key() == k)
                .map(|t| t.value().to_owned())
        };
        assert_eq!(tag("chatlog:spec").as_deref(), Some("dest-test"));
        assert_eq!(tag("chatlog:key").as_deref(), Some("archive"));
        assert_eq!(tag("team").as_deref(), Some("live"));
        let block = s3
            .get_public_access_block()
            .bucket(&managed)
            .send()
            .await
            .unwrap();
        assert_eq!(
            block
                .public_access_block_configuration()
                .unwrap()
                .block_public_policy(),
            Some(true)
        );
        let encryption = s3
            .get_bucket_encryption()
            .bucket(&managed)
            .send()
            .await
            .unwrap();
        let rule = &encryption
            .server_side_encryption_configuration()
            .unwrap()
            .rules()[0];
        assert_eq!(
            rule.apply_server_side_encryption_by_default()
                .unwrap()
                .sse_algorithm()
                .as_str(),
            "AES256"
        );
        let managed_policy = bucket_policy(&config, &managed).await.unwrap();
        assert_eq!(
            sids(&managed_policy),
            [
                "AWSLogDeliveryAclCheck",
                "AWSLogDeliveryWrite",
                "DenyInsecureTransport"
            ]
        );

        // The existing bucket: the owner's statement kept as it was, log delivery's added.
        let shared = shared_bucket(&world);
        let shared_policy = bucket_policy(&config, &shared).await.unwrap();
        assert_eq!(
            sids(&shared_policy),
            [
                "ReadersRead",
                "AWSLogDeliveryAclCheck",
                "AWSLogDeliveryWrite"
            ]
        );
        assert_eq!(shared_policy["Statement"][0], foreign_statement(&shared));

        let logs = aws_sdk_cloudwatchlogs::Client::new(&config);
        let groups = logs
            .describe_log_groups()
            .log_group_name_prefix(MANAGED_GROUP)
            .send()
            .await
            .unwrap();
        assert_eq!(groups.log_groups()[0].retention_in_days(), Some(30));
        let policies = logs.describe_resource_policies().send().await.unwrap();
        let ours = policies
            .resource_policies()
            .iter()
            .find(|p| p.policy_name() == Some("chatlog-ivschat-log-delivery"))
            .unwrap();
        assert!(
            ours.policy_document()
                .unwrap()
                .contains(&format!("log-group:{OPS_GROUP}:log-stream:*")),
            "{ours:?}"
        );

        assert!(
            stream_tags(&config)
                .await
                .contains(&("LogDeliveryEnabled".to_owned(), "true".to_owned()))
        );
        assert!(!service_roles(&config).await.is_empty());
    });

    let (code, report) = drift(&world, &spec);
    assert_eq!(code, 0, "{report}");

    let again = dir.join("again.jsonl");
    world.server.control().clear_calls();
    let out = apply(&world, &spec, &again);
    assert!(out.contains("Nothing to apply"), "{out}");
    assert_eq!(audit_writes(&audit_records(&again)), Vec::<String>::new());
    assert_eq!(ivs_writes(&world), 0);
    let (code, _, _) = world.run(&["plan", "--detailed-exitcode"], &spec);
    assert_eq!(code, 0);
}

#[test]
fn changes_at_destinations_behind_chatlogs_back_are_found_by_drift_and_repaired_by_apply() {
    let world = world_with_existing_destinations();
    let config = world.moto_config();
    let dir = fresh_dir("dest-drift");
    let spec = write_spec(&world, &dir);
    apply(&world, &spec, &dir.join("first.jsonl"));
    let shared = shared_bucket(&world);

    world.runtime.block_on(async {
        // The write statement dropped from the existing bucket's policy (as a Terraform apply
        // of the owner's policy would), the stream's tag removed, the service-linked role
        // deleted, the managed log group's retention changed.
        let policy = bucket_policy(&config, &shared).await.unwrap();
        let kept: Vec<Value> = policy["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["Sid"] != "AWSLogDeliveryWrite")
            .cloned()
            .collect();
        put_policy(&config, &shared, kept).await;
        aws_sdk_firehose::Client::new(&config)
            .untag_delivery_stream()
            .delivery_stream_name(STREAM)
            .tag_keys("LogDeliveryEnabled")
            .send()
            .await
            .unwrap();
        let iam = aws_sdk_iam::Client::new(&config);
        for role in service_roles(&config).await {
            let inline = iam
                .list_role_policies()
                .role_name(&role)
                .send()
                .await
                .unwrap();
            for name in inline.policy_names() {
                iam.delete_role_policy()
                    .role_name(&role)
                    .policy_name(name)
                    .send()
                    .await
                    .unwrap();
            }
            iam.delete_role().role_name(&role).send().await.unwrap();
        }
        assert!(service_roles(&config).await.is_empty());
        aws_sdk_cloudwatchlogs::Client::new(&config)
            .put_retention_policy()
            .log_group_name(MANAGED_GROUP)
            .retention_in_days(7)
            .send()
            .await
            .unwrap();
    });

    let (code, report) = drift(&world, &spec);
    assert_eq!(code, 1, "{report}");
    assert_eq!(
        rule_ids(&report),
        ["CL101", "CL105", "CL107", "CL108"],
        "{report:#}"
    );
    let text = report.to_string();
    assert!(text.contains("`AWSLogDeliveryWrite`"), "{text}");
    assert!(text.contains("retention_days is 7"), "{text}");
    // Each finding points at its destination in the spec.
    assert_eq!(line_of(&report, "CL105"), spec_line(&spec, "shared"));
    assert_eq!(line_of(&report, "CL108"), spec_line(&spec, "analytics"));
    assert_eq!(line_of(&report, "CL107"), spec_line(&spec, "analytics"));
    assert_eq!(line_of(&report, "CL101"), spec_line(&spec, "tail"));

    let (code, sarif, _) = world.run(&["drift", "--format", "sarif"], &spec);
    assert_eq!(code, 1);
    let sarif: Value = serde_json::from_str(&sarif).unwrap();
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 4);

    let repair = dir.join("repair.jsonl");
    apply(&world, &spec, &repair);
    let mut writes = audit_writes(&audit_records(&repair));
    writes.sort();
    assert_eq!(
        writes,
        [
            "firehose.amazonaws.com:TagDeliveryStream",
            "iam.amazonaws.com:CreateServiceLinkedRole",
            "logs.amazonaws.com:PutRetentionPolicy",
            "s3.amazonaws.com:PutBucketPolicy",
        ]
    );
    let (code, report) = drift(&world, &spec);
    assert_eq!(code, 0, "{report}");
    // The owner's statement survived the repair.
    let policy = world
        .runtime
        .block_on(bucket_policy(&config, &shared))
        .unwrap();
    assert_eq!(policy["Statement"][0], foreign_statement(&shared));
}

/// Runs plan and apply on a spec the account cannot take and checks that nothing was written
/// anywhere; returns the plan's and apply's output.
fn refused_before_any_write(world: &World, spec: &Path) -> (String, String) {
    let audit = spec.with_file_name("refused.jsonl");
    let (code, plan, _) = world.run(&["plan"], spec);
    assert_eq!(code, 1, "plan shows what stops an apply: {plan}");
    assert!(plan.contains("Apply cannot go ahead"), "{plan}");
    let (code, out, err) = world.run(
        &[
            "apply",
            "--auto-approve",
            "--audit-log",
            audit.to_str().unwrap(),
        ],
        spec,
    );
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(err.contains("apply stopped before any change"), "{err}");
    let records = audit_records(&audit);
    assert!(!records.is_empty(), "the reads are recorded");
    assert_eq!(audit_writes(&records), Vec::<String>::new());
    assert_eq!(ivs_writes(world), 0);
    (plan, out)
}

fn spec_with_bucket(world: &World, dir: &Path, bucket: &str) -> PathBuf {
    let spec = format!(
        r#"version: 1
name: dest-test
defaults: {{account: "{account}", region: {REGION}}}
destinations:
  archive: {{s3: {{bucket: {bucket}}}}}
  tail: {{cloudwatch_logs: {{log_group: {MANAGED_GROUP}, create: true}}}}
logging_configurations:
  archive: {{destination: archive}}
  tail: {{destination: tail}}
rooms:
  lobby: {{logging: [archive, tail]}}
"#,
        account = world.account,
    );
    let path = dir.join("spec.yaml");
    std::fs::write(&path, spec).unwrap();
    path
}

#[test]
fn not_action_in_an_existing_bucket_policy_fails_before_any_write() {
    let world = World::delivering_to_moto();
    let config = world.moto_config();
    let bucket = shared_bucket(&world);
    let guard = json!({
        "Sid": "OnlyReads",
        "Effect": "Deny",
        "Principal": "*",
        "NotAction": "s3:GetObject",
        "Resource": format!("arn:aws:s3:::{bucket}/reports/*")
    });
    world.runtime.block_on(async {
        create_bucket(&config, &bucket, REGION).await;
        put_policy(&config, &bucket, vec![guard.clone()]).await;
    });
    let dir = fresh_dir("dest-notaction");
    let spec = spec_with_bucket(&world, &dir, &bucket);
    let (plan, out) = refused_before_any_write(&world, &spec);
    for text in [&plan, &out] {
        assert!(text.contains("`NotAction`"), "{text}");
        assert!(text.contains(&format!("bucket `{bucket}`")), "{text}");
    }
    let policy = world
        .runtime
        .block_on(bucket_policy(&config, &bucket))
        .unwrap();
    assert_eq!(policy["Statement"], json!([guard]), "untouched");
    // The log group chatlog would create was not created either.
    let groups = world.runtime.block_on(async {
        aws_sdk_cloudwatchlogs::Client::new(&config)
            .describe_log_groups()
            .log_group_name_prefix(MANAGED_GROUP)
            .send()
            .await
            .unwrap()
    });
    assert!(groups.log_groups().is_empty());

    let (code, report) = drift(&world, &spec);
    assert_eq!(code, 1);
    assert!(
        rule_ids(&report).contains(&"CL112".to_owned()),
        "{report:#}"
    );
    assert_eq!(line_of(&report, "CL112"), spec_line(&spec, "archive"));
}

#[test]
fn a_spec_whose_bucket_belongs_to_another_account_fails_before_any_write_call() {
    let world = World::delivering_to_moto();
    let other = fresh_account();
    let bucket = format!("chat-foreign-{}", world.account);
    world.runtime.block_on(create_bucket(
        &world.moto.sdk_config(&other, REGION),
        &bucket,
        REGION,
    ));
    let dir = fresh_dir("dest-owner");
    let spec = spec_with_bucket(&world, &dir, &bucket);
    let (plan, _) = refused_before_any_write(&world, &spec);
    assert!(
        plan.contains(&format!("is not owned by account {}", world.account)),
        "{plan}"
    );
    let owners_policy = world.runtime.block_on(bucket_policy(
        &world.moto.sdk_config(&other, REGION),
        &bucket,
    ));
    assert_eq!(
        owners_policy, None,
        "the other account's bucket is untouched"
    );

    let (code, report) = drift(&world, &spec);
    assert_eq!(code, 1);
    // The log group, both configurations and the room do not exist yet; the bucket is not
    // the account's.
    assert_eq!(
        rule_ids(&report),
        ["CL100", "CL100", "CL100", "CL100", "CL111"],
        "{report:#}"
    );
    assert_eq!(line_of(&report, "CL111"), spec_line(&spec, "archive"));
}

#[test]
fn a_spec_whose_bucket_is_in_another_region_fails_before_any_write_call() {
    let world = World::delivering_to_moto();
    let bucket = format!("chat-eu-{}", world.account);
    world.runtime.block_on(create_bucket(
        &world.moto.sdk_config(&world.account, "eu-west-1"),
        &bucket,
        "eu-west-1",
    ));
    let dir = fresh_dir("dest-region");
    let spec = spec_with_bucket(&world, &dir, &bucket);
    let (plan, _) = refused_before_any_write(&world, &spec);
    assert!(
        plan.contains("is in `eu-west-1`, not in us-west-2"),
        "{plan}"
    );

    let (code, report) = drift(&world, &spec);
    assert_eq!(code, 1);
    assert!(
        rule_ids(&report).contains(&"CL110".to_owned()),
        "{report:#}"
    );
}

#[test]
fn a_managed_looking_bucket_without_the_ownership_tags_is_never_changed() {
    let world = World::delivering_to_moto();
    let config = world.moto_config();
    let bucket = managed_bucket(&world);
    world
        .runtime
        .block_on(create_bucket(&config, &bucket, REGION));
    let dir = fresh_dir("dest-untagged");
    let spec = dir.join("spec.yaml");
    std::fs::write(
        &spec,
        format!(
            r#"version: 1
name: dest-test
defaults: {{account: "{account}", region: {REGION}}}
destinations:
  archive: {{s3: {{bucket: {bucket}, create: true}}}}
logging_configurations:
  archive: {{destination: archive}}
rooms:
  lobby: {{logging: [archive]}}
"#,
            account = world.account
        ),
    )
    .unwrap();
    let (code, plan, _) = world.run(&["plan"], &spec);
    assert_eq!(code, 0, "{plan}");
    assert!(plan.contains("! update AWS::S3::Bucket archive"), "{plan}");
    assert!(
        plan.contains("chatlog does not change destinations it does not own"),
        "{plan}"
    );

    let audit = dir.join("audit.jsonl");
    apply(&world, &spec, &audit);
    let writes = audit_writes(&audit_records(&audit));
    assert!(
        writes.iter().all(|w| !w.starts_with("s3.")),
        "no S3 write: {writes:?}"
    );
    let tags = world.runtime.block_on(
        s3_client(&config)
            .get_bucket_tagging()
            .bucket(&bucket)
            .send(),
    );
    assert!(tags.is_err(), "still untagged: {tags:?}");
}

#[test]
fn existing_destinations_that_do_not_exist_stop_the_apply() {
    let world = World::delivering_to_moto();
    let dir = fresh_dir("dest-missing");
    let spec = write_spec(&world, &dir);
    let (plan, _) = refused_before_any_write(&world, &spec);
    for missing in [
        format!(
            "bucket `{}` (destination `shared`) does not exist",
            shared_bucket(&world)
        ),
        format!("log group `{OPS_GROUP}` (destination `ops`) does not exist"),
        format!("Firehose stream `{STREAM}` (destination `analytics`) does not exist"),
    ] {
        assert!(plan.contains(&missing), "{missing} not in:\n{plan}");
    }
    let managed = world.runtime.block_on(
        s3_client(&world.moto_config())
            .head_bucket()
            .bucket(managed_bucket(&world))
            .send(),
    );
    assert!(
        managed.is_err(),
        "the managed bucket was not created either"
    );

    let (code, report) = drift(&world, &spec);
    assert_eq!(code, 1);
    let at: Vec<u64> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "CL109")
        .map(|d| d["location"]["line"].as_u64().unwrap())
        .collect();
    assert_eq!(
        at,
        [
            spec_line(&spec, "shared"),
            spec_line(&spec, "ops"),
            spec_line(&spec, "analytics")
        ]
    );
}

#[test]
fn a_broader_grant_in_an_existing_policy_is_reported_by_drift_and_left_alone_by_apply() {
    let world = World::delivering_to_moto();
    let config = world.moto_config();
    let bucket = shared_bucket(&world);
    // The owner lets log delivery do anything on the whole bucket: it can write, so chatlog
    // adds nothing, and the statement is not chatlog's to narrow.
    let broad = json!({
        "Sid": "LogsAnything",
        "Effect": "Allow",
        "Principal": {"Service": "delivery.logs.amazonaws.com"},
        "Action": "s3:*",
        "Resource": [format!("arn:aws:s3:::{bucket}"), format!("arn:aws:s3:::{bucket}/*")],
        "Condition": {
            "StringEquals": {"aws:SourceAccount": world.account},
            "ArnLike": {"aws:SourceArn": format!("arn:aws:logs:{REGION}:{}:*", world.account)}
        }
    });
    let statements = vec![foreign_statement(&bucket), broad];
    world.runtime.block_on(async {
        create_bucket(&config, &bucket, REGION).await;
        put_policy(&config, &bucket, statements.clone()).await;
    });
    let dir = fresh_dir("dest-broad");
    let spec = spec_with_bucket(&world, &dir, &bucket);
    let audit = dir.join("audit.jsonl");
    apply(&world, &spec, &audit);
    let writes = audit_writes(&audit_records(&audit));
    assert!(
        !writes.contains(&"s3.amazonaws.com:PutBucketPolicy".to_owned()),
        "{writes:?}"
    );
    let policy = world
        .runtime
        .block_on(bucket_policy(&config, &bucket))
        .unwrap();
    assert_eq!(policy["Statement"], json!(statements), "untouched");

    let (code, report) = drift(&world, &spec);
    assert_eq!(code, 1, "{report}");
    assert_eq!(rule_ids(&report), ["CL106"], "{report:#}");
    let finding = &report["diagnostics"][0];
    assert!(
        finding["message"]
            .as_str()
            .unwrap()
            .contains("action `s3:*`"),
        "{finding}"
    );
    assert!(
        finding["help"]
            .as_str()
            .unwrap()
            .contains("never removes statements from a policy it does not own"),
        "{finding}"
    );
    assert_eq!(line_of(&report, "CL106"), spec_line(&spec, "archive"));
}
