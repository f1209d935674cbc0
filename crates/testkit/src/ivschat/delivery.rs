//! What AWS writes into the destination's account when a logging configuration is created or
//! pointed at a new destination (aws-facts §1(c)), written into moto.
//!
//! This is an independent model of AWS's behaviour, on purpose not chatlog's own policy code:
//! tests compare what chatlog renders or checks with what "AWS" wrote. The resource policies
//! are read, changed and written back as plain JSON; statements anyone else put there stay as
//! they were.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use aws_config::SdkConfig;
use aws_sdk_s3::error::{DisplayErrorContext, ProvideErrorMetadata};
use serde_json::{Value, json};

use super::error::ApiError;
use super::model::Destination;
use super::ops::Caller;
use super::policy::{cloudwatch_statement, merge_log_group, merge_statements, s3_statements};
use crate::moto::{s3_client, sdk_config};

/// The service-linked role log delivery uses for Firehose (aws-facts §1(c) Firehose).
pub(crate) const SERVICE_ROLE: &str = "AWSServiceRoleForLogDelivery";
const SERVICE_ROLE_PATH: &str = "/aws-service-role/delivery.logs.amazonaws.com/";
/// The managed policy AWS attaches to that role. moto does not ship it, so its statement is
/// written as an inline policy of the same name.
const SERVICE_ROLE_POLICY: &str = "AWSLogDeliveryServiceRolePolicy";
/// The account-level CloudWatch Logs resource policy log delivery maintains (aws-facts §1(c)).
pub(crate) const LOGS_POLICY: &str = "AWSLogDeliveryWrite20150319";

/// Clients for one moto endpoint, as the calling account.
pub(crate) struct Delivery {
    endpoint: String,
    configs: Mutex<HashMap<(String, String), SdkConfig>>,
}

/// Why a call to moto failed, in one line: the error code and message when moto sent them,
/// else the start of the error chain (which may hold a whole response).
fn failed<E>(what: &str, error: &E) -> ApiError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let detail = match (error.code(), error.message()) {
        (Some(code), Some(message)) => format!("{code}: {message}"),
        (Some(code), None) => code.to_owned(),
        _ => DisplayErrorContext(error)
            .to_string()
            .chars()
            .take(300)
            .collect(),
    };
    ApiError::internal(format!("log delivery set-up failed: {what}: {detail}"))
}

impl Delivery {
    pub(crate) fn new(endpoint: String) -> Self {
        Self {
            endpoint,
            configs: Mutex::new(HashMap::new()),
        }
    }

    fn config(&self, caller: &Caller) -> SdkConfig {
        let mut configs = self.configs.lock().unwrap_or_else(PoisonError::into_inner);
        configs
            .entry((caller.account.clone(), caller.region.clone()))
            .or_insert_with(|| sdk_config(&self.endpoint, &caller.account, &caller.region))
            .clone()
    }

    /// Writes the side effects of logging to `destination`. A destination that does not exist
    /// fails the call with `ResourceNotFoundException` (the service cannot deliver there; which
    /// error AWS answers is not documented, aws-facts §1(c)).
    pub(crate) async fn set_up(
        &self,
        caller: &Caller,
        destination: &Destination,
    ) -> Result<(), ApiError> {
        let config = self.config(caller);
        match destination {
            Destination::S3 { bucket } => s3(&config, caller, bucket).await,
            Destination::CloudWatchLogs { log_group } => logs(&config, caller, log_group).await,
            Destination::Firehose { stream } => firehose(&config, stream).await,
        }
    }
}

/// The bucket policy: created with Id `AWSLogDeliveryWrite20150319` when the bucket has none,
/// else the two statements appended unless equivalent ones are there already. A policy with
/// `NotAction` or `NotPrincipal` is refused, as AWS's automatic addition fails on it
/// (aws-facts §1(c) S3); that answers `ValidationException` (reason OTHER) here.
async fn s3(config: &SdkConfig, caller: &Caller, bucket: &str) -> Result<(), ApiError> {
    let client = s3_client(config);
    let current = match client.get_bucket_policy().bucket(bucket).send().await {
        Ok(out) => out.policy().map(str::to_owned),
        Err(error) => match error.code() {
            Some("NoSuchBucketPolicy") => None,
            Some("NoSuchBucket") => {
                return Err(ApiError::not_found(
                    &alnum(bucket),
                    format!("S3 bucket `{bucket}` does not exist"),
                ));
            }
            _ => return Err(failed("s3:GetBucketPolicy", &error)),
        },
    };
    let mut document = match current {
        Some(text) => serde_json::from_str(&text).map_err(|e| {
            ApiError::other(format!("the policy of bucket `{bucket}` is not JSON: {e}"))
        })?,
        None => json!({ "Version": "2012-10-17", "Id": LOGS_POLICY, "Statement": [] }),
    };
    let wanted = s3_statements(bucket, &caller.account, &caller.region);
    let changed = merge_statements(&mut document, &wanted).map_err(|reason| {
        ApiError::other(format!(
            "log delivery cannot add its statements to the policy of bucket `{bucket}`: {reason}"
        ))
    })?;
    if changed {
        client
            .put_bucket_policy()
            .bucket(bucket)
            .policy(document.to_string())
            .send()
            .await
            .map_err(|e| failed("s3:PutBucketPolicy", &e))?;
    }
    Ok(())
}

/// The log group's resource policy. moto 5.2 has only account-level resource policies (its
/// PutResourcePolicy ignores `resourceArn`), so this writes the historical form: the policy
/// named `AWSLogDeliveryWrite20150319` with the group's ARN appended to its statement, unless a
/// policy already grants it, e.g. through a wildcard (aws-facts §1(c) CloudWatch Logs).
async fn logs(config: &SdkConfig, caller: &Caller, group: &str) -> Result<(), ApiError> {
    let client = aws_sdk_cloudwatchlogs::Client::new(config);
    let groups = client
        .describe_log_groups()
        .log_group_name_prefix(group)
        .send()
        .await
        .map_err(|e| failed("logs:DescribeLogGroups", &e))?;
    let exists = groups
        .log_groups()
        .iter()
        .any(|g| g.log_group_name() == Some(group));
    if !exists {
        return Err(ApiError::not_found(
            &alnum(group),
            format!("log group `{group}` does not exist"),
        ));
    }
    let policies = client
        .describe_resource_policies()
        .send()
        .await
        .map_err(|e| failed("logs:DescribeResourcePolicies", &e))?;
    let documents: Vec<(String, Value)> = policies
        .resource_policies()
        .iter()
        .filter_map(|p| {
            let name = p.policy_name()?.to_owned();
            let document = serde_json::from_str(p.policy_document()?).ok()?;
            Some((name, document))
        })
        .collect();
    let wanted = cloudwatch_statement(group, &caller.account, &caller.region);
    let current = documents
        .iter()
        .find(|(name, _)| name == LOGS_POLICY)
        .map(|(_, d)| d.clone());
    let others: Vec<&Value> = documents
        .iter()
        .filter(|(name, _)| name != LOGS_POLICY)
        .map(|(_, d)| d)
        .collect();
    if let Some(document) = merge_log_group(current, &others, &wanted) {
        client
            .put_resource_policy()
            .policy_name(LOGS_POLICY)
            .policy_document(document.to_string())
            .send()
            .await
            .map_err(|e| failed("logs:PutResourcePolicy", &e))?;
    }
    Ok(())
}

/// Firehose has no resource policy: AWS creates the service-linked role if missing and tags the
/// stream `LogDeliveryEnabled=true` (aws-facts §1(c) Firehose).
///
/// moto's CreateServiceLinkedRole names the role of `delivery.logs.amazonaws.com`
/// `AWSServiceRoleForlogs_Delivery`, not AWS's `AWSServiceRoleForLogDelivery`, so the role is
/// created with CreateRole under the service-role path and the real name instead.
async fn firehose(config: &SdkConfig, stream: &str) -> Result<(), ApiError> {
    let firehose = aws_sdk_firehose::Client::new(config);
    // ListTagsForDeliveryStream rather than DescribeDeliveryStream: the SDK cannot parse moto's
    // description of a stream created without a compression format.
    if let Err(error) = firehose
        .list_tags_for_delivery_stream()
        .delivery_stream_name(stream)
        .send()
        .await
    {
        return Err(match error.code() {
            Some("ResourceNotFoundException") => ApiError::not_found(
                &alnum(stream),
                format!("Firehose stream `{stream}` does not exist"),
            ),
            _ => failed("firehose:ListTagsForDeliveryStream", &error),
        });
    }
    let iam = aws_sdk_iam::Client::new(config);
    match iam.get_role().role_name(SERVICE_ROLE).send().await {
        Ok(_) => {}
        Err(error) if error.code() == Some("NoSuchEntity") => create_service_role(&iam).await?,
        Err(error) => return Err(failed("iam:GetRole", &error)),
    }
    let tag = aws_sdk_firehose::types::Tag::builder()
        .key("LogDeliveryEnabled")
        .value("true")
        .build()
        .map_err(|e| ApiError::internal(format!("firehose tag: {e}")))?;
    firehose
        .tag_delivery_stream()
        .delivery_stream_name(stream)
        .tags(tag)
        .send()
        .await
        .map_err(|e| failed("firehose:TagDeliveryStream", &e))?;
    Ok(())
}

async fn create_service_role(iam: &aws_sdk_iam::Client) -> Result<(), ApiError> {
    let trust = json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": { "Service": "delivery.logs.amazonaws.com" },
            "Action": "sts:AssumeRole"
        }]
    });
    let permissions = json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Action": [
                "firehose:PutRecord",
                "firehose:PutRecordBatch",
                "firehose:ListTagsForDeliveryStream"
            ],
            "Resource": "*",
            "Condition": { "StringEquals": { "aws:ResourceTag/LogDeliveryEnabled": "true" } }
        }]
    });
    iam.create_role()
        .role_name(SERVICE_ROLE)
        .path(SERVICE_ROLE_PATH)
        .assume_role_policy_document(trust.to_string())
        .description("Service-linked role for log delivery (created by the local IVS Chat server)")
        .send()
        .await
        .map_err(|e| failed("iam:CreateRole", &e))?;
    iam.put_role_policy()
        .role_name(SERVICE_ROLE)
        .policy_name(SERVICE_ROLE_POLICY)
        .policy_document(permissions.to_string())
        .send()
        .await
        .map_err(|e| failed("iam:PutRolePolicy", &e))?;
    Ok(())
}

/// `resourceId` members are `[a-zA-Z0-9]+` in the model; destination names may hold other
/// characters, which are dropped.
fn alnum(name: &str) -> String {
    let id: String = name.chars().filter(char::is_ascii_alphanumeric).collect();
    if id.is_empty() {
        "destination".to_owned()
    } else {
        id
    }
}
