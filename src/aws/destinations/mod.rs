//! The spec's destinations behind a narrow trait: S3 buckets, CloudWatch Logs log groups,
//! Firehose streams, their policies and log delivery's service-linked role, read into
//! `crate::live::destinations` types, and `DestinationOperation`s executed. SDK types never leave
//! this module. One file per service (`s3`, `logs`, `firehose`, `iam`); this one holds the trait,
//! the client, and the dispatch. Every call goes through the shared call helper (audit log, error
//! mapping); only IVS Chat calls are paced, since only its quotas are known (aws-facts.md §1(b)).

mod firehose;
mod iam;
mod logs;
mod s3;

use std::collections::HashMap;
use std::future::Future;

use super::Session;
use super::calls::Calls;
use super::error::AwsError;
use crate::live::Tags;
use crate::live::destinations::{
    LiveBucket, LiveDestinations, LiveLogGroup, LiveStream, LogPolicy, RoleState,
};
use crate::model::{Deployment, DestinationKind};
use crate::plan::DestinationOperation;

pub trait DestinationApi: Clone + Send + Sync + 'static {
    /// A bucket as the deployment's account sees it; a managed one with its settings and tags.
    fn bucket(
        &self,
        name: String,
        managed: bool,
    ) -> impl Future<Output = Result<LiveBucket, AwsError>> + Send;
    /// A log group, its log-group-level policy, and for a managed one its tags.
    fn log_group(
        &self,
        name: String,
        managed: bool,
    ) -> impl Future<Output = Result<LiveLogGroup, AwsError>> + Send;
    /// The region's account-level CloudWatch Logs resource policies, all pages.
    fn account_log_policies(&self)
    -> impl Future<Output = Result<Vec<LogPolicy>, AwsError>> + Send;
    fn stream(&self, name: String) -> impl Future<Output = Result<LiveStream, AwsError>> + Send;
    /// The name of log delivery's service-linked role, if the account has it.
    fn log_delivery_role(&self) -> impl Future<Output = Result<Option<String>, AwsError>> + Send;
    fn execute(
        &self,
        operation: DestinationOperation,
    ) -> impl Future<Output = Result<(), AwsError>> + Send;
}

/// Reads what the deployment's destinations look like now, one destination at a time.
pub async fn read_destinations<D: DestinationApi>(
    api: &D,
    deployment: &Deployment,
) -> Result<LiveDestinations, AwsError> {
    let mut live = LiveDestinations::empty(&deployment.account, &deployment.region);
    for d in &deployment.destinations {
        match &d.kind {
            DestinationKind::S3 { bucket } => {
                live.buckets
                    .push(api.bucket(bucket.clone(), d.managed).await?);
            }
            DestinationKind::CloudWatchLogs { log_group, .. } => {
                live.log_groups
                    .push(api.log_group(log_group.clone(), d.managed).await?);
            }
            DestinationKind::Firehose { delivery_stream } => {
                live.streams
                    .push(api.stream(delivery_stream.clone()).await?);
            }
        }
    }
    if !live.log_groups.is_empty() {
        live.account_log_policies = api.account_log_policies().await?;
    }
    if !live.streams.is_empty() {
        live.log_delivery_role = match api.log_delivery_role().await? {
            Some(name) => RoleState::Present { name },
            None => RoleState::Missing,
        };
    }
    Ok(live)
}

#[derive(Clone, Debug)]
pub struct SdkDestinations {
    account: String,
    region: String,
    s3: aws_sdk_s3::Client,
    logs: aws_sdk_cloudwatchlogs::Client,
    firehose: aws_sdk_firehose::Client,
    iam: aws_sdk_iam::Client,
    s3_calls: Calls,
    logs_calls: Calls,
    firehose_calls: Calls,
    iam_calls: Calls,
}

impl SdkDestinations {
    pub fn new(session: &Session, account: &str) -> Self {
        SdkDestinations {
            account: account.to_owned(),
            region: session.region.clone(),
            s3: session.s3(),
            logs: session.logs(),
            firehose: session.firehose(),
            iam: session.iam(),
            s3_calls: Calls::new(session, account, "s3.amazonaws.com", false),
            logs_calls: Calls::new(session, account, "logs.amazonaws.com", false),
            firehose_calls: Calls::new(session, account, "firehose.amazonaws.com", false),
            // IAM is global; CloudTrail files its events under us-east-1.
            iam_calls: Calls::new(session, account, "iam.amazonaws.com", false)
                .in_region("us-east-1"),
        }
    }
}

/// A create whose error `code` says the resource is already there, as the create wanted it.
fn already_done(result: Result<(), AwsError>, code: &str) -> Result<(), AwsError> {
    match result {
        Err(e) if is_code(&e, code) => Ok(()),
        other => other,
    }
}

fn is_code(e: &AwsError, code: &str) -> bool {
    e.code.as_deref() == Some(code)
}

fn hash_tags(tags: &Tags) -> HashMap<String, String> {
    tags.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}

impl DestinationApi for SdkDestinations {
    async fn bucket(&self, name: String, managed: bool) -> Result<LiveBucket, AwsError> {
        self.read_bucket(name, managed).await
    }

    async fn log_group(&self, name: String, managed: bool) -> Result<LiveLogGroup, AwsError> {
        self.read_log_group(name, managed).await
    }

    async fn account_log_policies(&self) -> Result<Vec<LogPolicy>, AwsError> {
        self.read_account_log_policies().await
    }

    async fn stream(&self, name: String) -> Result<LiveStream, AwsError> {
        self.read_stream(name).await
    }

    async fn log_delivery_role(&self) -> Result<Option<String>, AwsError> {
        self.read_log_delivery_role().await
    }

    async fn execute(&self, operation: DestinationOperation) -> Result<(), AwsError> {
        use DestinationOperation as Op;
        match operation {
            Op::CreateBucket { .. }
            | Op::PutPublicAccessBlock { .. }
            | Op::PutBucketEncryption { .. }
            | Op::PutBucketOwnershipControls { .. }
            | Op::PutBucketTagging { .. }
            | Op::PutBucketPolicy { .. }
            | Op::MergeBucketPolicy { .. } => self.execute_s3(operation).await,
            Op::CreateLogGroup { .. }
            | Op::PutRetentionPolicy { .. }
            | Op::DeleteRetentionPolicy { .. }
            | Op::TagLogGroup { .. }
            | Op::UntagLogGroup { .. }
            | Op::PutLogGroupPolicy { .. }
            | Op::MergeAccountLogPolicy { .. } => self.execute_logs(operation).await,
            Op::TagDeliveryStream { .. } => self.execute_firehose(operation).await,
            Op::CreateServiceLinkedRole { .. } => self.execute_iam(operation).await,
        }
    }
}

/// An operation handed to the wrong service's executor: a bug in the dispatch above.
fn misrouted(operation: &DestinationOperation) -> AwsError {
    AwsError::local(
        "internal",
        &format!("{operation:?}"),
        "internal error: a destination operation reached another service's executor",
    )
}
