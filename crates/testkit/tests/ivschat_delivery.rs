//! The log-delivery side effects the local IVS Chat server writes into moto when a logging
//! configuration is created or re-pointed (aws-facts §1(c)), read back through the real SDK
//! clients of S3, CloudWatch Logs, IAM and Firehose.
// Test code: clippy.toml's test allowances (unwrap, expect, panic, indexing) apply to all of it.
#![cfg(test)]

mod common;

use aws_sdk_ivschat::operation::create_logging_configuration::CreateLoggingConfigurationError;
use aws_sdk_s3::types::{BucketLocationConstraint, CreateBucketConfiguration};
use chatlog_testkit::{IvsChatServer, MotoServer, ServerConfig, fresh_account, s3_client};
use common::{REGION, configuration_arns, firehose, logs, s3, status};
use serde_json::{Value, json};

struct World {
    _server: IvsChatServer,
    ivschat: aws_sdk_ivschat::Client,
    s3: aws_sdk_s3::Client,
    logs: aws_sdk_cloudwatchlogs::Client,
    iam: aws_sdk_iam::Client,
    firehose: aws_sdk_firehose::Client,
    account: String,
}

/// A server writing into the shared moto, and clients for both as a fresh account.
fn world() -> World {
    let moto = MotoServer::shared().unwrap();
    let server = IvsChatServer::start(ServerConfig {
        moto_endpoint: Some(moto.endpoint().to_owned()),
        ..ServerConfig::default()
    })
    .unwrap();
    let account = fresh_account();
    let config = moto.sdk_config(&account, REGION);
    World {
        ivschat: common::client(&server, &account, REGION),
        s3: s3_client(&config),
        logs: aws_sdk_cloudwatchlogs::Client::new(&config),
        iam: aws_sdk_iam::Client::new(&config),
        firehose: aws_sdk_firehose::Client::new(&config),
        _server: server,
        account,
    }
}

impl World {
    async fn bucket(&self, name: &str) -> String {
        let bucket = format!("{name}-{}", self.account);
        self.s3
            .create_bucket()
            .bucket(&bucket)
            .create_bucket_configuration(
                CreateBucketConfiguration::builder()
                    .location_constraint(BucketLocationConstraint::from(REGION))
                    .build(),
            )
            .send()
            .await
            .unwrap();
        bucket
    }

    async fn bucket_policy(&self, bucket: &str) -> Option<Value> {
        match self.s3.get_bucket_policy().bucket(bucket).send().await {
            Ok(out) => Some(serde_json::from_str(out.policy().unwrap()).unwrap()),
            Err(_) => None,
        }
    }

    async fn logs_policies(&self) -> Vec<(String, Value)> {
        let out = self.logs.describe_resource_policies().send().await.unwrap();
        out.resource_policies()
            .iter()
            .map(|p| {
                (
                    p.policy_name().unwrap().to_owned(),
                    serde_json::from_str(p.policy_document().unwrap()).unwrap(),
                )
            })
            .collect()
    }

    async fn stream(&self, name: &str) {
        let destination = aws_sdk_firehose::types::ExtendedS3DestinationConfiguration::builder()
            .role_arn(format!("arn:aws:iam::{}:role/firehose", self.account))
            .bucket_arn("arn:aws:s3:::firehose-target")
            .build()
            .unwrap();
        self.firehose
            .create_delivery_stream()
            .delivery_stream_name(name)
            .extended_s3_destination_configuration(destination)
            .send()
            .await
            .unwrap();
    }

    async fn create(
        &self,
        destination: aws_sdk_ivschat::types::DestinationConfiguration,
    ) -> Result<String, aws_sdk_ivschat::error::SdkError<CreateLoggingConfigurationError>> {
        self.ivschat
            .create_logging_configuration()
            .destination_configuration(destination)
            .send()
            .await
            .map(|c| c.arn().unwrap().to_owned())
    }
}

/// The statements of aws-facts §1(c) S3, written out here rather than taken from the server.
fn s3_statements(bucket: &str, account: &str) -> Value {
    let source = format!("arn:aws:logs:{REGION}:{account}:*");
    json!([
        {
            "Sid": "AWSLogDeliveryAclCheck",
            "Effect": "Allow",
            "Principal": { "Service": "delivery.logs.amazonaws.com" },
            "Action": "s3:GetBucketAcl",
            "Resource": format!("arn:aws:s3:::{bucket}"),
            "Condition": {
                "StringEquals": { "aws:SourceAccount": [account] },
                "ArnLike": { "aws:SourceArn": [source] }
            }
        },
        {
            "Sid": "AWSLogDeliveryWrite",
            "Effect": "Allow",
            "Principal": { "Service": "delivery.logs.amazonaws.com" },
            "Action": "s3:PutObject",
            "Resource": format!("arn:aws:s3:::{bucket}/AWSLogs/{account}/*"),
            "Condition": {
                "StringEquals": {
                    "s3:x-amz-acl": "bucket-owner-full-control",
                    "aws:SourceAccount": [account]
                },
                "ArnLike": { "aws:SourceArn": [source] }
            }
        }
    ])
}

#[tokio::test]
async fn a_bucket_without_a_policy_gets_the_log_delivery_policy() {
    let world = world();
    let bucket = world.bucket("archive").await;
    assert_eq!(world.bucket_policy(&bucket).await, None);
    world.create(s3(&bucket)).await.unwrap();
    let policy = world.bucket_policy(&bucket).await.unwrap();
    assert_eq!(
        policy,
        json!({
            "Version": "2012-10-17",
            "Id": "AWSLogDeliveryWrite20150319",
            "Statement": s3_statements(&bucket, &world.account)
        })
    );
    // A second configuration to the same bucket adds nothing.
    world.create(s3(&bucket)).await.unwrap();
    assert_eq!(world.bucket_policy(&bucket).await.unwrap(), policy);
}

#[tokio::test]
async fn an_existing_bucket_policy_keeps_its_statements_and_gains_the_missing_ones() {
    let world = world();
    let bucket = world.bucket("shared").await;
    let foreign = json!({
        "Sid": "TlsOnly",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [format!("arn:aws:s3:::{bucket}"), format!("arn:aws:s3:::{bucket}/*")],
        "Condition": { "Bool": { "aws:SecureTransport": "false" } }
    });
    let mut acl_check = s3_statements(&bucket, &world.account)[0].clone();
    // Someone already granted the ACL check, with s3:ListBucket as the CloudWatch docs suggest.
    acl_check["Action"] = json!(["s3:GetBucketAcl", "s3:ListBucket"]);
    acl_check["Sid"] = json!("Mine");
    let original = json!({ "Version": "2012-10-17", "Statement": [foreign, acl_check] });
    world
        .s3
        .put_bucket_policy()
        .bucket(&bucket)
        .policy(original.to_string())
        .send()
        .await
        .unwrap();

    world.create(s3(&bucket)).await.unwrap();
    let policy = world.bucket_policy(&bucket).await.unwrap();
    let statements = policy["Statement"].as_array().unwrap();
    assert_eq!(statements.len(), 3, "{policy:#}");
    assert_eq!(statements[0], original["Statement"][0]);
    assert_eq!(statements[1], original["Statement"][1]);
    assert_eq!(statements[2], s3_statements(&bucket, &world.account)[1]);
    assert_eq!(
        policy.get("Id"),
        None,
        "an existing policy keeps its own header"
    );
}

#[tokio::test]
async fn a_missing_bucket_or_a_not_action_policy_fails_the_create() {
    let world = world();
    let error = world
        .create(s3(&format!("missing-{}", world.account)))
        .await
        .unwrap_err();
    assert_eq!(status(&error), 404);
    assert!(matches!(
        error.into_service_error(),
        CreateLoggingConfigurationError::ResourceNotFoundException(_)
    ));

    let bucket = world.bucket("guarded").await;
    let guarded = json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Deny",
            "NotPrincipal": { "AWS": format!("arn:aws:iam::{}:root", world.account) },
            "Action": "s3:DeleteBucket",
            "Resource": format!("arn:aws:s3:::{bucket}")
        }]
    });
    world
        .s3
        .put_bucket_policy()
        .bucket(&bucket)
        .policy(guarded.to_string())
        .send()
        .await
        .unwrap();
    let error = world.create(s3(&bucket)).await.unwrap_err();
    assert_eq!(status(&error), 400);
    assert_eq!(world.bucket_policy(&bucket).await.unwrap(), guarded);
    // Neither failure left a configuration behind.
    assert!(configuration_arns(&world.ivschat).await.is_empty());
}

#[tokio::test]
async fn log_groups_join_the_account_level_delivery_policy() {
    let world = world();
    for group in ["/aws/vendedlogs/a", "/aws/vendedlogs/b"] {
        world
            .logs
            .create_log_group()
            .log_group_name(group)
            .send()
            .await
            .unwrap();
        world.create(logs(group)).await.unwrap();
    }
    let policies = world.logs_policies().await;
    assert_eq!(policies.len(), 1);
    let (name, document) = &policies[0];
    assert_eq!(name, "AWSLogDeliveryWrite20150319");
    let account = &world.account;
    let resource =
        |group: &str| format!("arn:aws:logs:{REGION}:{account}:log-group:{group}:log-stream:*");
    assert_eq!(
        document,
        &json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Sid": "AWSLogDeliveryWrite20150319",
                "Effect": "Allow",
                "Principal": { "Service": ["delivery.logs.amazonaws.com"] },
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": [resource("/aws/vendedlogs/a"), resource("/aws/vendedlogs/b")],
                "Condition": {
                    "StringEquals": { "aws:SourceAccount": [account] },
                    "ArnLike": { "aws:SourceArn": [format!("arn:aws:logs:{REGION}:{account}:*")] }
                }
            }]
        })
    );

    let error = world
        .create(logs("/aws/vendedlogs/missing"))
        .await
        .unwrap_err();
    assert_eq!(status(&error), 404);
}

#[tokio::test]
async fn a_wildcard_policy_that_already_grants_delivery_is_left_alone() {
    let world = world();
    let account = &world.account;
    let wildcard = json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": { "Service": "delivery.logs.amazonaws.com" },
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": format!("arn:aws:logs:{REGION}:{account}:log-group:/aws/vendedlogs/*")
        }]
    });
    world
        .logs
        .put_resource_policy()
        .policy_name("VendedLogs")
        .policy_document(wildcard.to_string())
        .send()
        .await
        .unwrap();
    world
        .logs
        .create_log_group()
        .log_group_name("/aws/vendedlogs/c")
        .send()
        .await
        .unwrap();
    world.create(logs("/aws/vendedlogs/c")).await.unwrap();
    let policies = world.logs_policies().await;
    assert_eq!(policies, [("VendedLogs".to_owned(), wildcard)]);
}

#[tokio::test]
async fn firehose_gets_the_service_linked_role_and_the_delivery_tag() {
    let world = world();
    world.stream("chat-analytics").await;
    world.stream("chat-audit").await;
    world.create(firehose("chat-analytics")).await.unwrap();
    // The role exists now; a second stream only gets its tag.
    world.create(firehose("chat-audit")).await.unwrap();

    let role = world
        .iam
        .get_role()
        .role_name("AWSServiceRoleForLogDelivery")
        .send()
        .await
        .unwrap();
    let role = role.role().unwrap();
    assert_eq!(
        role.path(),
        "/aws-service-role/delivery.logs.amazonaws.com/"
    );
    assert_eq!(
        role.arn(),
        format!(
            "arn:aws:iam::{}:role/aws-service-role/delivery.logs.amazonaws.com/AWSServiceRoleForLogDelivery",
            world.account
        )
    );
    let trust = role.assume_role_policy_document().unwrap();
    let trust: Value = serde_json::from_str(&percent_decode(trust)).unwrap();
    assert_eq!(
        trust["Statement"][0]["Principal"]["Service"],
        "delivery.logs.amazonaws.com"
    );
    assert_eq!(trust["Statement"][0]["Action"], "sts:AssumeRole");

    // moto has no AWSLogDeliveryServiceRolePolicy to attach, so its statement is inline.
    let permissions = world
        .iam
        .get_role_policy()
        .role_name("AWSServiceRoleForLogDelivery")
        .policy_name("AWSLogDeliveryServiceRolePolicy")
        .send()
        .await
        .unwrap();
    let permissions: Value =
        serde_json::from_str(&percent_decode(permissions.policy_document())).unwrap();
    assert_eq!(
        permissions["Statement"][0]["Condition"],
        json!({ "StringEquals": { "aws:ResourceTag/LogDeliveryEnabled": "true" } })
    );
    assert_eq!(
        permissions["Statement"][0]["Action"],
        json!([
            "firehose:PutRecord",
            "firehose:PutRecordBatch",
            "firehose:ListTagsForDeliveryStream"
        ])
    );

    for stream in ["chat-analytics", "chat-audit"] {
        let tags = world
            .firehose
            .list_tags_for_delivery_stream()
            .delivery_stream_name(stream)
            .send()
            .await
            .unwrap();
        let tags: Vec<(&str, Option<&str>)> =
            tags.tags().iter().map(|t| (t.key(), t.value())).collect();
        assert_eq!(tags, [("LogDeliveryEnabled", Some("true"))], "{stream}");
    }

    let error = world.create(firehose("no-such-stream")).await.unwrap_err();
    assert_eq!(status(&error), 404);
}

#[tokio::test]
async fn re_pointing_writes_the_new_side_effects_and_deleting_leaves_them() {
    let world = world();
    let first = world.bucket("first").await;
    let second = world.bucket("second").await;
    let arn = world.create(s3(&first)).await.unwrap();
    assert_eq!(world.bucket_policy(&second).await, None);
    world
        .ivschat
        .update_logging_configuration()
        .identifier(&arn)
        .destination_configuration(s3(&second))
        .send()
        .await
        .unwrap();
    let policy = world.bucket_policy(&second).await.unwrap();
    assert_eq!(policy["Statement"], s3_statements(&second, &world.account));

    // Re-pointing at a bucket that does not exist fails and keeps the old destination.
    let error = world
        .ivschat
        .update_logging_configuration()
        .identifier(&arn)
        .destination_configuration(s3(&format!("gone-{}", world.account)))
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&error), 404);
    let kept = world
        .ivschat
        .get_logging_configuration()
        .identifier(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(kept.destination_configuration(), Some(&s3(&second)));

    world
        .ivschat
        .delete_logging_configuration()
        .identifier(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(
        world.bucket_policy(&first).await.unwrap()["Statement"],
        s3_statements(&first, &world.account)
    );
    assert_eq!(world.bucket_policy(&second).await.unwrap(), policy);
}

/// IAM returns policy documents URL-encoded.
fn percent_decode(text: &str) -> String {
    let mut out = Vec::new();
    let mut rest = text.as_bytes();
    while let Some((&byte, tail)) = rest.split_first() {
        if byte == b'%' && tail.len() >= 2 {
            let hex = std::str::from_utf8(&tail[..2]).unwrap();
            out.push(u8::from_str_radix(hex, 16).unwrap());
            rest = &tail[2..];
        } else {
            out.push(byte);
            rest = tail;
        }
    }
    String::from_utf8(out).unwrap()
}
