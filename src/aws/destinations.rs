//! The spec's destinations behind a narrow trait: S3 buckets, CloudWatch Logs log groups,
//! Firehose streams, their policies and log delivery's service-linked role, read into
//! `crate::live::destinations` types, and `DestinationOperation`s executed. SDK types never leave
//! this module. Every call goes through the shared call helper (audit log, error mapping); only
//! IVS Chat calls are paced, since only its quotas are known (aws-facts.md §1(b)).

use std::collections::HashMap;
use std::future::Future;

use aws_sdk_cloudwatchlogs::types::PolicyScope;
use aws_sdk_s3::types::{
    BucketLocationConstraint, CreateBucketConfiguration, ObjectOwnership, OwnershipControls,
    OwnershipControlsRule, PublicAccessBlockConfiguration, ServerSideEncryption,
    ServerSideEncryptionByDefault, ServerSideEncryptionConfiguration, ServerSideEncryptionRule,
    Tagging,
};
use serde_json::{Value, json};

use super::Session;
use super::calls::{Calls, call};
use super::error::AwsError;
use crate::live::Tags;
use crate::live::destinations::{
    BucketSettings, BucketState, LiveBucket, LiveDestinations, LiveLogGroup, LiveStream, LogPolicy,
    OwnedBucket, PresentLogGroup, PublicAccessBlock, RoleState,
};
use crate::model::{Deployment, DestinationKind};
use crate::plan::DestinationOperation;
use crate::policy::PolicyDocument;
use crate::policy::limits::CWL_ACCOUNT_POLICY_MAX_CHARS;
use crate::policy::log_delivery::DELIVERY_PRINCIPAL;
use crate::policy::merge::merge_bucket_policy;

/// Largest pages: DescribeLogGroups and DescribeResourcePolicies take 1-50, Firehose's tag
/// listing 1-50, ListBuckets up to 10,000, ListRoles up to 1,000.
const LOGS_PAGE: i32 = 50;
const TAGS_PAGE: i32 = 50;
const BUCKETS_PAGE: i32 = 1000;

/// Where IAM keeps a service's linked roles: `/aws-service-role/<service>/`. The role is found
/// by that path, not by name: AWS names it AWSServiceRoleForLogDelivery (aws-facts.md §1(c)),
/// S3-compatible stand-ins such as moto 5.2 name it otherwise.
fn service_role_path(service: &str) -> String {
    format!("/aws-service-role/{service}/")
}

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

/// GetBucketLocation's answer as a region: empty means us-east-1, and the legacy `EU` is
/// eu-west-1 (S3 API reference, GetBucketLocation).
fn location_region(constraint: Option<&BucketLocationConstraint>) -> String {
    match constraint.map(BucketLocationConstraint::as_str) {
        None | Some("") => "us-east-1".to_owned(),
        Some("EU") => "eu-west-1".to_owned(),
        Some(region) => region.to_owned(),
    }
}

impl SdkDestinations {
    /// Whether the account's own bucket list has the bucket (ListBuckets lists only the
    /// caller's buckets), and the region S3 names for it there.
    async fn listed_bucket(&self, name: &str) -> Result<Option<Option<String>>, AwsError> {
        let mut token: Option<String> = None;
        loop {
            let request =
                json!({"prefix": name, "maxBuckets": BUCKETS_PAGE, "continuationToken": token});
            let send = self
                .s3
                .list_buckets()
                .prefix(name)
                .max_buckets(BUCKETS_PAGE)
                .set_continuation_token(token.take())
                .send();
            let out = self
                .s3_calls
                .call(
                    call("ListBuckets", "s3:ListAllMyBuckets", name, true),
                    request,
                    send,
                    |o| json!({"count": o.buckets().len()}),
                )
                .await?;
            if let Some(b) = out.buckets().iter().find(|b| b.name() == Some(name)) {
                return Ok(Some(b.bucket_region().map(str::to_owned)));
            }
            match out.continuation_token() {
                Some(t) if !t.is_empty() => token = Some(t.to_owned()),
                _ => return Ok(None),
            }
        }
    }

    async fn bucket_location(&self, name: &str) -> Result<String, AwsError> {
        let send = self
            .s3
            .get_bucket_location()
            .bucket(name)
            .expected_bucket_owner(&self.account)
            .send();
        let out = self
            .s3_calls
            .call(
                call("GetBucketLocation", "s3:GetBucketLocation", name, true),
                json!({"bucketName": name, "expectedBucketOwner": self.account}),
                send,
                |o| json!({"locationConstraint": o.location_constraint().map(BucketLocationConstraint::as_str)}),
            )
            .await?;
        Ok(location_region(out.location_constraint()))
    }

    async fn bucket_policy(&self, name: &str) -> Result<Option<String>, AwsError> {
        let send = self
            .s3
            .get_bucket_policy()
            .bucket(name)
            .expected_bucket_owner(&self.account)
            .send();
        let result = self
            .s3_calls
            .call(
                call("GetBucketPolicy", "s3:GetBucketPolicy", name, true),
                json!({"bucketName": name, "expectedBucketOwner": self.account}),
                send,
                |_| Value::Null,
            )
            .await;
        match result {
            Ok(out) => Ok(out.policy().map(str::to_owned)),
            Err(e) if is_code(&e, "NoSuchBucketPolicy") => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn bucket_settings(&self, name: &str) -> Result<BucketSettings, AwsError> {
        let request = json!({"bucketName": name, "expectedBucketOwner": self.account});
        let owner = &self.account;
        let public_access_block = match self
            .s3_calls
            .call(
                call(
                    "GetPublicAccessBlock",
                    "s3:GetBucketPublicAccessBlock",
                    name,
                    true,
                ),
                request.clone(),
                self.s3
                    .get_public_access_block()
                    .bucket(name)
                    .expected_bucket_owner(owner)
                    .send(),
                |_| Value::Null,
            )
            .await
        {
            Ok(out) => out
                .public_access_block_configuration()
                .map(|c| PublicAccessBlock {
                    block_public_acls: c.block_public_acls().unwrap_or(false),
                    ignore_public_acls: c.ignore_public_acls().unwrap_or(false),
                    block_public_policy: c.block_public_policy().unwrap_or(false),
                    restrict_public_buckets: c.restrict_public_buckets().unwrap_or(false),
                }),
            Err(e) if is_code(&e, "NoSuchPublicAccessBlockConfiguration") => None,
            Err(e) => return Err(e),
        };
        let encryption = match self
            .s3_calls
            .call(
                call(
                    "GetBucketEncryption",
                    "s3:GetEncryptionConfiguration",
                    name,
                    true,
                ),
                request.clone(),
                self.s3
                    .get_bucket_encryption()
                    .bucket(name)
                    .expected_bucket_owner(owner)
                    .send(),
                |_| Value::Null,
            )
            .await
        {
            Ok(out) => out
                .server_side_encryption_configuration()
                .map(|c| {
                    c.rules()
                        .iter()
                        .filter_map(|r| r.apply_server_side_encryption_by_default())
                        .map(|d| d.sse_algorithm().as_str().to_owned())
                        .collect()
                })
                .unwrap_or_default(),
            Err(e) if is_code(&e, "ServerSideEncryptionConfigurationNotFoundError") => Vec::new(),
            Err(e) => return Err(e),
        };
        let object_ownership = match self
            .s3_calls
            .call(
                call(
                    "GetBucketOwnershipControls",
                    "s3:GetBucketOwnershipControls",
                    name,
                    true,
                ),
                request.clone(),
                self.s3
                    .get_bucket_ownership_controls()
                    .bucket(name)
                    .expected_bucket_owner(owner)
                    .send(),
                |_| Value::Null,
            )
            .await
        {
            Ok(out) => out
                .ownership_controls()
                .map(|c| {
                    c.rules()
                        .iter()
                        .map(|r| r.object_ownership().as_str().to_owned())
                        .collect()
                })
                .unwrap_or_default(),
            Err(e) if is_code(&e, "OwnershipControlsNotFoundError") => Vec::new(),
            Err(e) => return Err(e),
        };
        let tags = match self
            .s3_calls
            .call(
                call("GetBucketTagging", "s3:GetBucketTagging", name, true),
                request,
                self.s3
                    .get_bucket_tagging()
                    .bucket(name)
                    .expected_bucket_owner(owner)
                    .send(),
                |_| Value::Null,
            )
            .await
        {
            Ok(out) => out
                .tag_set()
                .iter()
                .map(|t| (t.key().to_owned(), t.value().to_owned()))
                .collect(),
            Err(e) if is_code(&e, "NoSuchTagSet") => Tags::new(),
            Err(e) => return Err(e),
        };
        Ok(BucketSettings {
            public_access_block,
            encryption,
            object_ownership,
            tags,
        })
    }

    /// The log group of exactly that name: its ARN (without `:*`) and retention.
    async fn find_log_group(&self, name: &str) -> Result<Option<(String, Option<u32>)>, AwsError> {
        let mut token: Option<String> = None;
        loop {
            let request =
                json!({"logGroupNamePrefix": name, "limit": LOGS_PAGE, "nextToken": token});
            let send = self
                .logs
                .describe_log_groups()
                .log_group_name_prefix(name)
                .limit(LOGS_PAGE)
                .set_next_token(token.take())
                .send();
            let out = self
                .logs_calls
                .call(
                    call("DescribeLogGroups", "logs:DescribeLogGroups", name, true),
                    request,
                    send,
                    |o| json!({"count": o.log_groups().len(), "nextToken": o.next_token()}),
                )
                .await?;
            // A prefix query: only the exact name counts.
            if let Some(g) = out
                .log_groups()
                .iter()
                .find(|g| g.log_group_name() == Some(name))
            {
                let arn = g
                    .log_group_arn()
                    .map(str::to_owned)
                    .or_else(|| g.arn().map(|a| a.trim_end_matches(":*").to_owned()))
                    .unwrap_or_default();
                let retention = g.retention_in_days().and_then(|d| u32::try_from(d).ok());
                return Ok(Some((arn, retention)));
            }
            match out.next_token() {
                Some(t) if !t.is_empty() => token = Some(t.to_owned()),
                _ => return Ok(None),
            }
        }
    }

    async fn log_group_tags(&self, arn: &str) -> Result<Tags, AwsError> {
        let send = self.logs.list_tags_for_resource().resource_arn(arn).send();
        let out = self
            .logs_calls
            .call(
                call("ListTagsForResource", "logs:ListTagsForResource", arn, true),
                json!({"resourceArn": arn}),
                send,
                |_| Value::Null,
            )
            .await?;
        Ok(out
            .tags()
            .map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default())
    }

    /// Resource policies of one scope, all pages. moto 5.2 ignores `resourceArn` and
    /// `policyScope` and answers every account-level policy, without a `resourceArn`: callers
    /// keep only the policies whose scope and ARN say they are what was asked for.
    async fn resource_policies(
        &self,
        scope: Option<&str>,
    ) -> Result<Vec<aws_sdk_cloudwatchlogs::types::ResourcePolicy>, AwsError> {
        let mut all = Vec::new();
        let mut token: Option<String> = None;
        let resource = scope.unwrap_or(&self.region);
        loop {
            let request = json!({"resourceArn": scope, "policyScope": scope.map(|_| "RESOURCE"), "limit": LOGS_PAGE, "nextToken": token});
            let mut builder = self
                .logs
                .describe_resource_policies()
                .limit(LOGS_PAGE)
                .set_next_token(token.take());
            if let Some(arn) = scope {
                builder = builder
                    .resource_arn(arn)
                    .policy_scope(PolicyScope::Resource);
            }
            let out = self
                .logs_calls
                .call(
                    call(
                        "DescribeResourcePolicies",
                        "logs:DescribeResourcePolicies",
                        resource,
                        true,
                    ),
                    request,
                    builder.send(),
                    |o| json!({"count": o.resource_policies().len(), "nextToken": o.next_token()}),
                )
                .await?;
            all.extend(out.resource_policies().iter().cloned());
            match out.next_token() {
                Some(t) if !t.is_empty() => token = Some(t.to_owned()),
                _ => return Ok(all),
            }
        }
    }

    async fn log_group_policy(&self, arn: &str) -> Result<Option<LogPolicy>, AwsError> {
        let policies = self.resource_policies(Some(arn)).await?;
        Ok(policies
            .iter()
            .find(|p| {
                p.resource_arn()
                    .is_some_and(|r| r.trim_end_matches(":*") == arn)
            })
            .map(log_policy))
    }

    async fn put_bucket_policy(&self, bucket: &str, document: &str) -> Result<(), AwsError> {
        let request = json!({
            "bucketName": bucket,
            "expectedBucketOwner": self.account,
            "bucketPolicy": serde_json::from_str::<Value>(document).unwrap_or(Value::Null),
        });
        let send = self
            .s3
            .put_bucket_policy()
            .bucket(bucket)
            .expected_bucket_owner(&self.account)
            .policy(document)
            .send();
        self.s3_calls
            .write(
                call("PutBucketPolicy", "s3:PutBucketPolicy", bucket, false),
                request,
                send,
            )
            .await
    }

    async fn put_resource_policy(
        &self,
        name: &str,
        arn: Option<&str>,
        document: &str,
        expected_revision_id: Option<&str>,
    ) -> Result<(), AwsError> {
        let request = json!({
            "policyName": name,
            "resourceArn": arn,
            "expectedRevisionId": expected_revision_id,
            "policyDocument": serde_json::from_str::<Value>(document).unwrap_or(Value::Null),
        });
        let send = self
            .logs
            .put_resource_policy()
            .policy_name(name)
            .set_resource_arn(arn.map(str::to_owned))
            .set_expected_revision_id(expected_revision_id.map(str::to_owned))
            .policy_document(document)
            .send();
        self.logs_calls
            .write(
                call(
                    "PutResourcePolicy",
                    "logs:PutResourcePolicy",
                    arn.unwrap_or(name),
                    false,
                ),
                request,
                send,
            )
            .await
    }

    async fn create_bucket(&self, bucket: &str, region: &str) -> Result<(), AwsError> {
        let mut builder = self.s3.create_bucket().bucket(bucket);
        // us-east-1 takes no LocationConstraint; every other region needs one.
        let constraint = (region != "us-east-1").then(|| region.to_owned());
        if let Some(r) = &constraint {
            builder = builder.create_bucket_configuration(
                CreateBucketConfiguration::builder()
                    .location_constraint(BucketLocationConstraint::from(r.as_str()))
                    .build(),
            );
        }
        let request = json!({
            "bucketName": bucket,
            "CreateBucketConfiguration": constraint.map(|r| json!({"LocationConstraint": r})),
        });
        self.s3_calls
            .write(
                call("CreateBucket", "s3:CreateBucket", bucket, false),
                request,
                builder.send(),
            )
            .await
    }

    async fn merge_bucket_policy(
        &self,
        bucket: &str,
        statements: &PolicyDocument,
    ) -> Result<(), AwsError> {
        let current = self.bucket_policy(bucket).await?;
        let merged = merge_bucket_policy(current.as_deref().unwrap_or_default(), statements)
            .map_err(|e| {
                AwsError::local("s3:PutBucketPolicy", bucket, format!("{e}; {}", e.help()))
            })?;
        if merged.changed {
            self.put_bucket_policy(bucket, merged.text.trim_end())
                .await?;
        }
        Ok(())
    }

    async fn merge_account_log_policy(
        &self,
        name: &str,
        statements: &PolicyDocument,
    ) -> Result<(), AwsError> {
        let current = self
            .account_log_policies()
            .await?
            .into_iter()
            .find(|p| p.name == name);
        let merged = merge_bucket_policy(
            current
                .as_ref()
                .map(|p| p.document.as_str())
                .unwrap_or_default(),
            statements,
        )
        .map_err(|e| AwsError::local("logs:PutResourcePolicy", name, e))?;
        if !merged.changed {
            return Ok(());
        }
        let compact = serde_json::from_str::<Value>(&merged.text)
            .map(|v| v.to_string())
            .map_err(|e| AwsError::local("logs:PutResourcePolicy", name, e))?;
        // Account-level policies stay within 5,120 characters (aws-facts.md §1(d)).
        if compact.chars().count() > CWL_ACCOUNT_POLICY_MAX_CHARS {
            return Err(AwsError::local(
                "logs:PutResourcePolicy",
                name,
                format!(
                    "the merged policy would be {} characters, over the {CWL_ACCOUNT_POLICY_MAX_CHARS} an account-level policy may have",
                    compact.chars().count()
                ),
            ));
        }
        self.put_resource_policy(name, None, &compact, None).await
    }
}

fn log_policy(p: &aws_sdk_cloudwatchlogs::types::ResourcePolicy) -> LogPolicy {
    LogPolicy {
        name: p.policy_name().unwrap_or_default().to_owned(),
        document: p.policy_document().unwrap_or_default().to_owned(),
        revision_id: p.revision_id().map(str::to_owned),
    }
}

impl DestinationApi for SdkDestinations {
    async fn bucket(&self, name: String, managed: bool) -> Result<LiveBucket, AwsError> {
        let state = |state| {
            Ok(LiveBucket {
                name: name.clone(),
                state,
            })
        };
        let send = self
            .s3
            .head_bucket()
            .bucket(&name)
            .expected_bucket_owner(&self.account)
            .send();
        let head = self
            .s3_calls
            .call(
                call("HeadBucket", "s3:ListBucket", &name, true),
                json!({"bucketName": name, "expectedBucketOwner": self.account}),
                send,
                |o| json!({"bucketRegion": o.bucket_region()}),
            )
            .await;
        // 403 to a request that expects the deployment's account as owner: another account's
        // bucket (or one the caller may not read). 301: the bucket is in another region.
        let redirected = match head {
            Ok(_) => false,
            Err(e) if e.status == Some(404) => return state(BucketState::Missing),
            Err(e) if e.status == Some(403) => return state(BucketState::OtherOwner),
            Err(e) if e.status == Some(301) => true,
            Err(e) => return Err(e),
        };
        // Some S3-compatible endpoints (moto 5.2) do not check ExpectedBucketOwner; the
        // account's own bucket list settles ownership everywhere.
        let Some(listed_region) = self.listed_bucket(&name).await? else {
            return state(BucketState::OtherOwner);
        };
        let region = if redirected {
            listed_region
        } else {
            Some(self.bucket_location(&name).await?)
        };
        if region.as_deref() != Some(self.region.as_str()) {
            return state(BucketState::Owned(OwnedBucket {
                region,
                policy: None,
                settings: None,
            }));
        }
        let policy = self.bucket_policy(&name).await?;
        let settings = if managed {
            Some(self.bucket_settings(&name).await?)
        } else {
            None
        };
        state(BucketState::Owned(OwnedBucket {
            region,
            policy,
            settings,
        }))
    }

    async fn log_group(&self, name: String, managed: bool) -> Result<LiveLogGroup, AwsError> {
        let Some((arn, retention_days)) = self.find_log_group(&name).await? else {
            return Ok(LiveLogGroup {
                name,
                present: None,
            });
        };
        let tags = if managed {
            self.log_group_tags(&arn).await?
        } else {
            Tags::new()
        };
        let policy = self.log_group_policy(&arn).await?;
        Ok(LiveLogGroup {
            name,
            present: Some(PresentLogGroup {
                arn,
                retention_days,
                tags,
                policy,
            }),
        })
    }

    async fn account_log_policies(&self) -> Result<Vec<LogPolicy>, AwsError> {
        let policies = self.resource_policies(None).await?;
        Ok(policies
            .iter()
            .filter(|p| {
                p.resource_arn().is_none()
                    && p.policy_scope().is_none_or(|s| *s == PolicyScope::Account)
            })
            .map(log_policy)
            .collect())
    }

    /// ListTagsForDeliveryStream answers both questions (does it exist, how is it tagged) in
    /// one call; DescribeDeliveryStream's answer for a stream moto created without a
    /// compression format does not even parse in the SDK.
    async fn stream(&self, name: String) -> Result<LiveStream, AwsError> {
        let mut tags = Tags::new();
        let mut start: Option<String> = None;
        loop {
            let request = json!({"deliveryStreamName": name, "limit": TAGS_PAGE, "exclusiveStartTagKey": start});
            let send = self
                .firehose
                .list_tags_for_delivery_stream()
                .delivery_stream_name(&name)
                .limit(TAGS_PAGE)
                .set_exclusive_start_tag_key(start.take())
                .send();
            let result = self
                .firehose_calls
                .call(
                    call(
                        "ListTagsForDeliveryStream",
                        "firehose:ListTagsForDeliveryStream",
                        &name,
                        true,
                    ),
                    request,
                    send,
                    |o| json!({"count": o.tags().len(), "hasMoreTags": o.has_more_tags()}),
                )
                .await;
            let out = match result {
                Ok(out) => out,
                Err(e) if is_code(&e, "ResourceNotFoundException") => {
                    return Ok(LiveStream { name, tags: None });
                }
                Err(e) => return Err(e),
            };
            for t in out.tags() {
                tags.insert(t.key().to_owned(), t.value().unwrap_or_default().to_owned());
            }
            match out.tags().last() {
                Some(last) if out.has_more_tags() => start = Some(last.key().to_owned()),
                _ => {
                    return Ok(LiveStream {
                        name,
                        tags: Some(tags),
                    });
                }
            }
        }
    }

    async fn log_delivery_role(&self) -> Result<Option<String>, AwsError> {
        let path = service_role_path(DELIVERY_PRINCIPAL);
        let mut marker: Option<String> = None;
        loop {
            let request = json!({"pathPrefix": path, "marker": marker});
            let send = self
                .iam
                .list_roles()
                .path_prefix(&path)
                .set_marker(marker.take())
                .send();
            let out = self
                .iam_calls
                .call(
                    call("ListRoles", "iam:ListRoles", &path, true),
                    request,
                    send,
                    |o| json!({"roles": o.roles().iter().map(|r| r.role_name()).collect::<Vec<_>>()}),
                )
                .await?;
            if let Some(role) = out.roles().first() {
                return Ok(Some(role.role_name().to_owned()));
            }
            match out.marker() {
                Some(m) if out.is_truncated() && !m.is_empty() => marker = Some(m.to_owned()),
                _ => return Ok(None),
            }
        }
    }

    async fn execute(&self, operation: DestinationOperation) -> Result<(), AwsError> {
        match operation {
            DestinationOperation::CreateBucket { bucket, region } => {
                // The SDK retries a create whose answer was lost; the retry finds the bucket
                // made: done (outside us-east-1 S3 answers so; there it answers 200).
                already_done(
                    self.create_bucket(&bucket, &region).await,
                    "BucketAlreadyOwnedByYou",
                )
            }
            DestinationOperation::PutPublicAccessBlock { bucket } => {
                let all = PublicAccessBlock::ALL;
                let send = self
                    .s3
                    .put_public_access_block()
                    .bucket(&bucket)
                    .expected_bucket_owner(&self.account)
                    .public_access_block_configuration(
                        PublicAccessBlockConfiguration::builder()
                            .block_public_acls(all.block_public_acls)
                            .ignore_public_acls(all.ignore_public_acls)
                            .block_public_policy(all.block_public_policy)
                            .restrict_public_buckets(all.restrict_public_buckets)
                            .build(),
                    )
                    .send();
                let request = json!({"bucketName": bucket, "PublicAccessBlockConfiguration": all});
                self.s3_calls
                    .write(
                        call(
                            "PutPublicAccessBlock",
                            "s3:PutBucketPublicAccessBlock",
                            &bucket,
                            false,
                        ),
                        request,
                        send,
                    )
                    .await
            }
            DestinationOperation::PutBucketEncryption { bucket } => {
                let action = "s3:PutEncryptionConfiguration";
                let by_default = ServerSideEncryptionByDefault::builder()
                    .sse_algorithm(ServerSideEncryption::Aes256)
                    .build()
                    .map_err(|e| AwsError::local(action, &bucket, e))?;
                let configuration = ServerSideEncryptionConfiguration::builder()
                    .rules(
                        ServerSideEncryptionRule::builder()
                            .apply_server_side_encryption_by_default(by_default)
                            .build(),
                    )
                    .build()
                    .map_err(|e| AwsError::local(action, &bucket, e))?;
                let send = self
                    .s3
                    .put_bucket_encryption()
                    .bucket(&bucket)
                    .expected_bucket_owner(&self.account)
                    .server_side_encryption_configuration(configuration)
                    .send();
                let request = json!({"bucketName": bucket, "ServerSideEncryptionConfiguration": {"Rule": {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}}});
                self.s3_calls
                    .write(
                        call("PutBucketEncryption", action, &bucket, false),
                        request,
                        send,
                    )
                    .await
            }
            DestinationOperation::PutBucketOwnershipControls { bucket } => {
                let action = "s3:PutBucketOwnershipControls";
                let rule = OwnershipControlsRule::builder()
                    .object_ownership(ObjectOwnership::BucketOwnerEnforced)
                    .build()
                    .map_err(|e| AwsError::local(action, &bucket, e))?;
                let controls = OwnershipControls::builder()
                    .rules(rule)
                    .build()
                    .map_err(|e| AwsError::local(action, &bucket, e))?;
                let send = self
                    .s3
                    .put_bucket_ownership_controls()
                    .bucket(&bucket)
                    .expected_bucket_owner(&self.account)
                    .ownership_controls(controls)
                    .send();
                let request = json!({"bucketName": bucket, "OwnershipControls": {"Rule": {"ObjectOwnership": "BucketOwnerEnforced"}}});
                self.s3_calls
                    .write(
                        call("PutBucketOwnershipControls", action, &bucket, false),
                        request,
                        send,
                    )
                    .await
            }
            DestinationOperation::PutBucketTagging { bucket, tags } => {
                let action = "s3:PutBucketTagging";
                let set = tags
                    .iter()
                    .map(|(k, v)| {
                        aws_sdk_s3::types::Tag::builder()
                            .key(k)
                            .value(v)
                            .build()
                            .map_err(|e| AwsError::local(action, &bucket, e))
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                let tagging = Tagging::builder()
                    .set_tag_set(Some(set))
                    .build()
                    .map_err(|e| AwsError::local(action, &bucket, e))?;
                let send = self
                    .s3
                    .put_bucket_tagging()
                    .bucket(&bucket)
                    .expected_bucket_owner(&self.account)
                    .tagging(tagging)
                    .send();
                let request = json!({"bucketName": bucket, "Tagging": {"TagSet": tags}});
                self.s3_calls
                    .write(
                        call("PutBucketTagging", action, &bucket, false),
                        request,
                        send,
                    )
                    .await
            }
            DestinationOperation::PutBucketPolicy { bucket, policy } => {
                self.put_bucket_policy(&bucket, &policy.to_compact()).await
            }
            DestinationOperation::MergeBucketPolicy { bucket, statements } => {
                self.merge_bucket_policy(&bucket, &statements).await
            }
            DestinationOperation::CreateLogGroup { log_group, tags } => {
                let send = self
                    .logs
                    .create_log_group()
                    .log_group_name(&log_group)
                    .set_tags(Some(hash_tags(&tags)))
                    .send();
                let request = json!({"logGroupName": log_group, "tags": tags});
                let created = self
                    .logs_calls
                    .write(
                        call("CreateLogGroup", "logs:CreateLogGroup", &log_group, false),
                        request,
                        send,
                    )
                    .await;
                // A retry after a lost answer finds the group made: done. Its tags are the
                // ones sent, which the verification after apply reads back.
                already_done(created, "ResourceAlreadyExistsException")
            }
            DestinationOperation::PutRetentionPolicy { log_group, days } => {
                let send = self
                    .logs
                    .put_retention_policy()
                    .log_group_name(&log_group)
                    .retention_in_days(i32::try_from(days).unwrap_or(i32::MAX))
                    .send();
                let request = json!({"logGroupName": log_group, "retentionInDays": days});
                self.logs_calls
                    .write(
                        call(
                            "PutRetentionPolicy",
                            "logs:PutRetentionPolicy",
                            &log_group,
                            false,
                        ),
                        request,
                        send,
                    )
                    .await
            }
            DestinationOperation::DeleteRetentionPolicy { log_group } => {
                let send = self
                    .logs
                    .delete_retention_policy()
                    .log_group_name(&log_group)
                    .send();
                let request = json!({"logGroupName": log_group});
                self.logs_calls
                    .write(
                        call(
                            "DeleteRetentionPolicy",
                            "logs:DeleteRetentionPolicy",
                            &log_group,
                            false,
                        ),
                        request,
                        send,
                    )
                    .await
            }
            DestinationOperation::TagLogGroup { arn, tags } => {
                let send = self
                    .logs
                    .tag_resource()
                    .resource_arn(&arn)
                    .set_tags(Some(hash_tags(&tags)))
                    .send();
                let request = json!({"resourceArn": arn, "tags": tags});
                self.logs_calls
                    .write(
                        call("TagResource", "logs:TagResource", &arn, false),
                        request,
                        send,
                    )
                    .await
            }
            DestinationOperation::UntagLogGroup { arn, keys } => {
                let request = json!({"resourceArn": arn, "tagKeys": keys});
                let send = self
                    .logs
                    .untag_resource()
                    .resource_arn(&arn)
                    .set_tag_keys(Some(keys))
                    .send();
                self.logs_calls
                    .write(
                        call("UntagResource", "logs:UntagResource", &arn, false),
                        request,
                        send,
                    )
                    .await
            }
            DestinationOperation::PutLogGroupPolicy {
                name,
                arn,
                policy,
                expected_revision_id,
            } => {
                self.put_resource_policy(
                    &name,
                    Some(&arn),
                    &policy.to_compact(),
                    expected_revision_id.as_deref(),
                )
                .await
            }
            DestinationOperation::MergeAccountLogPolicy { name, statements } => {
                self.merge_account_log_policy(&name, &statements).await
            }
            DestinationOperation::TagDeliveryStream { stream, tags } => {
                let action = "firehose:TagDeliveryStream";
                let list = tags
                    .iter()
                    .map(|(k, v)| {
                        aws_sdk_firehose::types::Tag::builder()
                            .key(k)
                            .value(v)
                            .build()
                            .map_err(|e| AwsError::local(action, &stream, e))
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                let send = self
                    .firehose
                    .tag_delivery_stream()
                    .delivery_stream_name(&stream)
                    .set_tags(Some(list))
                    .send();
                let request = json!({"deliveryStreamName": stream, "tags": tags});
                self.firehose_calls
                    .write(
                        call("TagDeliveryStream", action, &stream, false),
                        request,
                        send,
                    )
                    .await
            }
            DestinationOperation::CreateServiceLinkedRole { service } => {
                if self.log_delivery_role().await?.is_some() {
                    return Ok(());
                }
                let send = self
                    .iam
                    .create_service_linked_role()
                    .aws_service_name(&service)
                    .send();
                let created = self
                    .iam_calls
                    .call(
                        call(
                            "CreateServiceLinkedRole",
                            "iam:CreateServiceLinkedRole",
                            &service,
                            false,
                        ),
                        json!({"awsServiceName": service}),
                        send,
                        |o| json!({"role": o.role().map(|r| r.role_name())}),
                    )
                    .await
                    .map(|_| ());
                // A retry after a lost answer is refused (the role name is taken): the role
                // being there is what was asked for.
                if created.is_err() && self.log_delivery_role().await?.is_some() {
                    return Ok(());
                }
                created
            }
        }
    }
}
